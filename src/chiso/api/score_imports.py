"""REST API of score imports: a file of scores (a unit column, one column per leaf criterion code) for one
stage of a round — previewed (every row and cell: new, changed, unchanged, or what is wrong), or committed
all or nothing. Rules: chiso.assessment.services.imports; who may: chiso.assessment.permissions
(``can_import``)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chiso.assessment import permissions as perms
from chiso.assessment.models import ScoreImport
from chiso.assessment.services.imports import commit_scores, preview_scores

from .assessment import (
    IMPORT_STAGES,
    ROUND_PK,
    TAG_ROUNDS,
    AssessmentApi,
    ImportStageField,
    commit_field,
    file_import,
    source_field,
    visible_round,
)
from .common import E403, E404, UploadField, VietnameseMixin, write_responses

__all__ = ["RoundImportView"]


class ScoreImportRequestSerializer(VietnameseMixin, serializers.Serializer):
    file = UploadField(help_text="Tệp CSV, XLSX, XLS hoặc ODS: cột đơn vị và một cột cho mỗi mã tiêu chí.")
    stage = ImportStageField(choices=IMPORT_STAGES)
    commit = commit_field()
    source = source_field(
        "Nguồn điểm ghi kèm (ví dụ: Kết quả khảo sát SIPAS 2025 của tỉnh; Kết quả thẩm định của Bộ)."
    )


class ScoreImportCellSerializer(serializers.Serializer):
    criterion = serializers.CharField()
    old = serializers.FloatField(allow_null=True, help_text="Điểm đang có.")
    new = serializers.FloatField(allow_null=True, help_text="Điểm trong tệp.")
    status = serializers.CharField(help_text="new, changed hoặc unchanged.")


class ScoreImportRowSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text="Dòng trong tệp.")
    unit = serializers.CharField()
    status = serializers.CharField(help_text="new, changed, unchanged hoặc error.")
    errors = serializers.ListField(child=serializers.CharField())
    warnings = serializers.ListField(
        child=serializers.CharField(),
        help_text="Giá trị đọc được nhưng cần kiểm tra: “1.000” đọc là 1, ký hiệu “%” bị bỏ.",
    )
    cells = ScoreImportCellSerializer(many=True)


class ScoreImportColumnSerializer(serializers.Serializer):
    column = serializers.CharField()
    meaning = serializers.CharField(help_text="Mã tiêu chí, hoặc tên/mã đơn vị.")


class ScoreImportResultSerializer(serializers.Serializer):
    round = serializers.IntegerField()
    stage = ImportStageField(choices=IMPORT_STAGES)
    file = serializers.CharField()
    ok = serializers.BooleanField(help_text="Không có lỗi: ghi được.")
    committed = serializers.BooleanField(help_text="Đã ghi.")
    written = serializers.IntegerField(help_text="Số điểm đã ghi.")
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="Số dòng theo tình trạng.")
    columns = ScoreImportColumnSerializer(many=True)
    ignored_columns = serializers.ListField(child=serializers.CharField())
    errors = serializers.ListField(child=serializers.CharField(), help_text="Mọi lỗi, “Dòng N: …”.")
    notes = serializers.ListField(child=serializers.CharField())
    rows = ScoreImportRowSerializer(many=True)


class ScoreImportBatchSerializer(serializers.ModelSerializer):
    imported_by = serializers.CharField(source="imported_by.username", read_only=True, allow_null=True)

    class Meta:
        model = ScoreImport
        fields = ["id", "file_name", "sha256", "stage", "ministry", "source", "rows", "written", "imported_by",
                  "imported_at"]  # fmt: skip
        read_only_fields = fields


@extend_schema(tags=[TAG_ROUNDS], parameters=[ROUND_PK])
class RoundImportView(AssessmentApi, APIView):
    @extend_schema(
        summary="Các lần nhập điểm từ tệp",
        description="Mỗi tệp điểm đã ghi vào đợt (kể cả kết quả thẩm định của Bộ): tên tệp, SHA-256, giai đoạn, "
        "nguồn, số dòng, số điểm đã ghi, ai nhập (null: dòng lệnh trên máy chủ), lúc nào; mới nhất trước. Người "
        "giám sát tỉnh thấy mọi lần nhập; người khác thấy các lần mình nhập.",
        responses={200: ScoreImportBatchSerializer(many=True), 403: E403, 404: E404},
    )
    def get(self, request: Request, pk: int) -> Response:
        rnd = visible_round(self.user, pk)
        return Response(ScoreImportBatchSerializer(perms.visible_imports(self.user, rnd), many=True).data)

    @extend_schema(
        summary="Nhập điểm từ tệp",
        description="multipart/form-data: file, stage (self, appraisal, final, survey), commit, source. Xem trước "
        "(commit=false): 200 với từng dòng, từng ô (mới, thay đổi, không đổi, lỗi và lý do), không ghi gì. Ghi "
        '(commit=true): tất cả hoặc không gì; tệp có lỗi: 400 {"file": ["Dòng N: …"]}. Nhập lại cùng tệp không '
        "thay đổi gì. Ai nhập: chuyên viên điều phối của tỉnh (tự đánh giá, khảo sát); thành viên thẩm định được "
        "phân công (thẩm định, thẩm định lại: chỉ đơn vị và tiêu chí của mình); đợt đánh giá chính tỉnh: chuyên "
        "viên điều phối nhập kết quả thẩm định của Bộ. Chỉ khi giai đoạn của điểm đang mở (khảo sát: tới khi đợt "
        "kết thúc).",
        request={"multipart/form-data": ScoreImportRequestSerializer},
        responses=write_responses(ScoreImportResultSerializer, conflict=True),
    )
    def post(self, request: Request, pk: int) -> Response:
        rnd = visible_round(self.user, pk)
        v, content, name, limit = file_import(ScoreImportRequestSerializer, request)
        if v["commit"]:
            result = commit_scores(rnd, content, name, v["stage"], self.user, v["source"], max_bytes=limit)
        else:
            result = preview_scores(rnd, content, name, v["stage"], user=self.user, max_bytes=limit)
        return Response(result.as_data())
