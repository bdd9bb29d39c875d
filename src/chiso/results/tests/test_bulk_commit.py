"""The bulk commit path of an import (issue 10, item 6): committing many values writes, for every value,
the result, one history row (who, why, the new values) and one change row of the batch; the revert
gives back exactly the values of before, with its own history rows; and the number of database
statements does not grow with the number of values (28,000 values must commit in seconds)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chiso.results.importer import commit_import, revert_import
from chiso.results.models import ImportBatch, Result, ResultChange

from .test_import import KON_TUM, province, real_rows, to_csv

FIELDS = ("value", "published_rank", "published_rank_of", "published_group", "source", "note")


def snapshot() -> dict:
    return {
        (r.node_id, r.unit_id, r.year): tuple(getattr(r, f) for f in FIELDS)
        for r in Result.objects.filter(framework__index__code="papi", year=2023)
    }


def shifted_slice() -> tuple[bytes, int]:
    """The real 2023 slice (4 provinces) with every score moved by 0.0001."""
    header, rows = real_rows()
    moved = 0
    for row in rows:
        for i, h in enumerate(header):
            if (h.startswith(("D", "SC")) or h == "total_unweighted") and row[i].strip():
                v = float(row[i])
                row[i] = repr(round(v - 0.0001 if v > 1 else v + 0.0001, 7))
                moved += 1
    return to_csv(header, rows), moved


@pytest.mark.django_db
def test_bulk_commit_keeps_history_and_change_rows_and_the_revert_restores_everything(admin_user):
    kon_tum = province(KON_TUM)
    # One value unknown before the import: the import creates it and the revert removes it again.
    gone = Result.objects.get(unit=kon_tum, node__code="D1.1", year=2023, framework__index__code="papi")
    gone_key = (gone.node_id, gone.unit_id, gone.year)
    gone.delete()
    before = snapshot()
    history_before = Result.history.count()
    data, moved = shifted_slice()

    with CaptureQueriesContext(connection) as queries:
        batch = commit_import(data, "papi_2023_dich.csv", index_code="papi", year=2023, user=admin_user)

    # Statements do not grow with the values: one per row or per value would be > 100 here.
    assert batch.rows_changed > 100
    assert len(queries) < 60, len(queries)
    changes = list(ResultChange.objects.filter(batch=batch))
    assert len(changes) == batch.rows_changed
    after = snapshot()
    touched = {(c.node_id, c.unit_id, c.year): c for c in changes}
    assert gone_key in touched and touched[gone_key].before is None
    results = {(r.node_id, r.unit_id, r.year): r for r in Result.objects.filter(year=2023)}
    for key, change in touched.items():
        r = results[key]
        assert r.batch_id == batch.pk
        assert change.after == dict(
            zip(("value", "rank", "rank_of", "group", "source", "note"), after[key], strict=True)
        )
        if change.before is not None:
            assert change.before["value"] == before[key][0]
            assert abs(change.after["value"] - change.before["value"]) == pytest.approx(0.0001, abs=1e-6)
    # Exactly one history row per written result: who, why, and the values written.
    rows = list(Result.history.filter(history_change_reason="Nhập tệp papi_2023_dich.csv"))
    assert Result.history.count() == history_before + len(changes) == history_before + len(rows)
    by_key = {(h.node_id, h.unit_id, h.year): h for h in rows}
    assert set(by_key) == set(touched)
    for key, h in by_key.items():
        assert h.history_user == admin_user
        assert batch.created_at <= h.history_date <= timezone.now()
        assert h.history_type == ("+" if key == gone_key else "~")
        assert h.id == results[key].pk and h.batch_id == batch.pk
        assert tuple(getattr(h, f) for f in FIELDS) == after[key]
    # Untouched results (outside the slice) keep their values.
    assert {k: v for k, v in after.items() if k not in touched} == {
        k: v for k, v in before.items() if k not in touched
    }

    with CaptureQueriesContext(connection) as queries:
        n = revert_import(batch, user=admin_user)

    assert n == len(changes)
    assert len(queries) < 60, len(queries)
    assert snapshot() == before  # every value, rank, group, source and note as before; D1.1 gone again
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.REVERTED and batch.reverted_by == admin_user
    undo = list(Result.history.filter(history_change_reason="Hoàn tác lần nhập papi_2023_dich.csv"))
    assert len(undo) == len(changes)
    for h in undo:
        key = (h.node_id, h.unit_id, h.year)
        assert h.history_user == admin_user
        assert batch.reverted_at - timedelta(minutes=1) <= h.history_date <= timezone.now()
        if key == gone_key:
            assert h.history_type == "-"
            assert tuple(getattr(h, f) for f in FIELDS) == after[key]  # what was deleted
        else:
            assert h.history_type == "~"
            assert tuple(getattr(h, f) for f in FIELDS) == before[key]
    # The history of a value reads import → revert, in that order.
    some = next(k for k in touched if k != gone_key)
    trail = list(Result.history.filter(id=results[some].pk).order_by("history_date", "history_id"))
    assert [t.history_type for t in trail[-2:]] == ["~", "~"]
    assert trail[-2].value == after[some][0] and trail[-1].value == before[some][0]
