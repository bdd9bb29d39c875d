"""REST API of a plan's tasks: list, add, read, edit, delete. Every rule of a task (text, nodes of the
index, a lead, units of the plan's province, deadline / recurrence / first due date within the plan's
years) lives in chiso.plans.services.plans.save_task."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chiso.plans import permissions as perms
from chiso.plans.models import RequestStatus, Task
from chiso.plans.services import plans as plan_services
from chiso.plans.services.requests import answer_request
from chiso.units.models import Unit

from .common import (
    DATE_INPUTS,
    PK,
    PRIORITIES,
    RECURRENCES,
    TAG_TASKS,
    UNIT_CLASSES,
    IndexCodeField,
    PlanChildMixin,
    PlanPartMixin,
    PlansApi,
    PriorityField,
    RecurrenceField,
    UnitClassField,
    VietnameseMixin,
    detail_operations,
    plan_children,
    tasks_of,
    visible_task,
    write_responses,
)
from .concurrency import IdempotentCreate, Versioned
from .pagination import Pagination

__all__ = ["PlanTaskListView", "TaskAnswerView", "TaskDetailView", "TaskSerializer"]

#: What chiso keeps of a task (its library entry, its origin when cascaded, its state from the reports).
KEPT_FIELDS = ("library_key", "origin", "progress", "done", "done_on", "last_reported_at")


class UnitNameSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "code", "name"]
        read_only_fields = fields


class TaskSerializer(VietnameseMixin, serializers.ModelSerializer):
    index = IndexCodeField(
        required=False,
        allow_blank=True,
        help_text="Mã chỉ số của nhiệm vụ (/api/indices/); trống: nhiệm vụ chung.",
    )
    # Bounds stated here: the model field's own range differs between SQLite and PostgreSQL.
    order = serializers.IntegerField(
        min_value=0, max_value=2147483647, required=False, help_text="Số thứ tự trong kế hoạch."
    )
    nodes = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        help_text='Mã các nội dung chỉ số nhiệm vụ phục vụ, ví dụ ["D1.1", "D8.3"].',
    )
    lead_unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(), allow_null=True, required=False, help_text="Mã số (id) đơn vị chủ trì."
    )
    lead_unit_name = serializers.CharField(source="lead_unit.name", read_only=True, allow_null=True)
    new_office = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="Kế hoạch triển khai của sở, huyện, xã: tên một phòng, ban mới của đơn vị, được thêm vào "
        "chiso và làm đơn vị chủ trì nhiệm vụ (thay cho lead_unit).",
    )
    lead_class = UnitClassField(choices=UNIT_CLASSES, required=False, allow_blank=True)
    coordinating_units = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(), many=True, required=False, help_text="Mã số (id) các đơn vị phối hợp."
    )
    coordinating = UnitNameSerializer(
        source="coordinating_units", many=True, read_only=True, help_text="Các đơn vị phối hợp (tên)."
    )
    recurrence = RecurrenceField(choices=RECURRENCES, required=False)
    priority = PriorityField(choices=PRIORITIES, required=False)
    due = serializers.SerializerMethodField(help_text="Hạn gần nhất (lần tới phải hoàn thành hoặc báo cáo).")

    is_request = serializers.BooleanField(
        required=False,
        help_text="Đề nghị cơ quan ngoài hệ thống hành chính (Mặt trận, đoàn thể, báo chí, công an…): kế "
        "hoạch ghi «Đề nghị …» riêng; chỉ theo dõi khi cơ quan đó nhận (request_status accepted).",
    )
    request_status = serializers.ChoiceField(
        choices=RequestStatus.choices,
        read_only=True,
        help_text="Phản hồi của cơ quan được đề nghị: pending (chờ), accepted (nhận), declined (không nhận); "
        "trống với nhiệm vụ được giao. Ghi bằng POST /api/tasks/{id}/answer/.",
    )
    tracked = serializers.BooleanField(
        read_only=True,
        help_text="Được theo dõi (nhắc hạn, tổng hợp): nhiệm vụ được giao hoặc đề nghị đã nhận.",
    )
    revision = serializers.IntegerField(
        read_only=True, help_text="Phiên bản chỉnh sửa (cũng là ETag): gửi lại trong If-Match khi sửa."
    )

    class Meta:
        model = Task
        fields = [
            "id",
            "plan",
            "order",
            "text",
            "index",
            "nodes",
            "lead_unit",
            "lead_unit_name",
            "new_office",
            "lead_class",
            "lead_text",
            "coordinating_units",
            "coordinating",
            "coordinating_text",
            "product",
            "deadline",
            "recurrence",
            "first_due",
            "due",
            "priority",
            "activity",
            "is_request",
            "request_status",
            "tracked",
            *KEPT_FIELDS,
            "revision",
        ]
        read_only_fields = ["plan", *KEPT_FIELDS]
        extra_kwargs = {
            "deadline": {"input_formats": DATE_INPUTS, "help_text": "Thời hạn (yyyy-mm-dd hoặc dd/mm/yyyy)."},
            "first_due": {
                "input_formats": DATE_INPUTS,
                "help_text": "Hạn lần đầu của nhiệm vụ định kỳ (yyyy-mm-dd hoặc dd/mm/yyyy).",
            },
        }

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_due(self, obj: Task) -> dt.date | None:
        try:
            return obj.due_date(timezone.localdate())
        except ValueError:
            return None


@plan_children(
    TAG_TASKS,
    TaskSerializer,
    (
        "Các nhiệm vụ của kế hoạch",
        "Người điều phối, lãnh đạo, người xem thấy mọi nhiệm vụ; cán bộ đơn vị chỉ thấy nhiệm vụ "
        "đơn vị mình chủ trì hoặc phối hợp. Có phân trang (limit, offset).",
    ),
    (
        "Thêm nhiệm vụ",
        "Khi kế hoạch còn sửa được (người điều phối của cơ quan ban hành). Đơn vị chủ trì, phối "
        "hợp phải thuộc địa phương của kế hoạch; nhiệm vụ một lần cần thời hạn, nhiệm vụ lặp lại cần hạn "
        "lần đầu.",
    ),
)
class PlanTaskListView(PlansApi, IdempotentCreate, PlanChildMixin, generics.ListCreateAPIView):
    serializer_class = TaskSerializer
    pagination_class = Pagination

    def children(self, plan):
        return tasks_of(perms.visible_tasks(self.user).filter(plan=plan))

    def save(self, plan, data: dict) -> Task:
        task = self.keyed(plan_services.save_task(plan, self.user, data, key=self.idempotency_key))
        return visible_task(self.user, task.pk)


@extend_schema_view(
    **detail_operations(
        TaskSerializer,
        "nhiệm vụ",
        read="Kèm tiến độ và trạng thái hoàn thành tổng hợp từ các báo cáo.",
        update="Khi kế hoạch còn sửa được (người điều phối của cơ quan ban hành).",
        delete=("Xóa nhiệm vụ", "Khi kế hoạch còn sửa được; xóa cả các báo cáo tiến độ của nhiệm vụ."),
    )
)
@extend_schema(tags=[TAG_TASKS], parameters=[PK])
class TaskDetailView(PlansApi, PlanPartMixin, Versioned, generics.RetrieveUpdateDestroyAPIView):
    serializer_class = TaskSerializer

    def get_object(self) -> Task:
        return visible_task(self.user, self.kwargs["pk"])

    def perform_update(self, serializer):
        task = serializer.instance
        task = plan_services.save_task(
            task.plan, self.user, dict(serializer.validated_data), task, revision=self.expected_revision
        )
        serializer.instance = visible_task(self.user, task.pk)

    def perform_destroy(self, instance: Task) -> None:
        plan_services.delete_task(instance, self.user)


class TaskAnswerSerializer(VietnameseMixin, serializers.Serializer):
    accepted = serializers.BooleanField(help_text="true: cơ quan nhận thực hiện; false: không nhận.")


@extend_schema(
    tags=[TAG_TASKS],
    parameters=[PK],
    summary="Ghi phản hồi của cơ quan được đề nghị",
    description="Với nội dung đề nghị (is_request): cơ quan ngoài hệ thống hành chính nhận thực hiện (từ đó "
    "nhiệm vụ được theo dõi, nhắc hạn như nhiệm vụ được giao) hoặc không nhận. Người điều phối của cơ quan "
    "ban hành hoặc cán bộ của cơ quan được đề nghị; nhiệm vụ được giao: 400. Gửi lại cùng phản hồi không "
    "thay đổi gì.",
    request=TaskAnswerSerializer,
    responses=write_responses(TaskSerializer, conflict=True),
)
class TaskAnswerView(PlansApi, APIView):
    def post(self, request: Request, pk: int) -> Response:
        task = visible_task(self.user, pk)
        data = TaskAnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answer_request(task, self.user, data.validated_data["accepted"])
        return Response(TaskSerializer(visible_task(self.user, pk), context={"request": request}).data)
