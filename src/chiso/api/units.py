"""Units (provinces before and after the merger of 1 July 2025, districts, communes, departments…),
the unit a free-text name means in a year, and the regions and peer groups units belong to."""

from __future__ import annotations

from django.db.models import F, Q
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from chiso.core.text import fold
from chiso.units.lineage import unit_valid_in
from chiso.units.models import Region, Unit
from chiso.units.services import UnitLookupError, reference_date

from .common import (
    AUTH_ERRORS,
    ERR,
    PK,
    TAG_UNITS,
    TEXT_SCHEMA,
    YEAR_MAX,
    YEAR_SCHEMA,
    ApiView,
    ReadOnlyApi,
    data_responses,
    int_param,
    named_enum,
)
from .errors import InvalidInput
from .pagination import Pagination

# --- serializers ----------------------------------------------------------------------------------


UnitKindField = named_enum("UnitKindEnum", Unit.Kind.choices, "Loại đơn vị.")
RegionKindField = named_enum("RegionKindEnum", Region.Kind.choices, "Loại vùng.")


class UnitRefSerializer(serializers.ModelSerializer):
    """A short reference to a unit: enough to tell units of the same name apart."""

    class Meta:
        model = Unit
        fields = ["id", "code", "name", "short_name", "valid_from", "valid_to"]

        read_only_fields = fields


class UnitSerializer(serializers.ModelSerializer):
    kind = UnitKindField(help_text="province, district, ward, department hoặc other.")
    parent = serializers.IntegerField(
        source="parent_id", allow_null=True, help_text="Mã số (id) đơn vị cấp trên."
    )
    aliases = serializers.ListField(child=serializers.CharField(), help_text="Các tên khác của đơn vị.")

    class Meta:
        model = Unit
        fields = [
            "id",
            "code",
            "name",
            "short_name",
            "kind",
            "subtype",
            "parent",
            "valid_from",
            "valid_to",
            "aliases",
        ]

        read_only_fields = fields


class RegionRefSerializer(serializers.ModelSerializer):
    kind = RegionKindField(help_text="socioeconomic (vùng kinh tế - xã hội) hoặc peer (nhóm so sánh).")

    class Meta:
        model = Region
        fields = ["id", "code", "name_vi", "name_en", "kind"]

        read_only_fields = fields


class UnitDetailSerializer(UnitSerializer):
    predecessors = UnitRefSerializer(
        many=True, help_text="Các đơn vị trước đó đã sáp nhập, đổi tên hoặc chia tách thành đơn vị này."
    )
    successors = UnitRefSerializer(
        many=True, help_text="Các đơn vị kế tiếp (sau sáp nhập, đổi tên, chia tách)."
    )
    regions = RegionRefSerializer(many=True, help_text="Các vùng, nhóm so sánh mà đơn vị thuộc về.")

    class Meta(UnitSerializer.Meta):
        fields = [*UnitSerializer.Meta.fields, "predecessors", "successors", "regions"]

        read_only_fields = fields


class UnitCandidateErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="Vì sao không xác định được đơn vị (tiếng Việt).")
    candidates = UnitRefSerializer(many=True, help_text="Các đơn vị có thể là đơn vị cần tìm (có thể rỗng).")


class RegionSerializer(serializers.ModelSerializer):
    kind = RegionKindField(help_text="socioeconomic (vùng kinh tế - xã hội) hoặc peer (nhóm so sánh).")
    members = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="Mã số (id) các đơn vị thành viên."
    )

    class Meta:
        model = Region
        fields = ["id", "code", "name_vi", "name_en", "kind", "source", "members"]

        read_only_fields = fields


# --- views ----------------------------------------------------------------------------------------

UNIT_KINDS = [k for k, _ in Unit.Kind.choices]


def _unit_kind(kind: str) -> str:
    if kind not in Unit.Kind.values:
        raise InvalidInput(f"Loại đơn vị “{kind}” không có; các loại là: {', '.join(Unit.Kind.values)}.")
    return kind


