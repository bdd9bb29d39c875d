"""Response headers every dynamic answer carries (settings "Response headers"): the Content-Security-
Policy (``CHISO_CSP``: scripts only from chiso's own static files, never inline) and
``Cache-Control: private, no-store`` on pages and API answers, so nothing a signed-in user saw stays
in a shared cache or the back-button cache of an office computer. A view that chose a private cache
of its own (a chart image) keeps it. Static files are answered by whitenoise before this runs.

It also keeps numbers in addresses within what the database stores: an id or a year beyond a 32-bit
integer (``/phan-tich/PCI/1/99999999999999999999/``) names nothing, so it answers 404 instead of
overflowing the database's integer (a 500 on PostgreSQL)."""

from __future__ import annotations

import sys

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.utils.cache import patch_cache_control
from django.views import defaults

INT_MAX = 2**31 - 1


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CHISO_CSP)
        chosen = response.headers.get("Cache-Control", "")
        if "private" not in chosen and "no-store" not in chosen:
            if "Cache-Control" in response.headers:
                del response.headers["Cache-Control"]
            patch_cache_control(response, private=True, no_store=True)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        for value in (*view_args, *view_kwargs.values()):
            if isinstance(value, int) and not -INT_MAX <= value <= INT_MAX:
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {"detail": "Không tìm thấy."}, status=404, json_dumps_params={"ensure_ascii": False}
                    )
                raise Http404
        return None


# --- Error pages: the API answers in JSON even when no view of it was reached -----------------------
# (an address that matches no route, an oversized body, a server error): ``handler404`` etc. in
# chiso.urls. The web keeps Django's pages (templates 403.html, 404.html).


def _api(request) -> bool:
    return request.path.startswith("/api/")


def bad_request(request, exception):
    if _api(request):
        return JsonResponse(
            {"detail": "Yêu cầu không hợp lệ."}, status=400, json_dumps_params={"ensure_ascii": False}
        )
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if _api(request):
        return JsonResponse(
            {"detail": "Không có quyền."}, status=403, json_dumps_params={"ensure_ascii": False}
        )
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    if _api(request):
        return JsonResponse(
            {"detail": "Không tìm thấy."}, status=404, json_dumps_params={"ensure_ascii": False}
        )
    return defaults.page_not_found(request, exception)


DB_UNAVAILABLE = "Cơ sở dữ liệu tạm thời không trả lời; yêu cầu chưa được ghi. Xin gửi lại sau ít giây."
RETRY_AFTER_SECONDS = 5


def _database_unavailable() -> bool:
    """The error being handled is the database refusing or losing the connection (a restart, a
    failover, SQLite busy beyond its timeout): nothing was written, and the same request will work
    again shortly — a 503 with Retry-After, not a 500."""
    from django.db import InterfaceError, OperationalError

    error = sys.exc_info()[1]
    return isinstance(error, OperationalError | InterfaceError)


def server_error(request):
    if _database_unavailable():
        if _api(request):
            response = JsonResponse(
                {"detail": DB_UNAVAILABLE}, status=503, json_dumps_params={"ensure_ascii": False}
            )
        else:
            response = HttpResponse(
                '<!doctype html><html lang="vi"><meta charset="utf-8"><title>Tạm thời gián đoạn</title>'
                f"<h1>Tạm thời gián đoạn</h1><p>{DB_UNAVAILABLE}</p></html>",
                status=503,
                content_type="text/html; charset=utf-8",
            )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if _api(request):
        return JsonResponse(
            {"detail": "Lỗi máy chủ; xin thử lại sau."}, status=500, json_dumps_params={"ensure_ascii": False}
        )
    return defaults.server_error(request)
