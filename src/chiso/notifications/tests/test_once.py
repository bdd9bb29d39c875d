"""Issue 10, item 16: a digest (a reminder about nothing) is recorded once per user, kind, channel and
day on every database — the unique key is never NULL ("digest"), so PostgreSQL cannot let a second row
through as it did when the task column was NULL. And the general defence: no unique constraint in chiso
may rest on a column that can be NULL unless it says how NULLs count."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, models, transaction

from chiso.notifications.models import Reminder
from chiso.notifications.services import record

pytestmark = pytest.mark.django_db

# Constraints over a nullable column that predate this test; each should get a condition or
# nulls_distinct=False by its app's owner (reported with issue 10). New ones fail the test.
KNOWN = {
    ("units.Unit", "unit_unique_code_period"),
    ("assessment.EvidenceLink", "evidence_link_once"),
    ("documents.DocumentLayout", "documentlayout_unique_province_kind"),
}


def digest(user, day):
    return dict(user=user, kind="digest", channel="app", due=day, subject="Tổng hợp", body="", url="")


def test_digest_recorded_once_by_the_database(coordinator):
    day = dt.date(2026, 12, 3)
    Reminder.objects.create(key="digest", **digest(coordinator, day))
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(key="digest", **digest(coordinator, day))
    assert Reminder.objects.filter(kind="digest").count() == 1
    assert connection.vendor in {"sqlite", "postgresql"}


def test_digest_recorded_once_by_the_service(coordinator):
    day = dt.date(2026, 12, 3)
    counts = Counter()
    assert record(counts, about=None, unit=None, **digest(coordinator, day)) is True
    assert record(counts, about=None, unit=None, **digest(coordinator, day)) is False
    assert Reminder.objects.filter(kind="digest", user=coordinator).count() == 1
    assert Reminder.objects.get(kind="digest").key == "digest"


def test_no_unique_constraint_lets_null_through():
    found = set()
    for model in apps.get_models():
        if not model.__module__.startswith("chiso."):
            continue
        uniques = [
            (c.name, c.fields)
            for c in model._meta.constraints
            if isinstance(c, models.UniqueConstraint)
            and c.condition is None
            and c.nulls_distinct is not False
        ]
        uniques += [("unique_together", tuple(f)) for f in model._meta.unique_together]
        for name, fields in uniques:
            if len(fields) > 1 and any(model._meta.get_field(f).null for f in fields):
                found.add((model._meta.label, name))
    assert found - KNOWN == set()
