"""Indices (the ones the user may see, and the years with results) and frameworks: the versions of an
index's tree of criteria, each with its nodes as a flat list."""

from __future__ import annotations

from django.db.models import Prefetch, Q
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, serializers

from chiso.analysis.services import available_years
from chiso.frameworks.models import Framework, Index, Node
from chiso.frameworks.permissions import visible_indices

from .common import (
    AUTH_ERRORS,
    ERR,
    PK,
    TAG_FRAMEWORKS,
    YEAR_MAX,
    YEAR_SCHEMA,
    ReadOnlyApi,
    data_responses,
    int_param,
    named_enum,
)
from .errors import InvalidInput

# --- serializers ----------------------------------------------------------------------------------


GROUPING_KINDS = [("quantile", "theo phân vị"), ("threshold", "theo ngưỡng")]
GroupingKindField = named_enum("GroupingKindEnum", GROUPING_KINDS, "Loại quy tắc xếp nhóm.")


class LevelSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Mã cấp, ví dụ dimension.")
    name_vi = serializers.CharField(help_text="Tên cấp tiếng Việt, ví dụ “Chỉ số nội dung”.")
    name_en = serializers.CharField(required=False, help_text="Tên cấp tiếng Anh.")
    aliases = serializers.ListField(child=serializers.CharField(), required=False)


class IndexSerializer(serializers.ModelSerializer):
    years = serializers.SerializerMethodField(help_text="Các năm đánh giá đã có kết quả công bố.")
    levels = LevelSerializer(many=True, help_text="Các cấp của cây chỉ số, từ trên xuống.")
    owner = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="Tỉnh sở hữu chỉ số riêng; null: chỉ số quốc gia."
    )

    class Meta:
        model = Index
        fields = [
            "id",
            "code",
            "name_vi",
            "name_en",
            "short_name",
            "order",
            "levels",
            "unit_kind",
            "value_kind",
            "owner",
            "years",
        ]

        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_years(self, obj: Index) -> list[int]:
        return available_years(obj.code)


class GroupBandSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="Tên nhóm (tiếng Việt), ví dụ “Cao”, “A”.")
    label_en = serializers.CharField(required=False, help_text="Tên nhóm tiếng Anh.")
    lower = serializers.FloatField(
        allow_null=True,
        required=False,
        help_text="Cận dưới: phân vị (quy tắc quantile) hoặc ngưỡng điểm/phần trăm (quy tắc threshold); "
        "null là phần còn lại.",
    )
    lower_inclusive = serializers.BooleanField(required=False, help_text="Cận dưới có tính bằng hay không.")


class GroupingSerializer(serializers.Serializer):
    kind = GroupingKindField(help_text="quantile: theo phân vị; threshold: theo ngưỡng.")
    population = serializers.CharField(required=False, help_text="scored (đơn vị đủ điểm) hoặc all.")
    on = serializers.CharField(required=False, help_text="value (điểm) hoặc percent (phần trăm tối đa).")
    basis = serializers.CharField(required=False, help_text="Cơ sở xếp nhóm như ghi trong tệp bộ chỉ số.")
    note = serializers.CharField(required=False, help_text="Giải thích quy tắc xếp nhóm.")
    groups = GroupBandSerializer(many=True, help_text="Các nhóm, nhóm tốt nhất trước.")


class FrameworkSerializer(serializers.ModelSerializer):
    index = serializers.CharField(source="index.code", help_text="Mã chỉ số (danh sách: /api/indices/).")
    grouping = GroupingSerializer(allow_null=True, help_text="Quy tắc xếp nhóm; null nếu không xếp nhóm.")
    supersedes = serializers.IntegerField(
        source="supersedes_id", allow_null=True, help_text="Mã số (id) phiên bản bị thay thế."
    )
    years_label = serializers.CharField(help_text="Các năm áp dụng, ví dụ “2021–”.")

    class Meta:
        model = Framework
        fields = [
            "id",
            "index",
            "code",
            "version",
            "name_vi",
            "name_en",
            "valid_from",
            "valid_to",
            "years_label",
            "active",
            "supersedes",
            "complete",
            "incomplete_note",
            "source",
            "unit_kind",
            "value_kind",
            "precision",
            "tolerance",
            "grouping",
        ]

        read_only_fields = fields


