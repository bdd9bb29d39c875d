"""REST API of a round on the province itself (its PAR INDEX self-assessment, issue 8 point 7): the criteria
of the appraisal part with the departments that propose their score, assigning them from the responsibility
map, a department's proposal, the coordinator's consolidation, the forecast of the official total, the
ministry's appraisal imported from a file (preview, then all or nothing), the difference per criterion and
the lost points written into a plan's shortcomings appendix.

Rules: chiso.assessment.services.province and .ministry; who may: chiso.assessment.permissions — those who
oversee the round read everything; an officer of a department reads and proposes only the criteria her
department is assigned; the province's coordinators assign, consolidate, import and add to a plan. Any
other round: 404."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chiso.accounts.scope import covered
from chiso.assessment import permissions as perms
from chiso.assessment.models import Proposal, Round, Sheet
from chiso.assessment.services import ministry, province
from chiso.assessment.services.structure import structure
from chiso.plans import permissions as plan_perms
from chiso.plans.models import Plan
from chiso.units.models import Unit

from .assessment import (
    E428_SCORES,
    ROUND_PK,
    TAG_ROUNDS,
    AssessmentApi,
    commit_field,
    file_import,
    source_field,
    visible_round,
)
from .common import UploadField, VietnameseMixin, read_responses, write_responses

__all__ = [
    "ProvinceAddLostView",
    "ProvinceAssignView",
    "ProvinceConsolidateView",
    "ProvinceCriteriaView",
    "ProvinceDifferencesView",
    "ProvinceForecastView",
    "ProvinceMinistryImportView",
    "ProvinceProposeView",
]

TAG = TAG_ROUNDS


def _province_round(user, pk: int) -> tuple[Round, Sheet]:
    rnd = visible_round(user, pk)
    sheet = rnd.sheets.filter(unit=rnd.province).select_related("unit").first()
    if rnd.scope != Round.Scope.PROVINCE or sheet is None:
        raise Http404
    return rnd, sheet


def _require_run(user, rnd: Round) -> None:
    if not perms.can_run(user, rnd):
        raise PermissionDenied("Chỉ chuyên viên điều phối của tỉnh làm được việc này.")


# --------------------------------------------------------------------------------------------- shapes


class ProposalSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    updated_by = serializers.SerializerMethodField()

    class Meta:
        model = Proposal
        fields = ["id", "unit", "unit_name", "lead", "proposed_score", "note", "updated_at", "updated_by"]

    def get_updated_by(self, obj: Proposal) -> str | None:
        return obj.updated_by.username if obj.updated_by_id else None


class ProvinceCriterionSerializer(serializers.Serializer):
    criterion = serializers.CharField(help_text="Mã tiêu chí.")
    name = serializers.CharField()
    maximum = serializers.FloatField(allow_null=True)
    self_score = serializers.FloatField(allow_null=True, help_text="Điểm tự đánh giá của tỉnh (đã tổng hợp).")
    self_note = serializers.CharField()
    version = serializers.IntegerField(allow_null=True, help_text="Gửi kèm khi tổng hợp (chống ghi đè).")
    evidence_files = serializers.IntegerField()
    evidence_links = serializers.IntegerField()
    proposals = ProposalSerializer(many=True, help_text="Các sở đề xuất (chủ trì trước).")


class AssignedSerializer(serializers.Serializer):
    criteria = ProvinceCriterionSerializer(many=True)
    unassigned = serializers.ListField(
        child=serializers.CharField(), help_text="Tiêu chí chưa có sở nào trong bản đồ trách nhiệm."
    )


def _criteria(user, rnd: Round, sheet: Sheet, codes: set[str] | None = None) -> list[dict]:
    oversees = perms.oversees(user, rnd)
    mine = covered(user, perms.UNIT_ROLES) or set()
    scores = {
        s.node.code: s
        for s in sheet.scores.select_related("node").prefetch_related(
            "proposals__unit", "proposals__updated_by", "files", "links"
        )
    }
    out = []
    for crit in province.appraisal_criteria(structure(rnd.framework)):
        if codes is not None and crit.code not in codes:
            continue
        s = scores.get(crit.code)
        proposals = sorted(s.proposals.all(), key=lambda p: (not p.lead, p.pk)) if s else []
        if not oversees and not any(p.unit_id in mine for p in proposals):
            continue
        out.append(
            {
                "criterion": crit.code,
                "name": crit.node.name_vi,
                "maximum": crit.node.max_score,
                "self_score": s.self_score if s else None,
                "self_note": s.self_note if s else "",
                "version": s.version if s else None,
                "evidence_files": len(s.files.all()) if s else 0,
                "evidence_links": len(s.links.all()) if s else 0,
                "proposals": proposals,
            }
        )
    return out


@extend_schema(
    tags=[TAG],
    parameters=[ROUND_PK],
    summary="Tiêu chí của đợt tự đánh giá của tỉnh",
    description="Đợt đánh giá chính tỉnh (PAR INDEX): mỗi tiêu chí của phần thẩm định, điểm tự đánh giá đã tổng "
    "hợp, số tài liệu kiểm chứng và đề xuất của các sở chủ trì, phối hợp. Người điều phối, lãnh đạo, người xem "
    "của tỉnh thấy mọi tiêu chí; cán bộ của một sở thấy các tiêu chí sở mình được phân công. Đợt khác: 404.",
    responses=read_responses(ProvinceCriterionSerializer, many=True),
)
class ProvinceCriteriaView(AssessmentApi, APIView):
    def get(self, request: Request, pk: int) -> Response:
        rnd, sheet = _province_round(self.user, pk)
        return Response(ProvinceCriterionSerializer(_criteria(self.user, rnd, sheet), many=True).data)


@extend_schema(
    tags=[TAG],
    parameters=[ROUND_PK],
    summary="Phân công các sở theo bản đồ trách nhiệm",
    description="Chuyên viên điều phối của tỉnh: mỗi tiêu chí của phần thẩm định giao cho sở chủ trì và các sở "
    "phối hợp trong bản đồ trách nhiệm (mục của tiêu chí, không có thì của mục cha gần nhất). Gọi lại sau khi "
    "bản đồ thay đổi: đề xuất đã có được giữ. Trả về các tiêu chí và những tiêu chí chưa có sở nào.",
    request=None,
    responses=write_responses(AssignedSerializer),
)
class ProvinceAssignView(AssessmentApi, APIView):
    def post(self, request: Request, pk: int) -> Response:
        rnd, sheet = _province_round(self.user, pk)
        out = province.assign_departments(rnd, self.user)
        data = {
            "criteria": _criteria(self.user, rnd, sheet),
            "unassigned": [c.code for c in out.unassigned],
        }
        return Response(AssignedSerializer(data).data)


class ProposeRequestSerializer(VietnameseMixin, serializers.Serializer):
    criterion = serializers.CharField(max_length=40, help_text="Mã tiêu chí.")
    unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(),
        required=False,
        help_text="Mã số (id) sở đề xuất; bỏ trống khi bạn chỉ thuộc một sở được phân công tiêu chí này.",
    )
    score = serializers.CharField(
        required=False, allow_blank=True, help_text="Điểm đề xuất (số, “19,5” hoặc 19.5); rỗng: xoá đề xuất."
    )
    inputs = serializers.DictField(
        required=False, help_text="Số liệu của tiêu chí tính theo quy tắc, thay cho điểm."
    )
    note = serializers.CharField(required=False, allow_blank=True, help_text="Thuyết minh.")


@extend_schema(
    tags=[TAG],
    parameters=[ROUND_PK],
    summary="Sở đề xuất điểm một tiêu chí",
    description="Cán bộ của sở được phân công tiêu chí, khi giai đoạn tự đánh giá đang mở (hết hạn: 400). Điểm "
    "được kiểm tra như điểm tự chấm (trong giới hạn, đúng bước). Tài liệu kiểm chứng: "
    "POST /api/assessment/sheets/{id}/evidence/files/ trên phiếu của tỉnh.",
    request=ProposeRequestSerializer,
    responses=write_responses(ProposalSerializer, conflict=True),
)
class ProvinceProposeView(AssessmentApi, APIView):
    def post(self, request: Request, pk: int) -> Response:
        rnd, sheet = _province_round(self.user, pk)
        data = ProposeRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        code = v["criterion"].strip()
        unit = v.get("unit")
        if unit is None:
            mine = covered(self.user, perms.UNIT_ROLES) or set()
            units = {
                p.unit
                for p in Proposal.objects.filter(
                    score__sheet=sheet, score__node__code=code, unit__in=mine
                ).select_related("unit")
            }
            if not units:
                raise PermissionDenied("Chỉ cán bộ của sở được phân công tiêu chí này đề xuất được điểm.")
            if len(units) > 1:
                raise serializers.ValidationError(
                    {"unit": ["Chọn sở đề xuất (mã số đơn vị) trong các sở được phân công tiêu chí này."]}
                )
            unit = units.pop()
        entry: dict = {k: v[k] for k in ("score", "inputs", "note") if k in v}
        proposal = province.propose(rnd, self.user, unit, code, entry)
        return Response(ProposalSerializer(proposal).data)


class ConsolidateRequestSerializer(VietnameseMixin, serializers.Serializer):
    criterion = serializers.CharField(max_length=40, help_text="Mã tiêu chí.")
    proposal = serializers.IntegerField(
        required=False, help_text="Mã số (id) đề xuất được chọn; hoặc gửi score (và note)."
    )
    score = serializers.CharField(required=False, allow_blank=True, help_text="Điểm của tỉnh do bạn nhập.")
    inputs = serializers.DictField(required=False, help_text="Số liệu của tiêu chí tính theo quy tắc.")
    note = serializers.CharField(required=False, allow_blank=True, help_text="Ghi chú tổng hợp.")
    version = serializers.IntegerField(
        required=False, help_text="version của tiêu chí khi bạn đọc nó (có người sửa sau đó: 409)."
    )


@extend_schema(
    tags=[TAG],
    parameters=[ROUND_PK],
    summary="Tổng hợp điểm tự đánh giá của tỉnh",
    description="Chuyên viên điều phối của tỉnh, khi giai đoạn tự đánh giá đang mở: lấy điểm một sở đề xuất "
    "(proposal) hoặc điểm tự nhập (score, note), theo mọi quy tắc của phiếu chấm điểm; có lịch sử thay đổi.",
    request=ConsolidateRequestSerializer,
    responses={**write_responses(ProvinceCriterionSerializer, conflict=True), 428: E428_SCORES},
)
class ProvinceConsolidateView(AssessmentApi, APIView):
    def post(self, request: Request, pk: int) -> Response:
        rnd, sheet = _province_round(self.user, pk)
        data = ConsolidateRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        code = v["criterion"].strip()
        kwargs: dict = {}
        if "proposal" in v:
            kwargs["proposal"] = get_object_or_404(
                Proposal.objects.select_related("score__node", "unit"), pk=v["proposal"], score__sheet=sheet
            )
            kwargs["note"] = v.get("note", "")
        elif "score" in v or "inputs" in v:
            kwargs["entry"] = {k: v[k] for k in ("score", "inputs", "note") if k in v}
        versions = {code: v["version"]} if "version" in v else None
        province.consolidate(rnd, self.user, code, versions=versions, require_versions=True, **kwargs)
        [row] = _criteria(self.user, rnd, sheet, {code})
        return Response(ProvinceCriterionSerializer(row).data)


# ------------------------------------------------------------------------------------------- forecast


class CarriedBlockSerializer(serializers.Serializer):
    criterion = serializers.CharField(source="criterion.code")
    name = serializers.CharField(source="criterion.node.name_vi")
    low = serializers.FloatField(allow_null=True)
    high = serializers.FloatField(allow_null=True)
    source = serializers.CharField(help_text="Số liệu làm căn cứ.")


class ForecastSerializer(serializers.Serializer):
    low = serializers.FloatField(help_text="Tổng điểm chính thức dự báo: thấp nhất.")
    high = serializers.FloatField(help_text="Cao nhất.")
    maximum = serializers.FloatField(allow_null=True)
    appraisal_low = serializers.FloatField(help_text="Phần thẩm định sau khi bị cắt như năm trước.")
    appraisal_high = serializers.FloatField(help_text="Phần thẩm định như tỉnh tự đánh giá.")
    ratio = serializers.FloatField(help_text="Tỷ lệ thẩm định / tự đánh giá dùng cho mức thấp.")
    blocks = CarriedBlockSerializer(many=True, help_text="Các phần Bộ tự đo (khảo sát, kinh tế – xã hội).")
    missing = serializers.ListField(
        child=serializers.CharField(), help_text="Tiêu chí chưa có điểm (tính 0)."
    )
    method = serializers.CharField(help_text="Căn cứ của dự báo, bằng lời.")


@extend_schema(
    tags=[TAG],
    parameters=[ROUND_PK],
    summary="Dự báo điểm chính thức",
    description="Khoảng điểm: phần thẩm định như tỉnh tự đánh giá (cao) hoặc bị cắt theo tỷ lệ năm trước (thấp; "
    "đã có kết quả của Bộ thì dùng nguyên kết quả đó), cộng các phần Bộ tự đo lấy từ kết quả đã công bố những "
    "năm trước; method nói rõ căn cứ. Người điều phối, lãnh đạo, người xem của tỉnh.",
    responses=read_responses(ForecastSerializer),
)
class ProvinceForecastView(AssessmentApi, APIView):
    def get(self, request: Request, pk: int) -> Response:
        rnd, _sheet = _province_round(self.user, pk)
        if not perms.oversees(self.user, rnd):
            raise PermissionDenied("Dự báo dành cho người điều phối, lãnh đạo, người xem của tỉnh.")
        return Response(ForecastSerializer(province.forecast(rnd)).data)


class DifferenceSerializer(serializers.Serializer):
    criterion = serializers.CharField(source="criterion.code")
    name = serializers.CharField(source="criterion.node.name_vi")
    maximum = serializers.FloatField(allow_null=True)
    self_score = serializers.FloatField(allow_null=True)
    official = serializers.FloatField(allow_null=True, help_text="Điểm Bộ thẩm định (thẩm định lại nếu có).")
    difference = serializers.FloatField(allow_null=True, help_text="official − self_score.")
    comment = serializers.CharField(help_text="Ý kiến của Bộ.")
    responsible = serializers.SerializerMethodField(help_text="Các sở chịu trách nhiệm (chủ trì trước).")

    def get_responsible(self, obj) -> list[str]:
        return [u.name for u in obj.responsible] or ([obj.responsible_text] if obj.responsible_text else [])


@extend_schema(
    tags=[TAG],
    parameters=[ROUND_PK],
    summary="Chênh lệch tự đánh giá – kết quả thẩm định của Bộ",
    description="Mỗi tiêu chí Bộ đã chấm: điểm tự đánh giá, điểm của Bộ, chênh lệch, ý kiến, các sở chịu trách "
    "nhiệm. Người điều phối, lãnh đạo, người xem: mọi tiêu chí; cán bộ một sở: tiêu chí của sở mình, từ khi kết "
    "quả thẩm định được chuyển cho đơn vị (trước đó: 403).",
    responses=read_responses(DifferenceSerializer, many=True),
)
class ProvinceDifferencesView(AssessmentApi, APIView):
    def get(self, request: Request, pk: int) -> Response:
        rnd, sheet = _province_round(self.user, pk)
        if not perms.sees_stage(self.user, sheet, "appraisal"):
            raise PermissionDenied("Kết quả thẩm định chưa được chuyển cho các sở.")
        shown = {row["criterion"] for row in _criteria(self.user, rnd, sheet)}
        diffs = [d for d in province.differences(rnd) if d.criterion.code in shown]
        return Response(DifferenceSerializer(diffs, many=True).data)


# ------------------------------------------------------------------------------- the ministry's file


class MinistryImportRequestSerializer(VietnameseMixin, serializers.Serializer):
    file = UploadField(
        help_text="CSV, XLSX, XLS hoặc ODS, mỗi dòng một tiêu chí: “Mã tiêu chí”, “Điểm thẩm định”, "
        "“Ý kiến thẩm định” (không bắt buộc)."
    )
    commit = commit_field()
    source = source_field("Nguồn: văn bản, hệ thống, ngày (mặc định: tên tệp).")


class MinistryRowSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    criterion = serializers.CharField()
    name = serializers.CharField()
    old = serializers.FloatField(allow_null=True, help_text="Điểm đang có.")
    new = serializers.FloatField(allow_null=True, help_text="Điểm trong tệp.")
    comment = serializers.CharField()
    status = serializers.CharField(help_text="new, changed, unchanged hoặc error.")
    errors = serializers.ListField(child=serializers.CharField())


class MinistryImportResultSerializer(serializers.Serializer):
    round = serializers.IntegerField()
    stage = serializers.CharField(help_text="appraisal (thẩm định) hoặc final (thẩm định lại).")
    file = serializers.CharField()
    ok = serializers.BooleanField()
    committed = serializers.BooleanField()
    written = serializers.IntegerField()
    counts = serializers.DictField(child=serializers.IntegerField())
    errors = serializers.ListField(child=serializers.CharField(), help_text="Mọi lỗi, “Dòng N: …”.")
    notes = serializers.ListField(child=serializers.CharField())
    rows = MinistryRowSerializer(many=True)


@extend_schema(
    tags=[TAG],
    parameters=[ROUND_PK],
    summary="Nhập kết quả thẩm định của Bộ Nội vụ",
    description="multipart/form-data: file, commit, source. Chuyên viên điều phối của tỉnh, ở giai đoạn thẩm định "
    "(hoặc thẩm định lại). Xem trước (commit=false): 200 với từng dòng (mới, thay đổi, không đổi, lỗi và lý do), "
    'không ghi gì. Ghi (commit=true): tất cả hoặc không gì; tệp có lỗi: 400 {"file": ["Dòng N: …"]}. Nhập lại '
    "cùng tệp không thay đổi gì.",
    request={"multipart/form-data": MinistryImportRequestSerializer},
    responses={**write_responses(MinistryImportResultSerializer, conflict=True)},
)
class ProvinceMinistryImportView(AssessmentApi, APIView):
    def post(self, request: Request, pk: int) -> Response:
        rnd, _sheet = _province_round(self.user, pk)
        v, content, name, limit = file_import(MinistryImportRequestSerializer, request)
        if v["commit"]:
            result = ministry.commit_ministry(rnd, content, name, self.user, v["source"], max_bytes=limit)
        else:
            result = ministry.preview_ministry(rnd, content, name, user=self.user, max_bytes=limit)
        return Response(result.as_data())


class AddLostRequestSerializer(VietnameseMixin, serializers.Serializer):
    plan = serializers.IntegerField(help_text="Mã số (id) kế hoạch bạn được sửa (chưa ban hành).")


class AddLostResultSerializer(serializers.Serializer):
    plan = serializers.IntegerField()
    rows = serializers.ListField(
        child=serializers.CharField(), help_text="Mã các tiêu chí đã ghi vào phụ lục."
    )


@extend_schema(
    tags=[TAG],
    parameters=[ROUND_PK],
    summary="Đưa điểm bị mất vào phụ lục tồn tại, hạn chế của kế hoạch",
    description="Chuyên viên điều phối của tỉnh: mỗi tiêu chí Bộ chấm dưới điểm tối đa thành một dòng của phụ "
    "lục (điểm đạt, tối đa, bị mất, sở chịu trách nhiệm, ghi chú về phần bị cắt); dòng cùng chỉ số và tiêu chí "
    "đã có thì được cập nhật, gọi lại không thêm trùng. Có lịch sử thay đổi của kế hoạch.",
    request=AddLostRequestSerializer,
    responses=write_responses(AddLostResultSerializer),
)
class ProvinceAddLostView(AssessmentApi, APIView):
    def post(self, request: Request, pk: int) -> Response:
        rnd, _sheet = _province_round(self.user, pk)
        _require_run(self.user, rnd)
        data = AddLostRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = get_object_or_404(plan_perms.visible_plans(self.user), pk=data.validated_data["plan"])
        assert isinstance(plan, Plan)
        rows = province.add_lost_to_plan(rnd, plan, self.user)
        return Response({"plan": plan.pk, "rows": [r.node_code for r in rows]})
