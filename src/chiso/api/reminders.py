"""REST API of the user's reminders (in the app and by e-mail), newest first."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, serializers

from chiso.notifications.models import Reminder
from chiso.plans.models import Task

from .common import (
    CHANNELS,
    E403_READ,
    ERR,
    REMINDER_KINDS,
    TAG_REMINDERS,
    ChannelField,
    PlansApi,
    ReminderKindField,
)
from .errors import InvalidInput
from .pagination import Pagination

__all__ = ["ReminderListView", "ReminderSerializer"]


class ReminderSerializer(serializers.ModelSerializer):
    kind = ReminderKindField(choices=REMINDER_KINDS, read_only=True)
    channel = ChannelField(choices=CHANNELS, read_only=True)
    task = serializers.SerializerMethodField(help_text="Nhiệm vụ được nhắc (trống với bản tổng hợp).")

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_task(self, obj: Reminder) -> int | None:
        return obj.object_id if obj.key.startswith(f"{Task._meta.label_lower}:") else None

    class Meta:
        model = Reminder
        fields = [
            "id",
            "task",
            "unit",
            "kind",
            "channel",
            "due",
            "subject",
            "body",
            "url",
            "sent_at",
            "read_at",
        ]
        read_only_fields = fields


@extend_schema(
    tags=[TAG_REMINDERS],
    summary="Nhắc việc của tôi",
    description="Các nhắc việc (trong ứng dụng và thư điện tử) đã gửi cho người dùng hiện tại, mới nhất "
    "trước. Có phân trang.",
    parameters=[OpenApiParameter("unread", bool, description="true: chỉ các nhắc việc chưa đọc.")],
    responses={200: ReminderSerializer(many=True), 400: OpenApiResponse(ERR), 403: E403_READ},
)
class ReminderListView(PlansApi, generics.ListAPIView):
    serializer_class = ReminderSerializer
    pagination_class = Pagination

    def get_queryset(self):
        qs = Reminder.objects.filter(user=self.user).order_by("-sent_at", "-pk")
        unread = self.request.query_params.get("unread", "").strip().lower()
        if unread:
            if unread not in {"true", "false", "1", "0"}:
                raise InvalidInput(f"Tham số “unread” phải là true hoặc false (nhận được “{unread}”).")
            qs = qs.filter(read_at__isnull=unread in {"true", "1"})
        return qs
