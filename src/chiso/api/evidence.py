"""REST API of the evidence of a score sheet (tài liệu kiểm chứng): list it, upload files (multipart), link
a task's product or a progress report, download a file, remove a file or a link. Rules:
chiso.assessment.services.evidence; who may see it: whoever sees the sheet."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chiso.assessment import permissions as perms
from chiso.assessment.models import EvidenceFile, EvidenceLink, Sheet
from chiso.assessment.services import evidence as evidence_services
from chiso.files.responses import download
from chiso.plans.models import Task
from chiso.tracking.models import ProgressReport

from .assessment import SHEET_PK, TAG_EVIDENCE, AssessmentApi, visible_sheet
from .common import (
    DELETED,
    E403,
    E404,
    E409_STATE,
    FIELD_ERRORS,
    VietnameseMixin,
    read_responses,
    write_responses,
)
from .reports import UploadedFilesField

__all__ = [
    "EvidenceFileView",
    "EvidenceLinkView",
    "SheetEvidenceFilesView",
    "SheetEvidenceLinksView",
    "SheetEvidenceView",
]


class EvidenceFileSerializer(serializers.ModelSerializer):
    criterion = serializers.CharField(source="score.node.code", read_only=True)
    uploaded_by = serializers.CharField(source="uploaded_by.username", read_only=True, allow_null=True)
    stage = serializers.CharField(read_only=True, help_text="Công việc khi nộp: self hoặc explanation.")
    download = serializers.SerializerMethodField(help_text="Địa chỉ tải tệp.")

    class Meta:
        model = EvidenceFile
        fields = [
            "id",
            "criterion",
            "name",
            "content_type",
            "size",
            "sha256",
            "scan_status",
            "stage",
            "uploaded_by",
            "uploaded_at",
            "download",
        ]
        read_only_fields = fields

    def get_download(self, obj: EvidenceFile) -> str:
        return f"/api/assessment/evidence-files/{obj.pk}/"


class EvidenceLinkSerializer(serializers.ModelSerializer):
    criterion = serializers.CharField(source="score.node.code", read_only=True)
    added_by = serializers.CharField(source="added_by.username", read_only=True, allow_null=True)

    class Meta:
        model = EvidenceLink
        fields = ["id", "criterion", "task", "report", "label", "note", "added_by", "added_at"]
        read_only_fields = fields


class ScoreEvidenceSerializer(serializers.Serializer):
    files = EvidenceFileSerializer(many=True)
    links = EvidenceLinkSerializer(many=True)


class ScoreEvidenceUploadSerializer(serializers.Serializer):
    """Tải lên tài liệu kiểm chứng cho một tiêu chí: multipart/form-data."""

    # Documentation only: SheetEvidenceFilesView reads request.FILES itself.
    criterion = serializers.CharField(help_text="Mã tiêu chí.")
    file = UploadedFilesField(help_text="Một hoặc nhiều tệp; lặp lại trường “file” cho mỗi tệp.")


class EvidenceLinkCreateSerializer(VietnameseMixin, serializers.Serializer):
    criterion = serializers.CharField(max_length=40, help_text="Mã tiêu chí.")
    task = serializers.PrimaryKeyRelatedField(
        queryset=Task.objects.all(), required=False, allow_null=True, help_text="Mã số (id) nhiệm vụ."
    )
    report = serializers.PrimaryKeyRelatedField(
        queryset=ProgressReport.objects.all(),
        required=False,
        allow_null=True,
        help_text="Mã số (id) báo cáo tiến độ.",
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


def _evidence(sheet: Sheet, criterion: str = "", limit: frozenset[str] | None = None) -> dict:
    """The sheet's evidence (of one criterion), of the criteria in ``limit`` only when given
    (``perms.criteria_limit``: a department's officer on the province's sheet)."""
    files = EvidenceFile.objects.filter(score__sheet=sheet).select_related("score__node", "uploaded_by")
    links = EvidenceLink.objects.filter(score__sheet=sheet).select_related("score__node", "added_by")
    if limit is not None:
        files, links = files.filter(score__node__code__in=limit), links.filter(score__node__code__in=limit)
    if criterion:
        files, links = files.filter(score__node__code=criterion), links.filter(score__node__code=criterion)
    return {
        "files": EvidenceFileSerializer(files.order_by("uploaded_at", "pk"), many=True).data,
        "links": EvidenceLinkSerializer(links.order_by("added_at", "pk"), many=True).data,
    }


@extend_schema(
    tags=[TAG_EVIDENCE],
    parameters=[
        SHEET_PK,
        OpenApiParameter("criterion", str, description="Chỉ tài liệu của tiêu chí này (mã)."),
    ],
    summary="Tài liệu kiểm chứng của phiếu",
    description="Tệp và liên kết (sản phẩm, báo cáo tiến độ của nhiệm vụ) của mọi tiêu chí, hoặc của một tiêu "
    "chí. Ai xem được phiếu thì xem được (cán bộ sở trên phiếu của tỉnh: chỉ các tiêu chí sở chủ trì, phối hợp).",
    responses=read_responses(ScoreEvidenceSerializer),
)
class SheetEvidenceView(AssessmentApi, APIView):
    def get(self, request: Request, pk: int) -> Response:
        sheet = visible_sheet(self.user, pk)
        limit = perms.criteria_limit(self.user, sheet)
        return Response(_evidence(sheet, request.query_params.get("criterion", "").strip(), limit))


@extend_schema(
    tags=[TAG_EVIDENCE],
    parameters=[SHEET_PK],
    summary="Tải lên tài liệu kiểm chứng",
    description="multipart/form-data: “criterion” và “file” (lặp lại cho nhiều tệp). Đơn vị được đánh giá (cán bộ "
    "của đơn vị; đợt đánh giá chính tỉnh: chuyên viên điều phối), khi tự đánh giá hoặc giải trình đang mở. Mỗi "
    "tệp được kiểm tra loại theo nội dung, dung lượng, virus; một tệp không đạt: 400 và không tệp nào được lưu. "
    "Trả về tài liệu của tiêu chí (201).",
    request={"multipart/form-data": ScoreEvidenceUploadSerializer},
    responses=write_responses(ScoreEvidenceSerializer, 201, conflict=True),
)
class SheetEvidenceFilesView(AssessmentApi, APIView):
    def post(self, request: Request, pk: int) -> Response:
        sheet = visible_sheet(self.user, pk)
        criterion = str(request.data.get("criterion", "")).strip()
        evidence_services.add_files(sheet, criterion, self.user, request.FILES.getlist("file"))
        return Response(_evidence(sheet, criterion), status=status.HTTP_201_CREATED)


@extend_schema(
    tags=[TAG_EVIDENCE],
    parameters=[SHEET_PK],
    summary="Liên kết sản phẩm hoặc báo cáo của nhiệm vụ",
    description="Một nhiệm vụ (task: sản phẩm của nhiệm vụ do đơn vị chủ trì hoặc phối hợp, trong kế hoạch đã ban "
    "hành) hoặc một báo cáo tiến độ của đơn vị (report) làm tài liệu kiểm chứng của tiêu chí. Cùng quyền và thời "
    "hạn như tải tệp. Trả về tài liệu của tiêu chí (201).",
    request=EvidenceLinkCreateSerializer,
    responses=write_responses(ScoreEvidenceSerializer, 201, conflict=True),
)
class SheetEvidenceLinksView(AssessmentApi, APIView):
    def post(self, request: Request, pk: int) -> Response:
        sheet = visible_sheet(self.user, pk)
        data = EvidenceLinkCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        evidence_services.link(
            sheet, v["criterion"], self.user, task=v.get("task"), report=v.get("report"), note=v["note"]
        )
        return Response(_evidence(sheet, v["criterion"]), status=status.HTTP_201_CREATED)


def _visible(model, user, pk: int):
    obj = get_object_or_404(
        model.objects.select_related("score__sheet__round", "score__sheet__unit", "score__node"), pk=pk
    )
    if not perms.can_view_sheet(user, obj.score.sheet) or not perms.sees_criterion(
        user, obj.score.sheet, obj.score.node.code
    ):
        raise Http404
    return obj


EVIDENCE_PK = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Mã số (id) tài liệu.")
REMOVED = {**DELETED, 400: FIELD_ERRORS, 409: E409_STATE}


@extend_schema(tags=[TAG_EVIDENCE], parameters=[EVIDENCE_PK])
class EvidenceFileView(AssessmentApi, APIView):
    @extend_schema(
        summary="Tải tệp tài liệu kiểm chứng",
        description="Luôn tải về (không mở trong trình duyệt), đúng tên và loại tệp. Ai xem được phiếu thì tải được.",
        responses={
            (200, "*/*"): OpenApiResponse(
                OpenApiTypes.BINARY, description="Tệp, với loại của chính nó (PDF, DOCX, XLSX, ảnh…)."
            ),
            403: E403,
            404: E404,
        },
    )
    def get(self, request: Request, pk: int):
        return download(_visible(EvidenceFile, self.user, pk))

    @extend_schema(
        summary="Gỡ tệp tài liệu kiểm chứng",
        description="Đơn vị được đánh giá, khi công việc lúc nộp tệp (tự đánh giá hoặc giải trình) còn mở.",
        responses=REMOVED,
    )
    def delete(self, request: Request, pk: int) -> Response:
        evidence_services.remove_file(_visible(EvidenceFile, self.user, pk), self.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(
    tags=[TAG_EVIDENCE],
    parameters=[EVIDENCE_PK],
    summary="Gỡ liên kết tài liệu kiểm chứng",
    description="Đơn vị được đánh giá, khi tự đánh giá còn mở.",
    responses=REMOVED,
)
class EvidenceLinkView(AssessmentApi, APIView):
    def delete(self, request: Request, pk: int) -> Response:
        evidence_services.remove_link(_visible(EvidenceLink, self.user, pk), self.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
