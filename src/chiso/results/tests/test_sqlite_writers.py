"""SQLite under an import (issue 10, item 8): while one connection holds a long write transaction — as an
import commit does — another user's write waits for it and succeeds instead of failing with
"database is locked", and readers are not blocked at all (WAL). Run on a SQLite file with the
project's own connection options (``settings.SQLITE_OPTIONS``) through Django's SQLite backend,
whatever the test database is: the in-memory test database shares one cache between connections
and does not behave like the file the demo and small installations use."""

from __future__ import annotations

import threading
import time

import pytest
from django.conf import settings
from django.db.backends.sqlite3.base import DatabaseWrapper


def connect(path) -> DatabaseWrapper:
    conn = DatabaseWrapper(
        {
            **settings.DATABASES["default"],
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(path),
            "OPTIONS": dict(settings.SQLITE_OPTIONS),
            "CONN_MAX_AGE": 0,
            "AUTOCOMMIT": True,
            "ATOMIC_REQUESTS": False,
            "CONN_HEALTH_CHECKS": False,
            "TIME_ZONE": None,
            "TEST": {},
        },
        alias="sqlite-writers",
    )
    conn.ensure_connection()
    return conn


@pytest.fixture
def unblocked(django_db_blocker):
    """Our own connections to our own file (the test database is not used)."""
    with django_db_blocker.unblock():
        yield


def test_a_second_writer_waits_for_the_import_and_is_not_refused(tmp_path, unblocked):
    path = tmp_path / "chiso.sqlite3"
    other, reader = connect(path), connect(path)
    with other.cursor() as c:
        c.execute("PRAGMA journal_mode")
        assert c.fetchone()[0] == "wal"
        c.execute("PRAGMA busy_timeout")
        assert c.fetchone()[0] >= 5000  # milliseconds: far longer than an import's commit
        c.execute("CREATE TABLE result (id INTEGER PRIMARY KEY, value REAL)")
        c.execute("CREATE TABLE plan (id INTEGER PRIMARY KEY, name TEXT)")
        c.execute("INSERT INTO plan (name) VALUES ('kế hoạch')")

    holding = threading.Event()
    done = threading.Event()
    failures: list[BaseException] = []

    def import_commit():
        # What commit_import does: one transaction writing many rows, held for a while.
        importer = connect(path)
        try:
            importer.set_autocommit(False)  # BEGIN IMMEDIATE at the first statement
            with importer.cursor() as c:
                c.executemany("INSERT INTO result (value) VALUES (%s)", [(i / 10,) for i in range(28_000)])
                holding.set()
                time.sleep(1.5)
            importer.commit()
            importer.set_autocommit(True)
            done.set()
        except BaseException as exc:  # reported by the test, not lost in the thread
            failures.append(exc)
            holding.set()
        finally:
            importer.close()

    thread = threading.Thread(target=import_commit)
    thread.start()
    assert holding.wait(30)
    assert not failures, failures

    # A reader is not blocked and sees the data of before the import.
    t0 = time.perf_counter()
    with reader.cursor() as c:
        c.execute("SELECT count(*) FROM result")
        assert c.fetchone()[0] == 0
    assert time.perf_counter() - t0 < 1.0 and not done.is_set()

    # Another user's write waits for the import's transaction, then succeeds.
    t0 = time.perf_counter()
    other.set_autocommit(False)
    with other.cursor() as c:
        c.execute("UPDATE plan SET name = %s WHERE id = 1", ["kế hoạch đã sửa"])
    other.commit()
    other.set_autocommit(True)
    waited = time.perf_counter() - t0
    thread.join(30)
    assert not failures, failures
    assert done.is_set()
    assert waited > 0.5  # it really met the import's lock, and waited instead of failing

    with reader.cursor() as c:
        c.execute("SELECT count(*) FROM result")
        assert c.fetchone()[0] == 28_000
        c.execute("SELECT name FROM plan")
        assert c.fetchone()[0] == "kế hoạch đã sửa"
    for conn in (other, reader):
        conn.close()
