"""REST API of progress reports and their evidence files: a task's reports (list, report), one report,
its evidence (list, upload). Every rule of a report (who reports for which unit, the period, the
percent, the product of a task done, the files) lives in chiso.tracking.services.execution; who may:
chiso.tracking.permissions."""

from __future__ import annotations

from functools import cached_property

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chiso.plans.models import Task
from chiso.tracking import permissions as report_perms
from chiso.tracking.models import REPORT_FIELDS, Evidence, ProgressReport
from chiso.tracking.services.execution import add_evidence, save_report
from chiso.units.models import Unit

from .common import (
    DATE_INPUTS,
    E403,
    E404,
    FIELD_ERRORS,
    PK,
    REPORT_STATES,
    TAG_REPORTS,
    TASK_PK,
    DocumentedInteger,
    PlansApi,
    ReportStateField,
    VietnameseMixin,
    list_operations,
    period_label_or_code,
    read_responses,
    visible_task,
    write_responses,
)
from .concurrency import (
    E412,
    IDEMPOTENCY_KEY,
    IF_MATCH_OPTIONAL,
    IdempotentCreate,
    Versioned,
    expected_revision,
)
from .pagination import Pagination

__all__ = ["ReportDetailView", "ReportEvidenceView", "ReportSerializer", "TaskReportListView"]


class EvidenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Evidence
        fields = ["id", "name", "content_type", "size", "sha256", "scan_status", "uploaded_at"]
        read_only_fields = fields


class ReportSerializer(VietnameseMixin, serializers.ModelSerializer):
    unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(),
        required=False,
        help_text="Mã số (id) đơn vị báo cáo; có thể bỏ trống khi người dùng chỉ báo cáo cho một đơn vị.",
    )
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    period = serializers.CharField(
        max_length=20, help_text="Kỳ báo cáo: 2025-Q1 (quý), 2025-H1 (6 tháng), 2025 (năm)."
    )
    period_label = serializers.SerializerMethodField(help_text="Tên kỳ, ví dụ “Quý I/2025”.")
    state = ReportStateField(choices=REPORT_STATES)
    # The bounds are documented; save_report checks them (with the other rules of a report).
    percent = DocumentedInteger(min_value=0, max_value=100, help_text="Tiến độ (%), từ 0 đến 100.")
    submitted_by = serializers.CharField(source="submitted_by.username", read_only=True, allow_null=True)
    evidence = EvidenceSerializer(many=True, read_only=True, help_text="Các tệp minh chứng.")

    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "task",
            "unit",
            "unit_name",
            "period",
            "period_label",
            *REPORT_FIELDS,
            "submitted_by",
            "submitted_at",
            "evidence",
            "revision",
        ]
        read_only_fields = ["task", "submitted_at", "revision"]
        extra_kwargs = {
            "product_date": {
                "input_formats": DATE_INPUTS,
                "help_text": "Ngày văn bản sản phẩm (yyyy-mm-dd hoặc dd/mm/yyyy).",
            },
        }

    def get_period_label(self, obj: ProgressReport) -> str:
        return period_label_or_code(obj.period)


@extend_schema_field({"type": "array", "items": {"type": "string", "format": "binary"}})
class UploadedFilesField(serializers.ListField):
    child = serializers.FileField()


class EvidenceUploadSerializer(serializers.Serializer):
    """Tải lên minh chứng: một hoặc nhiều tệp, gửi dạng multipart/form-data."""

    # Documentation only: ReportEvidenceView reads request.FILES itself.

    file = UploadedFilesField(
        min_length=1,
        help_text="Một hoặc nhiều tệp minh chứng (pdf, docx, xlsx, pptx, odt, ods, doc, xls, jpg, png, zip); "
        "lặp lại trường “file” cho mỗi tệp.",
    )


def _reports(qs):
    return qs.select_related("unit", "submitted_by", "task").prefetch_related("evidence")