@extend_schema(
    tags=[TAG_UNITS],
    summary="Danh sách đơn vị",
    description="Tỉnh, thành phố (trước và sau sắp xếp ngày 01/07/2025), huyện, xã, cơ quan… "
    "Có phân trang (limit, offset).",
    parameters=[
        OpenApiParameter("kind", str, enum=UNIT_KINDS, description="Loại đơn vị, ví dụ province."),
        OpenApiParameter(
            "q",
            str,
            description="Tìm theo tên, không phân biệt dấu, hoa thường (“dak lak” tìm được “Đắk Lắk”). "
            "Mọi từ phải có mặt.",
        ),
        OpenApiParameter(
            "year", YEAR_SCHEMA, description="Chỉ các đơn vị còn hiệu lực vào ngày 31/12 của năm này."
        ),
        OpenApiParameter("code", str, description="Mã GSO (hoặc mã nội bộ) của đơn vị, ví dụ 62."),
    ],
    responses={200: UnitSerializer(many=True), 400: OpenApiResponse(ERR), **AUTH_ERRORS},
)
class UnitListView(ReadOnlyApi, generics.ListAPIView):
    pagination_class = Pagination
    serializer_class = UnitSerializer

    def get_queryset(self):
        params = self.request.query_params
        qs = Unit.objects.all()
        kind = params.get("kind", "").strip()
        if kind:
            qs = qs.filter(kind=_unit_kind(kind))
        code = params.get("code", "").strip()
        if code:
            qs = qs.filter(code=code)
        for word in fold(params.get("q", "")).split():
            qs = qs.filter(search_text__contains=word)
        year = int_param(self.request, "year", minimum=1, maximum=YEAR_MAX)
        if year is not None:
            day = reference_date(year)
            qs = qs.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
                Q(valid_to__isnull=True) | Q(valid_to__gte=day)
            )
        return qs.order_by("kind", "code", F("valid_from").asc(nulls_first=True), "pk")


@extend_schema(
    tags=[TAG_UNITS],
    summary="Chi tiết một đơn vị",
    description="Kèm các đơn vị trước (đã sáp nhập vào đơn vị này), các đơn vị kế tiếp và các vùng.",
    parameters=[PK],
    responses=data_responses(UnitDetailSerializer, 404),
)
class UnitDetailView(ReadOnlyApi, generics.RetrieveAPIView):
    serializer_class = UnitDetailSerializer
    queryset = Unit.objects.prefetch_related("regions")


@extend_schema(
    tags=[TAG_UNITS],
    summary="Xác định đơn vị theo tên",
    description="Tìm đơn vị có hiệu lực trong năm theo tên viết tự do (có hoặc không dấu, có hoặc không "
    "“Tỉnh”, “Thành phố”) hoặc mã GSO. Tên trùng hoặc không có hiệu lực trong năm: 404 kèm danh sách "
    "các đơn vị có thể.",
    parameters=[
        OpenApiParameter(
            "name", TEXT_SCHEMA, required=True, description="Tên hoặc mã GSO, ví dụ “Đắk Lắk”, “dak lak”, 66."
        ),
        OpenApiParameter(
            "year", YEAR_SCHEMA, description="Năm đánh giá: đơn vị có hiệu lực vào ngày 31/12 của năm này."
        ),
        OpenApiParameter(
            "kind",
            str,
            enum=UNIT_KINDS,
            default=Unit.Kind.PROVINCE.value,
            description="Loại đơn vị (mặc định province).",
        ),
    ],
    responses={
        200: UnitDetailSerializer,
        400: OpenApiResponse(ERR, description="Thiếu tên hoặc tham số sai."),
        404: OpenApiResponse(
            UnitCandidateErrorSerializer, description="Không tìm thấy hoặc chưa rõ là đơn vị nào."
        ),
        **AUTH_ERRORS,
    },
)
class UnitResolveView(ApiView):
    def get(self, request: Request) -> Response:
        name = request.query_params.get("name", "").strip()
        if not name:
            raise InvalidInput("Thiếu tham số “name” (tên đơn vị).")
        year = int_param(request, "year", minimum=1, maximum=YEAR_MAX)
        kind = _unit_kind(request.query_params.get("kind", "").strip() or Unit.Kind.PROVINCE)
        try:
            unit = unit_valid_in(name, year, kind=kind)
        except UnitLookupError as exc:
            candidates = UnitRefSerializer(list(exc.candidates), many=True).data
            return Response({"detail": exc.message, "candidates": candidates}, status=404)
        unit = Unit.objects.prefetch_related("regions").get(pk=unit.pk)
        return Response(UnitDetailSerializer(unit).data)


@extend_schema(
    tags=[TAG_UNITS],
    summary="Danh sách vùng, nhóm so sánh",
    description="Các vùng kinh tế - xã hội và nhóm so sánh, kèm mã số (id) các đơn vị thành viên.",
    responses={200: RegionSerializer(many=True), **AUTH_ERRORS},
)
class RegionListView(ReadOnlyApi, generics.ListAPIView):
    serializer_class = RegionSerializer
    pagination_class = None
    queryset = Region.objects.prefetch_related("members").order_by("kind", "code")
