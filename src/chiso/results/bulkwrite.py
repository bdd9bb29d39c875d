"""Bulk writes of results with their history, for imports and their reverts (issue 10, item 6).

Django's ``bulk_update`` builds one ``CASE WHEN id = … THEN …`` per field over the whole batch: the
database compares every row with every branch, so 28,000 updated results took over a minute on
SQLite and blocked every other writer that long. Here an update is one prepared
``UPDATE … WHERE id = %s`` run with ``executemany`` (one statement, many parameter sets: SQLite
steps it in C, psycopg pipelines it), and the history rows simple_history would write one by one
are built in memory and inserted with ``bulk_create`` — the same rows (type, user, reason, every
tracked field), one timestamp for the whole write.

On PostgreSQL even a pipelined ``executemany`` sends one statement per row and spends most of the
time preparing parameters in Python: rows are streamed with ``COPY … FROM STDIN`` instead (one
statement per table), and an update copies the new values into a temporary table and applies them
with one ``UPDATE … FROM`` join.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import islice

from django.db import connections, router
from django.utils import timezone

from .models import Result, ResultChange

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
    prep = [None if f.get_internal_type() in _PLAIN else f for f in model_fields]
    params = [
        [
            getattr(o, f.attname) if p is None else p.get_db_prep_save(getattr(o, f.attname), conn)
            for f, p in zip(model_fields, prep, strict=True)
        ]
        + [o.pk]
        for o in objs
    ]
    if conn.vendor == "postgresql":
        return _update_by_copy(conn, Result, model_fields, params)
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


# Column types whose Python value is what the database driver takes as it is.
_PLAIN = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "CharField",
    "FloatField",
    "ForeignKey",
    "IntegerField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
    "TextField",
}


def insert_rows(
    model, columns: Sequence[str], rows: Sequence[Sequence], *, prepared: Sequence[str] = ()
) -> int:
    """INSERT ``rows`` (values in the order of ``columns``, attnames) into ``model``'s table with one
    prepared statement: the ORM's ``bulk_create`` spends most of its time preparing every value of
    every row in Python, which a plain column does not need (the others are prepared here, but for
    the ``prepared`` columns: their values are already what the database takes)."""
    if not rows:
        return 0
    conn = connections[router.db_for_write(model)]
    qn = conn.ops.quote_name
    fields = [model._meta.get_field(c) for c in columns]
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        qn(model._meta.db_table), ", ".join(qn(f.column) for f in fields), ", ".join(["%s"] * len(fields))
    )
    prep = [None if f.get_internal_type() in _PLAIN or f.attname in prepared else f for f in fields]
    if any(prep):
        rows = [
            [v if f is None else f.get_db_prep_save(v, conn) for f, v in zip(prep, row, strict=True)]
            for row in rows
        ]
    if conn.vendor == "postgresql":
        with conn.cursor() as cursor:
            _copy_rows(cursor, qn(model._meta.db_table), [qn(f.column) for f in fields], rows)
        return len(rows)
    with conn.cursor() as cursor:
        for chunk in _chunks(rows):
            cursor.executemany(sql, chunk)
    return len(rows)


def _copy_rows(cursor, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Stream ``rows`` into ``table`` with PostgreSQL's COPY (psycopg 3; values as prepared for the
    database, each dumped by its own type)."""
    with cursor.cursor.copy("COPY {} ({}) FROM STDIN".format(table, ", ".join(columns))) as copy:
        for row in rows:
            copy.write_row(row)


def _update_by_copy(conn, model, fields: Sequence, params: Sequence[Sequence]) -> int:
    """PostgreSQL: the new values (fields…, pk) copied into a temporary table, then one UPDATE … FROM."""
    qn = conn.ops.quote_name
    table = qn(model._meta.db_table)
    pk = qn(model._meta.pk.column)
    columns = [qn(f.column) for f in fields] + [pk]
    temp = qn("chiso_bulk_update")
    with conn.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {temp}")
        cursor.execute(
            "CREATE TEMPORARY TABLE {} AS SELECT {} FROM {} WITH NO DATA".format(
                temp, ", ".join(columns), table
            )
        )
        _copy_rows(cursor, temp, columns, params)
        cursor.execute(
            "UPDATE {t} SET {sets} FROM {tmp} WHERE {t}.{pk} = {tmp}.{pk}".format(
                t=table, tmp=temp, pk=pk, sets=", ".join(f"{c} = {temp}.{c}" for c in columns[:-1])
            )
        )
        updated = cursor.rowcount
        cursor.execute(f"DROP TABLE {temp}")
    return updated


def write_history(
    objs: Sequence[Result], history_type: str, *, user=None, reason: str = "", date=None
) -> int:
    """One history row per result, as simple_history writes on save ("+", "~") or delete ("-")."""
    if not objs:
        return 0
    History = Result.history.model
    conn = connections[router.db_for_write(History)]
    tracked = [f.attname for f in History.tracked_fields]
    meta = ["history_date", "history_user_id", "history_change_reason", "history_type"]
    reason_field = History._meta.get_field("history_change_reason")
    if reason and reason_field.max_length:
        reason = reason[: reason_field.max_length]  # a long file name must not fail the import
    fixed = [
        History._meta.get_field(name).get_db_prep_save(value, conn)
        for name, value in zip(
            meta, [date or timezone.now(), getattr(user, "pk", None), reason, history_type], strict=True
        )
    ]
    rows = [[getattr(o, n) for n in tracked] + fixed for o in objs]
    return insert_rows(History, tracked + meta, rows, prepared=meta)


def create_results(objs: Sequence[Result], *, user=None, reason: str = "") -> int:
    """Insert new results (their ids come back) and their "+" history rows."""
    if not objs:
        return 0
    conn = connections[router.db_for_write(Result)]
    if not conn.features.can_return_rows_from_bulk_insert:  # pragma: no cover - SQLite < 3.35
        from simple_history.utils import bulk_create_with_history

        bulk_create_with_history(
            list(objs), Result, batch_size=1000, default_user=user, default_change_reason=reason
        )
        return len(objs)
    Result.objects.bulk_create(objs, batch_size=1000)
    return write_history(objs, "+", user=user, reason=reason)


CHANGE_COLUMNS = ["batch_id", "node_id", "unit_id", "year", "before", "after"]


def insert_changes(rows: Sequence[Sequence]) -> int:
    """The change rows of a batch (what the revert reads), each as values in the order of
    ``CHANGE_COLUMNS``, in one prepared INSERT."""
    return insert_rows(ResultChange, CHANGE_COLUMNS, rows)
