"""A data version changed on every change to results or frameworks, so derived figures can be
cached safely: a cache key that includes it is never stale.

The version is a random number, not a counter: a rolled-back transaction restores the old
version together with the old data, and a later change never reuses a number that was cached.
"""

from __future__ import annotations

import secrets

from .models import DataVersion


def bump_data_version() -> int:
    token = secrets.randbits(62)
    if not DataVersion.objects.filter(key="results").update(counter=token):
        DataVersion.objects.update_or_create(key="results", defaults={"counter": token})
    return token


def current_data_version() -> int:
    obj = DataVersion.objects.filter(key="results").only("counter").first()
    return obj.counter if obj else 0
