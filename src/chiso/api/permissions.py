"""Who may read the API: every signed-in account with a role on some unit (rule ``chiso.view_data``)."""

from __future__ import annotations

from rest_framework.permissions import BasePermission


class CanViewData(BasePermission):
    """Anonymous requests are refused by DRF as "not authenticated" (403 with session auth first,
    see ``REST_FRAMEWORK``); a signed-in account without any membership gets 403 with this message."""

    message = "Tài khoản chưa được giao vai trò tại đơn vị nào nên chưa xem được dữ liệu."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm("chiso.view_data"))
