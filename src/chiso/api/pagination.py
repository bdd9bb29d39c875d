"""Pagination of the API lists (limit/offset, as in REST_FRAMEWORK), documented in Vietnamese. A
``limit`` above ``API_MAX_PAGE_SIZE`` (settings) answers that many: no request reads a whole table.
A ``limit`` or ``offset`` that is not a whole number (``limit=abc``, ``offset=-1``, the parameter given
twice) is refused with 400, as the schema says, rather than silently read as the default."""

from __future__ import annotations

from django.conf import settings
from rest_framework.pagination import LimitOffsetPagination

from .errors import InvalidInput

#: Twenty digits would overflow the database's integer: an offset past any table is capped.
MAX_OFFSET = 2**31 - 1


class Pagination(LimitOffsetPagination):
    max_limit = settings.API_MAX_PAGE_SIZE
    limit_query_description = (
        f"Số kết quả tối đa trả về (mặc định 100, nhiều nhất {settings.API_MAX_PAGE_SIZE})."
    )
    offset_query_description = "Vị trí bắt đầu (số kết quả bỏ qua)."

    @staticmethod
    def _whole(request, name: str, least: int) -> int | None:
        values = request.query_params.getlist(name)
        if not values:
            return None
        if len(values) > 1:
            raise InvalidInput(f"Chỉ gửi một tham số “{name}”.")
        raw = values[0].strip()
        if not (raw.isascii() and raw.isdigit()) or int(raw) < least:
            raise InvalidInput(f"“{name}” phải là số nguyên từ {least} trở lên (nhận được «{raw[:20]}»).")
        return int(raw)

    def get_limit(self, request):
        limit = self._whole(request, self.limit_query_param, 1)
        if limit is None:
            return self.default_limit
        return min(limit, self.max_limit) if self.max_limit else limit

    def get_offset(self, request):
        offset = self._whole(request, self.offset_query_param, 0)
        return min(offset or 0, MAX_OFFSET)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        least = {self.limit_query_param: 1, self.offset_query_param: 0}
        for parameter in parameters:
            if parameter["name"] in least:
                parameter["schema"] = {**parameter["schema"], "minimum": least[parameter["name"]]}
        return parameters
