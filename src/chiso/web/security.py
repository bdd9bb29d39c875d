"""Response headers every dynamic answer carries (settings "Response headers"): the Content-Security-
Policy (``CHISO_CSP``: scripts only from chiso's own static files, never inline) and
``Cache-Control: private, no-store`` on pages and API answers, so nothing a signed-in user saw stays
in a shared cache or the back-button cache of an office computer. A view that chose a private cache
of its own (a chart image) keeps it. Static files are answered by whitenoise before this runs.

It also keeps numbers in addresses within what the database stores: an id or a year beyond a 32-bit
integer (``/phan-tich/PCI/1/99999999999999999999/``) names nothing, so it answers 404 instead of
overflowing the database's integer (a 500 on PostgreSQL)."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, JsonResponse
from django.utils.cache import patch_cache_control

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
                    return JsonResponse({"detail": "Không tìm thấy."}, status=404)
                raise Http404
        return None
