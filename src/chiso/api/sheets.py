"""REST API of score sheets: a round's sheets, one sheet with every criterion and its scores, writing one
work's entries (all or nothing, with the ``version`` of each criterion for stale-write refusal: 409),
submitting a self-assessment, and reopening a unit's work after its deadline. Rules:
chiso.assessment.services.sheets and .rounds; who may: chiso.assessment.permissions."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chiso.assessment import permissions as perms
from chiso.assessment.models import Sheet
from chiso.assessment.services import rounds as round_services
from chiso.assessment.services import sheets as sheet_services
from chiso.assessment.services.structure import structure

from .assessment import (
    CRITERION_KINDS,
    E409,
    E428_SCORES,
    ROUND_ID,
    SHEET_PK,
    SHEET_STATES,
    TAG_SHEETS,
    WORK_CHOICES,
    AssessmentApi,
    CriterionKindField,
    SheetStateField,
    WorkField,
    visible_round,
    visible_sheet,
)
from .common import DATE_INPUTS, NonEmptyDictField, VietnameseMixin, read_responses, write_responses
from .parsers import JSONParser

__all__ = [
    "RoundSheetListView",
    "SheetDetailView",
    "SheetReopenView",
    "SheetScoresView",
    "SheetSerializer",
    "SheetSubmitView",
]

WORKS = [code for code, _label in WORK_CHOICES]


#: The sheet's totals: hidden from one who sees only some of its criteria (``perms.criteria_limit``).
TOTALS = frozenset(
    {"self_total", "appraised_total", "final_total", "percent", "applicable_max", "rank", "klass", "class"}
)


class SheetSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    state = SheetStateField(choices=SHEET_STATES, read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    submitted_by = serializers.CharField(source="submitted_by.username", read_only=True, allow_null=True)

    class Meta:
        model = Sheet
        fields = [
            "id",
            "round",
            "unit",
            "unit_name",
            "state",
            "state_label",
            "submitted_at",
            "submitted_by",
            "reopened_until",
            "reopen_reason",
            "self_total",
            "appraised_total",
            "final_total",
            "percent",
            "applicable_max",
            "rank",
        ]
        read_only_fields = fields

    def get_fields(self):
        fields = super().get_fields()
        fields["class"] = serializers.CharField(
            source="klass",
            read_only=True,
            allow_null=True,
            help_text="Xếp loại khi đợt kết thúc (Xuất sắc, Tốt, …); null khi chưa kết thúc.",
        )
        return fields

    def to_representation(self, instance):
        """The totals of the stages the user may not see yet are null (``permissions.hidden_fields``)."""
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is None:
            return data
        hidden = perms.hidden_fields(request.user, instance)
        if perms.criteria_limit(request.user, instance) is not None:  # a department on the province's sheet
            hidden |= TOTALS
        return perms.mask(data, hidden)


class CriterionScoreSerializer(serializers.Serializer):
    """One criterion of the sheet's framework and the unit's scores on it (null: not scored yet)."""

    code = serializers.CharField()
    name = serializers.CharField()
    field = serializers.CharField(allow_null=True, help_text="Mã lĩnh vực của tiêu chí.")
    max_score = serializers.FloatField(allow_null=True)
    min_score = serializers.FloatField(allow_null=True)
    step = serializers.FloatField(
        allow_null=True, help_text="Bước điểm; null: mọi giá trị theo độ chính xác."
    )
    kind = CriterionKindField(choices=CRITERION_KINDS)
    rule = serializers.JSONField(allow_null=True, help_text="Quy tắc tính điểm từ số liệu (kind = rule).")
    bonus = serializers.BooleanField(help_text="Điểm thưởng (ngoài điểm tối đa).")
    may_be_na = serializers.BooleanField(help_text="Được đánh dấu “không áp dụng”.")
    self_score = serializers.FloatField(allow_null=True)
    appraised_score = serializers.FloatField(allow_null=True)
    final_score = serializers.FloatField(allow_null=True)
    inputs = serializers.JSONField(help_text='Số liệu đã nhập theo công việc: {"self": {"done": 19, …}}.')
    not_applicable = serializers.BooleanField()
    self_note = serializers.CharField(allow_blank=True)
    appraisal_comment = serializers.CharField(allow_blank=True)
    explanation = serializers.CharField(allow_blank=True)
    final_comment = serializers.CharField(allow_blank=True)
    source = serializers.CharField(allow_blank=True, help_text="Nguồn của điểm nhập từ tệp (khảo sát, Bộ…).")
    version = serializers.IntegerField(help_text="Gửi lại khi ghi: có người ghi sau đó thì bị từ chối (409).")
    updated_at = serializers.DateTimeField(allow_null=True)
    updated_by = serializers.CharField(allow_null=True)
    files = serializers.IntegerField(help_text="Số tệp tài liệu kiểm chứng.")
    links = serializers.IntegerField(help_text="Số liên kết tới sản phẩm, báo cáo của nhiệm vụ.")


def criteria_rows(sheet: Sheet, user=None) -> list[dict]:
    """Every criterion of the sheet's framework the user sees (``permissions.criteria_limit``), in order,
    with the unit's scores; those of a stage ``user`` may not see yet are null
    (``permissions.hidden_fields``; no user: all of them)."""
    seen = perms.stages_seen(user, sheet) if user is not None else frozenset({"self", "appraisal", "final"})
    hidden = perms.hidden_fields(user, sheet, seen) if user is not None else frozenset()
    st = structure(sheet.round.framework)
    scores = {
        s.node.code: s
        for s in sheet.scores.select_related("node", "updated_by").annotate(
            n_files=Count("files", distinct=True), n_links=Count("links", distinct=True)
        )
    }
    limit = perms.criteria_limit(user, sheet) if user is not None else None
    rows = []
    for crit in st.criteria:
        if limit is not None and crit.code not in limit:
            continue  # a department's officer on the province's sheet: only her criteria
        n, s = crit.node, scores.get(crit.code)
        rows.append(
            {
                "code": crit.code,
                "name": n.name_vi,
                "field": crit.field.code if crit.field is not None else None,
                "max_score": n.max_score,
                "min_score": n.min_score,
                "step": n.step,
                "kind": "survey" if crit.survey else "rule" if crit.rule is not None else "typed",
                "rule": n.rule or None,
                "bonus": n.bonus,
                "may_be_na": n.may_be_na,
                "self_score": s.self_score if s else None,
                "appraised_score": s.appraised_score if s else None,
                "final_score": s.final_score if s else None,
                "inputs": perms.mask_inputs(s.inputs, seen) if s else {},
                "not_applicable": s.not_applicable if s else False,
                "self_note": s.self_note if s else "",
                "appraisal_comment": s.appraisal_comment if s else "",
                "explanation": s.explanation if s else "",
                "final_comment": s.final_comment if s else "",
                "source": s.source if s else "",
                "version": s.version if s else 0,
                "updated_at": s.updated_at if s else None,
                "updated_by": s.updated_by.username if s and s.updated_by else None,
                "files": s.n_files if s else 0,
                "links": s.n_links if s else 0,
            }
        )
    return [perms.mask(r, hidden) for r in rows] if hidden else rows


class SheetDetailSerializer(SheetSerializer):
    works = serializers.SerializerMethodField(
        help_text="Các công việc người dùng làm được trên phiếu lúc này (self, appraisal, explanation, final)."
    )
    criteria = serializers.SerializerMethodField(help_text="Mọi tiêu chí được chấm và điểm của đơn vị.")

    class Meta(SheetSerializer.Meta):
        fields = [*SheetSerializer.Meta.fields, "works", "criteria"]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=WorkField(choices=WORK_CHOICES)))
    def get_works(self, obj: Sheet) -> list[str]:
        user = self.context["request"].user
        return [
            w for w in WORKS if perms.can_work(user, obj, w) and round_services.work_open(obj.round, obj, w)
        ]

    @extend_schema_field(CriterionScoreSerializer(many=True))
    def get_criteria(self, obj: Sheet) -> list[dict]:
        return CriterionScoreSerializer(criteria_rows(obj, self.context["request"].user), many=True).data


@extend_schema_field({"oneOf": [{"type": "number"}, {"type": "string"}], "nullable": True, "example": "2,5"})
class ScoreValueField(serializers.Field):
    """A number as typed: a JSON number, or text in the Vietnamese way ("2,5"); the service parses it."""

    default_error_messages = {"invalid": "Cần một số (ví dụ 2.5 hoặc “2,5”)."}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float | str):
            self.fail("invalid")
        return data

    def to_representation(self, value):
        return value


class ScoreEntrySerializer(VietnameseMixin, serializers.Serializer):
    score = ScoreValueField(required=False, allow_null=True, help_text="Điểm (tiêu chí nhập điểm).")
    inputs = serializers.DictField(
        child=ScoreValueField(),
        required=False,
        help_text='Số liệu của tiêu chí tính theo quy tắc, ví dụ {"done": 19, "planned": 20} hoặc '
        '{"choice": "kip_thoi"}.',
    )
    na = serializers.BooleanField(
        required=False, help_text="Không áp dụng (khi bộ chỉ số cho phép; cần ghi lý do)."
    )
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=20000,
        help_text="Thuyết minh (tự đánh giá), ý kiến (thẩm định, thẩm định lại) hoặc giải trình.",
    )
    version = serializers.IntegerField(
        required=False,
        min_value=0,
        help_text="version của tiêu chí khi đọc (GET phiếu); bắt buộc khi tiêu chí đã có điểm (thiếu: 428; "
        "đã cũ: 409).",
    )


class ScoresWriteSerializer(VietnameseMixin, serializers.Serializer):
    work = WorkField(choices=WORK_CHOICES)
    entries = NonEmptyDictField(
        child=ScoreEntrySerializer(),
        help_text='Theo mã tiêu chí: {"1.3": {"score": "2,5", "note": "Biên bản số 12", "version": 3}}.',
    )


class SheetReopenSerializer(VietnameseMixin, serializers.Serializer):
    until = serializers.DateField(input_formats=DATE_INPUTS, help_text="Mở lại đến hết ngày (dd/mm/yyyy).")
    reason = serializers.CharField(max_length=2000, help_text="Lý do mở lại (bắt buộc).")


def _detail(request: Request, pk: int) -> Response:
    sheet = Sheet.objects.select_related(
        "round__framework__index", "round__province", "unit", "submitted_by"
    ).get(pk=pk)
    return Response(SheetDetailSerializer(sheet, context={"request": request}).data)


@extend_schema(
    tags=[TAG_SHEETS],
    parameters=[ROUND_ID],
    summary="Các phiếu chấm điểm của đợt",
    description="Các phiếu người dùng được xem: mọi phiếu (người điều phối, lãnh đạo, người xem), phiếu của đơn "
    "vị mình (cán bộ), phiếu của các đơn vị được phân công (thành viên thẩm định).",
    responses=read_responses(SheetSerializer, many=True),
)
class RoundSheetListView(AssessmentApi, generics.ListAPIView):
    serializer_class = SheetSerializer
    pagination_class = None

    def get_queryset(self):
        if self.fake():
            return Sheet.objects.none()
        rnd = visible_round(self.user, self.kwargs["round_id"])
        return perms.visible_sheets(self.user, rnd)


@extend_schema(
    tags=[TAG_SHEETS],
    parameters=[SHEET_PK],
    summary="Một phiếu chấm điểm",
    description="Mọi tiêu chí với điểm tự đánh giá, thẩm định, thẩm định lại, số liệu, thuyết minh, ý kiến, giải "
    "trình, nguồn, version, số tài liệu kiểm chứng; và các công việc người dùng làm được lúc này (works).",
    responses=read_responses(SheetDetailSerializer),
)
class SheetDetailView(AssessmentApi, APIView):
    def get(self, request: Request, pk: int) -> Response:
        return _detail(request, visible_sheet(self.user, pk).pk)


@extend_schema(tags=[TAG_SHEETS], parameters=[SHEET_PK])
class SheetScoresView(AssessmentApi, APIView):
    # entries nest a mapping per criterion: only JSON carries them (a form would read as no entry at all)
    parser_classes = [JSONParser]

    @extend_schema(
        summary="Điểm của phiếu",
        description="Mọi tiêu chí và điểm của đơn vị (như trong phiếu).",
        responses=read_responses(CriterionScoreSerializer, many=True),
    )
    def get(self, request: Request, pk: int) -> Response:
        sheet = visible_sheet(self.user, pk)
        return Response(CriterionScoreSerializer(criteria_rows(sheet, self.user), many=True).data)

    @extend_schema(
        summary="Ghi điểm một công việc",
        description="Ghi tất cả hoặc không ghi gì các mục của một công việc: self (cán bộ đơn vị: điểm, số liệu, "
        "không áp dụng, thuyết minh), appraisal và final (thành viên thẩm định được phân công: điểm, ý kiến), "
        "explanation (đơn vị: giải trình). Chỉ khi giai đoạn của công việc đang mở và chưa hết hạn (hoặc đơn vị "
        "được mở lại). Điểm theo giới hạn và bước của bộ chỉ số; tiêu chí khảo sát không tự chấm. Lỗi: 400 "
        '{"mã tiêu chí": ["…"]}. Sửa một tiêu chí đã có điểm cần gửi kèm version đã đọc (GET phiếu hoặc điểm): '
        'thiếu thì 428 {"detail", "versions"} với version hiện tại; có người ghi tiêu chí đó sau khi đọc thì 409 '
        "Conflict (thông báo ai đã sửa lúc nào). Tiêu chí chưa có điểm không cần version. Giai đoạn không mở "
        "(đã khoá, hết hạn, đợt đã kết thúc): 409. Không ghi gì khi bị từ chối. Trả về phiếu sau khi ghi.",
        request=ScoresWriteSerializer,
        responses={**write_responses(SheetDetailSerializer), 409: E409, 428: E428_SCORES},
    )
    def post(self, request: Request, pk: int) -> Response:
        sheet = visible_sheet(self.user, pk)
        data = ScoresWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entries, versions = {}, {}
        for code, entry in data.validated_data["entries"].items():
            entry = dict(entry)
            if "version" in entry:
                versions[code] = entry.pop("version")
            entries[code] = entry
        sheet_services.save(
            sheet, self.user, data.validated_data["work"], entries, versions=versions, require_versions=True
        )
        return _detail(request, sheet.pk)


@extend_schema(
    tags=[TAG_SHEETS],
    parameters=[SHEET_PK],
    summary="Nộp phiếu tự đánh giá",
    description="Cán bộ đơn vị, khi giai đoạn tự đánh giá đang mở. Mọi tiêu chí phải có điểm (hoặc không áp dụng, "
    "hoặc lấy từ khảo sát); điểm trên 0 mà chưa có tài liệu kiểm chứng cần thuyết minh lý do. Phiếu chưa đủ: 409 "
    'theo mã tiêu chí ({"1.3": ["1.3: chưa chấm điểm."]}). Giai đoạn tự đánh giá đã khoá: 409.',
    request=None,
    responses=write_responses(SheetDetailSerializer, conflict=True),
)
class SheetSubmitView(AssessmentApi, APIView):
    def post(self, request: Request, pk: int) -> Response:
        sheet = visible_sheet(self.user, pk)
        sheet_services.submit(sheet, self.user)
        return _detail(request, sheet.pk)


@extend_schema(
    tags=[TAG_SHEETS],
    parameters=[SHEET_PK],
    summary="Mở lại cho một đơn vị",
    description="Chuyên viên điều phối mở lại công việc đang diễn ra của một đơn vị sau khi hết hạn, đến một ngày, "
    "với lý do (ghi lịch sử). Đợt đã kết thúc: 409.",
    request=SheetReopenSerializer,
    responses=write_responses(SheetDetailSerializer, conflict=True),
)
class SheetReopenView(AssessmentApi, APIView):
    def post(self, request: Request, pk: int) -> Response:
        sheet = visible_sheet(self.user, pk)
        if not perms.can_run(self.user, sheet.round):
            raise PermissionDenied("Chỉ chuyên viên điều phối của tỉnh mở lại được.")
        data = SheetReopenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        round_services.reopen(sheet, self.user, data.validated_data["until"], data.validated_data["reason"])
        return _detail(request, sheet.pk)
