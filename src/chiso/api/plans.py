"""REST API of plans: list, create, read, edit and delete plans, and take workflow steps (submit,
approve, issue…). Rules: chiso.plans.services.plans and chiso.workflows.services; who may:
chiso.plans.permissions; errors: chiso.api.errors."""

from __future__ import annotations

from django.db.models import Q
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chiso.core.workflow import WorkflowError
from chiso.plans import permissions as perms
from chiso.plans.models import Plan
from chiso.plans.services import plans as plan_services
from chiso.units.models import Unit
from chiso.workflows.services import transition as workflow_transition

from .common import (
    DATE_INPUTS,
    E403_READ,
    ERR,
    ID_SCHEMA,
    PK,
    PLAN_STATUSES,
    TAG_PLANS,
    YEAR_MAX,
    YEAR_SCHEMA,
    IndexCodeField,
    PlanPartMixin,
    PlansApi,
    PlanStatusField,
    VietnameseMixin,
    detail_operations,
    in_status,
    index_codes,
    int_param,
    unknown_index_message,
    visible_plan,
    write_responses,
)
from .concurrency import IDEMPOTENCY_KEY, IdempotentCreate, Versioned
from .errors import InvalidInput
from .pagination import Pagination

__all__ = ["PlanDetailView", "PlanListView", "PlanSerializer", "PlanTransitionView"]


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
        min_length=1,  # documented as minItems: 1
        help_text="Các chỉ số kế hoạch hướng tới.",
    )
    recipients = serializers.ListField(
        child=serializers.CharField(max_length=300, allow_blank=True),
        required=False,
        help_text="Nơi nhận, mỗi phần tử một nơi.",
    )
    legal_basis = serializers.ListField(
        child=serializers.CharField(max_length=1000, allow_blank=True),
        required=False,
        help_text="Căn cứ ban hành, mỗi phần tử một văn bản (kế hoạch in «Căn cứ …;»).",
    )
    implements = serializers.ListField(
        child=serializers.CharField(max_length=1000, allow_blank=True),
        required=False,
        help_text="Kế hoạch, thông báo cấp trên kế hoạch thực hiện, mỗi phần tử một văn bản "
        "(kế hoạch in «Thực hiện Kế hoạch số …/KH-UBND ngày … của UBND tỉnh …;»).",
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
    revision = serializers.IntegerField(
        read_only=True, help_text="Phiên bản chỉnh sửa (cũng là ETag): gửi lại trong If-Match khi sửa."
    )

    class Meta:
        model = Plan
        fields = [
            "id",
            *plan_services.PLAN_FIELDS,  # what a plan is made of: one list for the service and the API
            "issuing_unit_name",
            "number_symbol",
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
            "revision",
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


@extend_schema_field({"type": "string", "enum": [t.name for t in Plan.workflow().transitions]})
class PlanActionField(serializers.CharField):
    """A step of the plans' workflow, documented as the list of its names (read from the workflow file);
    an unknown one is refused by ``validate_action`` with the list, in Vietnamese."""


class PlanTransitionSerializer(VietnameseMixin, serializers.Serializer):
    action = PlanActionField(
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

    def validate_action(self, value: str) -> str:
        """A step of the plans' workflow (chiso/data/workflows/plan.yaml)."""
        action = value.strip()
        workflow = Plan.workflow()
        try:
            workflow.transition(action)
        except WorkflowError as exc:
            names = ", ".join(t.name for t in workflow.transitions)
            raise serializers.ValidationError(f"{exc} (các bước: {names}).") from None
        return action


# --- views


@extend_schema_view(
    get=extend_schema(
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
            OpenApiParameter("year", YEAR_SCHEMA, description="Chỉ các kế hoạch thực hiện trong năm này."),
            OpenApiParameter("issuing_unit", ID_SCHEMA, description="Mã số (id) cơ quan ban hành."),
        ],
        responses={200: PlanSerializer(many=True), 400: OpenApiResponse(ERR), 403: E403_READ},
    ),
    post=extend_schema(
        summary="Lập kế hoạch mới",
        description="Kế hoạch mới ở trạng thái dự thảo. Chỉ người điều phối của cơ quan ban hành. "
        "Năm kết quả làm căn cứ mặc định là năm trước năm thực hiện.",
        request=PlanSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: PlanSerializer, **write_responses(PlanSerializer, 201, not_found=False)},
    ),
)
@extend_schema(tags=[TAG_PLANS])
class PlanListView(PlansApi, IdempotentCreate, generics.ListCreateAPIView):
    serializer_class = PlanSerializer
    pagination_class = Pagination

    def get_queryset(self):
        params = self.request.query_params
        qs = perms.visible_plans(self.user).select_related("issuing_unit")
        qs = in_status(
            self.request, qs, Plan.workflow(), "Trạng thái “{state}” không có; các trạng thái là: {states}."
        )
        index = params.get("index", "").strip().lower()
        if index:
            if index not in index_codes():
                raise InvalidInput(unknown_index_message(index))
            qs = plan_services.with_index(qs, index)
        year = int_param(self.request, "year", minimum=1, maximum=YEAR_MAX)
        if year is not None:
            qs = qs.filter(Q(year=year) | Q(year__lte=year, year_to__gte=year))
        unit = int_param(self.request, "issuing_unit", minimum=1)
        if unit is not None:
            qs = qs.filter(issuing_unit_id=unit)
        return qs.order_by("-year", "-date", "-pk")

    def create(self, request, *args, **kwargs):
        perms.require_plan_creator(self.user)
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        serializer.instance = self.keyed(
            plan_services.save_plan(self.user, dict(serializer.validated_data), key=self.idempotency_key)
        )


@extend_schema_view(
    **detail_operations(
        PlanSerializer,
        "kế hoạch",
        read="Kèm các bước quy trình người dùng làm được lúc này (transitions) và quyền sửa (can_edit).",
        update="Chỉ người điều phối của cơ quan ban hành, khi kế hoạch chưa bị khóa (dự thảo, đã trình). "
        "Kế hoạch đã phê duyệt, ban hành: 403 (thay đổi bằng bản sửa đổi).",
        delete=(
            "Xóa kế hoạch dự thảo",
            "Chỉ kế hoạch ở trạng thái dự thảo, chỉ người điều phối của cơ quan ban hành.",
        ),
        delete_errors={
            409: OpenApiResponse(ERR, description="Kế hoạch đang được kế hoạch hoặc báo cáo khác tham chiếu.")
        },
    )
)
@extend_schema(tags=[TAG_PLANS], parameters=[PK])
class PlanDetailView(PlansApi, PlanPartMixin, Versioned, generics.RetrieveUpdateDestroyAPIView):
    serializer_class = PlanSerializer

    def get_object(self) -> Plan:
        return visible_plan(self.user, self.kwargs["pk"])

    def plan_of(self, obj: Plan) -> Plan:
        return obj

    def perform_update(self, serializer):
        serializer.instance = plan_services.save_plan(
            self.user,
            dict(serializer.validated_data),
            serializer.instance,
            revision=self.expected_revision,
        )

    def perform_destroy(self, instance: Plan) -> None:
        plan_services.delete_plan(instance, self.user)


@extend_schema(
    tags=[TAG_PLANS],
    parameters=[PK],
    summary="Chuyển bước quy trình",
    description="Trình, rút lại, trả lại, phê duyệt, ban hành (cần số và ngày), kết thúc — theo quy trình "
    "chiso/data/workflows/plan.yaml và vai trò của người dùng tại cơ quan ban hành. Không có vai trò làm "
    "bước này: 403. Thiếu lý do hoặc thiếu số, ngày văn bản: 400. Bước không làm được ở trạng thái hiện tại "
    "(kế hoạch đã được thay thế, nội dung còn hạn đã qua, thiếu người ký…): 409.",
    request=PlanTransitionSerializer,
    responses=write_responses(PlanSerializer, conflict=True),
)
class PlanTransitionView(PlansApi, APIView):
    def post(self, request: Request, pk: int) -> Response:
        plan = visible_plan(self.user, pk)
        data = PlanTransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = workflow_transition(plan, user=self.user, **data.validated_data)
        return Response(PlanSerializer(plan, context={"request": request}).data)
