"""Anonymous visitors see nothing but the sign-in page (and the static files it needs); a signed-in
account with no role on any unit sees only a page saying so."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render

OPEN_PREFIXES = ("/accounts/login/", "/accounts/logout/", "/static/", "/i18n/", "/healthz")


class LoginRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path
        if path.startswith(OPEN_PREFIXES):
            return self.get_response(request)
        if path.startswith("/api/"):
            # DRF authenticates API clients itself (session or HTTP Basic) and answers 401/403.
            return self.get_response(request)
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        if not request.user.has_perm("chiso.view_data"):
            return render(request, "accounts/no_role.html", status=403)
        return self.get_response(request)
