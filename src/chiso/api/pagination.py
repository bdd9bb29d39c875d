"""Pagination of the API lists (limit/offset, as in REST_FRAMEWORK), documented in Vietnamese."""

from __future__ import annotations

from rest_framework.pagination import LimitOffsetPagination


class Pagination(LimitOffsetPagination):
    limit_query_description = "Số kết quả tối đa trả về (mặc định 100)."
    offset_query_description = "Vị trí bắt đầu (số kết quả bỏ qua)."
