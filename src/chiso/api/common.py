"""What the API's modules share. The index data (units, frameworks, results, analysis; read-only):
the rule every view asks, the index a code names, integer query parameters, the documented 403 and
errors. The plans API (plans, targets, tasks, reports, periodic reports, reminders): serializers that
read NFC text and answer in Vietnamese, the base of the views, the plan and task a URL names (404
outside the user's scope) and the documented responses. Both: enums documented as named components, the
tags of the schema.

Every view requires the ``chiso.view_data`` rule (a signed-in account with a role); errors are answered
by chiso.api.errors (``{"detail": "…"}`` in Vietnamese). The plans endpoints ask
``chiso.plans.permissions`` / ``chiso.tracking.permissions`` or the service that writes: objects outside
the user's scope answer 404, objects she sees but may not change answer 403, bad input answers 400 with
the errors of each field in Vietnamese (``{"tên trường": ["…"]}``) and changes nothing. Serializers only
parse types; every rule lives in the services. Writes run in one transaction; simple_history records who
changed what (the user of the request).
"""

from __future__ import annotations

from functools import cached_property

from django.core import validators as dj_validators
from django.http import QueryDict
from django.shortcuts import get_object_or_404
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.views import APIView

from chiso.core.schedule import period_label
from chiso.core.text import nfc
from chiso.frameworks.models import Index
from chiso.notifications.models import Reminder
from chiso.plans import permissions as perms
from chiso.plans.models import Plan, Priority, Recurrence, Target, Task, UnitClass
from chiso.tracking.models import PeriodicReport, ProgressReport

from .errors import ErrorSerializer, InvalidInput
from .permissions import CanViewData

TAG_UNITS = "Đơn vị hành chính"
TAG_FRAMEWORKS = "Bộ chỉ số"
TAG_RESULTS = "Kết quả công bố"
TAG_ANALYSIS = "Phân tích"
TAG_PLANS = "Kế hoạch"
TAG_TARGETS = "Mục tiêu"
TAG_TASKS = "Nhiệm vụ"
TAG_REPORTS = "Báo cáo tiến độ"
TAG_REMINDERS = "Nhắc việc"
TAG_PERIODIC = "Báo cáo định kỳ"

DATE_INPUTS = ["iso-8601", "%d/%m/%Y"]


# --- indices and query parameters -------------------------------------------------------------------


def index_codes() -> list[str]:
    """The codes of the indices chiso has (data: a new index is installed from its framework file)."""
    return Index.objects.codes()


def unknown_index_message(code: str) -> str:
    return f"Không có chỉ số “{code}”; các chỉ số là: {', '.join(index_codes())}."


def index_or_404(code: str) -> Index:
    index = Index.objects.filter(code=code).first()
    if index is None:
        raise NotFound(unknown_index_message(code))
    return index


#: The largest whole number a query parameter may carry (a database integer); a year is at most 9999.
INT_MAX = 2**31 - 1
YEAR_MAX = 9999
#: The schema of a year query parameter (documented bounds: a schema-valid year is never refused).
YEAR_SCHEMA = {"type": "integer", "minimum": 1, "maximum": YEAR_MAX}
#: An id in a query parameter (ids start at 1); a required text parameter (never empty).
ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": INT_MAX}
TEXT_SCHEMA = {"type": "string", "minLength": 1}


def int_param(
    request: Request, name: str, *, minimum: int | None = None, maximum: int = INT_MAX
) -> int | None:
    """The integer query parameter ``name`` (None when absent or blank; 400 when not a whole number,
    below ``minimum`` or above ``maximum``)."""
    raw = request.query_params.get(name)
    if raw is None or not raw.strip():
        return None
    try:
        value = int(raw.strip())
    except ValueError:
        raise InvalidInput(f"Tham số “{name}” phải là số nguyên (nhận được “{raw}”).") from None
    if minimum is not None and value < minimum:
        raise InvalidInput(f"Tham số “{name}” phải từ {minimum} trở lên.")
    if value > maximum:
        raise InvalidInput(f"Tham số “{name}” phải không quá {maximum}.")
    return value


def in_status(request: Request, qs, workflow, unknown: str):
    """``qs`` limited to the state the ``status`` query parameter names (absent or blank: all); a state
    the workflow does not have: 400 with ``unknown`` (a text with ``{state}`` and ``{states}``)."""
    state = request.query_params.get("status", "").strip()
    if not state:
        return qs
    if state not in workflow.states:
        raise InvalidInput(unknown.format(state=state, states=", ".join(workflow.states)))
    return qs.filter(status=state)


# --- Vietnamese validation messages ----------------------------------------------------------------

