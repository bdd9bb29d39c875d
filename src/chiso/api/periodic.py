"""REST API of periodic reports (read-only): a plan's quarterly, 6-month and annual reports compiled
from what units reported, and one of them. Who reads what: chiso.tracking.services.periodic."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from chiso.plans import permissions as perms
from chiso.tracking.models import PeriodicReport
from chiso.tracking.services import periodic as periodic_services

from .common import (
    PERIOD_KINDS,
    PK,
    PLAN_PK,
    PLAN_STATUSES,
    TAG_PERIODIC,
    PeriodKindField,
    PlansApi,
    PlanStatusField,
    period_label_or_code,
    read_responses,
    visible_plan,
)
from .concurrency import Versioned

__all__ = ["PeriodicReportDetailView", "PeriodicReportSerializer", "PlanPeriodicReportListView"]


class PeriodicReportSerializer(serializers.ModelSerializer):
    period_kind = PeriodKindField(choices=PERIOD_KINDS, read_only=True)
    period_label = serializers.SerializerMethodField(help_text="Tên kỳ, ví dụ “Quý I/2025”.")
    number_symbol = serializers.CharField(read_only=True, help_text="Số và ký hiệu, ví dụ 45/BC-UBND.")
    status = PlanStatusField(choices=PLAN_STATUSES, read_only=True)
    status_label = serializers.SerializerMethodField(help_text="Tên trạng thái (tiếng Việt).")
    content = serializers.JSONField(
        read_only=True,
        help_text="Nội dung báo cáo theo phần: overview (tình hình chung), results (kết quả từng nhiệm vụ), "
        "late (nhiệm vụ chậm tiến độ), difficulties (khó khăn, vướng mắc), proposals (đề xuất, kiến nghị).",
    )

    class Meta:
        model = PeriodicReport
        fields = [
            "id",
            "plan",
            "period",
            "period_kind",
            "period_label",
            "number_symbol",
            "date",
            "title",
            "status",
            "status_label",
            "content",
            "created_at",
            "issued_at",
            "revision",
        ]
        read_only_fields = fields

    def get_period_label(self, obj: PeriodicReport) -> str:
        return period_label_or_code(obj.period)

    def get_status_label(self, obj: PeriodicReport) -> str:
        return obj.status_label


@extend_schema(
    tags=[TAG_PERIODIC],
    parameters=[PLAN_PK],
    summary="Báo cáo định kỳ của kế hoạch",
    description="Báo cáo quý, 6 tháng, năm tổng hợp từ báo cáo tiến độ của các đơn vị, kỳ mới nhất trước. "
    "Người điều phối, lãnh đạo, người xem của cơ quan ban hành thấy mọi báo cáo (cả dự thảo); người khác "
    "xem được kế hoạch chỉ thấy báo cáo đã ban hành hoặc đã kết thúc. Kế hoạch ngoài phạm vi: 404.",
    responses=read_responses(PeriodicReportSerializer, many=True),
)
class PlanPeriodicReportListView(PlansApi, generics.ListAPIView):
    serializer_class = PeriodicReportSerializer
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return PeriodicReport.objects.none()
        plan = visible_plan(self.user, self.kwargs["plan_id"])
        qs = plan.periodic_reports.all()
        if not periodic_services.can_read_reports(self.user, plan):
            qs = qs.filter(status__in=PeriodicReport.workflow().public_states)
        return qs.order_by("-period", "-pk")


@extend_schema(
    tags=[TAG_PERIODIC],
    parameters=[PK],
    summary="Một báo cáo định kỳ",
    description="Kèm nội dung (content) theo từng phần. Dự thảo chỉ người điều phối, lãnh đạo, người xem của "
    "cơ quan ban hành thấy; người khác: 404.",
    responses=read_responses(PeriodicReportSerializer),
)
class PeriodicReportDetailView(PlansApi, Versioned, generics.RetrieveAPIView):
    serializer_class = PeriodicReportSerializer

    def get_object(self) -> PeriodicReport:
        report = get_object_or_404(PeriodicReport.objects.select_related("plan"), pk=self.kwargs["pk"])
        plan = perms.visible_plans(self.user).filter(pk=report.plan_id).first()
        if plan is None:
            raise Http404
        if not report.is_public and not periodic_services.can_read_reports(self.user, plan):
            raise Http404
        return report
