"""Satisfaction surveys (SIPAS-shaped): a questionnaire per survey, the sampling frame of service points,
and the responses of citizens.

A Survey (a province, a year) follows ``data/workflows/survey.yaml``: in a state without ``live`` or
``locked`` (the draft) its questionnaire and frame are edited freely; a ``live`` state takes responses;
a ``locked`` one takes none. Its Questions belong to a version of the questionnaire: once responses exist, a
change to the questionnaire makes a new version (``services.questionnaire``), so every response is read
with the questions it was answered on. A ServicePoint is a unit's one-stop counter with its dossier count
(the frame of the sample). A Response keeps all its answers in one row (``answers``: {code: value}) and the
1–5 items again as one character each (``scores``: the estimates read only that column); responses have no
per-row history and trigger no cache invalidation. Writes happen only in ``chiso.surveys.services``.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from chiso.core.text import nfc_attrs
from chiso.units.models import Unit
from chiso.workflows.models import InitialState, ProvinceExercise


def _salt() -> str:
    return secrets.token_hex(16)


class Survey(ProvinceExercise):
    WORKFLOW = "survey"
    NFC_FIELDS = ("title", "intro")

    province = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="surveys")
    year = models.PositiveSmallIntegerField(_("năm khảo sát"))
    title = models.CharField(_("tên cuộc khảo sát"), max_length=300)
    intro = models.TextField(_("lời giới thiệu"), blank=True)
    template = models.CharField(_("mẫu phiếu"), max_length=40, blank=True)
    status = models.CharField(_("trạng thái"), max_length=20, default=InitialState(WORKFLOW))
    version = models.PositiveSmallIntegerField(_("phiên bản phiếu"), default=1)
    #: One more at every change of the questionnaire (``services.questionnaire``): the editor's forms send
    #: back the revision they were opened at (an edit made in between refuses the save, chiso.concurrency),
    #: and the intake's per-worker cache of the form is keyed by it with the version (``intake.form_of``),
    #: so a change is picked up by the next response.
    revision = models.PositiveIntegerField(default=0, editable=False)
    #: Sampling: the margin of error wanted for each unit (0.05 = ±5 points), at 95 % confidence.
    margin = models.DecimalField(_("sai số cho phép"), max_digits=4, decimal_places=3, default=0.05)
    #: A figure on fewer responses than this is shown as not publishable.
    min_n = models.PositiveIntegerField(_("cỡ mẫu tối thiểu để công bố"), default=30)
    #: The public web form refuses a response sent sooner than this after the form was shown.
    min_fill_seconds = models.PositiveIntegerField(_("thời gian điền tối thiểu (giây)"), default=20)
    #: Known population margins for weighting: {"gender": {"1": 0.49, "2": 0.51}, "age": {...}}.
    margins = models.JSONField(_("cơ cấu dân số để gia quyền"), default=dict, blank=True)
    salt = models.CharField(max_length=32, default=_salt, editable=False)
    history = HistoricalRecords()

    class Meta(ProvinceExercise.Meta):
        verbose_name = _("cuộc khảo sát")
        verbose_name_plural = _("cuộc khảo sát")

    @property
    def collecting(self) -> bool:
        return self.is_live

    def current_questions(self):
        return self.questions.filter(version=self.version).order_by("order")


class Question(models.Model):
    class Kind(models.TextChoices):
        LIKERT5 = "likert5", _("Thang 1–5 (mức độ hài lòng)")
        SINGLE = "single", _("Chọn một")
        MULTIPLE = "multiple", _("Chọn nhiều")
        NUMBER = "number", _("Số")
        TEXT = "text", _("Ý kiến (chữ)")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    version = models.PositiveSmallIntegerField(default=1)
    order = models.PositiveIntegerField(default=0)
    code = models.CharField(_("mã câu hỏi"), max_length=40)
    section = models.CharField(_("phần"), max_length=200, blank=True)
    element = models.CharField(_("yếu tố"), max_length=40, blank=True)
    text = models.TextField(_("nội dung câu hỏi"))
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices)
    required = models.BooleanField(_("bắt buộc"), default=False)
    #: A 1–5 satisfaction item the estimates are computed on.
    scale = models.BooleanField(_("tính vào chỉ số hài lòng"), default=False)
    #: [[value, label], …] for single and multiple choice.
    options = models.JSONField(default=list, blank=True)
    #: Simple skip logic: asked only when {"<code>": [values]} holds (one earlier question).
    show_if = models.JSONField(default=dict, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["survey", "version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "version", "code"], name="survey_question_code_unique")
        ]
        verbose_name = _("câu hỏi")
        verbose_name_plural = _("câu hỏi")

    def __str__(self) -> str:
        return f"{self.code}: {self.text[:60]}"

    def save(self, *args, **kwargs):
        nfc_attrs(self, ["code", "section", "text"])
        super().save(*args, **kwargs)


class Element(models.Model):
    """A group of 1–5 items (a SIPAS element) whose estimates are also given."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="elements")
    code = models.CharField(max_length=40)
    label = models.CharField(max_length=300)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["survey", "order"]
        constraints = [models.UniqueConstraint(fields=["survey", "code"], name="survey_element_unique")]

    def __str__(self) -> str:
        return self.label


