"""HTTP Basic for the API, under the same sign-in throttling as the web (django-axes, settings "Sign-in
throttling"): axes marks a locked-out attempt on the request it is given, which here is DRF's wrapper;
the mark is passed to Django's request so that axes' middleware answers 429 with the Vietnamese message
(chiso.accounts.lockout) instead of a plain 401."""

from __future__ import annotations

import drf_spectacular.authentication
from rest_framework import authentication, exceptions


class BasicAuthentication(authentication.BasicAuthentication):
    def authenticate_credentials(self, userid, password, request=None):
        try:
            return super().authenticate_credentials(userid, password, request)
        except exceptions.AuthenticationFailed:
            if request is not None and getattr(request, "axes_locked_out", False):
                django_request = request._request
                django_request.axes_locked_out = True
                django_request.axes_credentials = getattr(request, "axes_credentials", None)
            raise


class BasicScheme(drf_spectacular.authentication.BasicScheme):
    """The schema documents it as HTTP Basic (``basicAuth``), like DRF's own."""

    target_class = "chiso.api.authentication.BasicAuthentication"
