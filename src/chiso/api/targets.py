"""REST API of a plan's targets: list, add, read, edit, delete. The service checks each target against
the results (baseline, points needed, met, its sentence): chiso.plans.services.plans.save_target."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.response import Response

from chiso.plans import permissions as perms
from chiso.plans.models import Target
from chiso.plans.services import plans as plan_services
from chiso.plans.services.review import review_plan

from .common import (
    E403_READ,
    ERR,
    PK,
    TAG_TARGETS,
    TARGET_KINDS,
    IndexCodeField,
    PlanChildMixin,
    PlanPartMixin,
    PlansApi,
    TargetKindField,
    VietnameseMixin,
    detail_operations,
    plan_children,
    visible_plan,
)
from .concurrency import IdempotentCreate, Versioned
from .errors import InvalidInput

__all__ = ["PlanTargetListView", "PlanTargetReviewView", "TargetDetailView", "TargetSerializer"]

#: What the service fills in by checking a target against the results (read-only here).
CHECKED_FIELDS = (
    "baseline_year",
    "baseline_score",
    "baseline_max",
    "baseline_rank",
    "baseline_rank_of",
    "baseline_group",
    "baseline_percent",
    "needed_points",
    "needed_known",
    "met",
)


class TargetSerializer(VietnameseMixin, serializers.ModelSerializer):
    index = IndexCodeField()
    kind = TargetKindField(choices=TARGET_KINDS)
    value = serializers.CharField(
        max_length=40,
        help_text="Giá trị: điểm (score), % điểm tối đa (percent), thứ hạng (rank), số bậc (places), "
        "K (top), tên nhóm (group; cả cho nội dung được xếp nhóm như chỉ số nội dung PAPI) hoặc «số lượng "
        "tên nhóm» (count_min: ít nhất N nội dung thuộc nhóm trở lên, count_max: không quá N nội dung "
        "thuộc nhóm trở xuống; ví dụ «3 Cao», «0 Thấp»). Số thập phân nhận cả dấu phẩy.",
    )
    label = serializers.CharField(read_only=True, help_text="Nội dung mục tiêu, chiso viết theo kết quả.")
    # Bounds stated here: the model field's own range differs between SQLite and PostgreSQL.
    order = serializers.IntegerField(
        min_value=0, max_value=2147483647, required=False, help_text="Số thứ tự trong kế hoạch."
    )

    revision = serializers.IntegerField(
        read_only=True, help_text="Phiên bản chỉnh sửa (cũng là ETag): gửi lại trong If-Match khi sửa."
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
            *CHECKED_FIELDS,
            "revision",
        ]
        read_only_fields = ["plan", "node_name", *CHECKED_FIELDS]


@plan_children(
    TAG_TARGETS,
    TargetSerializer,
    (
        "Các mục tiêu của kế hoạch",
        "Mục tiêu cho toàn chỉ số hoặc một nội dung, kèm mốc xuất phát (baseline) lấy từ kết quả, "
        "số điểm còn cần tăng và cờ đã đạt.",
    ),
    (
        "Thêm mục tiêu",
        "Khi kế hoạch còn sửa được. chiso đối chiếu mục tiêu với kết quả của năm làm căn cứ: điền "
        "mốc xuất phát, số điểm cần tăng, cờ đã đạt và viết nội dung mục tiêu (label). Chưa có kết quả, "
        "nội dung không có, mục tiêu không thể đạt: 400.",
    ),
)
class PlanTargetListView(PlansApi, IdempotentCreate, PlanChildMixin, generics.ListCreateAPIView):
    serializer_class = TargetSerializer
    pagination_class = None

    def children(self, plan):
        return plan.targets.all()

    def save(self, plan, data: dict) -> Target:
        return self.keyed(plan_services.save_target(plan, self.user, data, key=self.idempotency_key))


@extend_schema_view(
    **detail_operations(
        TargetSerializer,
        "mục tiêu",
        read="Mục tiêu và mốc xuất phát.",
        update="Khi kế hoạch còn sửa được; mục tiêu được đối chiếu lại với kết quả.",
        delete=("Xóa mục tiêu", "Khi kế hoạch còn sửa được."),
    )
)
@extend_schema(tags=[TAG_TARGETS], parameters=[PK])
class TargetDetailView(PlansApi, PlanPartMixin, Versioned, generics.RetrieveUpdateDestroyAPIView):
    serializer_class = TargetSerializer

    def get_object(self) -> Target:
        target = get_object_or_404(Target.objects.select_related("plan"), pk=self.kwargs["pk"])
        if not perms.visible_plans(self.user).filter(pk=target.plan_id).exists():
            raise Http404
        return target

    def perform_update(self, serializer):
        target = serializer.instance
        serializer.instance = plan_services.save_target(
            target.plan, self.user, dict(serializer.validated_data), target, revision=self.expected_revision
        )

    def perform_destroy(self, instance: Target) -> None:
        plan_services.delete_target(instance, self.user)


class TargetReviewRowSerializer(serializers.Serializer):
    target = serializers.IntegerField(source="target.pk", help_text="Mã mục tiêu.")
    kind = serializers.CharField(source="target.kind", help_text="Loại mục tiêu.")
    node_code = serializers.CharField(
        source="target.node_code", help_text="Mã nội dung (trống = toàn chỉ số)."
    )
    met = serializers.BooleanField(
        allow_null=True, help_text="Đạt (true), chưa đạt (false), chưa đánh giá được (null)."
    )
    achieved = serializers.CharField(source="review.achieved", help_text="Kết quả đạt được năm đánh giá.")
    label = serializers.CharField(source="review.label_vi", help_text="Mục tiêu, kết quả và đánh giá.")


class PlanReviewSerializer(serializers.Serializer):
    year = serializers.IntegerField(help_text="Năm kết quả dùng để đánh giá (năm thực hiện kế hoạch).")
    summary = serializers.CharField(help_text="Ví dụ: đạt 03/07 mục tiêu, còn 04 mục tiêu chưa đạt.")
    rows = TargetReviewRowSerializer(many=True)


@extend_schema(
    tags=[TAG_TARGETS],
    summary="Đánh giá kết quả thực hiện mục tiêu",
    description="Mỗi mục tiêu của kế hoạch đối chiếu với kết quả năm thực hiện (hoặc năm `year`): đạt, "
    "chưa đạt, kèm số liệu. 404 khi chưa có kết quả năm đó.",
    parameters=[
        OpenApiParameter(
            "year",
            {"type": "integer", "minimum": 1990, "maximum": 2100},
            description="Năm kết quả dùng để đánh giá (mặc định: năm thực hiện kế hoạch).",
        )
    ],
    responses={
        200: PlanReviewSerializer,
        400: OpenApiResponse(ERR, description="Năm không hợp lệ."),
        403: E403_READ,
        404: OpenApiResponse(ERR, description="Không có kế hoạch, hoặc chưa có kết quả năm đó."),
    },
)
class PlanTargetReviewView(PlansApi, generics.GenericAPIView):
    serializer_class = PlanReviewSerializer
    pagination_class = None

    def get(self, request, plan_id: int):
        plan = visible_plan(self.user, plan_id)
        year = request.query_params.get("year")
        if year is not None and not (year.isdigit() and 1990 <= int(year) <= 2100):
            raise InvalidInput("Năm đánh giá (year) phải là số từ 1990 đến 2100.")
        review = review_plan(plan, int(year) if year else None)
        if review is None:
            raise Http404("Chưa có kết quả để đánh giá các mục tiêu của kế hoạch này.")
        return Response(PlanReviewSerializer(review).data)
