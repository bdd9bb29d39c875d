"""Assessment rounds: units score themselves on a framework's criteria with evidence, appraisers set
the appraised and final scores, units explain, and closing the round publishes the results.

A Round (framework + year + province + the units it scores) follows ``data/workflows/assessment.yaml``;
each state opens one kind of work (self, appraisal, explanation, final) until that phase's deadline. Each
unit has a Sheet with one Score per leaf criterion (self, appraised and final scores, the figures a
rule-scored criterion was computed from, not-applicable, notes), evidence files and links to the products
and reports of plan tasks, and the history of every change. Appraisers are assigned to units and/or
criteria (Assignment). Writes happen only in ``chiso.assessment.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from chiso.core.text import nfc_attrs
from chiso.files.models import StoredFile
from chiso.frameworks.models import Framework, Node
from chiso.units.models import Unit
from chiso.workflows.models import InitialState, ProvinceExercise


class Round(ProvinceExercise):
    """One assessment exercise: a framework, an evaluation year, the province that runs it and the units
    it scores (its departments, its communes, or the province itself)."""

    WORKFLOW = "assessment"

    class Scope(models.TextChoices):
        DEPARTMENT = "department", _("Các sở, ban, ngành")
        COMMUNE = "commune", _("UBND các xã, phường")
        PROVINCE = "province", _("Tỉnh (tự đánh giá PAR INDEX)")

    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="rounds")
    year = models.PositiveSmallIntegerField(_("năm đánh giá"))
    province = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="assessment_rounds")
    scope = models.CharField(_("đơn vị được đánh giá"), max_length=20, choices=Scope.choices)
    title = models.CharField(_("tên đợt đánh giá"), max_length=300)
    status = models.CharField(_("giai đoạn"), max_length=20, default=InitialState(WORKFLOW))
    #: The last day of each work (inclusive, local time); the work locks after it.
    self_deadline = models.DateField(_("hạn tự đánh giá"), null=True, blank=True)
    appraisal_deadline = models.DateField(_("hạn thẩm định"), null=True, blank=True)
    explanation_deadline = models.DateField(_("hạn giải trình"), null=True, blank=True)
    final_deadline = models.DateField(_("hạn thẩm định lại"), null=True, blank=True)
    published_batch = models.ForeignKey(
        "results.ImportBatch", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta(ProvinceExercise.Meta):
        verbose_name = _("đợt đánh giá")
        verbose_name_plural = _("đợt đánh giá")

    @property
    def opens(self) -> str:
        """The work the round's current state opens ("self", "appraisal", "explanation", "final", "")."""
        return self.workflow().state(self.status).opens

    def deadline_of(self, work: str):
        return {
            "self": self.self_deadline,
            "appraisal": self.appraisal_deadline,
            "explanation": self.explanation_deadline,
            "final": self.final_deadline,
        }.get(work)


