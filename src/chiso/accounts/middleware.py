"""Anonymous visitors see nothing but the sign-in page (and the static files it needs)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login

OPEN_PREFIXES = ("/accounts/login/", "/static/", "/i18n/", "/healthz")


class LoginRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path
        if request.user.is_authenticated or path.startswith(OPEN_PREFIXES):
            return self.get_response(request)
        if path.startswith("/api/"):
            # DRF authenticates API clients itself (session or HTTP Basic) and answers 401/403.
            return self.get_response(request)
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
