"""Progress reports, their evidence and periodic reports move from chiso.plans to chiso.tracking.

The tables already exist (created by plans 0001): this migration only tells Django's state that the
models are tracking's now, on their old tables; 0002 renames the tables. No row is copied or lost."""

import chiso.files.models
import chiso.workflows.models
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('plans', '0001_initial'),
        ('units', '0002_region_peer_groups'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='HistoricalPeriodicReport',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('period_kind', models.CharField(choices=[('quarter', 'Quý'), ('semiannual', '6 tháng'), ('annual', 'Năm')], max_length=20, verbose_name='loại kỳ')),
                        ('period', models.CharField(help_text='2025-Q1, 2025-H1, 2025', max_length=20, verbose_name='kỳ')),
                        ('number', models.CharField(blank=True, max_length=20, verbose_name='số')),
                        ('symbol', models.CharField(default='BC-UBND', max_length=60, verbose_name='ký hiệu')),
                        ('place', models.CharField(blank=True, max_length=100, verbose_name='địa danh')),
                        ('date', models.DateField(blank=True, null=True, verbose_name='ngày')),
                        ('title', models.CharField(max_length=500, verbose_name='trích yếu')),
                        ('content', models.JSONField(default=dict, help_text='Các phần của báo cáo (tổng hợp từ báo cáo của đơn vị, chỉnh sửa được)', verbose_name='nội dung')),
                        ('recipients', models.JSONField(blank=True, default=list, verbose_name='nơi nhận')),
                        ('signer_authority', models.CharField(default='TM. ỦY BAN NHÂN DÂN', max_length=100, verbose_name='thẩm quyền ký')),
                        ('signer_title', models.CharField(default='CHỦ TỊCH', max_length=100, verbose_name='chức vụ người ký')),
                        ('signer_name', models.CharField(blank=True, max_length=100, verbose_name='người ký')),
                        ('status', models.CharField(default=chiso.workflows.models.InitialState('plan'), max_length=20, verbose_name='trạng thái')),
                        ('created_at', models.DateTimeField(blank=True, editable=False)),
                        ('issued_at', models.DateTimeField(blank=True, null=True)),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('created_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('plan', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='plans.plan')),
                    ],
                    options={
                        'db_table': 'plans_historicalperiodicreport',
                        'verbose_name': 'historical báo cáo định kỳ',
                        'verbose_name_plural': 'historical báo cáo định kỳ',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalProgressReport',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('period', models.CharField(help_text='Ví dụ: 2025-Q1, 2025-H1, 2025', max_length=20, verbose_name='kỳ báo cáo')),
                        ('state', models.CharField(choices=[('not_started', 'Chưa triển khai'), ('in_progress', 'Đang thực hiện'), ('done', 'Đã hoàn thành'), ('blocked', 'Gặp vướng mắc')], max_length=20, verbose_name='tình trạng')),
                        ('percent', models.PositiveSmallIntegerField(default=0, verbose_name='tiến độ (%)')),
                        ('narrative', models.TextField(blank=True, verbose_name='kết quả thực hiện')),
                        ('difficulties', models.TextField(blank=True, verbose_name='khó khăn, vướng mắc')),
                        ('product_number', models.CharField(blank=True, max_length=100, verbose_name='số văn bản (sản phẩm)')),
                        ('product_date', models.DateField(blank=True, null=True, verbose_name='ngày văn bản')),
                        ('product_issuer', models.CharField(blank=True, max_length=200, verbose_name='cơ quan ban hành sản phẩm')),
                        ('submitted_at', models.DateTimeField(blank=True, editable=False)),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('submitted_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('task', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='plans.task')),
                        ('unit', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='units.unit', verbose_name='đơn vị')),
                    ],
                    options={
                        'db_table': 'plans_historicalprogressreport',
                        'verbose_name': 'historical báo cáo tiến độ',
                        'verbose_name_plural': 'historical báo cáo tiến độ',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='PeriodicReport',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('period_kind', models.CharField(choices=[('quarter', 'Quý'), ('semiannual', '6 tháng'), ('annual', 'Năm')], max_length=20, verbose_name='loại kỳ')),
                        ('period', models.CharField(help_text='2025-Q1, 2025-H1, 2025', max_length=20, verbose_name='kỳ')),
                        ('number', models.CharField(blank=True, max_length=20, verbose_name='số')),
                        ('symbol', models.CharField(default='BC-UBND', max_length=60, verbose_name='ký hiệu')),
                        ('place', models.CharField(blank=True, max_length=100, verbose_name='địa danh')),
                        ('date', models.DateField(blank=True, null=True, verbose_name='ngày')),
                        ('title', models.CharField(max_length=500, verbose_name='trích yếu')),
                        ('content', models.JSONField(default=dict, help_text='Các phần của báo cáo (tổng hợp từ báo cáo của đơn vị, chỉnh sửa được)', verbose_name='nội dung')),
                        ('recipients', models.JSONField(blank=True, default=list, verbose_name='nơi nhận')),
                        ('signer_authority', models.CharField(default='TM. ỦY BAN NHÂN DÂN', max_length=100, verbose_name='thẩm quyền ký')),
                        ('signer_title', models.CharField(default='CHỦ TỊCH', max_length=100, verbose_name='chức vụ người ký')),
                        ('signer_name', models.CharField(blank=True, max_length=100, verbose_name='người ký')),
                        ('status', models.CharField(default=chiso.workflows.models.InitialState('plan'), max_length=20, verbose_name='trạng thái')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('issued_at', models.DateTimeField(blank=True, null=True)),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('plan', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='periodic_reports', to='plans.plan')),
                    ],
                    options={
                        'db_table': 'plans_periodicreport',
                        'verbose_name': 'báo cáo định kỳ',
                        'verbose_name_plural': 'báo cáo định kỳ',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='ProgressReport',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('period', models.CharField(help_text='Ví dụ: 2025-Q1, 2025-H1, 2025', max_length=20, verbose_name='kỳ báo cáo')),
                        ('state', models.CharField(choices=[('not_started', 'Chưa triển khai'), ('in_progress', 'Đang thực hiện'), ('done', 'Đã hoàn thành'), ('blocked', 'Gặp vướng mắc')], max_length=20, verbose_name='tình trạng')),
                        ('percent', models.PositiveSmallIntegerField(default=0, verbose_name='tiến độ (%)')),
                        ('narrative', models.TextField(blank=True, verbose_name='kết quả thực hiện')),
                        ('difficulties', models.TextField(blank=True, verbose_name='khó khăn, vướng mắc')),
                        ('product_number', models.CharField(blank=True, max_length=100, verbose_name='số văn bản (sản phẩm)')),
                        ('product_date', models.DateField(blank=True, null=True, verbose_name='ngày văn bản')),
                        ('product_issuer', models.CharField(blank=True, max_length=200, verbose_name='cơ quan ban hành sản phẩm')),
                        ('submitted_at', models.DateTimeField(auto_now=True)),
                        ('submitted_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('task', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reports', to='plans.task')),
                        ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='progress_reports', to='units.unit', verbose_name='đơn vị')),
                    ],
                    options={
                        'db_table': 'plans_progressreport',
                        'verbose_name': 'báo cáo tiến độ',
                        'verbose_name_plural': 'báo cáo tiến độ',
                        'ordering': ['-submitted_at'],
                    },
                ),
                migrations.CreateModel(
                    name='HistoricalEvidence',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('file', models.TextField(max_length=300)),
                        ('name', models.CharField(max_length=255, verbose_name='tên tệp')),
                        ('content_type', models.CharField(max_length=120)),
                        ('size', models.PositiveBigIntegerField(verbose_name='dung lượng (byte)')),
                        ('sha256', models.CharField(db_index=True, max_length=64)),
                        ('scan_status', models.CharField(default='not_scanned', max_length=20, verbose_name='kiểm tra virus')),
                        ('uploaded_at', models.DateTimeField(blank=True, editable=False)),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('uploaded_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('report', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='tracking.progressreport')),
                    ],
                    options={
                        'db_table': 'plans_historicalevidence',
                        'verbose_name': 'historical evidence',
                        'verbose_name_plural': 'historical evidences',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='Evidence',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('file', models.FileField(max_length=300, upload_to=chiso.files.models.upload_path)),
                        ('name', models.CharField(max_length=255, verbose_name='tên tệp')),
                        ('content_type', models.CharField(max_length=120)),
                        ('size', models.PositiveBigIntegerField(verbose_name='dung lượng (byte)')),
                        ('sha256', models.CharField(db_index=True, max_length=64)),
                        ('scan_status', models.CharField(default='not_scanned', max_length=20, verbose_name='kiểm tra virus')),
                        ('uploaded_at', models.DateTimeField(auto_now_add=True)),
                        ('uploaded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('report', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='evidence', to='tracking.progressreport')),
                    ],
                    options={
                        'db_table': 'plans_evidence',
                        'abstract': False,
                    },
                ),
                migrations.AddConstraint(
                    model_name='progressreport',
                    constraint=models.UniqueConstraint(fields=('task', 'unit', 'period'), name='report_one_per_period'),
                ),
                migrations.AddConstraint(
                    model_name='progressreport',
                    constraint=models.CheckConstraint(condition=models.Q(('percent__lte', 100)), name='report_percent_max_100'),
                ),
            ],
        ),
    ]
