"""REST API of improvement plans: plans, targets, tasks, progress reports (and their evidence files),
periodic reports (read-only) and the user's reminders.

Every endpoint asks ``chiso.plans.permissions``: objects outside the user's scope answer 404, objects
she sees but may not change answer 403, bad input answers 400 with the errors of each field in
Vietnamese (``{"tên trường": ["…"]}``) and changes nothing. Writes run in one transaction; text is
normalised to NFC; simple_history records who changed what (the user of the request).
"""

from __future__ import annotations

import datetime as dt
import math

from django.core import validators as dj_validators
from django.db import connection, transaction
from django.db.models import ProtectedError, Q
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chiso.accounts.scope import covered, roles_on
from chiso.core.schedule import period_bounds, period_label
from chiso.core.text import nfc, parse_number
from chiso.core.workflow import WorkflowError
from chiso.files import checks as uploads
from chiso.notifications.models import Reminder
from chiso.plans import permissions as perms
from chiso.plans.models import (
    Plan,
    Priority,
    Recurrence,
    Target,
    Task,
    UnitClass,
)
from chiso.plans.services import plans as plan_services
from chiso.plans.services.plans import node_choices, unit_choices
from chiso.tracking import permissions as report_perms
from chiso.tracking.models import Evidence, PeriodicReport, ProgressReport
from chiso.tracking.services import periodic as periodic_services
from chiso.tracking.services.execution import period_choices, save_report
from chiso.units.models import Unit
from chiso.workflows.services import transition as workflow_transition

from .pagination import Pagination
from .permissions import CanViewData
from .serializers import ErrorSerializer
from .views import MESSAGES, InvalidInput, _int_param, index_codes, unknown_index_message

TAG_PLANS = "Kế hoạch"
TAG_TARGETS = "Mục tiêu"
TAG_TASKS = "Nhiệm vụ"
TAG_REPORTS = "Báo cáo tiến độ"
TAG_REMINDERS = "Nhắc việc"
TAG_PERIODIC = "Báo cáo định kỳ"

DATE_INPUTS = ["iso-8601", "%d/%m/%Y"]


def _service_error(exc: Exception) -> serializers.ValidationError:
    """A ValueError of a chiso.plans service (Vietnamese) as a 400 that changes nothing."""
    messages = getattr(exc, "messages", None) or [str(exc)]
    return serializers.ValidationError({"non_field_errors": [str(m) for m in messages]})


# --- Vietnamese validation messages ----------------------------------------------------------------

VI_MESSAGES = {
    "required": "Trường này là bắt buộc.",
    "null": "Trường này không được để trống (null).",
    "blank": "Trường này không được bỏ trống.",
    "empty": "Danh sách này không được rỗng.",
    "not_a_list": "Cần một danh sách (nhận được {input_type}).",
    "not_a_dict": "Cần một đối tượng (nhận được {input_type}).",
    "does_not_exist": "Không có đối tượng mã số (id) {pk_value}.",
    "incorrect_type": "Cần mã số (id) là số nguyên (nhận được {data_type}).",
    "datetime": "Cần một ngày, không phải ngày giờ.",
    "date": "Cần một ngày, không phải ngày giờ.",
    "max_string_length": "Số quá lớn.",
    "overflow": "Số quá lớn.",
    "max_digits": "Số có quá nhiều chữ số.",
    "make_aware": "Thời điểm không hợp lệ.",
}
INVALID_BY_TYPE: list[tuple[type, str]] = [
    (serializers.BooleanField, "Cần giá trị đúng/sai (true hoặc false)."),
    (serializers.IntegerField, "Cần một số nguyên."),
    (serializers.FloatField, "Cần một số."),
    (serializers.DateField, "Ngày không hợp lệ: dùng dd/mm/yyyy hoặc yyyy-mm-dd."),
    (serializers.DateTimeField, "Thời điểm không hợp lệ: dùng định dạng ISO 8601."),
    (serializers.CharField, "Cần một chuỗi ký tự."),
]


def _vietnamese(field: serializers.Field) -> None:
    """Replace DRF's English messages of a field (and of the validators built from them)."""
    messages = dict(field.error_messages)
    for key in messages:
        if key in VI_MESSAGES:
            messages[key] = VI_MESSAGES[key]
    if "invalid" in messages:
        for cls, text in INVALID_BY_TYPE:
            if isinstance(field, cls):
                messages["invalid"] = text
                break
    if isinstance(field, serializers.ChoiceField):
        allowed = ", ".join(str(k) if k != "" else "“” (trống)" for k in field.choices)
        messages["invalid_choice"] = f"“{{input}}” không hợp lệ; chọn một trong: {allowed}."
    field.error_messages = messages
    for v in field.validators:
        if isinstance(v, dj_validators.MaxLengthValidator):
            v.message = f"Không được dài quá {v.limit_value} ký tự."
        elif isinstance(v, dj_validators.MinLengthValidator):
            v.message = f"Cần ít nhất {v.limit_value} ký tự."
        elif isinstance(v, dj_validators.MaxValueValidator):
            v.message = f"Giá trị phải nhỏ hơn hoặc bằng {v.limit_value}."
        elif isinstance(v, dj_validators.MinValueValidator):
            v.message = f"Giá trị phải lớn hơn hoặc bằng {v.limit_value}."
    for inner in (getattr(field, "child", None), getattr(field, "child_relation", None)):
        if isinstance(inner, serializers.Field):
            _vietnamese(inner)


