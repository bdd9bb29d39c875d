"""Serializers of the read-only API.

Model serializers turn units, regions, indices, frameworks and results into JSON. The plain
serializers below them only *describe* the dictionaries built by ``chiso.analysis`` (figures,
analysis, gap, what-if) so that the OpenAPI schema documents every key precisely; the views return
those dictionaries unchanged, and the tests check the responses against the schema.
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from chiso.analysis.services import available_years
from chiso.frameworks.models import Framework, Index, Node
from chiso.results.models import Result
from chiso.units.models import Region, Unit

# --- errors -------------------------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="Thông báo lỗi (tiếng Việt).")


# --- units and regions ----------------------------------------------------------------------------


class UnitKindField(serializers.CharField):
    """Kind of unit (documented as the ``UnitKindEnum`` component)."""


class RegionKindField(serializers.CharField):
    """Kind of region (documented as the ``RegionKindEnum`` component)."""


def _enum_component(choices, description: str) -> dict:
    lines = "\n".join(f"* `{value}` - {label}" for value, label in choices)
    return {"type": "string", "enum": [v for v, _ in choices], "description": f"{description}\n\n{lines}"}


class GroupingKindField(serializers.CharField):
    """Kind of grouping rule (documented as the ``GroupingKindEnum`` component)."""


GROUPING_KINDS = [("quantile", "theo phân vị"), ("threshold", "theo ngưỡng")]


class _NamedEnumExtension(OpenApiSerializerFieldExtension):
    """Both units and regions have a ``kind``: each choice set gets its own named component
    (drf-spectacular's automatic naming would collide and warn)."""

    component_name = ""

    def schema(self) -> dict:
        raise NotImplementedError

    def map_serializer_field(self, auto_schema, direction):
        component = ResolvedComponent(
            name=self.component_name,
            type=ResolvedComponent.SCHEMA,
            object=self.component_name,
            schema=self.schema(),
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


class UnitKindExtension(_NamedEnumExtension):
    target_class = UnitKindField
    component_name = "UnitKindEnum"

    def schema(self) -> dict:
        return _enum_component([(k, str(v)) for k, v in Unit.Kind.choices], "Loại đơn vị.")


class RegionKindExtension(_NamedEnumExtension):
    target_class = RegionKindField
    component_name = "RegionKindEnum"

    def schema(self) -> dict:
        return _enum_component([(k, str(v)) for k, v in Region.Kind.choices], "Loại vùng.")


class GroupingKindExtension(_NamedEnumExtension):
    target_class = GroupingKindField
    component_name = "GroupingKindEnum"

    def schema(self) -> dict:
        return _enum_component(GROUPING_KINDS, "Loại quy tắc xếp nhóm.")


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


# --- indices and frameworks -----------------------------------------------------------------------


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


# --- published results ---------------------------------------------------------------------------


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


# --- derived figures (descriptions of dictionaries) ----------------------------------------------


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
    current_rank = serializers.IntegerField(allow_null=True)
    rank_of = serializers.IntegerField()
    target_rank = serializers.IntegerField(allow_null=True)
    target_group = serializers.CharField(allow_null=True)
    needed_increase = serializers.FloatField(
        allow_null=True, help_text="Số điểm tổng cần tăng tối thiểu; null nếu không thể đạt trong thang điểm."
    )
    new_total = serializers.FloatField(allow_null=True)
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
        allow_null=True, help_text="Hạng mới so với điểm các đơn vị khác (giữ nguyên)."
    )
    rank_of = serializers.IntegerField()
    group = serializers.CharField(allow_null=True, help_text="Nhóm mới (nếu bộ chỉ số có xếp nhóm).")
    changes = serializers.DictField(
        child=serializers.FloatField(), help_text="Các thay đổi đã áp dụng: mã nút → điểm."
    )