@extend_schema_view(
    **list_operations(
        ReportSerializer,
        (
            "Báo cáo tiến độ của nhiệm vụ",
            "Các báo cáo người dùng được xem: của đơn vị mình; đơn vị chủ trì thấy cả báo cáo của các "
            "đơn vị phối hợp; người điều phối, lãnh đạo, người xem thấy tất cả. Có phân trang.",
        ),
        (
            "Báo cáo tiến độ",
            "Báo cáo của một đơn vị (chủ trì hoặc phối hợp) cho một kỳ của thời gian thực hiện kế "
            "hoạch. Mỗi nhiệm vụ, đơn vị, kỳ có một báo cáo: gửi lại cho cùng kỳ là cập nhật báo cáo đó (200), "
            "báo cáo mới: 201. Chỉ cho nhiệm vụ của kế hoạch đã ban hành, chỉ cán bộ của đơn vị đó (hoặc người "
            "điều phối). Tiến độ 0–100; đã hoàn thành (tiến độ ghi 100) thì cần sản phẩm: số, ngày, cơ quan "
            "ban hành văn bản. Tiến độ của nhiệm vụ được tính lại sau mỗi báo cáo (theo đơn vị chủ trì). "
            "Gửi trùng (bấm hai lần, gửi lại khi mất kết nối) không sinh lỗi hay bản sao: với cùng "
            "Idempotency-Key, nhận lại báo cáo đã ghi (200, không ghi gì thêm); tệp minh chứng trùng nội "
            "dung không được lưu hai lần. If-Match (tùy chọn) với ETag đã đọc: người khác đã sửa báo cáo "
            "kỳ này sau đó thì 412.",
        ),
        parameters=[IDEMPOTENCY_KEY, IF_MATCH_OPTIONAL],
        responses={201: ReportSerializer, **write_responses(ReportSerializer), 412: E412},
    )
)
@extend_schema(tags=[TAG_REPORTS], parameters=[TASK_PK])
class TaskReportListView(PlansApi, IdempotentCreate, Versioned, generics.ListCreateAPIView):
    serializer_class = ReportSerializer
    pagination_class = Pagination

    @cached_property
    def task(self) -> Task:
        return visible_task(self.user, self.kwargs["task_id"])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return ProgressReport.objects.none()
        return _reports(report_perms.visible_reports(self.user).filter(task=self.task)).order_by(
            "-period", "unit__name", "pk"
        )

    def create(self, request, *args, **kwargs):
        task = self.task
        report_perms.require_reporting(self.user, task)  # 403 (with the reason) before reading the body
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        report = self.keyed(
            save_report(
                task,
                self.user,
                data.pop("unit", None),
                data.pop("period"),
                data,
                revision=expected_revision(request, required=False),
                key=self.idempotency_key,
            )
        )
        code = status.HTTP_201_CREATED if report.was_created else status.HTTP_200_OK
        return Response(
            self.get_serializer(_reports(ProgressReport.objects).get(pk=report.pk)).data, status=code
        )


@extend_schema(
    tags=[TAG_REPORTS],
    parameters=[PK],
    summary="Một báo cáo tiến độ",
    description="Chỉ khi người dùng được xem báo cáo này (cán bộ đơn vị khác: 404).",
    responses=read_responses(ReportSerializer),
)
class ReportDetailView(PlansApi, Versioned, generics.RetrieveAPIView):
    serializer_class = ReportSerializer

    def get_object(self) -> ProgressReport:
        report = get_object_or_404(_reports(ProgressReport.objects), pk=self.kwargs["pk"])
        if not report_perms.can_view_report(self.user, report):
            raise Http404
        return report


# --- evidence of progress reports

REPORT_PK = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Mã số (id) báo cáo tiến độ.")


@extend_schema_view(
    **list_operations(
        EvidenceSerializer,
        (
            "Minh chứng của báo cáo tiến độ",
            "Các tệp minh chứng của báo cáo, cũ nhất trước; chỉ khi người dùng được xem báo cáo "
            "(cán bộ đơn vị khác: 404).",
        ),
        (
            "Tải lên minh chứng",
            "multipart/form-data, trường “file” (lặp lại cho nhiều tệp). Chỉ người báo cáo được cho "
            "đơn vị của báo cáo (cán bộ của đơn vị đó hoặc người điều phối), khi kế hoạch đang ở trạng thái đã "
            "ban hành; người khác được xem báo cáo: 403. Mỗi tệp được kiểm tra loại (theo đuôi và theo nội "
            "dung), dung lượng, virus; một tệp không đạt: 400 và không tệp nào được lưu. Trả về toàn bộ danh "
            "sách minh chứng của báo cáo (201).",
        ),
        request={"multipart/form-data": EvidenceUploadSerializer},
        responses={201: EvidenceSerializer(many=True), 400: FIELD_ERRORS, 403: E403, 404: E404},
    )
)
@extend_schema(tags=[TAG_REPORTS], parameters=[REPORT_PK])
class ReportEvidenceView(PlansApi, APIView):
    """The evidence files of one progress report: list them, add some."""

    service_fields = {"evidence": "file"}  # the service's name of the files, this endpoint's

    def report(self) -> ProgressReport:
        report = get_object_or_404(
            ProgressReport.objects.select_related("task__plan", "unit"), pk=self.kwargs["pk"]
        )
        if not report_perms.can_view_report(self.user, report):
            raise Http404
        return report

    def _list(self, report: ProgressReport, code: int = status.HTTP_200_OK) -> Response:
        files = Evidence.objects.filter(report=report).order_by("uploaded_at", "pk")
        return Response(EvidenceSerializer(files, many=True).data, status=code)

    def get(self, request: Request, pk: int) -> Response:
        return self._list(self.report())

    def post(self, request: Request, pk: int) -> Response:
        report = self.report()
        add_evidence(report, self.user, request.FILES.getlist("file"))
        return self._list(report, status.HTTP_201_CREATED)
