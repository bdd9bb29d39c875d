"""chiso.plans keeps plans, targets, tasks, the library and the responsibility map. Progress reports,
evidence and periodic reports now belong to chiso.tracking (state only here: tracking 0001–0002 took
the tables over); workflow events and reminders were copied to chiso.workflows and chiso.notifications
(generic links), so their old tables are dropped. A plan's status default comes from its workflow file."""

import chiso.workflows.models
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('plans', '0001_initial'),
        ('tracking', '0002_tracking_tables'),
        ('workflows', '0001_initial'),
        ('notifications', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='historicalplan',
            name='status',
            field=models.CharField(default=chiso.workflows.models.InitialState('plan'), max_length=20, verbose_name='trạng thái'),
        ),
        migrations.AlterField(
            model_name='plan',
            name='status',
            field=models.CharField(default=chiso.workflows.models.InitialState('plan'), max_length=20, verbose_name='trạng thái'),
        ),
        migrations.DeleteModel(
            name='Reminder',
        ),
        migrations.DeleteModel(
            name='WorkflowEvent',
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(
                    model_name='historicalevidence',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicalevidence',
                    name='report',
                ),
                migrations.RemoveField(
                    model_name='historicalevidence',
                    name='uploaded_by',
                ),
                migrations.RemoveField(
                    model_name='historicalperiodicreport',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='historicalperiodicreport',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicalperiodicreport',
                    name='plan',
                ),
                migrations.RemoveField(
                    model_name='historicalprogressreport',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicalprogressreport',
                    name='submitted_by',
                ),
                migrations.RemoveField(
                    model_name='historicalprogressreport',
                    name='task',
                ),
                migrations.RemoveField(
                    model_name='historicalprogressreport',
                    name='unit',
                ),
                migrations.RemoveField(
                    model_name='periodicreport',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='periodicreport',
                    name='plan',
                ),
                migrations.RemoveField(
                    model_name='progressreport',
                    name='submitted_by',
                ),
                migrations.RemoveField(
                    model_name='progressreport',
                    name='task',
                ),
                migrations.RemoveField(
                    model_name='progressreport',
                    name='unit',
                ),
                migrations.DeleteModel(
                    name='Evidence',
                ),
                migrations.DeleteModel(
                    name='HistoricalEvidence',
                ),
                migrations.DeleteModel(
                    name='HistoricalPeriodicReport',
                ),
                migrations.DeleteModel(
                    name='HistoricalProgressReport',
                ),
                migrations.DeleteModel(
                    name='PeriodicReport',
                ),
                migrations.DeleteModel(
                    name='ProgressReport',
                ),
            ],
        ),
    ]