class Sheet(models.Model):
    """A unit's score sheet in a round."""

    class State(models.TextChoices):
        NOT_STARTED = "not_started", _("Chưa bắt đầu")
        IN_PROGRESS = "in_progress", _("Đang chấm")
        SUBMITTED = "submitted", _("Đã nộp")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="sheets")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="assessment_sheets")
    state = models.CharField(
        _("tình trạng tự đánh giá"), max_length=20, choices=State.choices, default="not_started"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: A coordinator reopened this unit's work after its deadline: until when, and why (history keeps who).
    reopened_until = models.DateField(_("mở lại đến ngày"), null=True, blank=True)
    reopen_reason = models.TextField(_("lý do mở lại"), blank=True)
    #: Kept by the services from the scores, so lists and summaries read one row per unit.
    self_total = models.FloatField(null=True, blank=True)
    appraised_total = models.FloatField(null=True, blank=True)
    final_total = models.FloatField(null=True, blank=True)
    percent = models.FloatField(null=True, blank=True)
    applicable_max = models.FloatField(null=True, blank=True)
    rank = models.PositiveSmallIntegerField(null=True, blank=True)
    klass = models.CharField(_("xếp loại"), max_length=60, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["round", "unit__short_name"]
        constraints = [models.UniqueConstraint(fields=["round", "unit"], name="sheet_one_per_unit")]
        verbose_name = _("phiếu chấm điểm")
        verbose_name_plural = _("phiếu chấm điểm")

    def __str__(self) -> str:
        return f"{self.unit} — {self.round}"

    def save(self, *args, **kwargs):
        nfc_attrs(self, ["reopen_reason"], multiline=frozenset({"reopen_reason"}))
        super().save(*args, **kwargs)


class Score(models.Model):
    """A unit's score on one leaf criterion, at every stage."""

    sheet = models.ForeignKey(Sheet, on_delete=models.CASCADE, related_name="scores")
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+")
    self_score = models.FloatField(_("điểm tự chấm"), null=True, blank=True)
    appraised_score = models.FloatField(_("điểm thẩm định"), null=True, blank=True)
    final_score = models.FloatField(_("điểm thẩm định lại"), null=True, blank=True)
    #: Figures of a rule-scored criterion, per stage ({"self": {"done": 19, "planned": 20}, …}).
    inputs = models.JSONField(_("số liệu"), default=dict, blank=True)
    not_applicable = models.BooleanField(_("không áp dụng"), default=False)
    self_note = models.TextField(_("thuyết minh của đơn vị"), blank=True)
    appraisal_comment = models.TextField(_("ý kiến thẩm định"), blank=True)
    explanation = models.TextField(_("giải trình"), blank=True)
    final_comment = models.TextField(_("ý kiến thẩm định lại"), blank=True)
    #: Where an imported score came from (a survey, the ministry's appraisal…).
    source = models.CharField(_("nguồn điểm"), max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: Raised by every save: a form carries the version it was opened at, so a stale save is refused.
    version = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["sheet", "node__order"]
        constraints = [models.UniqueConstraint(fields=["sheet", "node"], name="score_one_per_criterion")]
        verbose_name = _("điểm tiêu chí")
        verbose_name_plural = _("điểm tiêu chí")

    def __str__(self) -> str:
        return f"{self.node.code}: {self.self_score}"

    def save(self, *args, **kwargs):
        nfc_attrs(
            self,
            ["self_note", "appraisal_comment", "explanation", "final_comment", "source"],
            multiline=frozenset({"self_note", "appraisal_comment", "explanation", "final_comment"}),
        )
        super().save(*args, **kwargs)


class EvidenceFile(StoredFile):
    """A document a unit gives as evidence (tài liệu kiểm chứng) for one criterion."""

    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="files")
    stage = models.CharField(max_length=20, default="self")
    history = HistoricalRecords()

    def __str__(self) -> str:
        return self.name


class EvidenceLink(models.Model):
    """Evidence from the plans: the product of a task, or a unit's progress report on it."""

    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="links")
    task = models.ForeignKey("plans.Task", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    report = models.ForeignKey(
        "tracking.ProgressReport", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    label = models.CharField(_("nội dung"), max_length=500)
    note = models.TextField(_("ghi chú"), blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["score", "task", "report"], name="evidence_link_once"),
            # A link names a task or a report, the other is NULL, and NULLs are distinct in a unique
            # constraint: these two keep "once per criterion" true for each kind of link.
            models.UniqueConstraint(
                fields=["score", "task"], condition=Q(report__isnull=True), name="evidence_link_task_once"
            ),
            models.UniqueConstraint(
                fields=["score", "report"], condition=Q(task__isnull=True), name="evidence_link_report_once"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class Assignment(models.Model):
    """An appraiser of a round, for some units and/or some criteria (empty = all of them)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="appraisals")
    units = models.ManyToManyField(Unit, blank=True, related_name="+", verbose_name=_("đơn vị"))
    criteria = models.JSONField(_("tiêu chí (mã)"), default=list, blank=True)
    history = HistoricalRecords(m2m_fields=[units])

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "user"], name="assignment_one_per_user")]
        verbose_name = _("phân công thẩm định")
        verbose_name_plural = _("phân công thẩm định")

    def __str__(self) -> str:
        return f"{self.user} — {self.round}"


class Proposal(models.Model):
    """In a round on the province itself (its PAR INDEX self-assessment): the score a department that
    leads or coordinates a criterion proposes, with its note; the coordinator consolidates them into the
    province's self-score."""

    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="proposals")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị đề xuất")
    )
    lead = models.BooleanField(_("chủ trì"), default=False)
    proposed_score = models.FloatField(_("điểm đề xuất"), null=True, blank=True)
    note = models.TextField(_("thuyết minh"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["score", "unit"], name="proposal_one_per_unit")]
        verbose_name = _("đề xuất điểm")
        verbose_name_plural = _("đề xuất điểm")

    def __str__(self) -> str:
        return f"{self.unit}: {self.proposed_score}"

    def save(self, *args, **kwargs):
        nfc_attrs(self, ["note"], multiline=frozenset({"note"}))
        super().save(*args, **kwargs)


class ScoreImport(models.Model):
    """One file of scores written into a round (``services.imports.commit_scores``, and the ministry's
    appraisal of the province, ``services.ministry.commit_ministry``): the file (name, SHA-256), the stage,
    the source recorded on its scores, who and when, the rows the file had and the scores it wrote. The
    round page lists them; each score's history names the file too (``services.imports.import_reason``)."""

    class Stage(models.TextChoices):
        SELF = "self", _("tự đánh giá")
        APPRAISAL = "appraisal", _("thẩm định")
        FINAL = "final", _("thẩm định lại")
        SURVEY = "survey", _("khảo sát")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="score_imports")
    file_name = models.CharField(_("tên tệp"), max_length=300)
    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64, blank=True)
    stage = models.CharField(_("giai đoạn"), max_length=20, choices=Stage.choices)
    #: the ministry's appraisal of the province (a round on the province itself)
    ministry = models.BooleanField(_("kết quả thẩm định của Bộ"), default=False)
    source = models.CharField(_("nguồn điểm"), max_length=300, blank=True)
    rows = models.PositiveIntegerField(_("số dòng của tệp"), default=0)
    written = models.PositiveIntegerField(_("số điểm đã ghi"), default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(_("thời điểm nhập"), default=timezone.now)

    class Meta:
        ordering = ["-imported_at", "-pk"]
        verbose_name = _("lần nhập điểm")
        verbose_name_plural = _("các lần nhập điểm")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.stage}, {self.imported_at:%d/%m/%Y %H:%M})"

    def save(self, *args, **kwargs):
        nfc_attrs(self, ["file_name", "source"])
        super().save(*args, **kwargs)
