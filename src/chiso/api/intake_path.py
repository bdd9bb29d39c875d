"""The public intake's own way in: ``POST /api/public/surveys/<id>/responses/`` without the middleware.

At a counter's peak the intake takes hundreds of responses a second on two cores (issue 9: ≥ 500/s). A
citizen's response needs nothing of what Django's request cycle does for the signed-in pages — session,
sign-in, CSRF (the view is exempt by design), messages, htmx, history, data versions, DRF's negotiation —
and that cycle costs the server about as much CPU as checking and writing the response itself
(``bench/surveys.py --intake-cpu``).

``route(full)`` is the WSGI application gunicorn serves (``chiso.wsgi``). A POST to that address, with no
cookie (no session, no language chosen), a JSON body of at most ``MAX_BODY`` bytes, no query string, an
allowed host and, when ``SECURE_SSL_REDIRECT`` is on, over HTTPS, is answered here: its body read as JSON
(as the API's parser reads it: UTF-8, no NaN or Infinity, nested at most ``parsers.MAX_DEPTH`` deep), then ``chiso.api.surveys.answer`` — the view's own
rules and answers (201, 400, 404, 409, 429) — and the headers the middleware would add (security
headers, Content-Security-Policy, ``Cache-Control: private, no-store``, language, Vary, Allow). Everything
else — another method or address, a cookie, a body that is not a JSON object, a header in doubt — goes to
``full``, Django with every middleware, which answers it as before (with the body already read given back
to it). A database that does not answer is Django's 503 (``handler500``), an unexpected error its 500,
through Django's own exception handling. The answers are compared with the full stack's, status, body and
headers, in ``surveys/tests/test_intake_path.py``.

The database connection is handled as in Django's handler: ``request_started`` before (a connection broken
by a database restart is closed and opened again), ``request_finished`` after.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core import signals
from django.core.exceptions import DisallowedHost
from django.core.handlers.exception import response_for_exception
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.log import log_response
from rest_framework.renderers import JSONRenderer

from chiso.surveys.services.intake import client_address

from . import surveys
from .parsers import too_deep

__all__ = ["MAX_BODY", "route"]

#: the address, as Django's ``<int:pk>`` reads it (``api/urls.py``)
INTAKE_PATH = re.compile(r"/api/public/surveys/([0-9]{1,10})/responses/\Z")
INT_MAX = 2**31 - 1
#: a response is a few hundred bytes; a larger body goes the full way (and its limits)
MAX_BODY = 64 * 1024
JSON_TYPES = ("application/json", "application/json; charset=utf-8", "application/json;charset=utf-8")

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

_RENDERER = JSONRenderer()


class _NotHere(Exception):
    """The request is not one this path answers: Django with every middleware answers it."""


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _read(environ: dict[str, Any]) -> tuple[WSGIRequest, int, Any]:
    """The request, the survey id and the body read as JSON — or ``_NotHere`` (the body, once read, is
    given back to the environ for the full way)."""
    match = INTAKE_PATH.match(environ.get("PATH_INFO", ""))
    if (
        match is None
        or environ.get("REQUEST_METHOD") != "POST"
        or environ.get("HTTP_COOKIE")
        or environ.get("QUERY_STRING")
        or environ.get("CONTENT_TYPE", "").lower().replace(" ", "") not in JSON_TYPES
    ):
        raise _NotHere()
    pk = int(match.group(1))
    try:
        length = int(environ.get("CONTENT_LENGTH") or "")
    except ValueError:
        raise _NotHere() from None
    if not 0 < length <= MAX_BODY or pk > INT_MAX:
        raise _NotHere()
    request = WSGIRequest(environ)
    try:
        request.get_host()  # ALLOWED_HOSTS, as every request
    except DisallowedHost:
        raise _NotHere() from None
    if settings.SECURE_SSL_REDIRECT and not request.is_secure():  # the full way redirects it
        raise _NotHere()
    body = request.body
    environ["wsgi.input"] = io.BytesIO(body)  # for Django, should the full way answer after all
    try:
        data = json.loads(body.decode("utf-8"), parse_constant=_refuse_constant)
    except (ValueError, RecursionError):  # (UnicodeDecodeError and JSONDecodeError are ValueErrors)
        raise _NotHere() from None
    if not isinstance(data, dict) or too_deep(data):
        raise _NotHere()
    return request, pk, data


def _headers(response: HttpResponse, request: WSGIRequest) -> None:
    """What the middleware of ``settings.MIDDLEWARE`` adds to this view's answer (``SecurityMiddleware``,
    ``LocaleMiddleware``, ``XFrameOptionsMiddleware``, ``chiso.web.security``) and DRF's own."""
    if settings.SECURE_HSTS_SECONDS and request.is_secure():
        sts = f"max-age={settings.SECURE_HSTS_SECONDS}"
        if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
            sts += "; includeSubDomains"
        if settings.SECURE_HSTS_PRELOAD:
            sts += "; preload"
        response.headers.setdefault("Strict-Transport-Security", sts)
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if settings.SECURE_REFERRER_POLICY:
        policy = settings.SECURE_REFERRER_POLICY
        if not isinstance(policy, str):
            policy = ",".join(policy)
        response.headers.setdefault("Referrer-Policy", policy)
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        response.headers.setdefault("Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY)
    response.headers.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS.upper())
    response.headers.setdefault("Content-Security-Policy", settings.CHISO_CSP)
    if "private" not in response.headers.get("Cache-Control", ""):
        response.headers["Cache-Control"] = "private, no-store"
    response.headers.setdefault("Content-Language", settings.LANGUAGE_CODE)
    response.headers.setdefault("Allow", "POST, OPTIONS")
    patch_vary_headers(response, ("Accept", "Accept-Language", "Cookie"))
    response.headers.setdefault("Content-Length", str(len(response.content)))


def _answer(environ: dict[str, Any]) -> HttpResponse:
    request, pk, data = _read(environ)
    try:
        code, payload = surveys.answer(pk, data, client_address(environ))
        response = HttpResponse(_RENDERER.render(payload), status=code, content_type="application/json")
        if code >= 400:  # logged as Django logs the 4xx of every view
            log_response("%s: %s", response.reason_phrase, request.path, response=response, request=request)
    except Exception as exc:  # noqa: BLE001 — Django's own handling: logged, handler500 (503 when the database is down)
        response = response_for_exception(request, exc)
    _headers(response, request)
    return response


def route(full: WSGIApp) -> WSGIApp:
    """The WSGI application: the intake's requests answered here, the rest by ``full``."""

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST" or not INTAKE_PATH.match(environ.get("PATH_INFO", "")):
            return full(environ, start_response)
        signals.request_started.send(sender=WSGIHandler, environ=environ)
        try:
            response = _answer(environ)
        except _NotHere:
            signals.request_finished.send(sender=WSGIHandler)
            return full(environ, start_response)
        try:
            start_response(f"{response.status_code} {response.reason_phrase}", list(response.items()))
            return [response.content]
        finally:
            signals.request_finished.send(sender=WSGIHandler)

    return application