class ServicePoint(models.Model):
    """A unit's one-stop counter (bộ phận một cửa) in the frame of a survey."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="points")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị"))
    code = models.CharField(_("mã điểm"), max_length=40)
    name = models.CharField(_("tên điểm phục vụ"), max_length=300)
    #: Dossiers (hồ sơ) handled in the survey's period: the size of the population the sample is drawn from.
    dossiers = models.PositiveIntegerField(_("số hồ sơ trong kỳ"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["survey", "name"]
        constraints = [models.UniqueConstraint(fields=["survey", "code"], name="survey_point_code_unique")]
        verbose_name = _("điểm phục vụ")
        verbose_name_plural = _("điểm phục vụ")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        nfc_attrs(self, ["code", "name"])
        super().save(*args, **kwargs)


#: The profile questions (of the shipped template) that weighting rakes by — sex and age group — whose
#: answers each response also keeps in a column of the same name: the weighted estimates read those columns
#: instead of extracting the answers from a million JSON documents (``services.estimates``).
PROFILE_CODES = ("gender", "age")


def profile_cells(answers: Any) -> dict[str, str | None]:
    """The answers to ``PROFILE_CODES`` as raking's cell names: ``str`` of the answer as JSON gives it back
    (``2`` → "2", ``"2"`` → "2", ``True`` → "True"), None when not answered — the very names the estimates
    read from the JSON ``answers`` before these columns existed."""
    out: dict[str, str | None] = {}
    for code in PROFILE_CODES:
        value = answers.get(code) if isinstance(answers, Mapping) else None
        if value is not None and not isinstance(value, (str, int, float)):
            value = json.loads(json.dumps(value))  # a list or an object: as read back from the database
        out[code] = None if value is None else str(value)
    return out


class ResponseQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Every writer of many responses at once (imports, loaders, tests) fills the profile columns
        from the answers, as ``Response.save`` does."""
        objs = list(objs)
        for obj in objs:
            obj.fill_profile()
        return super().bulk_create(objs, *args, **kwargs)


class Response(models.Model):
    """One citizen's answers, in one row (no history: responses are collected, never edited)."""

    class Mode(models.TextChoices):
        WEB = "web", _("Phiếu trực tuyến")
        API = "api", _("API")
        PAPER = "paper", _("Phiếu giấy")
        IMPORT = "import", _("Nhập từ tệp")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    version = models.PositiveSmallIntegerField(default=1)
    point = models.ForeignKey(ServicePoint, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    dossier = models.CharField(_("mã hồ sơ"), max_length=60, blank=True)
    receipt = models.CharField(max_length=16, unique=True)
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.WEB)
    answers = models.JSONField(default=dict)
    #: The answers to the profile questions raking weights by (``PROFILE_CODES``), again, as text: a function
    #: of ``answers`` kept by ``save`` and ``bulk_create`` (``profile_cells``); writers in raw SQL (the
    #: public intake's one statement) fill them from ``profile_cells`` too. NULL: not answered, apart from an
    #: answer "" (raking tells them apart, as it did reading the JSON).
    gender = models.TextField(null=True, blank=True, editable=False)  # noqa: DJ001
    age = models.TextField(null=True, blank=True, editable=False)  # noqa: DJ001
    #: The 1–5 items in questionnaire order, one character each ("1"–"5", "-" unanswered).
    scores = models.CharField(max_length=400, blank=True)
    #: Paper forms: the sheet's number, who typed it, and whether a second entry matched it.
    sheet = models.CharField(max_length=40, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified = models.BooleanField(default=False)
    #: Free text answers are shown to nobody until a coordinator has read them (``services.screening``).
    text_state = models.CharField(
        max_length=10,
        blank=True,
        choices=[("pending", _("Chờ duyệt")), ("shown", _("Được hiển thị")), ("hidden", _("Không hiển thị"))],
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "dossier"], condition=~Q(dossier=""), name="survey_response_dossier_unique"
            )
        ]
        indexes = [models.Index(fields=["survey", "point"])]

    def __str__(self) -> str:
        return self.receipt

    def save(self, *args, **kwargs):
        self.fill_profile()
        super().save(*args, **kwargs)

    def fill_profile(self) -> None:
        for code, cell in profile_cells(self.answers).items():
            setattr(self, code, cell)


class RateCount(models.Model):
    """Responses per (survey, salted hash of the sender's address, hour); dropped when the survey closes.
    The raw address is never stored."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    hour = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "key", "hour"], name="survey_rate_unique")]

    def __str__(self) -> str:
        return f"{self.key[:8]}… {self.hour:%Y-%m-%d %H}h: {self.count}"


class FormUse(models.Model):
    """A page of the public form or of paper entry sent: the random number its signed token carries
    (``services.pages``), so a second sending of the same page (a double tap or click, the browser sending
    it again) writes no second response and shows the first one's receipt. Nothing about the sender;
    dropped when the survey closes."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=32)
    #: The response the page made ("" while it is being written).
    receipt = models.CharField(max_length=16, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "nonce"], name="survey_form_use_unique")]

    def __str__(self) -> str:
        return f"{self.nonce[:8]}… → {self.receipt or '…'}"
