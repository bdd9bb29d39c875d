"""Data versions changed on every change to some data, so figures derived from it can be cached safely: a
cache key that includes the version is never stale. ``results`` changes with results and frameworks
(``bump_data_version``); ``plans`` with plans, tasks, reports and units (``chiso.tracking.version``).

A version is a random number, not a counter: a rolled-back transaction restores the old version together
with the old data, and a later change never reuses a number that was cached.
Within one web request each version is read at most once (``DataVersionMiddleware``); a change made by the
request itself updates it.
"""

from __future__ import annotations

import secrets
from contextvars import ContextVar

from .models import DataVersion

#: The versions read (or set) by the current request, None outside a request.
_request_versions: ContextVar[dict[str, int] | None] = ContextVar("chiso_data_versions", default=None)

RESULTS = "results"


def bump_version(key: str) -> int:
    token = secrets.randbits(62)
    if not DataVersion.objects.filter(key=key).update(counter=token):
        DataVersion.objects.update_or_create(key=key, defaults={"counter": token})
    memo = _request_versions.get()
    if memo is not None:
        memo[key] = token
    return token


def read_version(key: str) -> int:
    memo = _request_versions.get()
    if memo is not None and key in memo:
        return memo[key]
    obj = DataVersion.objects.filter(key=key).only("counter").first()
    version = obj.counter if obj else 0
    if memo is not None:
        memo[key] = version
    return version


def bump_data_version() -> int:
    return bump_version(RESULTS)


def current_data_version() -> int:
    return read_version(RESULTS)


class DataVersionMiddleware:
    """Reads each data version at most once per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_versions.set({})
        try:
            return self.get_response(request)
        finally:
            _request_versions.reset(token)
