"""One unit's results of a year, as the web pages and the command line compute them: its analysis
(with the opening paragraph of a report), the gap to a goal, and a what-if with new node scores. The
serializers only *describe* the dictionaries built by ``chiso.analysis`` so that the schema documents
every key; the views return those dictionaries unchanged, and the tests check the responses against
the schema."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from chiso.analysis.serialize import analysis_to_dict, gap_to_dict
from chiso.analysis.services import (
    AnalysisError,
    NoResults,
    analyse,
    gap,
    opening_text,
    partial_year_note,
    what_if,
    year_figures,
)
from chiso.core.text import parse_number
from chiso.units.models import Unit

from .common import INDEX_PATH, TAG_ANALYSIS, YEAR_PATH, ApiView, data_responses, index_or_404
from .errors import InvalidInput
from .results import GroupCutoffSerializer

# --- serializers (descriptions of dictionaries) ---------------------------------------------------


class AnalysisRegionSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    rank = serializers.IntegerField(allow_null=True, help_text="Hạng của đơn vị trong vùng.")
    rank_of = serializers.IntegerField(help_text="Số đơn vị đủ điểm trong vùng.")
    mean = serializers.FloatField(allow_null=True, help_text="Trung bình điểm tổng của vùng.")


class AnalysisNodeSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()
    depth = serializers.IntegerField()
    score = serializers.FloatField(allow_null=True)
    max = serializers.FloatField(allow_null=True)
    percent = serializers.FloatField(allow_null=True)
    rank = serializers.IntegerField(allow_null=True)
    rank_of = serializers.IntegerField(allow_null=True)
    mean = serializers.FloatField(allow_null=True, help_text="Trung bình cả nước của nút.")
    previous = serializers.FloatField(allow_null=True, help_text="Điểm năm trước (cùng nút).")
    delta = serializers.FloatField(allow_null=True, help_text="Thay đổi so với năm trước.")
    lost_points = serializers.FloatField(allow_null=True, help_text="Số điểm bị mất so với tối đa.")
    complete = serializers.BooleanField()
    contributes = serializers.BooleanField(help_text="Có tính vào điểm nút cha hay không.")


class PredecessorPreviousSerializer(serializers.Serializer):
    unit = serializers.CharField(help_text="Tên tỉnh cũ.")
    unit_id = serializers.IntegerField()
    year = serializers.IntegerField()
    total = serializers.FloatField(allow_null=True)
    rank = serializers.IntegerField(allow_null=True)
    rank_of = serializers.IntegerField(allow_null=True)
    group = serializers.CharField(allow_null=True)


class AnalysisSerializer(serializers.Serializer):
    unit = serializers.CharField(help_text="Tên ngắn của đơn vị.")
    unit_code = serializers.CharField()
    unit_id = serializers.IntegerField()
    index = serializers.CharField()
    framework = serializers.CharField()
    year = serializers.IntegerField()
    total = serializers.FloatField(allow_null=True)
    max = serializers.FloatField(allow_null=True)
    percent = serializers.FloatField(allow_null=True)
    complete = serializers.BooleanField()
    rank = serializers.IntegerField(allow_null=True)
    rank_of = serializers.IntegerField(allow_null=True)
    rank_source = serializers.CharField(allow_null=True, help_text="computed hoặc published.")
    computed_rank = serializers.IntegerField(allow_null=True)
    published_rank = serializers.IntegerField(allow_null=True)
    published_rank_of = serializers.IntegerField(allow_null=True)
    group = serializers.CharField(allow_null=True)
    group_source = serializers.CharField(allow_null=True, help_text="computed hoặc published.")
    group_size = serializers.IntegerField(allow_null=True, help_text="Số đơn vị cùng nhóm (nhóm tính lại).")
    group_cutoffs = GroupCutoffSerializer(many=True)
    previous_year = serializers.IntegerField(allow_null=True)
    previous_total = serializers.FloatField(allow_null=True)
    delta_total = serializers.FloatField(allow_null=True)
    previous_rank = serializers.IntegerField(allow_null=True)
    delta_rank = serializers.IntegerField(allow_null=True, help_text="Số bậc tăng (dương) hoặc giảm (âm).")
    comparison_note = serializers.CharField(help_text="Lưu ý khi so sánh với năm trước (có thể rỗng).")
    predecessors_previous = PredecessorPreviousSerializer(
        many=True, help_text="Đơn vị hình thành do sáp nhập: kết quả năm trước của từng tỉnh cũ."
    )
    national_mean = serializers.FloatField(allow_null=True)
    diff_from_mean = serializers.FloatField(allow_null=True)
    national_median = serializers.FloatField(allow_null=True)
    diff_from_median = serializers.FloatField(allow_null=True)
    n_scored = serializers.IntegerField()
    mismatches = serializers.DictField(child=serializers.FloatField())
    regions = AnalysisRegionSerializer(many=True)
    nodes = AnalysisNodeSerializer(many=True)
    opening_text = serializers.CharField(help_text="Đoạn mở đầu dùng cho báo cáo, kế hoạch.")


class SuggestionSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    score = serializers.FloatField()
    max = serializers.FloatField()
    available = serializers.FloatField(help_text="Số điểm còn có thể tăng (tối đa − hiện tại).")
    best_past = serializers.FloatField(allow_null=True, help_text="Điểm cao nhất đơn vị từng đạt ở nút này.")
    to_best_past = serializers.FloatField(
        allow_null=True, help_text="Khoảng cách tới điểm cao nhất từng đạt."
    )


class GapSerializer(serializers.Serializer):
    unit = serializers.CharField()
    index = serializers.CharField()
    year = serializers.IntegerField()
    goal = serializers.CharField(help_text="Mục tiêu, diễn đạt bằng tiếng Việt.")
    current_total = serializers.FloatField()
    current_rank = serializers.IntegerField(
        allow_null=True, help_text="Hạng hiện tại; năm chưa đủ số liệu: hạng theo công bố (có thể null)."
    )
    rank_of = serializers.IntegerField(allow_null=True)
    target_rank = serializers.IntegerField(allow_null=True)
    target_group = serializers.CharField(allow_null=True)
    needed_increase = serializers.FloatField(
        allow_null=True,
        help_text="Số điểm tổng cần tăng tối thiểu, chưa làm tròn (khi hiển thị: làm tròn LÊN, xem "
        "needed_increase_text). Mục tiêu không thể đạt bị từ chối (400).",
    )
    new_total = serializers.FloatField(allow_null=True)
    needed_increase_text = serializers.CharField(
        help_text="Số điểm cần tăng như trang web in ra: làm tròn lên theo số chữ số thập phân công bố "
        "của bộ chỉ số (ví dụ “0,9432” khi cần 0,94313)."
    )
    note = serializers.CharField(
        help_text="Lưu ý (có thể rỗng), ví dụ năm chỉ có số liệu của một phần đơn vị: hạng là hạng công bố."
    )
    assumptions = serializers.CharField()
    suggestions = SuggestionSerializer(
        many=True, help_text="Các nút còn điểm để tăng, nhiều điểm nhất trước."
    )
    cover = serializers.ListField(
        child=serializers.CharField(), help_text="Mã các nút đầu danh sách đủ bù số điểm cần tăng."
    )


class WhatIfSerializer(serializers.Serializer):
    total = serializers.FloatField(allow_null=True, help_text="Điểm tổng mới.")
    delta_total = serializers.FloatField(allow_null=True, help_text="Điểm tổng mới − điểm tổng hiện tại.")
    rank = serializers.IntegerField(
        allow_null=True,
        help_text="Hạng mới so với điểm các đơn vị khác (giữ nguyên); null khi năm chưa đủ số liệu "
        "của mọi đơn vị (không xếp hạng lại trên phần đã biết, xem note).",
    )
    rank_of = serializers.IntegerField()
    note = serializers.CharField(help_text="Lưu ý (có thể rỗng): năm chưa đủ số liệu thì không xếp hạng lại.")
    group = serializers.CharField(allow_null=True, help_text="Nhóm mới (nếu bộ chỉ số có xếp nhóm).")
    changes = serializers.DictField(
        child=serializers.FloatField(), help_text="Các thay đổi đã áp dụng: mã nút → điểm."
    )


# --- parameters -----------------------------------------------------------------------------------

UNIT_PATH = OpenApiParameter(
    "unit_id", int, OpenApiParameter.PATH, description="Mã số (id) của đơn vị, xem /api/units/."
)
UNIT_YEAR = [INDEX_PATH, UNIT_PATH, YEAR_PATH]
NO_UNIT_OR_INDEX = "Không có đơn vị hoặc chỉ số, hoặc đơn vị chưa có kết quả năm đó."


def _computed_responses(ok, bad_input: str) -> dict:
    """The responses of a figure computed from the query (gap, what-if): 400 ``bad_input``, 404 no unit
    or index."""
    return data_responses(ok, 400, 404, e400=bad_input, e404=NO_UNIT_OR_INDEX)


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


def _unit(index: str, unit_id: int) -> Unit:
    """The unit of the URL (404 when there is no such unit, then when there is no such index)."""
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise NotFound(f"Không có đơn vị mã số {unit_id}.")
    index_or_404(index)
    return unit


# --- views ----------------------------------------------------------------------------------------


@extend_schema(
    tags=[TAG_ANALYSIS],
    summary="Phân tích kết quả của một đơn vị",
    description="Điểm tổng, hạng, nhóm, so sánh với năm trước, với trung bình cả nước, với vùng; điểm từng "
    "nút; kèm đoạn mở đầu dùng cho báo cáo. Cùng nội dung với trang phân tích và lệnh `chiso analyse`.",
    parameters=UNIT_YEAR,
    responses=data_responses(AnalysisSerializer, 404, e404="Không có đơn vị, bộ chỉ số hoặc kết quả."),
)
class AnalysisView(ApiView):
    def get(self, request: Request, index: str, unit_id: int, year: int) -> Response:
        unit = _unit(index, unit_id)
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
    "Chọn đúng một mục tiêu. Mục tiêu không thể đạt (vượt hạng 1, vượt điểm tối đa, nhóm ngoài tầm, "
    "số bậc lẻ như 5,7) bị từ chối (400, kèm lý do); năm chỉ có số liệu của một phần đơn vị thì chỉ "
    "nhận mục tiêu theo điểm (và nhóm theo ngưỡng điểm).",
    parameters=[
        *UNIT_YEAR,
        OpenApiParameter("places", int, description="Số bậc cần tăng, ví dụ 5."),
        OpenApiParameter(
            "group", str, description="Tên nhóm cần vào, ví dụ “Cao” (PAPI) hoặc “A” (PAR INDEX)."
        ),
        OpenApiParameter("top", int, description="Vào nhóm K đơn vị dẫn đầu."),
        OpenApiParameter("score", float, description="Mức điểm tổng cần đạt (chấp nhận dấu phẩy thập phân)."),
    ],
    responses=_computed_responses(GapSerializer, "Mục tiêu không hợp lệ, hoặc đơn vị chưa có đủ kết quả."),
)
class GapView(ApiView):
    def get(self, request: Request, index: str, unit_id: int, year: int) -> Response:
        unit = _unit(index, unit_id)
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
        except NoResults as exc:
            raise NotFound(str(exc)) from exc
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
        *UNIT_YEAR,
        OpenApiParameter(
            "changes",
            {"type": "object", "additionalProperties": {"type": "number"}},
            style="form",
            explode=True,
            description="Các cặp mã nút = điểm mới, mỗi cặp là một tham số truy vấn riêng.",
            examples=[OpenApiExample("Hai nút", value={"D1.1": 2.0, "D8.3": 1.5})],
        ),
    ],
    responses=_computed_responses(
        WhatIfSerializer,
        "Mã nút không có, điểm không phải là số hoặc ngoài thang điểm.",
    ),
)
class WhatIfView(ApiView):
    def get(self, request: Request, index: str, unit_id: int, year: int) -> Response:
        unit = _unit(index, unit_id)
        changes: dict[str, float] = {}
        for code, raw in request.query_params.items():
            if code in WHATIF_RESERVED or not raw.strip():
                continue
            changes[code] = _number(code, raw)
        try:
            w = what_if(index, unit, year, changes)
        except NoResults as exc:
            raise NotFound(str(exc)) from exc
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
                "note": "" if w.rank else partial_year_note(year_figures(index, year)),
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