VI_MESSAGES = {
    "required": "Trường này là bắt buộc.",
    "null": "Trường này không được để trống (null).",
    "blank": "Trường này không được bỏ trống.",
    "empty": "Danh sách này không được rỗng.",
    "not_a_list": "Cần một danh sách (nhận được {input_type}).",
    "not_a_dict": "Cần một đối tượng (nhận được {input_type}).",
    "does_not_exist": "Không có đối tượng mã số (id) {pk_value}.",  # a SlugRelatedField's: below
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
    if isinstance(field, serializers.SlugRelatedField):  # its message names {value}, not {pk_value}
        messages["does_not_exist"] = "Không có “{value}”."
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
        elif isinstance(v, dj_validators.ProhibitNullCharactersValidator):
            v.message = "Không được chứa ký tự NUL."
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


@extend_schema_field(OpenApiTypes.BINARY)
class UploadField(serializers.FileField):
    """A file sent as multipart/form-data: documented as the file's bytes (``format: binary``), not as
    the URL a FileField would read back."""


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


class NamedEnum:
    """A field documented as its own named enum component (``component_name``), not by drf-spectacular's
    automatic naming (units and regions both have a ``kind``: their names would collide, and warn)."""

    component_name = ""
    description = ""
    value_type = "string"

    def enum_pairs(self) -> list[tuple]:
        """The values and their labels, read when the schema is generated."""
        raise NotImplementedError


class NamedChoiceField(NamedEnum, serializers.ChoiceField):
    """A choice field (input of the plans API) documented as a named enum component."""

    def enum_pairs(self) -> list[tuple]:
        return list(self.choices.items())


class NamedEnumField(NamedEnum, serializers.CharField):
    """A text field of a response documented as a named enum component; its labels are read in the
    language of the schema."""

    enum_choices: list[tuple] = []

    def enum_pairs(self) -> list[tuple]:
        return [(value, str(label)) for value, label in self.enum_choices]


class NamedEnumExtension(OpenApiSerializerFieldExtension):
    target_class = NamedEnum
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        lines = "\n".join(f"* `{value}` - {label}" for value, label in field.enum_pairs())
        values = [value for value, _ in field.enum_pairs()]
        schema = {"type": field.value_type, "enum": values, "description": f"{field.description}\n\n{lines}"}
        component = ResolvedComponent(
            name=field.component_name,
            type=ResolvedComponent.SCHEMA,
            object=field.component_name,
            schema=schema,
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


class NonEmptyDictField(serializers.DictField):
    """A mapping that must not be empty (``allow_empty=False``), documented so (``minProperties: 1``):
    a schema-valid request is never refused for an empty mapping."""

    def __init__(self, **kwargs) -> None:
        super().__init__(allow_empty=False, **kwargs)


class NonEmptyDictExtension(OpenApiSerializerFieldExtension):
    target_class = NonEmptyDictField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        return {**schema, "minProperties": 1}


def named_enum(name: str, choices, description: str) -> type[NamedEnumField]:
    """A NamedEnumField subclass for one enum component of a response (``choices``: (value, label))."""
    attrs = {"component_name": name, "description": description, "enum_choices": list(choices)}
    return type(f"{name}Field", (NamedEnumField,), attrs)


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


def period_label_or_code(period: str) -> str:
    """The name of a reporting period ("Quý I/2025"), its code if it has none."""
    try:
        return period_label(period)
    except ValueError:
        return period


class DocumentedInteger(serializers.IntegerField):
    """An integer whose bounds (min_value, max_value) the schema documents but the service that writes
    checks (one home per rule): the field itself only parses a whole number."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = [
            v
            for v in self.validators
            if not isinstance(v, dj_validators.MinValueValidator | dj_validators.MaxValueValidator)
        ]


# --- the views ---------------------------------------------------------------------------------------


class ReadOnlyApi:
    """Every view of the index data: the chiso.view_data rule (errors: chiso.api.errors, which tells
    other methods than GET that this API is read-only)."""

    permission_classes = [CanViewData]
    read_only = True


class ApiView(ReadOnlyApi, APIView):
    pass


class PlansApi:
    """Every plans endpoint: the chiso.view_data rule (errors in Vietnamese: chiso.api.errors)."""

    permission_classes = [CanViewData]

    @property
    def user(self):
        return self.request.user


def visible_plan(user, pk: int) -> Plan:
    return get_object_or_404(perms.visible_plans(user).select_related("issuing_unit"), pk=pk)


def tasks_of(qs):
    return (
        qs.select_related("lead_unit", "plan")
        .prefetch_related("coordinating_units")
        .order_by("plan", "order", "pk")
    )


def visible_task(user, pk: int) -> Task:
    return get_object_or_404(tasks_of(perms.visible_tasks(user)), pk=pk)


class PlanChildMixin:
    """The list of a plan's targets or tasks (``children(plan)``) and the creation of one
    (``save(plan, data)``, a service): 403 with the reason before reading the body when the user may
    not change the plan."""

    @cached_property
    def plan(self) -> Plan:
        return visible_plan(self.user, self.kwargs["plan_id"])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return self.serializer_class.Meta.model.objects.none()
        return self.children(self.plan)

    def create(self, request, *args, **kwargs):
        perms.require_edit(self.user, self.plan)
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        serializer.instance = self.save(self.plan, dict(serializer.validated_data))


class PlanPartMixin:
    """One plan, target or task (``plan_of(obj)``: the plan it is part of): 403 with the reason before
    reading the body of a change when the user may not change the plan."""

    def update(self, request, *args, **kwargs):
        perms.require_edit(self.user, self.plan_of(self.get_object()))
        return super().update(request, *args, **kwargs)

    def plan_of(self, obj) -> Plan:
        return obj.plan


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
AUTH_ERRORS = {403: E403_READ}
PK = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Mã số (id).")
INDEX_PATH = OpenApiParameter(
    "index", str, OpenApiParameter.PATH, description="Mã chỉ số (danh sách: /api/indices/)."
)
YEAR_PATH = OpenApiParameter("year", int, OpenApiParameter.PATH, description="Năm đánh giá, ví dụ 2023.")
PLAN_PK = OpenApiParameter("plan_id", int, OpenApiParameter.PATH, description="Mã số (id) kế hoạch.")
TASK_PK = OpenApiParameter("task_id", int, OpenApiParameter.PATH, description="Mã số (id) nhiệm vụ.")


def data_responses(ok, *errors: int, **described: str) -> dict:
    """The responses of a read-only view: 200 ``ok``, 403, and 400 or 404 for each of ``errors``
    (described by ``e400=``, ``e404=`` when the default text says too little)."""
    out = {200: ok, **AUTH_ERRORS}
    texts = {400: "Tham số không hợp lệ.", 404: "Không tìm thấy."}
    for code in errors:
        out[code] = OpenApiResponse(ERR, description=described.get(f"e{code}", texts[code]))
    return out


def read_responses(ok, *, many=False) -> dict:
    return {200: ok(many=True) if many else ok, 403: E403_READ, 404: E404}


E409_STATE = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="Không làm được ở trạng thái hiện tại của dữ liệu (đợt đã kết thúc, giai đoạn đã khoá hay "
    'chưa mở, bước không làm được ở trạng thái này, đã có rồi, có người vừa sửa hay vừa chuyển): {"detail": '
    '"…"} hoặc {"tên trường": ["…"]} (tiếng Việt). Yêu cầu hợp lệ nhưng không đúng lúc: không có gì bị thay '
    "đổi; tải lại để xem trạng thái mới.",
)


def write_responses(ok, code: int = 200, *, not_found=True, conflict=False) -> dict:
    """A write's responses: ``ok`` with ``code``, 400, 403, 404 (unless ``not_found`` is false) and 409
    when the state of the data may refuse it (``conflict``: a closed round, a locked phase…)."""
    out = {code: ok, 400: FIELD_ERRORS, 403: E403}
    if not_found:
        out[404] = E404
    if conflict:
        out[409] = E409_STATE
    return out


DELETED = {204: OpenApiResponse(description="Đã xóa."), 403: E403, 404: E404}


def plan_children(tag: str, serializer, listing: tuple[str, str], creating: tuple[str, str]):
    """The schema of the list of a plan's targets or tasks (``tag``) and of adding one."""

    def document(view):
        view = extend_schema_view(**list_operations(serializer, listing, creating))(view)
        return extend_schema(tags=[tag], parameters=[PLAN_PK])(view)

    return document


def list_operations(serializer, listing: tuple[str, str], creating: tuple[str, str], **post) -> dict:
    """extend_schema_view's GET (a list: summary, description) and POST (a creation: summary, description;
    ``post`` overrides its request or responses) of a resource."""
    get = extend_schema(
        summary=listing[0], description=listing[1], responses=read_responses(serializer, many=True)
    )
    from .concurrency import IDEMPOTENCY_KEY

    post = {
        "request": serializer,
        "responses": {200: serializer, **write_responses(serializer, 201)},
        "parameters": [IDEMPOTENCY_KEY],
        **post,
    }
    return {"get": get, "post": extend_schema(summary=creating[0], description=creating[1], **post)}


def detail_operations(
    serializer,
    noun: str,
    *,
    read: str,
    update: str,
    delete: tuple[str, str],
    delete_errors: dict | None = None,
) -> dict:
    """extend_schema_view's GET, PUT, PATCH and DELETE of one ``noun`` (a target, a task…): the
    descriptions of reading and updating it, the summary and description of deleting it (and other
    responses of DELETE)."""
    from .concurrency import E412, E428, IF_MATCH

    # A change needs the ETag read (If-Match): chiso.api.concurrency.
    changing = {"parameters": [IF_MATCH], "responses": {**write_responses(serializer), 412: E412, 428: E428}}
    return {
        "get": extend_schema(summary=f"Một {noun}", description=read, responses=read_responses(serializer)),
        "put": extend_schema(summary=f"Sửa {noun}", description=update + IF_MATCH_TEXT, **changing),
        "patch": extend_schema(
            summary=f"Sửa một phần {noun}", description=AS_PUT + IF_MATCH_TEXT, **changing
        ),
        "delete": extend_schema(
            summary=delete[0], description=delete[1], responses={**DELETED, **(delete_errors or {})}
        ),
    }


AS_PUT = "Như PUT, chỉ gửi các trường cần sửa."
IF_MATCH_TEXT = (
    " Cần tiêu đề If-Match với ETag đã đọc (GET): người khác đã sửa sau đó thì 412 (ai, lúc nào, mục nào "
    "đã đổi; không ghi gì), thiếu If-Match thì 428."
)
