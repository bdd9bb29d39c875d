"""Improvement plans and their execution.

A plan (Kế hoạch) of an issuing unit has targets (whole index or one node, with the baseline taken from
the results), tasks (lead and coordinating units, product, deadline or recurrence) and attachments; it
follows the workflow of ``chiso/data/workflows/plan.yaml``. Locked plans (issued…): a change makes an
amendment (a new Plan whose ``amends`` is the old one). A subordinate unit's plan derived from a
provincial plan has ``derived_from``; its tasks keep ``origin`` so progress rolls up.
Execution (progress reports, periodic reports) is chiso.tracking's; files, workflows and reminders are
chiso.files', chiso.workflows' and chiso.notifications'. Every model that users change keeps its history
(simple_history: who, when, before, after).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from chiso.core.text import nfc, nfc_attrs
from chiso.files.models import StoredFile
from chiso.units.models import Unit
from chiso.workflows.models import InitialState, WorkflowDocument

#: Rich-text fields: NFC per line, line breaks and blank lines (paragraphs, "- " bullets) kept.
MULTILINE_FIELDS = frozenset({"purpose", "requirements", "body", "narrative", "difficulties", "note"})


def _nfc_fields(obj, names) -> None:
    nfc_attrs(obj, names, MULTILINE_FIELDS)


class Recurrence(models.TextChoices):
    NONE = "none", _("Một lần (theo thời hạn)")
    CONTINUOUS = "continuous", _("Thường xuyên")
    QUARTERLY = "quarterly", _("Hằng quý")
    SEMIANNUAL = "semiannual", _("6 tháng")
    ANNUAL = "annual", _("Hằng năm")


class Priority(models.IntegerChoices):
    HIGH = 1, _("Cao")
    NORMAL = 2, _("Bình thường")
    LOW = 3, _("Thấp")


class UnitClass(models.TextChoices):
    """A class of units a task may be addressed to as a whole (instantiated per unit by cascading)."""

    NONE = "", _("—")
    WARD = "ward", _("UBND cấp xã")
    DISTRICT = "district", _("UBND cấp huyện")
    DEPARTMENT = "department", _("Các sở, ban, ngành")
    # a lead naming two classes ("Các sở, ban ngành và UBND các xã") addresses both
    DEPARTMENT_WARD = "department_ward", _("Các sở, ban, ngành và UBND cấp xã")
    DEPARTMENT_DISTRICT = "department_district", _("Các sở, ban, ngành và UBND cấp huyện")
    DISTRICT_WARD = "district_ward", _("UBND cấp huyện và UBND cấp xã")

    @classmethod
    def combined(cls, classes) -> str:
        """The one value for a set of single classes (department, district, ward): "" for none, the
        class itself for one, the pair's value for two (three: departments and districts, which reach
        the communes through their districts)."""
        single = [c for c in (cls.DEPARTMENT, cls.DISTRICT, cls.WARD) if c in set(classes)]
        if not single:
            return cls.NONE
        if len(single) == 1:
            return single[0]
        if len(single) == 3:
            single = single[:2]
        return cls("_".join(str(c) for c in single))

    @classmethod
    def kinds(cls, value: str) -> tuple[str, ...]:
        """The kinds of units (chiso.units Unit.Kind values) a class value addresses."""
        return tuple(k for k in str(value or "").split("_") if k)


class Activity(models.TextChoices):
    """The kind of work a task is, for the plan sections by activity (real plans have, besides the tasks
    per dimension, sections for direction and propaganda, training, inspection and the survey teams)."""

    NONE = "", _("—")
    DIRECTION = "direction", _("Lãnh đạo, chỉ đạo và thông tin, tuyên truyền")
    TRAINING = "training", _("Tập huấn, bồi dưỡng")
    INSPECTION = "inspection", _("Kiểm tra, giám sát")
    SURVEY = "survey", _("Phối hợp, hỗ trợ các đoàn điều tra, khảo sát")


class TaskLayout(models.TextChoices):
    """How the body of a plan arranges its tasks."""

    DIMENSION = "dimension", _("Theo nội dung chỉ số (các hoạt động chung ở cuối)")
    ACTIVITY = "activity", _("Theo hoạt động (các nhiệm vụ chuyên môn theo nội dung ở cuối)")


class RequestStatus(models.TextChoices):
    """The reply of a body outside the administration to a task the plan requests of it ("Đề nghị …")."""

    NONE = "", _("—")
    PENDING = "pending", _("Chờ cơ quan nhận")
    ACCEPTED = "accepted", _("Đã nhận thực hiện")
    DECLINED = "declined", _("Không nhận")


class Plan(WorkflowDocument):
    WORKFLOW = "plan"

    issuing_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="plans", verbose_name=_("cơ quan ban hành")
    )
    number = models.CharField(_("số"), max_length=20, blank=True, help_text=_("Ví dụ: 3993"))
    symbol = models.CharField(_("ký hiệu"), max_length=60, default="KH-UBND", help_text=_("Ví dụ: KH-UBND"))
    place = models.CharField(_("địa danh"), max_length=100, blank=True, help_text=_("Ví dụ: Kon Tum"))
    date = models.DateField(_("ngày ban hành"), null=True, blank=True)
    title = models.CharField(_("trích yếu"), max_length=500)
    purpose = models.TextField(_("mục đích"), blank=True)
    requirements = models.TextField(_("yêu cầu"), blank=True)
    body = models.TextField(
        _("nội dung khác"),
        blank=True,
        help_text=_("Tổ chức thực hiện, chế độ báo cáo… (đoạn cách nhau bởi dòng trống; '- ' đầu dòng)"),
    )
    indices = models.JSONField(_("chỉ số"), default=list, help_text=_("Mã chỉ số: papi, par, sipas"))
    year = models.PositiveSmallIntegerField(_("năm thực hiện"))
    year_to = models.PositiveSmallIntegerField(_("đến năm"), null=True, blank=True)
    results_year = models.PositiveSmallIntegerField(_("năm kết quả làm căn cứ"), null=True, blank=True)
    task_layout = models.CharField(
        _("sắp xếp nhiệm vụ"), max_length=20, choices=TaskLayout.choices, default=TaskLayout.DIMENSION
    )
    recipients = models.JSONField(_("nơi nhận"), default=list, blank=True)
    #: The opening of the plan: "Căn cứ …" (laws, decisions, the published results…) one per item, then
    #: "Thực hiện …" (the parent plans and notices the plan implements: "Kế hoạch số 12/KH-UBND ngày … của
    #: UBND tỉnh …"), one per item, as the plan cites them.
    legal_basis = models.JSONField(_("căn cứ"), default=list, blank=True)
    implements = models.JSONField(_("thực hiện văn bản cấp trên"), default=list, blank=True)
    signer_authority = models.CharField(_("thẩm quyền ký"), max_length=100, default="TM. ỦY BAN NHÂN DÂN")
    signer_title = models.CharField(_("chức vụ người ký"), max_length=100, default="CHỦ TỊCH")
    signer_name = models.CharField(_("người ký"), max_length=100, blank=True)
    report_deadlines = models.JSONField(
        _("hạn báo cáo"), default=list, blank=True, help_text=_("Danh sách ngày (yyyy-mm-dd) các kỳ báo cáo")
    )
    status = models.CharField(_("trạng thái"), max_length=20, default=InitialState(WORKFLOW))
    amends = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="amendments",
        verbose_name=_("sửa đổi kế hoạch"),
    )
    version = models.PositiveSmallIntegerField(_("lần sửa đổi"), default=0)
    superseded = models.BooleanField(_("đã được thay thế"), default=False)
    derived_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="derived_plans",
        verbose_name=_("triển khai từ kế hoạch"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    #: Raised by every edit through the services (chiso.concurrency): a form or an API client sends the
    #: revision it read, and a save made after someone else's is refused instead of overwriting it.
    revision = models.PositiveIntegerField(_("phiên bản chỉnh sửa"), default=0, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "-date", "-pk"]
        verbose_name = _("kế hoạch")
        verbose_name_plural = _("kế hoạch")
        indexes = [models.Index(fields=["issuing_unit", "status"]), models.Index(fields=["year"])]

    def __str__(self) -> str:
        return f"{self.number_symbol} — {self.title}" if self.number else self.title

    def save(self, *args, **kwargs):
        _nfc_fields(
            self, ["number", "symbol", "place", "title", "purpose", "requirements", "body", "signer_name"]
        )
        self.signer_authority = nfc(self.signer_authority).strip().upper()
        self.signer_title = nfc(self.signer_title).strip().upper()
        self.recipients = [nfc(str(r)).strip() for r in self.recipients or [] if str(r).strip()]
        self.legal_basis = [nfc(str(r)).strip() for r in self.legal_basis or [] if str(r).strip()]
        self.implements = [nfc(str(r)).strip() for r in self.implements or [] if str(r).strip()]
        super().save(*args, **kwargs)

    @property
    def number_symbol(self) -> str:
        return f"{self.number}/{self.symbol}" if self.number else f"/{self.symbol}"

    @property
    def locked(self) -> bool:
        return self.workflow().is_locked(self.status) or self.superseded

    @property
    def workflow_unit_id(self) -> int | None:
        """The issuing unit; once it has been merged away, the unit in force today that holds its records
        (a 2023 plan of Kon Tum is approved and issued by today's Quảng Ngãi; plans.permissions)."""
        from .permissions import issuer_holders

        holders = issuer_holders(self.issuing_unit)
        return holders[1] if len(holders) > 1 else holders[0]

    def workflow_blocked(self) -> str | None:
        if self.superseded:
            return "Kế hoạch này đã được thay thế bởi bản sửa đổi; không thể chuyển trạng thái"
        return None

    def step_blocked(self, step) -> str | None:
        """Leaving the draft (submitting) is refused while a task's words carry a past deadline or an
        unfilled year parameter (chiso.plans.services.text_review)."""
        initial = self.workflow().initial
        if self.status != initial or step.target == initial:
            return None
        from .services.text_review import submission_blocked

        return submission_blocked(self)

    def issue_blocked(self, date=None) -> str | None:
        if not (self.signer_name or "").strip():
            return "Cần họ tên người ký để ban hành kế hoạch: trả lại dự thảo, ghi «Người ký» rồi trình lại"
        if date is not None:
            past = [d for d in self.report_deadline_dates() if d < date]
            if past:
                return (
                    "Hạn báo cáo {days} trước ngày ban hành {date}: trả lại dự thảo, sửa «Hạn báo cáo» "
                    "rồi trình lại"
                ).format(days=", ".join(d.strftime("%d/%m/%Y") for d in past), date=date.strftime("%d/%m/%Y"))
        return None

    def report_deadline_dates(self) -> list[dt.date]:
        """The report deadlines as dates, in order (those that do not read as a date are the form's to
        refuse)."""
        out = []
        for value in self.report_deadlines or []:
            try:
                out.append(dt.date.fromisoformat(str(value)[:10]))
            except ValueError:
                continue
        return sorted(out)


class PlanAttachment(StoredFile):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="attachments")
    history = HistoricalRecords()

    def __str__(self) -> str:
        return self.name


