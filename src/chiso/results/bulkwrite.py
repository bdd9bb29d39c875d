"""Bulk writes of results with their history, for imports and their reverts (issue 10, item 6).

Django's ``bulk_update`` builds one ``CASE WHEN id = … THEN …`` per field over the whole batch: the
database compares every row with every branch, so 28,000 updated results took over a minute on
SQLite and blocked every other writer that long. Here an update is one prepared
``UPDATE … WHERE id = %s`` run with ``executemany`` (one statement, many parameter sets: SQLite
steps it in C, psycopg pipelines it), and the history rows simple_history would write one by one
are built in memory and inserted with ``bulk_create`` — the same rows (type, user, reason, every
tracked field), one timestamp for the whole write.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import islice

from django.db import connections, router
from django.utils import timezone

from .models import Result

CHUNK = 2000


def _chunks(items: Sequence, size: int = CHUNK) -> Iterable[list]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def update_results(objs: Sequence[Result], fields: Sequence[str]) -> int:
    """Write ``fields`` of every (saved) result in ``objs``: one prepared UPDATE by primary key."""
    if not objs:
        return 0
    db = router.db_for_write(Result)
    conn = connections[db]
    qn = conn.ops.quote_name
    model_fields = [Result._meta.get_field(f) for f in fields]
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        qn(Result._meta.db_table),
        ", ".join(f"{qn(f.column)} = %s" for f in model_fields),
        qn(Result._meta.pk.column),
    )
    params = [[f.get_db_prep_save(getattr(o, f.attname), conn) for f in model_fields] + [o.pk] for o in objs]
    with conn.cursor() as cursor:
        for chunk in _chunks(params):
            cursor.executemany(sql, chunk)
    return len(params)


def delete_results(pks: Sequence[int]) -> int:
    """Delete results by primary key without loading them (their history is written by the caller).

    Nothing references a result but its own history, which keeps no database constraint."""
    if not pks:
        return 0
    db = router.db_for_write(Result)
    conn = connections[db]
    qn = conn.ops.quote_name
    deleted = 0
    with conn.cursor() as cursor:
        for chunk in _chunks(list(pks), 500):
            cursor.execute(
                "DELETE FROM {} WHERE {} IN ({})".format(
                    qn(Result._meta.db_table), qn(Result._meta.pk.column), ", ".join(["%s"] * len(chunk))
                ),
                chunk,
            )
            deleted += cursor.rowcount
    return deleted


def write_history(
    objs: Sequence[Result], history_type: str, *, user=None, reason: str = "", date=None
) -> int:
    """One history row per result, as simple_history writes on save ("+", "~") or delete ("-")."""
    if not objs:
        return 0
    History = Result.history.model
    tracked = [f.attname for f in History.tracked_fields]
    when = date or timezone.now()
    rows = [
        History(
            history_date=when,
            history_user=user,
            history_change_reason=reason,
            history_type=history_type,
            **{name: getattr(o, name) for name in tracked},
        )
        for o in objs
    ]
    History.objects.bulk_create(rows, batch_size=CHUNK)
    return len(rows)