class NodeSerializer(serializers.ModelSerializer):
    parent = serializers.CharField(
        source="parent.code", allow_null=True, help_text="Mã nút cha; null với nút gốc."
    )
    max = serializers.FloatField(source="max_score", allow_null=True, help_text="Điểm tối đa.")
    min = serializers.FloatField(source="min_score", allow_null=True, help_text="Điểm tối thiểu.")
    level_label = serializers.CharField(help_text="Tên cấp (tiếng Việt).")

    class Meta:
        model = Node
        fields = [
            "code",
            "parent",
            "level",
            "level_label",
            "depth",
            "order",
            "name_vi",
            "name_en",
            "max",
            "min",
            "aggregation",
            "weight",
            "contributes",
            "source_kind",
            "incomplete",
            "note",
        ]

        read_only_fields = fields


class FrameworkDetailSerializer(FrameworkSerializer):
    nodes = NodeSerializer(many=True, help_text="Mọi nút của cây chỉ số theo thứ tự, nút gốc trước.")

    class Meta(FrameworkSerializer.Meta):
        fields = [*FrameworkSerializer.Meta.fields, "nodes"]

        read_only_fields = fields


# --- views ----------------------------------------------------------------------------------------


@extend_schema(
    tags=[TAG_FRAMEWORKS],
    summary="Danh sách chỉ số",
    description="PAR INDEX, SIPAS, PAPI và các năm đã có kết quả.",
    responses={200: IndexSerializer(many=True), **AUTH_ERRORS},
)
class IndexListView(ReadOnlyApi, generics.ListAPIView):
    serializer_class = IndexSerializer
    pagination_class = None

    def get_queryset(self):
        return visible_indices(self.request.user)


@extend_schema(
    tags=[TAG_FRAMEWORKS],
    summary="Danh sách bộ chỉ số",
    description="Các phiên bản bộ chỉ số (cây tiêu chí) và các năm áp dụng.",
    parameters=[
        OpenApiParameter(
            "index", str, description="Chỉ các bộ chỉ số của chỉ số này (mã, xem /api/indices/)."
        ),
        OpenApiParameter("year", YEAR_SCHEMA, description="Chỉ các bộ chỉ số áp dụng cho năm đánh giá này."),
        OpenApiParameter(
            "active", bool, description="true: chỉ phiên bản đang dùng; false: chỉ phiên bản đã bị thay thế."
        ),
    ],
    responses={200: FrameworkSerializer(many=True), 400: OpenApiResponse(ERR), **AUTH_ERRORS},
)
class FrameworkListView(ReadOnlyApi, generics.ListAPIView):
    serializer_class = FrameworkSerializer
    pagination_class = None

    def get_queryset(self):
        params = self.request.query_params
        qs = Framework.objects.select_related("index")
        index = params.get("index", "").strip()
        if index:
            qs = qs.filter(index__code=index)
        year = int_param(self.request, "year", minimum=1, maximum=YEAR_MAX)
        if year is not None:
            qs = qs.filter(valid_from__lte=year).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=year))
        active = params.get("active", "").strip().lower()
        if active:
            if active not in {"true", "false", "1", "0"}:
                raise InvalidInput(f"Tham số “active” phải là true hoặc false (nhận được “{active}”).")
            qs = qs.filter(active=active in {"true", "1"})
        return qs.order_by("index__order", "valid_from", "version")


@extend_schema(
    tags=[TAG_FRAMEWORKS],
    summary="Chi tiết một bộ chỉ số",
    description="Kèm mọi nút của cây chỉ số dưới dạng danh sách phẳng (mỗi nút có mã nút cha).",
    parameters=[PK],
    responses=data_responses(FrameworkDetailSerializer, 404),
)
class FrameworkDetailView(ReadOnlyApi, generics.RetrieveAPIView):
    serializer_class = FrameworkDetailSerializer
    queryset = Framework.objects.select_related("index").prefetch_related(
        Prefetch("nodes", queryset=Node.objects.select_related("parent").order_by("order"))
    )
