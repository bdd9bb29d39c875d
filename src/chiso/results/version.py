"""A data version changed on every change to results or frameworks, so derived figures can be
cached safely: a cache key that includes it is never stale.

The version is a random number, not a counter: a rolled-back transaction restores the old
version together with the old data, and a later change never reuses a number that was cached.
Within one web request the version is read once (``DataVersionMiddleware``); a change made by the
request itself updates it.
"""

from __future__ import annotations

import secrets
from contextvars import ContextVar

from .models import DataVersion

_request_version: ContextVar[int | None] = ContextVar("chiso_data_version", default=None)
_in_request: ContextVar[bool] = ContextVar("chiso_in_request", default=False)


def bump_data_version() -> int:
    token = secrets.randbits(62)
    if not DataVersion.objects.filter(key="results").update(counter=token):
        DataVersion.objects.update_or_create(key="results", defaults={"counter": token})
    if _in_request.get():
        _request_version.set(token)
    return token


def current_data_version() -> int:
    if _in_request.get():
        memo = _request_version.get()
        if memo is not None:
            return memo
    obj = DataVersion.objects.filter(key="results").only("counter").first()
    version = obj.counter if obj else 0
    if _in_request.get():
        _request_version.set(version)
    return version


class DataVersionMiddleware:
    """Reads the data version at most once per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        t1 = _in_request.set(True)
        t2 = _request_version.set(None)
        try:
            return self.get_response(request)
        finally:
            _request_version.reset(t2)
            _in_request.reset(t1)