class Target(models.Model):
    class Kind(models.TextChoices):
        SCORE = "score", _("Điểm số")
        RANK = "rank", _("Thứ hạng")
        PLACES = "places", _("Tăng số bậc")
        TOP = "top", _("Nhóm dẫn đầu (top K)")
        GROUP = "group", _("Nhóm xếp loại")
        PERCENT = "percent", _("Tỷ lệ % điểm tối đa")
        COUNT_MIN = "count_min", _("Số chỉ số nội dung thuộc nhóm (ít nhất)")
        COUNT_MAX = "count_max", _("Số chỉ số nội dung thuộc nhóm (không quá)")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="targets")
    index = models.CharField(_("chỉ số"), max_length=20)
    node_code = models.CharField(
        _("mã nội dung"), max_length=40, blank=True, help_text=_("Trống = toàn chỉ số")
    )
    node_name = models.CharField(_("tên nội dung"), max_length=300, blank=True)
    kind = models.CharField(_("loại mục tiêu"), max_length=20, choices=Kind.choices)
    value = models.CharField(_("giá trị"), max_length=40)
    baseline_year = models.PositiveSmallIntegerField(null=True, blank=True)
    baseline_score = models.FloatField(null=True, blank=True)
    baseline_max = models.FloatField(null=True, blank=True)
    baseline_rank = models.PositiveSmallIntegerField(null=True, blank=True)
    baseline_rank_of = models.PositiveSmallIntegerField(null=True, blank=True)
    baseline_group = models.CharField(max_length=40, blank=True)
    baseline_percent = models.FloatField(null=True, blank=True)
    needed_points = models.FloatField(_("điểm cần tăng"), null=True, blank=True)
    #: False: the points a rank goal needs are not computable (a year whose scores are known for only
    #: part of the ranked units); needed_points is then empty without meaning "out of reach".
    needed_known = models.BooleanField(_("tính được điểm cần tăng"), default=True)
    met = models.BooleanField(_("đã đạt"), default=False)
    label = models.TextField(_("nội dung mục tiêu"))
    order = models.PositiveIntegerField(default=0)
    #: Raised by every edit through the services (chiso.concurrency): a form or an API client sends the
    #: revision it read, and a save made after someone else's is refused instead of overwriting it.
    revision = models.PositiveIntegerField(_("phiên bản chỉnh sửa"), default=0, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "order", "pk"]
        verbose_name = _("mục tiêu")
        verbose_name_plural = _("mục tiêu")

    def __str__(self) -> str:
        return self.label

    def save(self, *args, **kwargs):
        _nfc_fields(self, ["node_code", "node_name", "value", "label", "baseline_group"])
        super().save(*args, **kwargs)


