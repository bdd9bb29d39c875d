"""Pagination of the API lists (limit/offset, as in REST_FRAMEWORK), documented in Vietnamese. A
``limit`` above ``API_MAX_PAGE_SIZE`` (settings) answers that many: no request reads a whole table."""

from __future__ import annotations

from django.conf import settings
from rest_framework.pagination import LimitOffsetPagination


class Pagination(LimitOffsetPagination):
    max_limit = settings.API_MAX_PAGE_SIZE
    limit_query_description = (
        f"Số kết quả tối đa trả về (mặc định 100, nhiều nhất {settings.API_MAX_PAGE_SIZE})."
    )
    offset_query_description = "Vị trí bắt đầu (số kết quả bỏ qua)."

    def get_offset(self, request):
        # An offset past any table (a 20-digit number) would overflow the database's integer.
        return min(super().get_offset(request), 2**31 - 1)