def _nfc_deep(value):
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, QueryDict):
        copy = value.copy()
        for key in copy:
            copy.setlist(key, [_nfc_deep(v) for v in value.getlist(key)])
        return copy
    if isinstance(value, dict):
        return {k: _nfc_deep(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nfc_deep(v) for v in value]
    return value


class VietnameseMixin:
    """Serializers of this module: NFC input, Vietnamese messages."""

    default_error_messages = {
        "invalid": "Dữ liệu không hợp lệ: cần một đối tượng JSON (nhận được {datatype})."
    }

    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            _vietnamese(field)
        return fields

    def to_internal_value(self, data):
        return super().to_internal_value(_nfc_deep(data))


# --- enums documented as named components ----------------------------------------------------------


class NamedChoiceField(serializers.ChoiceField):
    """A choice field documented as its own named enum component (no name collisions)."""

    component_name = ""
    description = ""
    value_type = "string"


class NamedChoiceExtension(OpenApiSerializerFieldExtension):
    target_class = NamedChoiceField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        lines = "\n".join(f"* `{value}` - {label}" for value, label in field.choices.items())
        values = list(field.choices)
        schema = {"type": field.value_type, "enum": values, "description": f"{field.description}\n\n{lines}"}
        component = ResolvedComponent(
            name=field.component_name,
            type=ResolvedComponent.SCHEMA,
            object=field.component_name,
            schema=schema,
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


def _named_choice(name: str, choices, description: str, value_type: str = "string"):
    """A NamedChoiceField subclass for one enum component, and its choices as (value, label)."""
    return type(
        f"{name}Field",
        (NamedChoiceField,),
        {"component_name": name, "description": description, "value_type": value_type},
    ), [(k, str(v)) for k, v in choices]


PlanStatusField, PLAN_STATUSES = _named_choice(
    "PlanStatusEnum", Plan.workflow().choices(), "Trạng thái kế hoạch."
)
TargetKindField, TARGET_KINDS = _named_choice("TargetKindEnum", Target.Kind.choices, "Loại mục tiêu.")
RecurrenceField, RECURRENCES = _named_choice("RecurrenceEnum", Recurrence.choices, "Tần suất nhiệm vụ.")
PriorityField, PRIORITIES = _named_choice(
    "PriorityEnum", Priority.choices, "Mức ưu tiên: 1 cao, 2 bình thường, 3 thấp.", "integer"
)
UnitClassField, UNIT_CLASSES = _named_choice(
    "UnitClassEnum", UnitClass.choices, "Chủ trì theo cấp (giao cho cả một cấp đơn vị); trống: không."
)
ReportStateField, REPORT_STATES = _named_choice(
    "ReportStateEnum", ProgressReport.State.choices, "Tình trạng thực hiện nhiệm vụ."
)
ReminderKindField, REMINDER_KINDS = _named_choice(
    "ReminderKindEnum", Reminder.Kind.choices, "Loại nhắc việc."
)
ChannelField, CHANNELS = _named_choice("ReminderChannelEnum", Reminder.Channel.choices, "Kênh gửi nhắc việc.")


class IndexCodeField(serializers.CharField):
    """The code of an index chiso has (indices are data: the list is /api/indices/)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "Mã chỉ số (danh sách: /api/indices/).")
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        code = super().to_internal_value(data).strip().lower()
        codes = index_codes()
        if code and code not in codes:
            raise serializers.ValidationError(
                f"“{code}” không hợp lệ: không có chỉ số này (các chỉ số: {', '.join(codes)})."
            )
        return code


PeriodKindField, PERIOD_KINDS = _named_choice(
    "PeriodKindEnum", PeriodicReport.PeriodKind.choices, "Loại kỳ báo cáo: quý, 6 tháng, năm."
)


# --- serializers -------------------------------------------------------------------------------------


class TransitionRefSerializer(serializers.Serializer):
    action = serializers.CharField(help_text="Tên bước quy trình (dùng cho /transition/).")
    label = serializers.CharField(help_text="Tên bước (tiếng Việt).")
    needs_comment = serializers.BooleanField(help_text="Bước này cần ghi lý do (comment).")
    needs_number = serializers.BooleanField(help_text="Bước này cần số và ngày văn bản (ban hành).")


class PlanSerializer(VietnameseMixin, serializers.ModelSerializer):
    issuing_unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(), help_text="Mã số (id) cơ quan ban hành, xem /api/units/."
    )
    issuing_unit_name = serializers.CharField(source="issuing_unit.name", read_only=True)
    number_symbol = serializers.CharField(read_only=True, help_text="Số và ký hiệu, ví dụ 3993/KH-UBND.")
    indices = serializers.ListField(
        child=IndexCodeField(),
        allow_empty=False,
        help_text="Các chỉ số kế hoạch hướng tới.",
    )
    recipients = serializers.ListField(
        child=serializers.CharField(max_length=300, allow_blank=True),
        required=False,
        help_text="Nơi nhận, mỗi phần tử một nơi.",
    )
    report_deadlines = serializers.ListField(
        child=serializers.DateField(input_formats=DATE_INPUTS),
        required=False,
        help_text="Hạn các kỳ báo cáo (yyyy-mm-dd hoặc dd/mm/yyyy).",
    )
    status = PlanStatusField(choices=PLAN_STATUSES, read_only=True)
    status_label = serializers.SerializerMethodField(help_text="Tên trạng thái (tiếng Việt).")
    locked = serializers.BooleanField(read_only=True, help_text="Đã khóa: thay đổi phải bằng bản sửa đổi.")
    can_edit = serializers.SerializerMethodField(help_text="Người dùng hiện tại sửa được kế hoạch này.")
    transitions = serializers.SerializerMethodField(
        help_text="Các bước quy trình người dùng làm được lúc này."
    )

    class Meta:
        model = Plan
        fields = [
            "id",
            "issuing_unit",
            "issuing_unit_name",
            "number",
            "symbol",
            "number_symbol",
            "place",
            "date",
            "title",
            "purpose",
            "requirements",
            "body",
            "indices",
            "year",
            "year_to",
            "results_year",
            "recipients",
            "signer_authority",
            "signer_title",
            "signer_name",
            "report_deadlines",
            "status",
            "status_label",
            "locked",
            "version",
            "amends",
            "superseded",
            "derived_from",
            "can_edit",
            "transitions",
            "created_at",
            "updated_at",
            "issued_at",
        ]
        read_only_fields = [
            "version",
            "amends",
            "superseded",
            "derived_from",
            "created_at",
            "updated_at",
            "issued_at",
        ]
        extra_kwargs = {
            "date": {
                "input_formats": DATE_INPUTS,
                "help_text": "Ngày ban hành (yyyy-mm-dd hoặc dd/mm/yyyy).",
            },
            "year": {"min_value": 2000, "max_value": 2100},
            "year_to": {"min_value": 2000, "max_value": 2100},
            "results_year": {"min_value": 2000, "max_value": 2100},
        }

    def _user(self):
        request = self.context.get("request")
        return getattr(request, "user", None)

    def get_status_label(self, obj: Plan) -> str:
        return obj.status_label

    def get_can_edit(self, obj: Plan) -> bool:
        user = self._user()
        return bool(user is not None and perms.can_edit_plan(user, obj))

    @extend_schema_field(TransitionRefSerializer(many=True))
    def get_transitions(self, obj: Plan) -> list[dict]:
        user = self._user()
        if user is None:
            return []
        return [
            {
                "action": t.name,
                "label": t.label,
                "needs_comment": t.needs_comment,
                "needs_number": t.needs_number,
            }
            for t in perms.plan_transitions(user, obj)
        ]

    def validate_indices(self, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))

    def validate_recipients(self, value: list[str]) -> list[str]:
        return [v.strip() for v in value if v.strip()]

    def validate_report_deadlines(self, value: list[dt.date]) -> list[str]:
        return sorted({d.isoformat() for d in value})

    def validate(self, attrs: dict) -> dict:
        def current(name):
            if name in attrs:
                return attrs[name]
            return getattr(self.instance, name, None)

        errors = {}
        year, year_to, results_year = current("year"), current("year_to"), current("results_year")
        if year is not None and year_to is not None and year_to < year:
            errors["year_to"] = ["Năm kết thúc phải từ năm bắt đầu trở đi."]
        if year is not None and results_year is not None and results_year > year:
            errors["results_year"] = ["Năm kết quả làm căn cứ không được sau năm thực hiện."]
        if errors:
            raise serializers.ValidationError(errors)
        if self.instance is None and year and not results_year:
            attrs["results_year"] = year - 1
        return attrs


class PlanTransitionSerializer(VietnameseMixin, serializers.Serializer):
    action = serializers.CharField(
        help_text="Bước quy trình: submit (trình), withdraw (rút lại), return (trả lại), approve (phê duyệt), "
        "issue (ban hành), close (kết thúc)."
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="", help_text="Ý kiến, lý do.")
    number = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=20, help_text="Số văn bản khi ban hành."
    )
    date = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        input_formats=DATE_INPUTS,
        help_text="Ngày ban hành (yyyy-mm-dd hoặc dd/mm/yyyy).",
    )


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


class TargetSerializer(VietnameseMixin, serializers.ModelSerializer):
    index = IndexCodeField()
    kind = TargetKindField(choices=TARGET_KINDS)
    value = serializers.CharField(
        max_length=40,
        help_text="Giá trị: điểm (score), % điểm tối đa (percent), thứ hạng (rank), số bậc (places), "
        "K (top) hoặc tên nhóm (group). Số thập phân nhận cả dấu phẩy.",
    )
    label = serializers.CharField(read_only=True, help_text="Nội dung mục tiêu, chiso viết theo kết quả.")
    # Bounds stated here: the model field's own range differs between SQLite and PostgreSQL.
    order = serializers.IntegerField(
        min_value=0, max_value=2147483647, required=False, help_text="Số thứ tự trong kế hoạch."
    )

    class Meta:
        model = Target
        fields = [
            "id",
            "plan",
            "index",
            "node_code",
            "node_name",
            "kind",
            "value",
            "label",
            "order",
            "baseline_year",
            "baseline_score",
            "baseline_max",
            "baseline_rank",
            "baseline_rank_of",
            "baseline_group",
            "baseline_percent",
            "needed_points",
            "met",
        ]
        read_only_fields = [
            "plan",
            "node_name",
            "baseline_year",
            "baseline_score",
            "baseline_max",
            "baseline_rank",
            "baseline_rank_of",
            "baseline_group",
            "baseline_percent",
            "needed_points",
            "met",
        ]

    def validate(self, attrs: dict) -> dict:
        plan: Plan = self.context["plan"]
        kind = attrs.get("kind", getattr(self.instance, "kind", None))
        index = attrs.get("index", getattr(self.instance, "index", None))
        errors: dict[str, list[str]] = {}
        if index and plan.indices and index not in plan.indices:
            errors["index"] = [
                f"Chỉ số “{index}” không thuộc kế hoạch (kế hoạch gồm: {', '.join(plan.indices)})."
            ]
        if "value" in attrs or "kind" in attrs:
            raw = attrs.get("value", getattr(self.instance, "value", "")).strip()
            if kind in ("score", "percent"):
                try:
                    number = parse_number(raw)
                except ValueError:
                    number = None
                if number is None or not math.isfinite(number) or number < 0:
                    errors["value"] = [f"“{raw}” không phải là một số không âm."]
                elif kind == "percent" and number > 100:
                    errors["value"] = ["Tỷ lệ phải trong khoảng 0–100."]
                else:
                    attrs["value"] = _number_text(number)
            elif kind in ("rank", "places", "top"):
                try:
                    number = parse_number(raw)
                except ValueError:
                    number = None
                lowest = 0 if kind == "places" else 1
                if number is None or not float(number).is_integer() or number < lowest:
                    errors["value"] = [f"“{raw}” phải là số nguyên từ {lowest} trở lên."]
                else:
                    attrs["value"] = str(int(number))
            elif not raw:
                errors["value"] = ["Cần tên nhóm, ví dụ “Cao”."]
            else:
                attrs["value"] = raw
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class UnitNameSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "code", "name"]
        read_only_fields = fields


class TaskSerializer(VietnameseMixin, serializers.ModelSerializer):
    index = IndexCodeField(
        required=False,
        allow_blank=True,
        help_text="Mã chỉ số của nhiệm vụ (/api/indices/); trống: nhiệm vụ chung.",
    )
    # Bounds stated here: the model field's own range differs between SQLite and PostgreSQL.
    order = serializers.IntegerField(
        min_value=0, max_value=2147483647, required=False, help_text="Số thứ tự trong kế hoạch."
    )
    nodes = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        help_text='Mã các nội dung chỉ số nhiệm vụ phục vụ, ví dụ ["D1.1", "D8.3"].',
    )
    lead_unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(), allow_null=True, required=False, help_text="Mã số (id) đơn vị chủ trì."
    )
    lead_unit_name = serializers.CharField(source="lead_unit.name", read_only=True, allow_null=True)
    lead_class = UnitClassField(choices=UNIT_CLASSES, required=False, allow_blank=True)
    coordinating_units = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(), many=True, required=False, help_text="Mã số (id) các đơn vị phối hợp."
    )
    coordinating = UnitNameSerializer(
        source="coordinating_units", many=True, read_only=True, help_text="Các đơn vị phối hợp (tên)."
    )
    recurrence = RecurrenceField(choices=RECURRENCES, required=False)
    priority = PriorityField(choices=PRIORITIES, required=False)
    due = serializers.SerializerMethodField(help_text="Hạn gần nhất (lần tới phải hoàn thành hoặc báo cáo).")

    class Meta:
        model = Task
        fields = [
            "id",
            "plan",
            "order",
            "text",
            "index",
            "nodes",
            "lead_unit",
            "lead_unit_name",
            "lead_class",
            "lead_text",
            "coordinating_units",
            "coordinating",
            "coordinating_text",
            "product",
            "deadline",
            "recurrence",
            "first_due",
            "due",
            "priority",
            "library_key",
            "origin",
            "progress",
            "done",
            "done_on",
            "last_reported_at",
        ]
        read_only_fields = [
            "plan",
            "library_key",
            "origin",
            "progress",
            "done",
            "done_on",
            "last_reported_at",
        ]
        extra_kwargs = {
            "deadline": {"input_formats": DATE_INPUTS, "help_text": "Thời hạn (yyyy-mm-dd hoặc dd/mm/yyyy)."},
            "first_due": {
                "input_formats": DATE_INPUTS,
                "help_text": "Hạn lần đầu của nhiệm vụ định kỳ (yyyy-mm-dd hoặc dd/mm/yyyy).",
            },
        }

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_due(self, obj: Task) -> dt.date | None:
        try:
            return obj.due_date(timezone.localdate())
        except ValueError:
            return None

    def validate_nodes(self, value: list[str]) -> list[str]:
        return list(dict.fromkeys(v.strip() for v in value if v.strip()))

    def validate(self, attrs: dict) -> dict:
        """The rules of the web form (chiso.plans.forms_plans.TaskForm)."""
        plan: Plan = self.context["plan"]

        def current(name, default=None):
            if name in attrs:
                return attrs[name]
            if self.instance is not None:
                return getattr(self.instance, name)
            return default

        errors: dict[str, list[str]] = {}
        index, nodes = current("index", "") or "", current("nodes", []) or []
        if nodes and not index:
            errors["index"] = ["Chọn chỉ số của các nội dung đã chọn."]
        elif nodes and ("nodes" in attrs or "index" in attrs):
            known = {code for code, _name, _depth in node_choices(index, plan.results_year or plan.year - 1)}
            unknown = [code for code in nodes if code not in known]
            if known and unknown:
                errors["nodes"] = [f"Nội dung không thuộc chỉ số {index.upper()}: {', '.join(unknown)}."]
        if not (current("lead_unit") or current("lead_class") or (current("lead_text") or "").strip()):
            errors["lead_unit"] = ["Cần chọn đơn vị chủ trì (hoặc chủ trì theo cấp, hoặc ghi tên)."]
        allowed = None
        lead = attrs.get("lead_unit")
        if lead is not None or attrs.get("coordinating_units"):
            allowed = {u.pk for u in unit_choices(plan)}
        if lead is not None and lead.pk not in allowed:
            errors["lead_unit"] = [f"“{lead.name}” không thuộc địa phương của kế hoạch."]
        outside = [u.name for u in attrs.get("coordinating_units") or [] if u.pk not in allowed]
        if outside:
            errors["coordinating_units"] = [f"Không thuộc địa phương của kế hoạch: {', '.join(outside)}."]
        recurrence = current("recurrence", Recurrence.NONE)
        deadline, first_due = current("deadline"), current("first_due")
        if recurrence == Recurrence.NONE:
            if not deadline:
                errors["deadline"] = ["Nhiệm vụ một lần cần thời hạn hoàn thành (dd/mm/yyyy)."]
            if first_due is not None:
                attrs["first_due"] = None
        elif not first_due:
            errors["first_due"] = ["Nhiệm vụ lặp lại cần hạn lần đầu (dd/mm/yyyy)."]
        elif deadline and first_due > deadline:
            errors["first_due"] = ["Hạn lần đầu phải trước thời hạn kết thúc."]
        if errors:
            raise serializers.ValidationError(errors)
        lead = current("lead_unit")
        if lead is not None and "coordinating_units" in attrs:
            attrs["coordinating_units"] = [u for u in attrs["coordinating_units"] if u.pk != lead.pk]
        return attrs


class EvidenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Evidence
        fields = ["id", "name", "content_type", "size", "sha256", "scan_status", "uploaded_at"]
        read_only_fields = fields


class ReportSerializer(VietnameseMixin, serializers.ModelSerializer):
    unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(),
        required=False,
        help_text="Mã số (id) đơn vị báo cáo; có thể bỏ trống khi người dùng chỉ báo cáo cho một đơn vị.",
    )
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    period = serializers.CharField(
        max_length=20, help_text="Kỳ báo cáo: 2025-Q1 (quý), 2025-H1 (6 tháng), 2025 (năm)."
    )
    period_label = serializers.SerializerMethodField(help_text="Tên kỳ, ví dụ “Quý I/2025”.")
    state = ReportStateField(choices=REPORT_STATES)
    percent = serializers.IntegerField(min_value=0, max_value=100, help_text="Tiến độ (%), từ 0 đến 100.")
    submitted_by = serializers.CharField(source="submitted_by.username", read_only=True, allow_null=True)
    evidence = EvidenceSerializer(many=True, read_only=True, help_text="Các tệp minh chứng.")

    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "task",
            "unit",
            "unit_name",
            "period",
            "period_label",
            "state",
            "percent",
            "narrative",
            "difficulties",
            "product_number",
            "product_date",
            "product_issuer",
            "submitted_by",
            "submitted_at",
            "evidence",
        ]
        read_only_fields = ["task", "submitted_at"]
        extra_kwargs = {
            "product_date": {
                "input_formats": DATE_INPUTS,
                "help_text": "Ngày văn bản sản phẩm (yyyy-mm-dd hoặc dd/mm/yyyy).",
            },
        }

    def get_period_label(self, obj: ProgressReport) -> str:
        try:
            return period_label(obj.period)
        except ValueError:
            return obj.period

    def validate_period(self, value: str) -> str:
        value = value.strip().upper()
        try:
            period_bounds(value)
        except ValueError:
            raise serializers.ValidationError(
                f"Kỳ báo cáo “{value}” không hợp lệ (ví dụ: 2025-Q1, 2025-H1, 2025)."
            ) from None
        task = self.context.get("task")
        if task is not None and value not in dict(period_choices(task.plan)):
            raise serializers.ValidationError("Kỳ báo cáo không thuộc thời gian thực hiện kế hoạch.")
        return value

    def validate(self, attrs: dict) -> dict:
        """The rules of the web form (chiso.plans.forms_execution.ReportForm)."""
        if attrs.get("state") == ProgressReport.State.DONE:
            missing = {
                name: ["Bắt buộc khi nhiệm vụ đã hoàn thành."]
                for name in ("product_number", "product_date", "product_issuer")
                if not attrs.get(name)
            }
            if missing:
                raise serializers.ValidationError(
                    {
                        **missing,
                        "non_field_errors": [
                            "Nhiệm vụ đã hoàn thành: cần ghi sản phẩm (số văn bản, ngày, cơ quan ban hành)."
                        ],
                    }
                )
            attrs["percent"] = 100
        return attrs


@extend_schema_field({"type": "array", "items": {"type": "string", "format": "binary"}})
class UploadedFilesField(serializers.ListField):
    child = serializers.FileField()


class EvidenceUploadSerializer(serializers.Serializer):
    """Tải lên minh chứng: một hoặc nhiều tệp, gửi dạng multipart/form-data."""

    # Documentation only: ReportEvidenceView reads request.FILES itself.

    file = UploadedFilesField(
        help_text="Một hoặc nhiều tệp minh chứng (pdf, docx, xlsx, pptx, odt, ods, doc, xls, jpg, png, zip); "
        "lặp lại trường “file” cho mỗi tệp.",
    )


class PeriodicReportSerializer(serializers.ModelSerializer):
    period_kind = PeriodKindField(choices=PERIOD_KINDS, read_only=True)
    period_label = serializers.SerializerMethodField(help_text="Tên kỳ, ví dụ “Quý I/2025”.")
    number_symbol = serializers.CharField(read_only=True, help_text="Số và ký hiệu, ví dụ 45/BC-UBND.")
    status = PlanStatusField(choices=PLAN_STATUSES, read_only=True)
    status_label = serializers.SerializerMethodField(help_text="Tên trạng thái (tiếng Việt).")
    content = serializers.JSONField(
        read_only=True,
        help_text="Nội dung báo cáo theo phần: overview (tình hình chung), results (kết quả từng nhiệm vụ), "
        "late (nhiệm vụ chậm tiến độ), difficulties (khó khăn, vướng mắc), proposals (đề xuất, kiến nghị).",
    )

    class Meta:
        model = PeriodicReport
        fields = [
            "id",
            "plan",
            "period",
            "period_kind",
            "period_label",
            "number_symbol",
            "date",
            "title",
            "status",
            "status_label",
            "content",
            "created_at",
            "issued_at",
        ]
        read_only_fields = fields

    def get_period_label(self, obj: PeriodicReport) -> str:
        try:
            return period_label(obj.period)
        except ValueError:
            return obj.period

    def get_status_label(self, obj: PeriodicReport) -> str:
        return obj.status_label


class ReminderSerializer(serializers.ModelSerializer):
    kind = ReminderKindField(choices=REMINDER_KINDS, read_only=True)
    channel = ChannelField(choices=CHANNELS, read_only=True)
    task = serializers.SerializerMethodField(help_text="Nhiệm vụ được nhắc (trống với bản tổng hợp).")

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_task(self, obj: Reminder) -> int | None:
        return obj.object_id if obj.key.startswith(f"{Task._meta.label_lower}:") else None

    class Meta:
        model = Reminder
        fields = [
            "id",
            "task",
            "unit",
            "kind",
            "channel",
            "due",
            "subject",
            "body",
            "url",
            "sent_at",
            "read_at",
        ]
        read_only_fields = fields


# --- the views ---------------------------------------------------------------------------------------

PLAN_MESSAGES = {
    **MESSAGES,
    exceptions.MethodNotAllowed: "Địa chỉ này không nhận phương thức {method}.",
    exceptions.ParseError: "Dữ liệu gửi lên không đọc được (cần JSON hợp lệ).",
    exceptions.UnsupportedMediaType: "Kiểu dữ liệu gửi lên không được hỗ trợ (dùng application/json).",
}


class PlansApi:
    """Every plans endpoint: the chiso.view_data rule, and errors in Vietnamese."""

    permission_classes = [CanViewData]

    def handle_exception(self, exc):
        message = next((m for cls, m in PLAN_MESSAGES.items() if isinstance(exc, cls)), None)
        if message is not None:
            method = getattr(getattr(self, "request", None), "method", "")
            exc.detail = exceptions.ErrorDetail(message.replace("{method}", method), code=exc.default_code)
        elif isinstance(exc, Http404):
            exc = exceptions.NotFound("Không tìm thấy.")
        return super().handle_exception(exc)

    @property
    def user(self):
        return self.request.user


def _deny(message: str):
    raise exceptions.PermissionDenied(message)


def _visible_plan(user, pk: int) -> Plan:
    return get_object_or_404(perms.visible_plans(user).select_related("issuing_unit"), pk=pk)


def _require_edit(user, plan: Plan) -> None:
    """403 with the reason when the user sees the plan but may not change it."""
    if perms.can_edit_plan(user, plan):
        return
    if plan.superseded:
        _deny("Kế hoạch này đã được thay thế bởi bản sửa đổi; không sửa được nữa.")
    if plan.locked and perms.can_create_plan(user, plan.issuing_unit_id):
        _deny(
            f"Kế hoạch đang ở trạng thái «{plan.status_label}» nên đã bị khóa; "
            "muốn thay đổi hãy lập bản sửa đổi."
        )
    _deny("Bạn không có quyền sửa kế hoạch này (chỉ người điều phối của cơ quan ban hành).")


ERR = ErrorSerializer
FIELD_ERRORS = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description='Dữ liệu không hợp lệ: {"tên trường": ["thông báo lỗi"]} (tiếng Việt; lỗi chung ở '
    '"non_field_errors"), hoặc {"detail": "…"}. Không có gì bị thay đổi.',
)
E403 = OpenApiResponse(
    ERR, description="Chưa đăng nhập, chưa có vai trò, hoặc được xem nhưng không có quyền thay đổi."
)
E403_READ = OpenApiResponse(ERR, description="Chưa đăng nhập, hoặc tài khoản chưa được giao vai trò.")
E404 = OpenApiResponse(ERR, description="Không có, hoặc nằm ngoài phạm vi người dùng được xem.")
PK = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Mã số (id).")
PLAN_PK = OpenApiParameter("plan_id", int, OpenApiParameter.PATH, description="Mã số (id) kế hoạch.")
TASK_PK = OpenApiParameter("task_id", int, OpenApiParameter.PATH, description="Mã số (id) nhiệm vụ.")


def _read(ok, *, many=False) -> dict:
    return {200: ok(many=True) if many else ok, 403: E403_READ, 404: E404}


def _write(ok, code: int = 200, *, not_found=True) -> dict:
    out = {code: ok, 400: FIELD_ERRORS, 403: E403}
    if not_found:
        out[404] = E404
    return out


DELETED = {204: OpenApiResponse(description="Đã xóa."), 403: E403, 404: E404}


# --- plans


@extend_schema(tags=[TAG_PLANS])
class PlanListView(PlansApi, generics.ListCreateAPIView):
    serializer_class = PlanSerializer
    pagination_class = Pagination

    def get_queryset(self):
        params = self.request.query_params
        qs = perms.visible_plans(self.user).select_related("issuing_unit")
        state = params.get("status", "").strip()
        if state:
            if state not in Plan.workflow().states:
                raise InvalidInput(
                    f"Trạng thái “{state}” không có; các trạng thái là: {', '.join(Plan.workflow().states)}."
                )
            qs = qs.filter(status=state)
        index = params.get("index", "").strip().lower()
        if index:
            if index not in index_codes():
                raise InvalidInput(unknown_index_message(index))
            if connection.features.supports_json_field_contains:
                qs = qs.filter(indices__contains=[index])
            else:  # SQLite
                ids = [pk for pk, codes in qs.values_list("pk", "indices") if index in (codes or [])]
                qs = qs.filter(pk__in=ids)
        year = _int_param(self.request, "year", minimum=1)
        if year is not None:
            qs = qs.filter(Q(year=year) | Q(year__lte=year, year_to__gte=year))
        unit = _int_param(self.request, "issuing_unit", minimum=1)
        if unit is not None:
            qs = qs.filter(issuing_unit_id=unit)
        return qs.order_by("-year", "-date", "-pk")

    @extend_schema(
        summary="Danh sách kế hoạch",
        description="Các kế hoạch người dùng được xem: người điều phối, lãnh đạo, người xem thấy kế hoạch "
        "của các đơn vị mình phụ trách; cán bộ đơn vị chỉ thấy kế hoạch có nhiệm vụ giao cho đơn vị mình. "
        "Có phân trang (limit, offset).",
        parameters=[
            OpenApiParameter(
                "status",
                str,
                enum=list(Plan.workflow().states),
                description="Chỉ các kế hoạch ở trạng thái này.",
            ),
            OpenApiParameter(
                "index", str, description="Chỉ các kế hoạch về chỉ số này (mã, xem /api/indices/)."
            ),
            OpenApiParameter("year", int, description="Chỉ các kế hoạch thực hiện trong năm này."),
            OpenApiParameter("issuing_unit", int, description="Mã số (id) cơ quan ban hành."),
        ],
        responses={200: PlanSerializer(many=True), 400: OpenApiResponse(ERR), 403: E403_READ},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Lập kế hoạch mới",
        description="Kế hoạch mới ở trạng thái dự thảo. Chỉ người điều phối của cơ quan ban hành. "
        "Năm kết quả làm căn cứ mặc định là năm trước năm thực hiện.",
        request=PlanSerializer,
        responses=_write(PlanSerializer, 201, not_found=False),
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)

    def create(self, request, *args, **kwargs):
        if covered(self.user, perms.EDIT_ROLES) == set():
            _deny("Chỉ người điều phối mới lập được kế hoạch.")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        unit = serializer.validated_data["issuing_unit"]
        if not perms.can_create_plan(self.user, unit.pk):
            _deny(f"Bạn không phải người điều phối của “{unit.name}” nên không lập kế hoạch cho đơn vị này.")
        try:
            plan = plan_services.save_plan(self.user, dict(serializer.validated_data))
        except ValueError as exc:
            raise _service_error(exc) from None
        return Response(self.get_serializer(plan).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=[TAG_PLANS], parameters=[PK])
class PlanDetailView(PlansApi, generics.RetrieveUpdateDestroyAPIView):
    serializer_class = PlanSerializer

    def get_object(self) -> Plan:
        return _visible_plan(self.user, self.kwargs["pk"])

    @extend_schema(
        summary="Một kế hoạch",
        description="Kèm các bước quy trình người dùng làm được lúc này (transitions) và quyền sửa (can_edit).",
        responses=_read(PlanSerializer),
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Sửa kế hoạch",
        description="Chỉ người điều phối của cơ quan ban hành, khi kế hoạch chưa bị khóa (dự thảo, đã trình). "
        "Kế hoạch đã phê duyệt, ban hành: 403 (thay đổi bằng bản sửa đổi).",
        responses=_write(PlanSerializer),
    )
    def put(self, request, *args, **kwargs):
        return super().put(request, *args, **kwargs)

    @extend_schema(
        summary="Sửa một phần kế hoạch",
        description="Như PUT, chỉ gửi các trường cần sửa.",
        responses=_write(PlanSerializer),
    )
    def patch(self, request, *args, **kwargs):
        return super().patch(request, *args, **kwargs)

    @extend_schema(
        summary="Xóa kế hoạch dự thảo",
        description="Chỉ kế hoạch ở trạng thái dự thảo, chỉ người điều phối của cơ quan ban hành.",
        responses={**DELETED, 400: OpenApiResponse(ERR, description="Kế hoạch đang được tham chiếu.")},
    )
    def delete(self, request, *args, **kwargs):
        return super().delete(request, *args, **kwargs)

    def update(self, request, *args, **kwargs):
        plan = self.get_object()
        _require_edit(self.user, plan)
        serializer = self.get_serializer(plan, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        unit = data.setdefault("issuing_unit", plan.issuing_unit)
        if unit.pk != plan.issuing_unit_id and not perms.can_create_plan(self.user, unit.pk):
            _deny(f"Bạn không phải người điều phối của “{unit.name}”.")
        try:
            plan = plan_services.save_plan(self.user, data, plan)
        except ValueError as exc:
            raise _service_error(exc) from None
        return Response(self.get_serializer(plan).data)

    def destroy(self, request, *args, **kwargs):
        plan = self.get_object()
        _require_edit(self.user, plan)
        if plan.status != plan.workflow().initial:
            _deny("Chỉ xóa được kế hoạch dự thảo; kế hoạch đã trình hãy rút lại trước.")
        try:
            with transaction.atomic():
                plan._history_user = self.user
                plan.delete()
        except ProtectedError:
            raise InvalidInput(
                "Không xóa được: kế hoạch đang được kế hoạch hoặc báo cáo khác tham chiếu."
            ) from None
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(
    tags=[TAG_PLANS],
    parameters=[PK],
    summary="Chuyển bước quy trình",
    description="Trình, rút lại, trả lại, phê duyệt, ban hành (cần số và ngày), kết thúc — theo quy trình "
    "chiso/data/workflows/plan.yaml và vai trò của người dùng tại cơ quan ban hành. Không có vai trò làm "
    "bước này: 403. Bước không hợp lệ ở trạng thái hiện tại, thiếu lý do hoặc thiếu số văn bản: 400.",
    request=PlanTransitionSerializer,
    responses=_write(PlanSerializer),
)
class PlanTransitionView(PlansApi, APIView):
    def post(self, request: Request, pk: int) -> Response:
        plan = _visible_plan(self.user, pk)
        data = PlanTransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        action = data.validated_data["action"].strip()
        wf = plan.workflow()
        try:
            step = wf.transition(action)
        except WorkflowError as exc:
            names = ", ".join(t.name for t in wf.transitions)
            raise serializers.ValidationError({"action": [f"{exc} (các bước: {names})."]}) from None
        if not roles_on(self.user, plan.issuing_unit_id) & set(step.roles):
            _deny(f"Bạn không có quyền «{step.label}» kế hoạch này.")
        try:
            plan = workflow_transition(
                plan,
                action,
                self.user,
                comment=data.validated_data["comment"],
                number=data.validated_data["number"],
                date=data.validated_data["date"],
            )
        except WorkflowError as exc:
            raise InvalidInput(str(exc)) from None
        return Response(PlanSerializer(plan, context={"request": request}).data)


# --- targets


class PlanChildMixin:
    """Lists and creation of a plan's targets or tasks."""

    def plan(self) -> Plan:
        if not hasattr(self, "_plan"):
            self._plan = _visible_plan(self.user, self.kwargs["plan_id"])
        return self._plan

    def get_serializer_context(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return super().get_serializer_context()
        return {**super().get_serializer_context(), "plan": self.plan()}


TARGET_FIELDS = ("index", "node_code", "kind", "value", "order")


def _save_target(plan: Plan, user, data: dict, target: Target | None = None) -> Target:
    """The drafting service checks the target against the results (baseline, points needed, met, label)."""
    try:
        return plan_services.save_target(
            plan, user, {k: v for k, v in data.items() if k in TARGET_FIELDS}, target
        )
    except ValueError as exc:
        raise _service_error(exc) from None


@extend_schema(tags=[TAG_TARGETS], parameters=[PLAN_PK])
class PlanTargetListView(PlansApi, PlanChildMixin, generics.ListCreateAPIView):
    serializer_class = TargetSerializer
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return Target.objects.none()
        return self.plan().targets.all()

    @extend_schema(
        summary="Các mục tiêu của kế hoạch",
        description="Mục tiêu cho toàn chỉ số hoặc một nội dung, kèm mốc xuất phát (baseline) lấy từ kết quả, "
        "số điểm còn cần tăng và cờ đã đạt.",
        responses=_read(TargetSerializer, many=True),
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Thêm mục tiêu",
        description="Khi kế hoạch còn sửa được. chiso đối chiếu mục tiêu với kết quả của năm làm căn cứ: điền "
        "mốc xuất phát, số điểm cần tăng, cờ đã đạt và viết nội dung mục tiêu (label). Chưa có kết quả, "
        "nội dung không có, mục tiêu không thể đạt: 400.",
        request=TargetSerializer,
        responses=_write(TargetSerializer, 201),
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)

    def create(self, request, *args, **kwargs):
        plan = self.plan()
        _require_edit(self.user, plan)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        target = _save_target(plan, self.user, dict(serializer.validated_data))
        return Response(self.get_serializer(target).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=[TAG_TARGETS], parameters=[PK])
class TargetDetailView(PlansApi, generics.RetrieveUpdateDestroyAPIView):
    serializer_class = TargetSerializer

    def get_object(self) -> Target:
        target = get_object_or_404(Target.objects.select_related("plan"), pk=self.kwargs["pk"])
        if not perms.visible_plans(self.user).filter(pk=target.plan_id).exists():
            raise Http404
        return target

    @extend_schema(
        summary="Một mục tiêu", description="Mục tiêu và mốc xuất phát.", responses=_read(TargetSerializer)
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Sửa mục tiêu",
        description="Khi kế hoạch còn sửa được; mục tiêu được đối chiếu lại với kết quả.",
        responses=_write(TargetSerializer),
    )
    def put(self, request, *args, **kwargs):
        return super().put(request, *args, **kwargs)

    @extend_schema(
        summary="Sửa một phần mục tiêu",
        description="Như PUT, chỉ gửi các trường cần sửa.",
        responses=_write(TargetSerializer),
    )
    def patch(self, request, *args, **kwargs):
        return super().patch(request, *args, **kwargs)

    @extend_schema(summary="Xóa mục tiêu", description="Khi kế hoạch còn sửa được.", responses=DELETED)
    def delete(self, request, *args, **kwargs):
        return super().delete(request, *args, **kwargs)

    def update(self, request, *args, **kwargs):
        target = self.get_object()
        _require_edit(self.user, target.plan)
        context = {**self.get_serializer_context(), "plan": target.plan}
        serializer = TargetSerializer(
            target, data=request.data, partial=kwargs.get("partial", False), context=context
        )
        serializer.is_valid(raise_exception=True)
        target = _save_target(target.plan, self.user, dict(serializer.validated_data), target)
        return Response(TargetSerializer(target, context=context).data)

    def destroy(self, request, *args, **kwargs):
        target = self.get_object()
        _require_edit(self.user, target.plan)
        plan_services.delete_target(target, self.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- tasks


def _tasks(qs):
    return (
        qs.select_related("lead_unit", "plan")
        .prefetch_related("coordinating_units")
        .order_by("plan", "order", "pk")
    )


def _visible_task(user, pk: int) -> Task:
    return get_object_or_404(_tasks(perms.visible_tasks(user)), pk=pk)


def _save_task(plan: Plan, user, data: dict, task: Task | None = None) -> Task:
    try:
        return plan_services.save_task(plan, user, data, task)
    except ValueError as exc:
        raise _service_error(exc) from None


@extend_schema(tags=[TAG_TASKS], parameters=[PLAN_PK])
class PlanTaskListView(PlansApi, PlanChildMixin, generics.ListCreateAPIView):
    serializer_class = TaskSerializer
    pagination_class = Pagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return Task.objects.none()
        return _tasks(perms.visible_tasks(self.user).filter(plan=self.plan()))

    @extend_schema(
        summary="Các nhiệm vụ của kế hoạch",
        description="Người điều phối, lãnh đạo, người xem thấy mọi nhiệm vụ; cán bộ đơn vị chỉ thấy nhiệm vụ "
        "đơn vị mình chủ trì hoặc phối hợp. Có phân trang (limit, offset).",
        responses=_read(TaskSerializer, many=True),
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Thêm nhiệm vụ",
        description="Khi kế hoạch còn sửa được (người điều phối của cơ quan ban hành). Đơn vị chủ trì, phối "
        "hợp phải thuộc địa phương của kế hoạch; nhiệm vụ một lần cần thời hạn, nhiệm vụ lặp lại cần hạn "
        "lần đầu.",
        request=TaskSerializer,
        responses=_write(TaskSerializer, 201),
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)

    def create(self, request, *args, **kwargs):
        plan = self.plan()
        _require_edit(self.user, plan)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        task = _save_task(plan, self.user, dict(serializer.validated_data))
        return Response(
            self.get_serializer(_visible_task(self.user, task.pk)).data, status=status.HTTP_201_CREATED
        )


@extend_schema(tags=[TAG_TASKS], parameters=[PK])
class TaskDetailView(PlansApi, generics.RetrieveUpdateDestroyAPIView):
    serializer_class = TaskSerializer

    def get_object(self) -> Task:
        return _visible_task(self.user, self.kwargs["pk"])

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if "pk" in self.kwargs and not getattr(self, "swagger_fake_view", False):
            context["plan"] = Plan.objects.filter(tasks__pk=self.kwargs["pk"]).first()
        return context

    @extend_schema(
        summary="Một nhiệm vụ",
        description="Kèm tiến độ và trạng thái hoàn thành tổng hợp từ các báo cáo.",
        responses=_read(TaskSerializer),
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Sửa nhiệm vụ",
        description="Khi kế hoạch còn sửa được (người điều phối của cơ quan ban hành).",
        responses=_write(TaskSerializer),
    )
    def put(self, request, *args, **kwargs):
        return super().put(request, *args, **kwargs)

    @extend_schema(
        summary="Sửa một phần nhiệm vụ",
        description="Như PUT, chỉ gửi các trường cần sửa.",
        responses=_write(TaskSerializer),
    )
    def patch(self, request, *args, **kwargs):
        return super().patch(request, *args, **kwargs)

    @extend_schema(
        summary="Xóa nhiệm vụ",
        description="Khi kế hoạch còn sửa được; xóa cả các báo cáo tiến độ của nhiệm vụ.",
        responses=DELETED,
    )
    def delete(self, request, *args, **kwargs):
        return super().delete(request, *args, **kwargs)

    def update(self, request, *args, **kwargs):
        task = self.get_object()
        _require_edit(self.user, task.plan)
        serializer = self.get_serializer(task, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        task = _save_task(task.plan, self.user, dict(serializer.validated_data), task)
        return Response(self.get_serializer(_visible_task(self.user, task.pk)).data)

    def destroy(self, request, *args, **kwargs):
        task = self.get_object()
        _require_edit(self.user, task.plan)
        plan_services.delete_task(task, self.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- progress reports


def _reports(qs):
    return qs.select_related("unit", "submitted_by", "task").prefetch_related("evidence")


@extend_schema(tags=[TAG_REPORTS], parameters=[TASK_PK])
class TaskReportListView(PlansApi, generics.ListCreateAPIView):
    serializer_class = ReportSerializer
    pagination_class = Pagination

    def task(self) -> Task:
        if not hasattr(self, "_task"):
            self._task = _visible_task(self.user, self.kwargs["task_id"])
        return self._task

    def get_serializer_context(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return super().get_serializer_context()
        return {**super().get_serializer_context(), "task": self.task()}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return ProgressReport.objects.none()
        return _reports(report_perms.visible_reports(self.user).filter(task=self.task())).order_by(
            "-period", "unit__name", "pk"
        )

    @extend_schema(
        summary="Báo cáo tiến độ của nhiệm vụ",
        description="Các báo cáo người dùng được xem: của đơn vị mình; đơn vị chủ trì thấy cả báo cáo của các "
        "đơn vị phối hợp; người điều phối, lãnh đạo, người xem thấy tất cả. Có phân trang.",
        responses=_read(ReportSerializer, many=True),
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Báo cáo tiến độ",
        description="Báo cáo của một đơn vị (chủ trì hoặc phối hợp) cho một kỳ của thời gian thực hiện kế "
        "hoạch. Mỗi nhiệm vụ, đơn vị, kỳ có một báo cáo: gửi lại cho cùng kỳ là cập nhật báo cáo đó (200), "
        "báo cáo mới: 201. Chỉ cho nhiệm vụ của kế hoạch đã ban hành, chỉ cán bộ của đơn vị đó (hoặc người "
        "điều phối). Tiến độ 0–100; đã hoàn thành (tiến độ ghi 100) thì cần sản phẩm: số, ngày, cơ quan "
        "ban hành văn bản. Tiến độ của nhiệm vụ được tính lại sau mỗi báo cáo (theo đơn vị chủ trì).",
        request=ReportSerializer,
        responses={201: ReportSerializer, **_write(ReportSerializer)},
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)

    def create(self, request, *args, **kwargs):
        task = self.task()
        units = report_perms.reporting_units(self.user, task)
        if not units:
            _deny("Bạn không báo cáo được cho nhiệm vụ này (chỉ cán bộ của đơn vị chủ trì hoặc phối hợp).")
        if not task.plan.is_live:
            _deny(
                f"Kế hoạch đang ở trạng thái «{task.plan.status_label}»: chỉ báo cáo tiến "
                "độ cho nhiệm vụ của kế hoạch đã ban hành."
            )
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        unit = data.pop("unit", None)
        if unit is None:
            if len(units) != 1:
                raise serializers.ValidationError(
                    {"unit": ["Chọn đơn vị báo cáo (unit): bạn báo cáo được cho nhiều đơn vị."]}
                )
            unit = Unit.objects.get(pk=units[0])
        if unit.pk not in report_perms.task_units(task):
            raise serializers.ValidationError(
                {"unit": [f"“{unit.name}” không chủ trì hay phối hợp nhiệm vụ này."]}
            )
        if not report_perms.can_report(self.user, task, unit.pk):
            _deny(f"Bạn không báo cáo được thay cho “{unit.name}”.")
        period = data.pop("period")
        existed = ProgressReport.objects.filter(task=task, unit=unit, period=period).exists()
        try:
            report = save_report(task, self.user, unit.pk, period, data)
        except ValueError as exc:  # ReportRejected
            raise _service_error(exc) from None
        report = _reports(ProgressReport.objects).get(pk=report.pk)
        return Response(
            self.get_serializer(report).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )


@extend_schema(
    tags=[TAG_REPORTS],
    parameters=[PK],
    summary="Một báo cáo tiến độ",
    description="Chỉ khi người dùng được xem báo cáo này (cán bộ đơn vị khác: 404).",
    responses=_read(ReportSerializer),
)
class ReportDetailView(PlansApi, generics.RetrieveAPIView):
    serializer_class = ReportSerializer

    def get_object(self) -> ProgressReport:
        report = get_object_or_404(_reports(ProgressReport.objects), pk=self.kwargs["pk"])
        if not report_perms.can_view_report(self.user, report):
            raise Http404
        return report


# --- evidence of progress reports

REPORT_PK = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Mã số (id) báo cáo tiến độ.")


@extend_schema(tags=[TAG_REPORTS], parameters=[REPORT_PK])
class ReportEvidenceView(PlansApi, APIView):
    """The evidence files of one progress report: list them, add some."""

    def report(self) -> ProgressReport:
        report = get_object_or_404(
            ProgressReport.objects.select_related("task__plan", "unit"), pk=self.kwargs["pk"]
        )
        if not report_perms.can_view_report(self.user, report):
            raise Http404
        return report

    def _list(self, report: ProgressReport, code: int = status.HTTP_200_OK) -> Response:
        files = Evidence.objects.filter(report=report).order_by("uploaded_at", "pk")
        return Response(EvidenceSerializer(files, many=True).data, status=code)

    @extend_schema(
        summary="Minh chứng của báo cáo tiến độ",
        description="Các tệp minh chứng của báo cáo, cũ nhất trước; chỉ khi người dùng được xem báo cáo "
        "(cán bộ đơn vị khác: 404).",
        responses=_read(EvidenceSerializer, many=True),
    )
    def get(self, request: Request, pk: int) -> Response:
        return self._list(self.report())

    @extend_schema(
        summary="Tải lên minh chứng",
        description="multipart/form-data, trường “file” (lặp lại cho nhiều tệp). Chỉ người báo cáo được cho "
        "đơn vị của báo cáo (cán bộ của đơn vị đó hoặc người điều phối), khi kế hoạch đang ở trạng thái đã "
        "ban hành; người khác được xem báo cáo: 403. Mỗi tệp được kiểm tra loại (theo đuôi và theo nội "
        "dung), dung lượng, virus; một tệp không đạt: 400 và không tệp nào được lưu. Trả về toàn bộ danh "
        "sách minh chứng của báo cáo (201).",
        request={"multipart/form-data": EvidenceUploadSerializer},
        responses={201: EvidenceSerializer(many=True), 400: FIELD_ERRORS, 403: E403, 404: E404},
    )
    def post(self, request: Request, pk: int) -> Response:
        report = self.report()
        task = report.task
        if not report_perms.can_report(self.user, task, report.unit_id):
            if not task.plan.is_live:
                _deny(
                    f"Kế hoạch đang ở trạng thái «{task.plan.status_label}»: chỉ bổ sung "
                    "minh chứng cho nhiệm vụ của kế hoạch đã ban hành."
                )
            _deny(f"Bạn không báo cáo được thay cho “{report.unit.name}” nên không tải minh chứng lên được.")
        files = request.FILES.getlist("file")
        if not files:
            raise serializers.ValidationError(
                {"file": ["Chọn ít nhất một tệp minh chứng (trường “file”, multipart/form-data)."]}
            )
        checked = []
        for uploaded in files:
            try:
                checked.append(uploads.check_upload(uploaded))
            except uploads.UploadRejected as exc:
                raise serializers.ValidationError({"file": [str(exc)]}) from None
        with transaction.atomic():
            for item in checked:
                uploads.store(Evidence, item, self.user, report=report)
        return self._list(report, status.HTTP_201_CREATED)


# --- periodic reports


def _reads_all_periodic(user, plan: Plan) -> bool:
    """Oversight roles of the issuing unit read every periodic report; others only issued or closed ones."""
    return periodic_services.can_read_reports(user, plan)


@extend_schema(
    tags=[TAG_PERIODIC],
    parameters=[PLAN_PK],
    summary="Báo cáo định kỳ của kế hoạch",
    description="Báo cáo quý, 6 tháng, năm tổng hợp từ báo cáo tiến độ của các đơn vị, kỳ mới nhất trước. "
    "Người điều phối, lãnh đạo, người xem của cơ quan ban hành thấy mọi báo cáo (cả dự thảo); người khác "
    "xem được kế hoạch chỉ thấy báo cáo đã ban hành hoặc đã kết thúc. Kế hoạch ngoài phạm vi: 404.",
    responses=_read(PeriodicReportSerializer, many=True),
)
class PlanPeriodicReportListView(PlansApi, generics.ListAPIView):
    serializer_class = PeriodicReportSerializer
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return PeriodicReport.objects.none()
        plan = _visible_plan(self.user, self.kwargs["plan_id"])
        qs = plan.periodic_reports.all()
        if not _reads_all_periodic(self.user, plan):
            qs = qs.filter(status__in=PeriodicReport.workflow().public_states)
        return qs.order_by("-period", "-pk")


@extend_schema(
    tags=[TAG_PERIODIC],
    parameters=[PK],
    summary="Một báo cáo định kỳ",
    description="Kèm nội dung (content) theo từng phần. Dự thảo chỉ người điều phối, lãnh đạo, người xem của "
    "cơ quan ban hành thấy; người khác: 404.",
    responses=_read(PeriodicReportSerializer),
)
class PeriodicReportDetailView(PlansApi, generics.RetrieveAPIView):
    serializer_class = PeriodicReportSerializer

    def get_object(self) -> PeriodicReport:
        report = get_object_or_404(PeriodicReport.objects.select_related("plan"), pk=self.kwargs["pk"])
        plan = perms.visible_plans(self.user).filter(pk=report.plan_id).first()
        if plan is None:
            raise Http404
        if not report.is_public and not _reads_all_periodic(self.user, plan):
            raise Http404
        return report


# --- reminders


@extend_schema(
    tags=[TAG_REMINDERS],
    summary="Nhắc việc của tôi",
    description="Các nhắc việc (trong ứng dụng và thư điện tử) đã gửi cho người dùng hiện tại, mới nhất "
    "trước. Có phân trang.",
    parameters=[OpenApiParameter("unread", bool, description="true: chỉ các nhắc việc chưa đọc.")],
    responses={200: ReminderSerializer(many=True), 400: OpenApiResponse(ERR), 403: E403_READ},
)
class ReminderListView(PlansApi, generics.ListAPIView):
    serializer_class = ReminderSerializer
    pagination_class = Pagination

    def get_queryset(self):
        qs = Reminder.objects.filter(user=self.user).order_by("-sent_at", "-pk")
        unread = self.request.query_params.get("unread", "").strip().lower()
        if unread:
            if unread not in {"true", "false", "1", "0"}:
                raise InvalidInput(f"Tham số “unread” phải là true hoặc false (nhận được “{unread}”).")
            qs = qs.filter(read_at__isnull=unread in {"true", "1"})
        return qs


__all__ = [
    "PeriodicReportDetailView",
    "PlanDetailView",
    "PlanListView",
    "PlanPeriodicReportListView",
    "PlanTargetListView",
    "PlanTaskListView",
    "PlanTransitionView",
    "ReminderListView",
    "ReportDetailView",
    "ReportEvidenceView",
    "TargetDetailView",
    "TaskDetailView",
    "TaskReportListView",
]
