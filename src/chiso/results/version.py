"""Data versions changed on every change to some data, so figures derived from it can be cached safely: a
cache key that includes the version is never stale. ``results`` changes with results and frameworks
(``bump_data_version``); ``plans`` with plans, tasks, reports and units (``chiso.tracking.version``).

A version is a random number, not a counter: a rolled-back transaction restores the old version together
with the old data, and a later change never reuses a number that was cached.
Within one web request the versions are read at most once, all of them in one query of the small table at
the first read (``DataVersionMiddleware``): a page keyed by several versions (the header's by the plans, its
body by the results) pays one query; a change made by the request itself updates its memo.
"""

from __future__ import annotations

import secrets
from contextvars import ContextVar

from .models import DataVersion

#: The versions read (or set) by the current request, None outside a request.
_request_versions: ContextVar[dict[str, int] | None] = ContextVar("chiso_data_versions", default=None)

#: In a request's memo once every version was read: a key absent from the table then reads 0.
_ALL_READ = "\x00all"

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
    if memo is None:
        obj = DataVersion.objects.filter(key=key).only("counter").first()
        return obj.counter if obj else 0
    if key not in memo and _ALL_READ not in memo:
        for name, counter in DataVersion.objects.values_list("key", "counter"):
            memo.setdefault(name, counter)  # a version this request set itself stays
        memo[_ALL_READ] = 1
    return memo.get(key, 0)


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
