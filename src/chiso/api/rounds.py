"""REST API of assessment rounds: list the rounds the user sees, open one, read one, take it to its next
phase (or straight to a state, e.g. ``closed``: closing publishes the results) and read its summary
(totals, ranks, classes). Rules: chiso.assessment.services.rounds and .results; who may:
chiso.assessment.permissions."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chiso.accounts.scope import covered
from chiso.assessment import permissions as perms
from chiso.assessment.models import Round
from chiso.assessment.services import rounds as round_services
from chiso.assessment.services.results import summary_data
from chiso.units.models import Unit

from .assessment import (
    ROUND_PK,
    ROUND_STATUSES,
    SCOPES,
    TAG_ROUNDS,
    AssessmentApi,
    RoundStatusField,
    ScopeField,
    visible_round,
)
from .common import (
    DATE_INPUTS,
    E403,
    E403_READ,
    E404,
    ERR,
    YEAR_MAX,
    YEAR_SCHEMA,
    IndexCodeField,
    VietnameseMixin,
    in_status,
    int_param,
    read_responses,
    write_responses,
)
from .pagination import Pagination

__all__ = ["RoundAdvanceView", "RoundDetailView", "RoundListView", "RoundSerializer", "RoundSummaryView"]

WORK_DEADLINES = ("self_deadline", "appraisal_deadline", "explanation_deadline", "final_deadline")


class RoundStageRefSerializer(serializers.Serializer):
    stage = serializers.CharField(help_text='Mã giai đoạn (dùng cho /advance/ {"to": …}).')
    label = serializers.CharField(help_text="Tên giai đoạn (tiếng Việt).")


class RoundSerializer(serializers.ModelSerializer):
    index = serializers.CharField(source="framework.index.code", read_only=True, help_text="Mã chỉ số.")
    index_label = serializers.CharField(source="framework.index.label", read_only=True)
    framework_code = serializers.CharField(source="framework.code", read_only=True)
    province_name = serializers.CharField(source="province.name", read_only=True)
    scope = ScopeField(choices=SCOPES, read_only=True)
    status = RoundStatusField(choices=ROUND_STATUSES, read_only=True)
    status_label = serializers.CharField(read_only=True, help_text="Tên giai đoạn (tiếng Việt).")
    opens = serializers.CharField(
        read_only=True,
        help_text="Công việc giai đoạn này mở: self, appraisal, explanation, final; trống: đã kết thúc.",
    )
    units = serializers.SerializerMethodField(help_text="Số đơn vị được đánh giá.")
    can_run = serializers.SerializerMethodField(
        help_text="Người dùng điều hành được đợt này (chuyển giai đoạn, mở lại, phân công)."
    )
    next_stages = serializers.SerializerMethodField(
        help_text="Các giai đoạn người dùng chuyển được đợt sang lúc này."
    )

    class Meta:
        model = Round
        fields = [
            "id",
            "title",
            "index",
            "index_label",
            "framework",
            "framework_code",
            "year",
            "province",
            "province_name",
            "scope",
            "status",
            "status_label",
            "opens",
            *WORK_DEADLINES,
            "units",
            "can_run",
            "next_stages",
            "published_batch",
            "created_at",
            "closed_at",
        ]
        read_only_fields = fields

    def _user(self):
        return self.context["request"].user

    def get_units(self, obj: Round) -> int:
        return obj.sheets.count()

    def get_can_run(self, obj: Round) -> bool:
        return perms.can_run(self._user(), obj)

    @extend_schema_field(RoundStageRefSerializer(many=True))
    def get_next_stages(self, obj: Round) -> list[dict]:
        if not perms.can_run(self._user(), obj):
            return []
        wf = obj.workflow()
        return [{"stage": s, "label": wf.label(s)} for s in wf.next_states(obj.status)]


class RoundOpenSerializer(VietnameseMixin, serializers.Serializer):
    index = IndexCodeField(help_text="Mã chỉ số; bộ chỉ số là bộ của chỉ số áp dụng cho năm đánh giá.")
    year = serializers.IntegerField(min_value=2000, max_value=2100, help_text="Năm đánh giá.")
    province = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(), help_text="Mã số (id) tỉnh tổ chức, xem /api/units/."
    )
    scope = ScopeField(
        choices=SCOPES,
        required=False,
        help_text="Đơn vị được đánh giá; bỏ trống: theo loại đơn vị của chỉ số.",
    )
    units = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(),
        many=True,
        required=False,
        help_text="Mã số (id) các đơn vị được đánh giá; bỏ trống: mọi đơn vị thuộc phạm vi.",
    )
    title = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    self_deadline = serializers.DateField(required=False, allow_null=True, input_formats=DATE_INPUTS)
    appraisal_deadline = serializers.DateField(required=False, allow_null=True, input_formats=DATE_INPUTS)
    explanation_deadline = serializers.DateField(required=False, allow_null=True, input_formats=DATE_INPUTS)
    final_deadline = serializers.DateField(required=False, allow_null=True, input_formats=DATE_INPUTS)


class RoundAdvanceSerializer(VietnameseMixin, serializers.Serializer):
    to = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Mã giai đoạn đích (ví dụ closed: kết thúc và công bố kết quả); bỏ trống: giai đoạn kế tiếp.",
    )
    from_stage = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Giai đoạn hiện tại mà người dùng thấy khi yêu cầu; đợt đã ở giai đoạn khác (có người vừa "
        "chuyển, bấm hai lần): 400, không chuyển thêm.",
    )


class RoundSummaryUnitSerializer(serializers.Serializer):
    unit = serializers.CharField(help_text="Tên đơn vị.")
    self_total = serializers.FloatField(allow_null=True, help_text="Tổng điểm tự đánh giá.")
    appraised_total = serializers.FloatField(
        allow_null=True, help_text="Tổng điểm thẩm định; null: chưa thẩm định."
    )
    final_total = serializers.FloatField(
        allow_null=True,
        help_text="Tổng điểm thẩm định lại nếu có, không thì tổng điểm thẩm định; null: chưa thẩm định.",
    )
    percent = serializers.FloatField(allow_null=True, help_text="% điểm tối đa áp dụng (giai đoạn mới nhất).")
    rank = serializers.IntegerField(allow_null=True, help_text="Xếp hạng trong đợt.")

    def get_fields(self):
        fields = super().get_fields()
        fields["class"] = serializers.CharField(allow_null=True, help_text="Xếp loại (Xuất sắc, Tốt, …).")
        return fields


class RoundSummarySerializer(serializers.Serializer):
    round = serializers.IntegerField(help_text="Mã số (id) đợt đánh giá.")
    index = serializers.CharField(help_text="Mã chỉ số.")
    year = serializers.IntegerField()
    stage = RoundStatusField(choices=ROUND_STATUSES)
    units = RoundSummaryUnitSerializer(many=True, help_text="Các đơn vị, xếp hạng cao trước.")


def _rounds(qs):
    return qs.select_related("framework__index", "province")


@extend_schema_view(
    get=extend_schema(
        summary="Danh sách đợt đánh giá",
        description="Các đợt người dùng được xem: của tỉnh mình điều phối, lãnh đạo, xem; có phiếu của đơn vị "
        "mình; hoặc mình được phân công thẩm định. Có phân trang.",
        parameters=[
            OpenApiParameter("year", YEAR_SCHEMA, description="Chỉ các đợt của năm đánh giá này."),
            OpenApiParameter(
                "status", str, enum=list(Round.workflow().states), description="Chỉ các đợt ở giai đoạn này."
            ),
            OpenApiParameter("index", str, description="Chỉ các đợt của chỉ số này (mã)."),
        ],
        responses={200: RoundSerializer(many=True), 400: ERR, 403: E403_READ},
    ),
    post=extend_schema(
        summary="Mở đợt đánh giá",
        description="Chỉ chuyên viên điều phối của tỉnh. Đợt ở giai đoạn đầu (tự đánh giá), một phiếu cho mỗi đơn "
        "vị. Hạn các giai đoạn không được sớm dần. Một tỉnh có một đợt cho mỗi chỉ số, năm và nhóm đơn vị.",
        request=RoundOpenSerializer,
        responses=write_responses(RoundSerializer, 201, not_found=False, conflict=True),
    ),
)
@extend_schema(tags=[TAG_ROUNDS])
class RoundListView(AssessmentApi, generics.ListAPIView):
    serializer_class = RoundSerializer
    pagination_class = Pagination

    def get_queryset(self):
        if self.fake():
            return Round.objects.none()
        params = self.request.query_params
        qs = _rounds(perms.visible_rounds(self.user))
        year = int_param(self.request, "year", minimum=1, maximum=YEAR_MAX)
        if year is not None:
            qs = qs.filter(year=year)
        qs = in_status(
            self.request, qs, Round.workflow(), "Giai đoạn “{state}” không có; các giai đoạn: {states}."
        )
        index = params.get("index", "").strip().lower()
        if index:
            qs = qs.filter(framework__index__code=index)
        return qs.order_by("-year", "-pk")

    def post(self, request: Request) -> Response:
        if covered(self.user, perms.RUN_ROLES) == set():  # 403 before reading the body
            raise PermissionDenied("Chỉ chuyên viên điều phối của tỉnh mở được đợt đánh giá.")
        data = RoundOpenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        framework = round_services.framework_of(v["index"], v["year"])
        rnd = round_services.open_round(
            framework,
            v["year"],
            v["province"],
            v.get("scope") or round_services.default_scope(framework.index),
            self.user,
            units=v.get("units") or None,
            deadlines={w.removesuffix("_deadline"): v.get(w) for w in WORK_DEADLINES},
            title=v.get("title", ""),
        )
        body = RoundSerializer(_rounds(Round.objects).get(pk=rnd.pk), context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=[TAG_ROUNDS],
    parameters=[ROUND_PK],
    summary="Một đợt đánh giá",
    description="Kèm các giai đoạn người dùng chuyển được đợt sang (next_stages). Đợt người dùng không được "
    "xem: 404.",
    responses=read_responses(RoundSerializer),
)
class RoundDetailView(AssessmentApi, generics.RetrieveAPIView):
    serializer_class = RoundSerializer

    def get_object(self) -> Round:
        return visible_round(self.user, self.kwargs["pk"])


@extend_schema(
    tags=[TAG_ROUNDS],
    parameters=[ROUND_PK],
    summary="Chuyển giai đoạn",
    description="Sang giai đoạn kế tiếp, hoặc thẳng tới giai đoạn “to” (ví dụ closed: kết thúc, tính xếp hạng, "
    "xếp loại và công bố điểm cuối cùng vào kết quả của chỉ số). Chỉ chuyên viên điều phối của tỉnh (khác: 403). "
    "Giai đoạn không có trong quy trình: 400. Đợt đã kết thúc, không chuyển được sang giai đoạn đó từ giai đoạn "
    "hiện tại, hoặc from_stage đã cũ (có người vừa chuyển): 409.",
    request=RoundAdvanceSerializer,
    responses=write_responses(RoundSerializer, conflict=True),
)
class RoundAdvanceView(AssessmentApi, APIView):
    def post(self, request: Request, pk: int) -> Response:
        rnd = visible_round(self.user, pk)
        if not perms.can_run(self.user, rnd):
            raise PermissionDenied("Chỉ chuyên viên điều phối của tỉnh chuyển giai đoạn đợt đánh giá.")
        data = RoundAdvanceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        rnd = round_services.advance(
            rnd, self.user, to=v["to"].strip() or None, expected=v["from_stage"].strip() or None
        )
        return Response(
            RoundSerializer(_rounds(Round.objects).get(pk=rnd.pk), context={"request": request}).data
        )


@extend_schema(
    tags=[TAG_ROUNDS],
    parameters=[ROUND_PK],
    summary="Tổng hợp kết quả đợt đánh giá",
    description="Như `chiso assessment summary --format json`: tổng điểm tự đánh giá, thẩm định, cuối cùng "
    "(thẩm định lại nếu có, không thì thẩm định; null: chưa thẩm định), % điểm tối đa, xếp hạng, xếp loại của "
    "mọi đơn vị. Người điều phối, lãnh đạo, người xem của tỉnh; sau khi đợt kết thúc (công bố), mọi người xem "
    "được đợt. Khác: 403.",
    responses={200: RoundSummarySerializer, 403: E403, 404: E404},
)
class RoundSummaryView(AssessmentApi, APIView):
    def get(self, request: Request, pk: int) -> Response:
        rnd = visible_round(self.user, pk)
        if not perms.can_view_summary(self.user, rnd):
            raise PermissionDenied(
                "Kết quả tổng hợp chỉ dành cho người điều phối, lãnh đạo, người xem của tỉnh cho tới khi công bố."
            )
        return Response(summary_data(rnd))
