"""The suite really ran on the database the test command asked for: scripts/test runs it once on
SQLite and once on PostgreSQL and sets CHISO_EXPECT_DB, so a run that silently fell back to SQLite
fails here instead of passing for the wrong database."""

from __future__ import annotations

import os

from django.db import connection


def test_the_suite_runs_on_the_expected_database(db):
    expected = os.environ.get("CHISO_EXPECT_DB")
    assert connection.vendor in {"sqlite", "postgresql"}
    if expected:
        assert connection.vendor == expected


def test_the_test_database_holds_the_real_reference_data(db):
    from chiso.results.models import Result
    from chiso.units.models import Unit

    assert Unit.objects.filter(kind="province", valid_from__isnull=True).count() == 63
    assert Unit.objects.filter(kind="province").exclude(valid_to__isnull=False).count() == 34
    assert Result.objects.filter(framework__index__code="papi").values("year").distinct().count() == 14
