"""The moved tables take tracking's names (plans_progressreport → tracking_progressreport …), and the
content types (and so the permissions attached to them) follow the models."""

from django.db import migrations

MOVED = ["progressreport", "historicalprogressreport", "evidence", "historicalevidence", "periodicreport",
         "historicalperiodicreport"]  # fmt: skip


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label="tracking", model=model).exists():
            ContentType.objects.filter(app_label="plans", model=model).update(app_label="tracking")


def back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label="plans", model=model).exists():
            ContentType.objects.filter(app_label="tracking", model=model).update(app_label="plans")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("tracking", "0001_initial"),
    ]

    operations = [
        *[migrations.AlterModelTable(name=model, table=None) for model in MOVED],
        migrations.RunPython(move_content_types, back),
    ]
