"""Reminders about anything (generic link and a key), copied from chiso.plans' reminders about tasks and
digests (the old table is dropped by plans 0002); the unique key keeps "never sent twice" true."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def copy_reminders(apps, schema_editor):
    Old = apps.get_model("plans", "Reminder")
    New = apps.get_model("notifications", "Reminder")
    ContentType = apps.get_model("contenttypes", "ContentType")
    New._meta.get_field("sent_at").auto_now_add = False  # keep when each was sent
    task_ct, _ = ContentType.objects.get_or_create(app_label="plans", model="task")
    rows = [
        New(
            key=f"plans.task:{r.task_id}" if r.task_id else "digest",
            content_type=task_ct if r.task_id else None,
            object_id=r.task_id,
            unit_id=r.unit_id,
            user_id=r.user_id,
            kind=r.kind,
            channel=r.channel,
            due=r.due,
            subject=r.subject,
            body=r.body,
            url=r.url,
            sent_at=r.sent_at,
            read_at=r.read_at,
        )
        for r in Old.objects.order_by("pk").iterator()
    ]
    # A digest recorded twice (NULL task escaped the old constraint) is kept once.
    New.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('plans', '0001_initial'),
        ('units', '0002_region_peer_groups'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Reminder',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(help_text='Ví dụ: plans.task:42, digest', max_length=100, verbose_name='về việc')),
                ('object_id', models.PositiveBigIntegerField(blank=True, null=True)),
                ('kind', models.CharField(choices=[('d7', 'Còn 7 ngày'), ('d3', 'Còn 3 ngày'), ('d1', 'Còn 1 ngày'), ('late', 'Quá hạn'), ('digest', 'Tổng hợp hằng ngày')], max_length=10)),
                ('channel', models.CharField(choices=[('email', 'Thư điện tử'), ('app', 'Trong ứng dụng')], max_length=10)),
                ('due', models.DateField(verbose_name='hạn')),
                ('subject', models.CharField(max_length=300)),
                ('body', models.TextField(blank=True)),
                ('url', models.CharField(blank=True, max_length=300)),
                ('sent_at', models.DateTimeField(auto_now_add=True)),
                ('read_at', models.DateTimeField(blank=True, null=True)),
                ('content_type', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='contenttypes.contenttype')),
                ('unit', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='units.unit')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reminders', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'nhắc việc',
                'verbose_name_plural': 'nhắc việc',
                'ordering': ['-sent_at'],
                'indexes': [models.Index(fields=['content_type', 'object_id'], name='notificatio_content_b45492_idx'), models.Index(fields=['user', 'channel', 'read_at'], name='notificatio_user_id_df9dde_idx')],
                'constraints': [models.UniqueConstraint(fields=('key', 'user', 'kind', 'channel', 'due'), name='notifications_reminder_once')],
            },
        ),
        migrations.RunPython(copy_reminders, migrations.RunPython.noop),
    ]