class Shortcoming(models.Model):
    """A row of the shortcomings appendix: a node where points were lost and the units responsible."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="shortcomings")
    index = models.CharField(_("chỉ số"), max_length=20)
    node_code = models.CharField(_("mã nội dung"), max_length=40)
    node_name = models.CharField(_("tên nội dung"), max_length=300)
    achieved = models.FloatField(_("điểm đạt"), null=True, blank=True)
    maximum = models.FloatField(_("điểm tối đa"), null=True, blank=True)
    lost = models.FloatField(_("điểm bị mất"), null=True, blank=True)
    responsible_units = models.ManyToManyField(
        Unit, blank=True, related_name="+", verbose_name=_("đơn vị chịu trách nhiệm")
    )
    responsible_text = models.CharField(_("đơn vị chịu trách nhiệm (ghi chú)"), max_length=500, blank=True)
    note = models.TextField(_("nguyên nhân, hạn chế"), blank=True)
    order = models.PositiveIntegerField(default=0)
    history = HistoricalRecords(m2m_fields=[responsible_units])

    class Meta:
        ordering = ["plan", "order", "pk"]
        verbose_name = _("hạn chế, điểm bị mất")
        verbose_name_plural = _("phụ lục hạn chế")

    def __str__(self) -> str:
        return f"{self.index.upper()} {self.node_code} {self.node_name}"

    def save(self, *args, **kwargs):
        _nfc_fields(self, ["node_name", "responsible_text", "note"])
        super().save(*args, **kwargs)


class Task(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks")
    order = models.PositiveIntegerField(_("số thứ tự"), default=0)
    text = models.TextField(_("nội dung nhiệm vụ"))
    index = models.CharField(
        _("chỉ số"), max_length=20, blank=True, help_text=_("papi, par, sipas; trống = chung")
    )
    nodes = models.JSONField(_("nội dung chỉ số phục vụ"), default=list, blank=True)
    lead_unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_tasks",
        verbose_name=_("chủ trì"),
    )
    lead_class = models.CharField(
        _("chủ trì theo cấp"), max_length=20, choices=UnitClass.choices, blank=True, default=""
    )
    lead_text = models.CharField(_("chủ trì (như ghi trong kế hoạch)"), max_length=300, blank=True)
    coordinating_units = models.ManyToManyField(
        Unit, blank=True, related_name="coordinated_tasks", verbose_name=_("phối hợp")
    )
    coordinating_text = models.CharField(_("phối hợp (như ghi trong kế hoạch)"), max_length=500, blank=True)
    product = models.CharField(_("sản phẩm"), max_length=300, blank=True)
    deadline = models.DateField(_("thời hạn"), null=True, blank=True)
    recurrence = models.CharField(
        _("tần suất"), max_length=20, choices=Recurrence.choices, default=Recurrence.NONE
    )
    first_due = models.DateField(_("hạn lần đầu"), null=True, blank=True)
    priority = models.PositiveSmallIntegerField(
        _("mức ưu tiên"), choices=Priority.choices, default=Priority.NORMAL
    )
    library_key = models.CharField(_("mã trong thư viện"), max_length=60, blank=True)
    activity = models.CharField(
        _("hoạt động"), max_length=20, choices=Activity.choices, blank=True, default=""
    )
    #: A request to a body outside the administration (the Fatherland Front, mass organisations, the
    #: press, the police…): the plan writes it "Đề nghị …" apart from the assignments, and it is tracked
    #: (reminders, dashboard, reports) only once the body has accepted it.
    is_request = models.BooleanField(_("đề nghị (cơ quan ngoài hệ thống hành chính)"), default=False)
    request_status = models.CharField(
        _("phản hồi đề nghị"), max_length=10, choices=RequestStatus.choices, blank=True, default=""
    )
    origin = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="derived_tasks",
        verbose_name=_("nhiệm vụ gốc"),
    )
    # Denormalised from the latest reports (kept by chiso.plans.services.execution): the dashboard reads these.
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    done = models.BooleanField(_("đã hoàn thành"), default=False)
    done_on = models.DateField(_("ngày hoàn thành"), null=True, blank=True)
    last_reported_at = models.DateTimeField(null=True, blank=True)
    #: Raised by every edit through the services (chiso.concurrency): a form or an API client sends the
    #: revision it read, and a save made after someone else's is refused instead of overwriting it.
    revision = models.PositiveIntegerField(_("phiên bản chỉnh sửa"), default=0, editable=False)
    history = HistoricalRecords(m2m_fields=[coordinating_units])

    class Meta:
        ordering = ["plan", "order", "pk"]
        verbose_name = _("nhiệm vụ")
        verbose_name_plural = _("nhiệm vụ")
        indexes = [
            models.Index(fields=["lead_unit", "done"]),
            models.Index(fields=["deadline"]),
            models.Index(fields=["plan", "done"]),
        ]

    def __str__(self) -> str:
        return self.text[:80]

    def save(self, *args, **kwargs):
        _nfc_fields(self, ["text", "lead_text", "coordinating_text", "product"])
        super().save(*args, **kwargs)

    @staticmethod
    def tracked_q(prefix: str = "") -> models.Q:
        """Tasks that are tracked: assignments, and requests the body has accepted."""
        return models.Q(**{f"{prefix}is_request": False}) | models.Q(
            **{f"{prefix}request_status": RequestStatus.ACCEPTED}
        )

    @property
    def tracked(self) -> bool:
        return not self.is_request or self.request_status == RequestStatus.ACCEPTED

    def due_date(self, today: dt.date | None = None) -> dt.date | None:
        """The next date this task is due (from chiso.core.schedule)."""
        from chiso.core.schedule import next_due

        return next_due(self.recurrence, self.deadline, self.first_due, today or dt.date.today())


class LibraryTask(models.Model):
    """A reusable task of the library: shipped (seeded from real plans) or added by a coordinator."""

    key = models.CharField(_("mã"), max_length=60, unique=True)
    text = models.TextField(_("nội dung"))
    index = models.CharField(_("chỉ số"), max_length=20)
    nodes = models.JSONField(_("nội dung chỉ số"), default=list, blank=True)
    lead = models.CharField(_("chủ trì"), max_length=300, blank=True)
    coordinating = models.JSONField(_("phối hợp"), default=list, blank=True)
    product = models.CharField(_("sản phẩm"), max_length=300, blank=True)
    recurrence = models.CharField(_("tần suất"), max_length=20, choices=Recurrence.choices, default="none")
    activity = models.CharField(
        _("hoạt động"), max_length=20, choices=Activity.choices, blank=True, default=""
    )
    source = models.CharField(_("nguồn"), max_length=500, blank=True)
    quote_line = models.PositiveIntegerField(null=True, blank=True)
    shipped = models.BooleanField(default=False)
    search_text = models.TextField(editable=False, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["index", "key"]
        verbose_name = _("nhiệm vụ mẫu")
        verbose_name_plural = _("thư viện nhiệm vụ")

    def __str__(self) -> str:
        return self.text[:80]

    def save(self, *args, **kwargs):
        from chiso.core.text import fold

        _nfc_fields(self, ["text", "lead", "product", "source"])
        self.search_text = fold(" ".join([self.text, self.lead, self.product, " ".join(self.nodes or [])]))
        super().save(*args, **kwargs)


class Responsibility(models.Model):
    """Responsibility map: who leads and who coordinates the work on one node of an index, in a province.

    Remembered across years: drafting a plan proposes the latest entry; the coordinator edits it."""

    province = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="responsibilities")
    index = models.CharField(_("chỉ số"), max_length=20)
    node_code = models.CharField(_("mã nội dung"), max_length=40)
    lead_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("chủ trì")
    )
    lead_text = models.CharField(_("chủ trì (ghi chú)"), max_length=300, blank=True)
    coordinating_units = models.ManyToManyField(
        Unit, blank=True, related_name="+", verbose_name=_("phối hợp")
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(m2m_fields=[coordinating_units])

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["province", "index", "node_code"], name="responsibility_unique")
        ]
        verbose_name = _("phân công trách nhiệm")
        verbose_name_plural = _("bản đồ trách nhiệm")

    def __str__(self) -> str:
        return f"{self.index.upper()} {self.node_code}: {self.lead_unit or self.lead_text}"
