"""Sign-in is required by Django's LoginRequiredMiddleware (views open to everyone are marked
``login_not_required``: sign-in, health check, language switch, and the API, which answers 401/403 in
JSON itself). This middleware adds what that one cannot: a signed-in account with no role on any unit
sees only a page saying so."""

from __future__ import annotations

from django.shortcuts import render


class MemberRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "login_required", True):
            return None
        user = request.user
        if user.is_authenticated and not user.has_perm("chiso.view_data"):
            return render(request, "accounts/no_role.html", status=403)
        return None
