"""The read-only REST API: units, regions, indices, frameworks, published results, derived figures,
and the analysis, gap and what-if of one unit and year (the same computations as the web pages).

Every view requires the ``chiso.view_data`` rule (a signed-in account with a role). Errors are
``{"detail": "…"}`` in Vietnamese (chiso.api.errors).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db.models import F, Prefetch, Q
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework import exceptions, generics
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chiso.analysis.serialize import analysis_to_dict, gap_to_dict
from chiso.analysis.services import AnalysisError, analyse, gap, opening_text, what_if, year_figures
from chiso.core.text import fold, parse_number, vi_sort_key
from chiso.frameworks.models import Framework, Index, Node
from chiso.frameworks.permissions import visible_indices
from chiso.results.models import Result
from chiso.units.lineage import unit_valid_in
from chiso.units.models import Region, Unit
from chiso.units.services import UnitLookupError, reference_date

from . import serializers as s
from .errors import InvalidInput
from .pagination import Pagination
from .permissions import CanViewData


def index_codes() -> list[str]:
    """The codes of the indices chiso has (data: a new index is installed from its framework file)."""
    return Index.objects.codes()


def unknown_index_message(code: str) -> str:
    return f"Không có chỉ số “{code}”; các chỉ số là: {', '.join(index_codes())}."


TAG_UNITS = "Đơn vị hành chính"
TAG_FRAMEWORKS = "Bộ chỉ số"
TAG_RESULTS = "Kết quả công bố"
TAG_ANALYSIS = "Phân tích"


# --- documentation helpers ------------------------------------------------------------------------

ERR = s.ErrorSerializer
AUTH_ERRORS = {
    403: OpenApiResponse(ERR, description="Chưa đăng nhập, hoặc tài khoản chưa được giao vai trò."),
}
INDEX_PATH = OpenApiParameter(
    "index", str, OpenApiParameter.PATH, description="Mã chỉ số (danh sách: /api/indices/)."
)
YEAR_PATH = OpenApiParameter("year", int, OpenApiParameter.PATH, description="Năm đánh giá, ví dụ 2023.")
UNIT_PATH = OpenApiParameter(
    "unit_id", int, OpenApiParameter.PATH, description="Mã số (id) của đơn vị, xem /api/units/."
)
ID_PATH = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Mã số (id).")


def _responses(ok, *errors: int, **described: str) -> dict:
    out = {200: ok, **AUTH_ERRORS}
    texts = {400: "Tham số không hợp lệ.", 404: "Không tìm thấy."}
    for code in errors:
        out[code] = OpenApiResponse(ERR, description=described.get(f"e{code}", texts[code]))
    return out


# --- parameter parsing ----------------------------------------------------------------------------


def _int_param(request: Request, name: str, *, minimum: int | None = None) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or not raw.strip():
        return None
    try:
        value = int(raw.strip())
    except ValueError:
        raise InvalidInput(f"Tham số “{name}” phải là số nguyên (nhận được “{raw}”).") from None
    if minimum is not None and value < minimum:
        raise InvalidInput(f"Tham số “{name}” phải từ {minimum} trở lên.")
    return value


def _number(name: str, raw: str) -> float:
    """A number as Vietnamese users type it (39,5 or 39.5)."""
    try:
        value = parse_number(raw)
    except ValueError:
        value = None
    if value is None:
        raise InvalidInput(f"Giá trị “{raw}” của “{name}” không phải là số.")
    return value


def _whole_number(name: str, raw: str) -> int:
    value = _number(name, raw)
    if not float(value).is_integer():
        raise InvalidInput(f"Giá trị “{raw}” của “{name}” phải là số nguyên.")
    return int(value)


def _unit(unit_id: int) -> Unit:
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise NotFound(f"Không có đơn vị mã số {unit_id}.")
    return unit


def _index(code: str) -> Index:
    index = Index.objects.filter(code=code).first()
    if index is None:
        raise NotFound(unknown_index_message(code))
    return index


class ReadOnlyApi:
    """Every read-only API view: the chiso.view_data rule (errors: chiso.api.errors, which tells
    other methods than GET that this API is read-only)."""

    permission_classes = [CanViewData]
    read_only = True


class ApiView(ReadOnlyApi, APIView):
    pass


# --- units and regions ----------------------------------------------------------------------------


@extend_schema(
    tags=[TAG_UNITS],
    summary="Danh sách đơn vị",
    description="Tỉnh, thành phố (trước và sau sắp xếp ngày 01/07/2025), huyện, xã, cơ quan… "
    "Có phân trang (limit, offset).",
    parameters=[
        OpenApiParameter(
            "kind", str, enum=[k for k, _ in Unit.Kind.choices], description="Loại đơn vị, ví dụ province."
        ),
        OpenApiParameter(
            "q",
            str,
            description="Tìm theo tên, không phân biệt dấu, hoa thường (“dak lak” tìm được “Đắk Lắk”). "
            "Mọi từ phải có mặt.",
        ),
        OpenApiParameter("year", int, description="Chỉ các đơn vị còn hiệu lực vào ngày 31/12 của năm này."),
        OpenApiParameter("code", str, description="Mã GSO (hoặc mã nội bộ) của đơn vị, ví dụ 62."),
    ],
    responses={200: s.UnitSerializer(many=True), 400: OpenApiResponse(ERR), **AUTH_ERRORS},
)
class UnitListView(ReadOnlyApi, generics.ListAPIView):
    pagination_class = Pagination
    serializer_class = s.UnitSerializer

    def get_queryset(self):
        params = self.request.query_params
        qs = Unit.objects.all()
        kind = params.get("kind", "").strip()
        if kind:
            if kind not in Unit.Kind.values:
                raise InvalidInput(
                    f"Loại đơn vị “{kind}” không có; các loại là: {', '.join(Unit.Kind.values)}."
                )
            qs = qs.filter(kind=kind)
        code = params.get("code", "").strip()
        if code:
            qs = qs.filter(code=code)
        for word in fold(params.get("q", "")).split():
            qs = qs.filter(search_text__contains=word)
        year = _int_param(self.request, "year", minimum=1)
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
    parameters=[ID_PATH],
    responses=_responses(s.UnitDetailSerializer, 404),
)
class UnitDetailView(ReadOnlyApi, generics.RetrieveAPIView):
    serializer_class = s.UnitDetailSerializer
    queryset = Unit.objects.prefetch_related("regions")


@extend_schema(
    tags=[TAG_UNITS],
    summary="Xác định đơn vị theo tên",
    description="Tìm đơn vị có hiệu lực trong năm theo tên viết tự do (có hoặc không dấu, có hoặc không "
    "“Tỉnh”, “Thành phố”) hoặc mã GSO. Tên trùng hoặc không có hiệu lực trong năm: 404 kèm danh sách "
    "các đơn vị có thể.",
    parameters=[
        OpenApiParameter(
            "name", str, required=True, description="Tên hoặc mã GSO, ví dụ “Đắk Lắk”, “dak lak”, 66."
        ),
        OpenApiParameter(
            "year", int, description="Năm đánh giá: đơn vị có hiệu lực vào ngày 31/12 của năm này."
        ),
        OpenApiParameter(
            "kind",
            str,
            enum=[k for k, _ in Unit.Kind.choices],
            default=Unit.Kind.PROVINCE.value,
            description="Loại đơn vị (mặc định province).",
        ),
    ],
    responses={
        200: s.UnitDetailSerializer,
        400: OpenApiResponse(ERR, description="Thiếu tên hoặc tham số sai."),
        404: OpenApiResponse(
            s.UnitCandidateErrorSerializer, description="Không tìm thấy hoặc chưa rõ là đơn vị nào."
        ),
        **AUTH_ERRORS,
    },
)
class UnitResolveView(ApiView):
    def get(self, request: Request) -> Response:
        name = request.query_params.get("name", "").strip()
        if not name:
            raise InvalidInput("Thiếu tham số “name” (tên đơn vị).")
        year = _int_param(request, "year", minimum=1)
        kind = request.query_params.get("kind", "").strip() or Unit.Kind.PROVINCE
        if kind not in Unit.Kind.values:
            raise InvalidInput(f"Loại đơn vị “{kind}” không có; các loại là: {', '.join(Unit.Kind.values)}.")
        try:
            unit = unit_valid_in(name, year, kind=kind)
        except UnitLookupError as exc:
            candidates = s.UnitRefSerializer(list(exc.candidates), many=True).data
            return Response({"detail": exc.message, "candidates": candidates}, status=404)
        unit = Unit.objects.prefetch_related("regions").get(pk=unit.pk)
        return Response(s.UnitDetailSerializer(unit).data)


@extend_schema(
    tags=[TAG_UNITS],
    summary="Danh sách vùng, nhóm so sánh",
    description="Các vùng kinh tế - xã hội và nhóm so sánh, kèm mã số (id) các đơn vị thành viên.",
    responses={200: s.RegionSerializer(many=True), **AUTH_ERRORS},
)
class RegionListView(ReadOnlyApi, generics.ListAPIView):
    serializer_class = s.RegionSerializer
    pagination_class = None
    queryset = Region.objects.prefetch_related("members").order_by("kind", "code")


# --- indices and frameworks -----------------------------------------------------------------------


@extend_schema(
    tags=[TAG_FRAMEWORKS],
    summary="Danh sách chỉ số",
    description="PAR INDEX, SIPAS, PAPI và các năm đã có kết quả.",
    responses={200: s.IndexSerializer(many=True), **AUTH_ERRORS},
)
class IndexListView(ReadOnlyApi, generics.ListAPIView):
    serializer_class = s.IndexSerializer
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
        OpenApiParameter("year", int, description="Chỉ các bộ chỉ số áp dụng cho năm đánh giá này."),
        OpenApiParameter(
            "active", bool, description="true: chỉ phiên bản đang dùng; false: chỉ phiên bản đã bị thay thế."
        ),
    ],
    responses={200: s.FrameworkSerializer(many=True), 400: OpenApiResponse(ERR), **AUTH_ERRORS},
)
class FrameworkListView(ReadOnlyApi, generics.ListAPIView):
    serializer_class = s.FrameworkSerializer
    pagination_class = None

    def get_queryset(self):
        params = self.request.query_params
        qs = Framework.objects.select_related("index")
        index = params.get("index", "").strip()
        if index:
            qs = qs.filter(index__code=index)
        year = _int_param(self.request, "year", minimum=1)
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
    parameters=[ID_PATH],
    responses=_responses(s.FrameworkDetailSerializer, 404),
)
class FrameworkDetailView(ReadOnlyApi, generics.RetrieveAPIView):
    serializer_class = s.FrameworkDetailSerializer
    queryset = Framework.objects.select_related("index").prefetch_related(
        Prefetch("nodes", queryset=Node.objects.select_related("parent").order_by("order"))
    )


# --- published results ----------------------------------------------------------------------------


@extend_schema(
    tags=[TAG_RESULTS],
    summary="Kết quả công bố",
    description="Điểm, hạng và nhóm đúng như đã công bố (chưa tính lại). Có phân trang (limit, offset).",
    parameters=[
        OpenApiParameter("index", str, required=True, description="Mã chỉ số (danh sách: /api/indices/)."),
        OpenApiParameter("year", int, description="Năm đánh giá."),
        OpenApiParameter("unit", int, description="Mã số (id) của đơn vị."),
        OpenApiParameter("node", str, description="Mã nút, ví dụ D1, D1.1 hoặc mã nút gốc (điểm tổng)."),
    ],
    responses={200: s.ResultSerializer(many=True), 400: OpenApiResponse(ERR), **AUTH_ERRORS},
)
class ResultListView(ReadOnlyApi, generics.ListAPIView):
    pagination_class = Pagination
    serializer_class = s.ResultSerializer

    def get_queryset(self):
        params = self.request.query_params
        index = params.get("index", "").strip()
        if not index:
            raise InvalidInput(f"Thiếu tham số “index” (mã chỉ số: {', '.join(index_codes())}).")
        if not Index.objects.filter(code=index).exists():
            raise InvalidInput(unknown_index_message(index))
        qs = Result.objects.filter(framework__index__code=index).select_related("unit", "node", "framework")
        year = _int_param(self.request, "year", minimum=1)
        if year is not None:
            qs = qs.filter(year=year)
        unit = _int_param(self.request, "unit", minimum=1)
        if unit is not None:
            qs = qs.filter(unit_id=unit)
        node = params.get("node", "").strip()
        if node:
            qs = qs.filter(node__code=node)
        return qs.order_by("year", "unit__code", "unit__valid_from", "node__order", "pk")


# --- derived figures, analysis, gap, what-if ------------------------------------------------------


@extend_schema(
    tags=[TAG_ANALYSIS],
    summary="Số liệu tính lại của một năm",
    description="Với mọi đơn vị có kết quả trong năm: điểm tổng (tính từ các thành phần), phần trăm, hạng "
    "(tính lại khi dữ liệu đủ mọi đơn vị, nếu không thì theo công bố), nhóm; kèm trung bình, trung vị "
    "cả nước và điểm ngưỡng các nhóm.",
    parameters=[INDEX_PATH, YEAR_PATH],
    responses=_responses(s.FiguresSerializer, 404, e404="Chưa có bộ chỉ số hoặc kết quả của năm."),
)
class FiguresView(ApiView):
    def get(self, request: Request, index: str, year: int) -> Response:
        _index(index)
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


@extend_schema(
    tags=[TAG_ANALYSIS],
    summary="Phân tích kết quả của một đơn vị",
    description="Điểm tổng, hạng, nhóm, so sánh với năm trước, với trung bình cả nước, với vùng; điểm từng "
    "nút; kèm đoạn mở đầu dùng cho báo cáo. Cùng nội dung với trang phân tích và lệnh `chiso analyse`.",
    parameters=[INDEX_PATH, UNIT_PATH, YEAR_PATH],
    responses=_responses(s.AnalysisSerializer, 404, e404="Không có đơn vị, bộ chỉ số hoặc kết quả."),
)
class AnalysisView(ApiView):
    def get(self, request: Request, index: str, unit_id: int, year: int) -> Response:
        unit = _unit(unit_id)
        _index(index)
        try:
            a = analyse(index, unit, year)
        except AnalysisError as exc:
            raise NotFound(str(exc)) from exc
        return Response({**analysis_to_dict(a), "opening_text": opening_text(a)})


GAP_GOALS = ("places", "group", "top", "score")


@extend_schema(
    tags=[TAG_ANALYSIS],
    summary="Khoảng cách tới mục tiêu",
    description="Số điểm tổng cần tăng tối thiểu để tăng N bậc, vào một nhóm, vào nhóm K đơn vị dẫn đầu "
    "hoặc đạt một mức điểm (giả định điểm các đơn vị khác giữ nguyên), và các nút còn điểm để tăng. "
    "Chọn đúng một mục tiêu.",
    parameters=[
        INDEX_PATH,
        UNIT_PATH,
        YEAR_PATH,
        OpenApiParameter("places", int, description="Số bậc cần tăng, ví dụ 5."),
        OpenApiParameter(
            "group", str, description="Tên nhóm cần vào, ví dụ “Cao” (PAPI) hoặc “A” (PAR INDEX)."
        ),
        OpenApiParameter("top", int, description="Vào nhóm K đơn vị dẫn đầu."),
        OpenApiParameter("score", float, description="Mức điểm tổng cần đạt (chấp nhận dấu phẩy thập phân)."),
    ],
    responses=_responses(
        s.GapSerializer,
        400,
        404,
        e400="Mục tiêu không hợp lệ, hoặc đơn vị chưa có đủ kết quả.",
        e404="Không có đơn vị hoặc chỉ số.",
    ),
)
class GapView(ApiView):
    def get(self, request: Request, index: str, unit_id: int, year: int) -> Response:
        unit = _unit(unit_id)
        _index(index)
        given = {
            k: request.query_params[k].strip() for k in GAP_GOALS if request.query_params.get(k, "").strip()
        }
        if not given:
            raise InvalidInput("Chọn một mục tiêu: places (số bậc), group (nhóm), top hoặc score (điểm).")
        if len(given) > 1:
            raise InvalidInput(f"Chỉ chọn một mục tiêu (đang có: {', '.join(given)}).")
        ((goal, raw),) = given.items()
        kwargs: dict = {}
        if goal == "group":
            kwargs["group"] = raw
        elif goal == "score":
            kwargs["score"] = _number(goal, raw)
        else:
            kwargs[goal] = _whole_number(goal, raw)
        try:
            result = gap(index, unit, year, **kwargs)
        except AnalysisError as exc:
            raise InvalidInput(str(exc)) from exc
        return Response(gap_to_dict(result))


# Query parameters that are not node codes (DRF's format override).
WHATIF_RESERVED = {"format"}


@extend_schema(
    tags=[TAG_ANALYSIS],
    summary="Giả định thay đổi điểm",
    description="Đặt điểm mới cho một số nút (mỗi nút một tham số: mã nút = điểm mới, ví dụ "
    "`?D1.1=2.0&D8.3=1.5`), tính lại điểm tổng, hạng và nhóm với điểm các đơn vị khác giữ nguyên. "
    "Không có tham số: trả về điểm và hạng hiện tại. Chỉ đổi được các nút không tính từ nút con.",
    parameters=[
        INDEX_PATH,
        UNIT_PATH,
        YEAR_PATH,
        OpenApiParameter(
            "changes",
            {"type": "object", "additionalProperties": {"type": "number"}},
            style="form",
            explode=True,
            description="Các cặp mã nút = điểm mới, mỗi cặp là một tham số truy vấn riêng.",
            examples=[OpenApiExample("Hai nút", value={"D1.1": 2.0, "D8.3": 1.5})],
        ),
    ],
    responses=_responses(
        s.WhatIfSerializer,
        400,
        404,
        e400="Mã nút không có, điểm không phải là số hoặc ngoài thang điểm, hoặc chưa có kết quả.",
        e404="Không có đơn vị hoặc chỉ số.",
    ),
)
class WhatIfView(ApiView):
    def get(self, request: Request, index: str, unit_id: int, year: int) -> Response:
        unit = _unit(unit_id)
        _index(index)
        changes: dict[str, float] = {}
        for code, raw in request.query_params.items():
            if code in WHATIF_RESERVED or not raw.strip():
                continue
            changes[code] = _number(code, raw)
        try:
            w = what_if(index, unit, year, changes)
        except AnalysisError as exc:
            raise InvalidInput(str(exc)) from exc
        except ValueError as exc:
            raise InvalidInput(_whatif_message(index, unit, year, changes)) from exc
        return Response(
            {
                "total": w.total,
                "delta_total": w.delta_total,
                "rank": w.rank,
                "rank_of": w.rank_of,
                "group": w.group,
                "changes": changes,
            }
        )


def _whatif_message(index: str, unit: Unit, year: int, changes: dict[str, float]) -> str:
    """A Vietnamese message for the errors the core what-if reports in English."""
    ctx = year_figures(index, year)
    ud = ctx.derived.units.get(unit.pk) if ctx else None
    if ud is not None:
        derived = [code for code in changes if code in ud.nodes and ud.nodes[code].derived]
        if derived:
            return f"Điểm của {', '.join(derived)} được tính từ các nút con; hãy thay đổi điểm các nút con."
    return "Không áp dụng được các thay đổi điểm đã nhập."


# --- the schema and Swagger UI, behind the same rule ----------------------------------------------


class SchemaView(ReadOnlyApi, SpectacularAPIView):
    """The OpenAPI schema (YAML, or JSON with ?format=json)."""


class SwaggerView(ReadOnlyApi, SpectacularSwaggerView):
    """Swagger UI, served from drf-spectacular-sidecar (no CDN)."""

    url_name = "api-schema"

    def handle_exception(self, exc):
        if isinstance(exc, exceptions.NotAuthenticated):  # a browser: send it to the sign-in page
            return redirect_to_login(self.request.get_full_path(), settings.LOGIN_URL)
        return super().handle_exception(exc)


__all__ = [
    "SchemaView",
    "SwaggerView",
    "AnalysisView",
    "FiguresView",
    "FrameworkDetailView",
    "FrameworkListView",
    "GapView",
    "IndexListView",
    "RegionListView",
    "ResultListView",
    "UnitDetailView",
    "UnitListView",
    "UnitResolveView",
    "WhatIfView",
]
