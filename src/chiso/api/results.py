"""The results of an index: as published (scores, ranks and groups unchanged), and the figures chiso
derives from them for every unit of a year (totals, ranks and groups recomputed, national mean and
median, group cut-offs). The plain serializers of the figures only *describe* the dictionary the view
builds from ``chiso.analysis`` so that the schema documents every key; the tests check the responses
against the schema."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from chiso.analysis.services import year_figures
from chiso.core.text import vi_sort_key
from chiso.frameworks.models import Index
from chiso.results.models import Result

from .common import (
    AUTH_ERRORS,
    ERR,
    INDEX_PATH,
    TAG_ANALYSIS,
    TAG_RESULTS,
    TEXT_SCHEMA,
    YEAR_MAX,
    YEAR_PATH,
    YEAR_SCHEMA,
    ApiView,
    ReadOnlyApi,
    data_responses,
    index_codes,
    index_or_404,
    int_param,
    unknown_index_message,
)
from .errors import InvalidInput
from .pagination import Pagination

# --- serializers: published results ---------------------------------------------------------------


class ResultUnitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField(help_text="Mã GSO.")
    name = serializers.CharField(source="short_name", help_text="Tên ngắn.")


class ResultSerializer(serializers.ModelSerializer):
    unit = ResultUnitSerializer()
    framework = serializers.CharField(source="framework.code", help_text="Mã bộ chỉ số.")
    node = serializers.CharField(source="node.code", help_text="Mã nút.")
    node_name = serializers.CharField(source="node.name_vi", help_text="Tên nút.")
    rank = serializers.IntegerField(source="published_rank", allow_null=True, help_text="Xếp hạng công bố.")
    rank_of = serializers.IntegerField(
        source="published_rank_of", allow_null=True, help_text="Số đơn vị được xếp hạng (công bố)."
    )
    group = serializers.CharField(source="published_group", help_text="Nhóm công bố (có thể rỗng).")

    class Meta:
        model = Result
        fields = [
            "id",
            "unit",
            "framework",
            "node",
            "node_name",
            "year",
            "value",
            "rank",
            "rank_of",
            "group",
            "source",
        ]

        read_only_fields = fields


# --- serializers: derived figures (descriptions of dictionaries) ----------------------------------


class GroupCutoffSerializer(serializers.Serializer):
    group = serializers.CharField(help_text="Tên nhóm.")

    def get_fields(self):
        fields = super().get_fields()
        # "from" is a Python keyword: added here rather than as a class attribute.
        fields["from"] = serializers.FloatField(
            allow_null=True, help_text="Điểm thấp nhất để vào nhóm (null: phần còn lại)."
        )
        return fields


class FigureUnitSerializer(serializers.Serializer):
    unit_id = serializers.IntegerField()
    unit_code = serializers.CharField()
    unit = serializers.CharField(help_text="Tên ngắn của đơn vị.")
    total = serializers.FloatField(allow_null=True, help_text="Điểm tổng (tính từ các thành phần nếu đủ).")
    percent = serializers.FloatField(allow_null=True, help_text="Phần trăm so với điểm tối đa.")
    complete = serializers.BooleanField(help_text="Có đủ điểm các thành phần hay không.")
    rank = serializers.IntegerField(allow_null=True)
    rank_of = serializers.IntegerField(allow_null=True)
    rank_source = serializers.CharField(
        allow_null=True,
        help_text="computed (tính lại từ điểm) hoặc published (theo công bố); null nếu không có.",
    )
    computed_rank = serializers.IntegerField(allow_null=True)
    published_rank = serializers.IntegerField(allow_null=True)
    published_rank_of = serializers.IntegerField(allow_null=True)
    group = serializers.CharField(allow_null=True)
    group_source = serializers.CharField(allow_null=True, help_text="computed hoặc published.")
    published_group = serializers.CharField(allow_null=True)
    mismatches = serializers.DictField(
        child=serializers.FloatField(),
        help_text="Nút có điểm công bố lệch tổng các thành phần: mã nút → (công bố − tính lại).",
    )


class FiguresSerializer(serializers.Serializer):
    index = serializers.CharField()
    framework = serializers.CharField(help_text="Mã bộ chỉ số áp dụng cho năm.")
    year = serializers.IntegerField()
    max = serializers.FloatField(allow_null=True, help_text="Điểm tối đa của điểm tổng.")
    national_mean = serializers.FloatField(
        allow_null=True, help_text="Trung bình điểm tổng các đơn vị đủ điểm."
    )
    national_median = serializers.FloatField(allow_null=True, help_text="Trung vị điểm tổng.")
    n_scored = serializers.IntegerField(help_text="Số đơn vị đủ điểm (được xếp hạng khi đủ bao phủ).")
    n_with_data = serializers.IntegerField(help_text="Số đơn vị có dữ liệu.")
    expected = serializers.IntegerField(allow_null=True, help_text="Số đơn vị được xếp hạng theo công bố.")
    full_coverage = serializers.BooleanField(
        help_text="Dữ liệu có đủ mọi đơn vị được xếp hạng hay không (nếu không, dùng hạng công bố)."
    )
    group_cutoffs = GroupCutoffSerializer(many=True, help_text="Điểm ngưỡng của từng nhóm.")
    group_sizes = serializers.DictField(
        child=serializers.IntegerField(), help_text="Số đơn vị trong mỗi nhóm."
    )
    units = FigureUnitSerializer(many=True, help_text="Mọi đơn vị có kết quả, theo thứ hạng.")


# --- views ----------------------------------------------------------------------------------------


@extend_schema(
    tags=[TAG_RESULTS],
    summary="Kết quả công bố",
    description="Điểm, hạng và nhóm đúng như đã công bố (chưa tính lại). Có phân trang (limit, offset).",
    parameters=[
        OpenApiParameter(
            "index", TEXT_SCHEMA, required=True, description="Mã chỉ số (danh sách: /api/indices/)."
        ),
        OpenApiParameter("year", YEAR_SCHEMA, description="Năm đánh giá."),
        OpenApiParameter("unit", int, description="Mã số (id) của đơn vị."),
        OpenApiParameter("node", str, description="Mã nút, ví dụ D1, D1.1 hoặc mã nút gốc (điểm tổng)."),
    ],
    responses={200: ResultSerializer(many=True), 400: OpenApiResponse(ERR), **AUTH_ERRORS},
)
class ResultListView(ReadOnlyApi, generics.ListAPIView):
    pagination_class = Pagination
    serializer_class = ResultSerializer

    def get_queryset(self):
        params = self.request.query_params
        index = params.get("index", "").strip()
        if not index:
            raise InvalidInput(f"Thiếu tham số “index” (mã chỉ số: {', '.join(index_codes())}).")
        if not Index.objects.filter(code=index).exists():
            raise InvalidInput(unknown_index_message(index))
        qs = Result.objects.filter(framework__index__code=index).select_related("unit", "node", "framework")
        year = int_param(self.request, "year", minimum=1, maximum=YEAR_MAX)
        if year is not None:
            qs = qs.filter(year=year)
        unit = int_param(self.request, "unit", minimum=1)
        if unit is not None:
            qs = qs.filter(unit_id=unit)
        node = params.get("node", "").strip()
        if node:
            qs = qs.filter(node__code=node)
        return qs.order_by("year", "unit__code", "unit__valid_from", "node__order", "pk")


@extend_schema(
    tags=[TAG_ANALYSIS],
    summary="Số liệu tính lại của một năm",
    description="Với mọi đơn vị có kết quả trong năm: điểm tổng (tính từ các thành phần), phần trăm, hạng "
    "(tính lại khi dữ liệu đủ mọi đơn vị, nếu không thì theo công bố), nhóm; kèm trung bình, trung vị "
    "cả nước và điểm ngưỡng các nhóm.",
    parameters=[INDEX_PATH, YEAR_PATH],
    responses=data_responses(FiguresSerializer, 404, e404="Chưa có bộ chỉ số hoặc kết quả của năm."),
)
class FiguresView(ApiView):
    def get(self, request: Request, index: str, year: int) -> Response:
        index_or_404(index)
        ctx = year_figures(index, year)
        if ctx is None or not ctx.derived.units:
            raise NotFound(f"Chưa có kết quả {index.upper()} năm {year}.")
        d = ctx.derived
        root = d.stats[d.root]
        units = []
        for key, ud in d.units.items():
            unit = ctx.units[key]
            units.append(
                {
                    "unit_id": unit.pk,
                    "unit_code": unit.code,
                    "unit": unit.short_name,
                    "total": ud.total,
                    "percent": ud.percent,
                    "complete": ud.complete,
                    "rank": ud.rank,
                    "rank_of": ud.rank_of,
                    "rank_source": ud.rank_source,
                    "computed_rank": ud.computed_rank,
                    "published_rank": ud.published_rank,
                    "published_rank_of": ud.published_rank_of,
                    "group": ud.group,
                    "group_source": ud.group_source,
                    "published_group": ud.published_group,
                    "mismatches": ud.mismatches,
                }
            )
        units.sort(key=lambda u: (u["rank"] is None, u["rank"] or 0, vi_sort_key(u["unit"])))
        return Response(
            {
                "index": ctx.framework.index.code,
                "framework": ctx.framework.code,
                "year": year,
                "max": d.maximum,
                "national_mean": root.mean,
                "national_median": root.median,
                "n_scored": d.n_scored,
                "n_with_data": d.n_with_data,
                "expected": d.expected,
                "full_coverage": d.full_coverage,
                "group_cutoffs": [{"group": g, "from": v} for g, v in d.cutoffs],
                "group_sizes": d.group_sizes,
                "units": units,
            }
        )
