"""Workflow events of any document (generic link), copied from chiso.plans' events of plans and periodic
reports (the old table is dropped by plans 0002)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def copy_events(apps, schema_editor):
    Old = apps.get_model("plans", "WorkflowEvent")
    New = apps.get_model("workflows", "WorkflowEvent")
    ContentType = apps.get_model("contenttypes", "ContentType")
    New._meta.get_field("at").auto_now_add = False  # keep when each step was taken
    plan_ct, _ = ContentType.objects.get_or_create(app_label="plans", model="plan")
    report_ct, _ = ContentType.objects.get_or_create(app_label="tracking", model="periodicreport")
    rows = []
    for e in Old.objects.order_by("pk").iterator():
        if e.plan_id is None and e.report_id is None:
            continue
        rows.append(
            New(
                content_type=plan_ct if e.plan_id else report_ct,
                object_id=e.plan_id or e.report_id,
                action=e.action,
                from_status=e.from_status,
                to_status=e.to_status,
                comment=e.comment,
                user_id=e.user_id,
                at=e.at,
            )
        )
    New.objects.bulk_create(rows, batch_size=500)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('plans', '0001_initial'),
        ('tracking', '0002_tracking_tables'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='WorkflowEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('object_id', models.PositiveBigIntegerField()),
                ('action', models.CharField(max_length=30)),
                ('from_status', models.CharField(max_length=20)),
                ('to_status', models.CharField(max_length=20)),
                ('comment', models.TextField(blank=True)),
                ('at', models.DateTimeField(auto_now_add=True)),
                ('content_type', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='contenttypes.contenttype')),
                ('user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'bước quy trình',
                'verbose_name_plural': 'các bước quy trình',
                'ordering': ['at', 'pk'],
                'indexes': [models.Index(fields=['content_type', 'object_id'], name='workflows_w_content_d8cece_idx')],
            },
        ),
        migrations.RunPython(copy_events, migrations.RunPython.noop),
    ]
