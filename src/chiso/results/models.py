"""Published results and the imports that brought them in."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from chiso.frameworks.models import Framework, Index, Node
from chiso.units.models import Unit


class ImportBatch(models.Model):
    """One committed (or previewed) file import: who, when, which file, what it changed."""

    class Status(models.TextChoices):
        PREVIEW = "preview", _("Xem trước")
        COMMITTED = "committed", _("Đã ghi")
        REVERTED = "reverted", _("Đã hoàn tác")

    index = models.ForeignKey(Index, on_delete=models.PROTECT, related_name="imports")
    year = models.PositiveSmallIntegerField(_("năm"), null=True, blank=True)
    file_name = models.CharField(_("tên tệp"), max_length=255)
    file_hash = models.CharField(_("mã băm SHA-256"), max_length=64)
    file_size = models.PositiveIntegerField(_("dung lượng"), default=0)
    source = models.TextField(_("nguồn"), blank=True)
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.PREVIEW)
    summary = models.JSONField(default=dict, blank=True)
    rows_changed = models.PositiveIntegerField(_("số giá trị thay đổi"), default=0)
    created_at = models.DateTimeField(_("thời điểm"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reverted_at = models.DateTimeField(null=True, blank=True)
    reverted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("lần nhập kết quả")
        verbose_name_plural = _("lần nhập kết quả")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%d/%m/%Y %H:%M})"


class Result(models.Model):
    """The published score of one unit on one node in one evaluation year."""

    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="results")
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="results")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="results")
    year = models.PositiveSmallIntegerField(_("năm đánh giá"), db_index=True)
    value = models.FloatField(_("điểm"), null=True, blank=True)
    published_rank = models.PositiveSmallIntegerField(_("xếp hạng công bố"), null=True, blank=True)
    published_rank_of = models.PositiveSmallIntegerField(_("trên tổng số"), null=True, blank=True)
    published_group = models.CharField(_("nhóm công bố"), max_length=60, blank=True)
    source = models.TextField(_("nguồn"), blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="results"
    )
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["node", "unit", "year"], name="result_unique")]
        indexes = [models.Index(fields=["framework", "year"])]
        verbose_name = _("kết quả công bố")
        verbose_name_plural = _("kết quả công bố")

    def __str__(self) -> str:
        return f"{self.unit} {self.node.code} {self.year}: {self.value}"


class ResultChange(models.Model):
    """What one committed import did to one result, so the import can be reverted as a whole."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="changes")
    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["batch"])]

    def __str__(self) -> str:
        return f"#{self.batch_id} {self.node_id}/{self.unit_id}/{self.year}"


class DataVersion(models.Model):
    """A counter bumped on every change to results, so derived figures can be cached safely."""

    key = models.CharField(max_length=40, unique=True)
    counter = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}={self.counter}"


class ImportJob(models.Model):
    """A preview or a commit of an uploaded file, run by the background worker (large files) or in the
    request (small ones). Its progress (rows read, checked, written) and a cancel request live in small
    files next to the upload (``jobs.py``), so that they are seen while the commit's transaction is open."""

    class Kind(models.TextChoices):
        PREVIEW = "preview", _("Xem trước")
        COMMIT = "commit", _("Ghi")

    class State(models.TextChoices):
        QUEUED = "queued", _("Đang chờ")
        RUNNING = "running", _("Đang chạy")
        DONE = "done", _("Xong")
        FAILED = "failed", _("Lỗi")
        CANCELLED = "cancelled", _("Đã huỷ")

    batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )  # the upload (a batch in preview) — kept null once the committed batch replaces it
    kind = models.CharField(max_length=10, choices=Kind.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    task_id = models.CharField(max_length=64, blank=True)
    result = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )  # the committed batch
    message = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.state})"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED, self.State.CANCELLED)
