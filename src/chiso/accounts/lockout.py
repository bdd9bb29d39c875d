"""What a locked-out sign-in is answered (django-axes' ``AXES_LOCKOUT_CALLABLE``, settings: "Sign-in
throttling"): after too many wrong passwords for one username from one address, the web sign-in shows a
page saying so in Vietnamese and the API answers 429 ``{"detail": "…"}``; both say when to try again
(``Retry-After``)."""

from __future__ import annotations

import math

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def cooloff_minutes() -> int:
    return max(1, math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60))


def lockout_message() -> str:
    return _(
        "Đăng nhập sai quá %(limit)d lần: tài khoản này tạm bị khoá đăng nhập từ máy của bạn. "
        "Hãy thử lại sau %(minutes)d phút, hoặc nhờ quản trị viên mở khoá."
    ) % {"limit": settings.AXES_FAILURE_LIMIT, "minutes": cooloff_minutes()}


def lockout_response(request, original_response=None, credentials=None):
    status = settings.AXES_HTTP_RESPONSE_CODE
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": lockout_message()}, status=status)
    else:
        response = render(request, "accounts/locked.html", {"message": lockout_message()}, status=status)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response
