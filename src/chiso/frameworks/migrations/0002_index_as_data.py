"""Indices become data: levels with their labels, the kind of unit scored, value kind, other names and
an owner (none: national). Existing indices take their declaration from the shipped framework files
(the same files `load-reference` installs), and stored source kinds are normalised to the current
vocabulary (the SIPAS survey source is now `satisfaction_survey`)."""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from pathlib import Path

import yaml
from django.db import migrations, models


FRAMEWORKS_DIR = Path(__file__).resolve().parents[2] / "data" / "frameworks"
SOURCE_KIND_WORDS = {"SIPAS": "satisfaction_survey"}  # the label the old code stood for


def declare_shipped_indices(apps, schema_editor):
    Index = apps.get_model("frameworks", "Index")
    Node = apps.get_model("frameworks", "Node")
    newest: dict[str, tuple[int, dict]] = {}
    for path in sorted(FRAMEWORKS_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        code, year = data.get("index"), data.get("valid_from") or 0
        if code and data.get("levels") and (code not in newest or year >= newest[code][0]):
            newest[code] = (year, data)
    for code, (_year, data) in newest.items():
        Index.objects.filter(code=code).update(
            levels=data["levels"],
            unit_kind=data.get("unit_kind") or "province",
            value_kind=data.get("value_kind") or "points",
            aliases=data.get("index_aliases") or [],
        )
    for old, new in SOURCE_KIND_WORDS.items():
        Node.objects.filter(source_kind__iexact=old).update(source_kind=new)


class Migration(migrations.Migration):

    dependencies = [
        ('frameworks', '0001_initial'),
        ('units', '0002_region_peer_groups'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='index',
            name='aliases',
            field=models.JSONField(blank=True, default=list, verbose_name='tên khác'),
        ),
        migrations.AddField(
            model_name='index',
            name='levels',
            field=models.JSONField(blank=True, default=list, help_text='Từ trên xuống: [{code, name_vi, name_en, aliases}]', verbose_name='các cấp'),
        ),
        migrations.AddField(
            model_name='index',
            name='owner',
            field=models.ForeignKey(blank=True, help_text='Trống: chỉ số quốc gia (chỉ quản trị hệ thống sửa)', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='own_indices', to='units.unit', verbose_name='tỉnh sở hữu'),
        ),
        migrations.AddField(
            model_name='index',
            name='unit_kind',
            field=models.CharField(choices=[('province', 'Tỉnh, thành phố'), ('department', 'Sở, ban, ngành'), ('commune', 'Xã, phường, đặc khu'), ('district', 'Quận, huyện'), ('any', 'Mọi đơn vị')], default='province', max_length=20, verbose_name='đơn vị được đánh giá'),
        ),
        migrations.AddField(
            model_name='index',
            name='value_kind',
            field=models.CharField(default='points', max_length=10, verbose_name='kiểu giá trị'),
        ),
        migrations.CreateModel(
            name='HistoricalIndex',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('code', models.CharField(db_index=True, max_length=20, verbose_name='mã')),
                ('name_vi', models.CharField(max_length=200, verbose_name='tên')),
                ('name_en', models.CharField(max_length=200, verbose_name='tên tiếng Anh')),
                ('short_name', models.CharField(max_length=40, verbose_name='tên ngắn')),
                ('order', models.PositiveSmallIntegerField(default=0)),
                ('levels', models.JSONField(blank=True, default=list, help_text='Từ trên xuống: [{code, name_vi, name_en, aliases}]', verbose_name='các cấp')),
                ('unit_kind', models.CharField(choices=[('province', 'Tỉnh, thành phố'), ('department', 'Sở, ban, ngành'), ('commune', 'Xã, phường, đặc khu'), ('district', 'Quận, huyện'), ('any', 'Mọi đơn vị')], default='province', max_length=20, verbose_name='đơn vị được đánh giá')),
                ('value_kind', models.CharField(default='points', max_length=10, verbose_name='kiểu giá trị')),
                ('aliases', models.JSONField(blank=True, default=list, verbose_name='tên khác')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('owner', models.ForeignKey(blank=True, db_constraint=False, help_text='Trống: chỉ số quốc gia (chỉ quản trị hệ thống sửa)', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='units.unit', verbose_name='tỉnh sở hữu')),
            ],
            options={
                'verbose_name': 'historical chỉ số',
                'verbose_name_plural': 'historical chỉ số',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.RunPython(declare_shipped_indices, migrations.RunPython.noop),
    ]
