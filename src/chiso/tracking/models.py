"""Execution of plans: what units report (ProgressReport per task, unit and period, with Evidence files)
and the periodic reports compiled from it (PeriodicReport: quarter, 6 months, year; edited, then issued
through the same workflow as plans). Every model users change keeps its history (simple_history)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from chiso.core.text import nfc_attrs
from chiso.files.models import StoredFile
from chiso.plans.models import Plan, Task
from chiso.units.models import Unit
from chiso.workflows.models import InitialState, WorkflowDocument

#: What a unit reports on a task for a period, in the order forms, the API, the history and the task
#: page show it (ProgressReport's own fields; the unit and the period say whose and when).
REPORT_FIELDS = (
    "state",
    "percent",
    "narrative",
    "difficulties",
    "product_number",
    "product_date",
    "product_issuer",
)
#: The product a task done must name (its document: number, date, issuer).
PRODUCT_FIELDS = ("product_number", "product_date", "product_issuer")


class ProgressReport(models.Model):
    class State(models.TextChoices):
        NOT_STARTED = "not_started", _("Chưa triển khai")
        IN_PROGRESS = "in_progress", _("Đang thực hiện")
        DONE = "done", _("Đã hoàn thành")
        BLOCKED = "blocked", _("Gặp vướng mắc")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reports")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="progress_reports", verbose_name=_("đơn vị")
    )
    period = models.CharField(_("kỳ báo cáo"), max_length=20, help_text=_("Ví dụ: 2025-Q1, 2025-H1, 2025"))
    state = models.CharField(_("tình trạng"), max_length=20, choices=State.choices)
    percent = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    narrative = models.TextField(_("kết quả thực hiện"), blank=True)
    difficulties = models.TextField(_("khó khăn, vướng mắc"), blank=True)
    product_number = models.CharField(_("số văn bản (sản phẩm)"), max_length=100, blank=True)
    product_date = models.DateField(_("ngày văn bản"), null=True, blank=True)
    product_issuer = models.CharField(_("cơ quan ban hành sản phẩm"), max_length=200, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now=True)
    #: Raised by every edit through the services (chiso.concurrency): a form or an API client sends the
    #: revision it read, and a save made after someone else's is refused instead of overwriting it.
    revision = models.PositiveIntegerField(_("phiên bản chỉnh sửa"), default=0, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(fields=["task", "unit", "period"], name="report_one_per_period"),
            models.CheckConstraint(condition=models.Q(percent__lte=100), name="report_percent_max_100"),
        ]
        verbose_name = _("báo cáo tiến độ")
        verbose_name_plural = _("báo cáo tiến độ")

    def __str__(self) -> str:
        return f"{self.unit} — {self.period} — {self.percent}%"

    def save(self, *args, **kwargs):
        nfc_attrs(
            self,
            ["narrative", "difficulties", "product_number", "product_issuer"],
            multiline=frozenset({"narrative", "difficulties"}),
        )
        super().save(*args, **kwargs)


class Evidence(StoredFile):
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="evidence")
    history = HistoricalRecords()

    def __str__(self) -> str:
        return self.name


class PeriodicReport(WorkflowDocument):
    """The report of a period (quarter, 6 months, year) compiled from what units reported; editable,
    then issued like a plan (same workflow)."""

    class PeriodKind(models.TextChoices):
        QUARTER = "quarter", _("Quý")
        SEMIANNUAL = "semiannual", _("6 tháng")
        ANNUAL = "annual", _("Năm")

    WORKFLOW = "plan"

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="periodic_reports")
    period_kind = models.CharField(_("loại kỳ"), max_length=20, choices=PeriodKind.choices)
    period = models.CharField(_("kỳ"), max_length=20, help_text=_("2025-Q1, 2025-H1, 2025"))
    number = models.CharField(_("số"), max_length=20, blank=True)
    symbol = models.CharField(_("ký hiệu"), max_length=60, default="BC-UBND")
    place = models.CharField(_("địa danh"), max_length=100, blank=True)
    date = models.DateField(_("ngày"), null=True, blank=True)
    title = models.CharField(_("trích yếu"), max_length=500)
    content = models.JSONField(
        _("nội dung"),
        default=dict,
        help_text=_("Các phần của báo cáo (tổng hợp từ báo cáo của đơn vị, chỉnh sửa được)"),
    )
    recipients = models.JSONField(_("nơi nhận"), default=list, blank=True)
    signer_authority = models.CharField(_("thẩm quyền ký"), max_length=100, default="TM. ỦY BAN NHÂN DÂN")
    signer_title = models.CharField(_("chức vụ người ký"), max_length=100, default="CHỦ TỊCH")
    signer_name = models.CharField(_("người ký"), max_length=100, blank=True)
    status = models.CharField(_("trạng thái"), max_length=20, default=InitialState(WORKFLOW))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    #: Raised by every edit through the services (chiso.concurrency): a form or an API client sends the
    #: revision it read, and a save made after someone else's is refused instead of overwriting it.
    revision = models.PositiveIntegerField(_("phiên bản chỉnh sửa"), default=0, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("báo cáo định kỳ")
        verbose_name_plural = _("báo cáo định kỳ")

    def __str__(self) -> str:
        return self.title

    @property
    def number_symbol(self) -> str:
        return f"{self.number}/{self.symbol}" if self.number else f"/{self.symbol}"

    @property
    def workflow_unit_id(self) -> int | None:
        return self.plan.workflow_unit_id
