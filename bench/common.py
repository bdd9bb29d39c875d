"""Shared helpers of the benchmark scripts: a throw-away database loaded with the demo data, the
environment the product runs under, and small statistics. Nothing here asserts on time."""

from __future__ import annotations

import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DEFAULT_NAME = "chiso_bench"


def pg_url(name: str = PG_DEFAULT_NAME) -> str:
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def recreate_pg_database(name: str) -> None:
    """Drop (closing its connections) and create an empty PostgreSQL database on the loopback server."""
    import psycopg

    if not name.replace("_", "").isalnum():
        raise SystemExit(f"unsafe database name {name!r}")
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def bench_env(database_url: str, var_dir: Path, chiso_env: str = "test") -> dict[str, str]:
    """The environment the product's commands and server run under, isolated from var/."""
    env = dict(os.environ)
    env.update(
        {
            "CHISO_ENV": chiso_env,
            "CHISO_VAR_DIR": str(var_dir),
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "chiso.settings",
            "PYTHONPATH": str(REPO / "src"),
        }
    )
    env.pop("CHISO_DEBUG", None)
    return env


def chiso(env: dict[str, str], *args: str, quiet: bool = True) -> None:
    """Run ``chiso ARGS`` in a subprocess; on failure print its output and exit (a setup failure, not a figure)."""
    cmd = [sys.executable, "-m", "chiso.cli", *args]
    proc = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
        raise SystemExit(f"setup failed: chiso {' '.join(args)} (exit {proc.returncode})")
    if not quiet:
        sys.stdout.write(proc.stdout)


def analyze_pg_database(name: str) -> None:
    """Up-to-date planner statistics, as autovacuum would give a database that has been in use."""
    import psycopg

    with psycopg.connect(pg_url(name).replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def prepare_database(*, pg: bool, pg_name: str, reuse: bool, chiso_env: str = "test") -> tuple[dict, Path]:
    """A database holding the demo data (migrate + ``chiso load-demo --no-wards``).

    Returns the environment to run the product with and the (temporary) CHISO_VAR_DIR.
    SQLite: a fresh file in a temporary directory. PostgreSQL: ``pg_name`` dropped and created,
    unless ``reuse`` (then it is used as it is); then VACUUM ANALYZE.
    """
    var_dir = Path(tempfile.mkdtemp(prefix="chiso-bench-"))
    url = pg_url(pg_name) if pg else f"sqlite:///{var_dir / 'bench.sqlite3'}"
    env = bench_env(url, var_dir, chiso_env)
    if reuse and pg:
        analyze_pg_database(pg_name)
        print(f"» reusing database {url} (VACUUM ANALYZE done)")
        return env, var_dir
    started = time.perf_counter()
    if pg:
        recreate_pg_database(pg_name)
    chiso(env, "migrate", "--noinput", "-v0")
    chiso(env, "load-demo", "--no-wards")
    if pg:
        analyze_pg_database(pg_name)
    print(f"» database {url} migrated and loaded with the demo data in {time.perf_counter() - started:.1f} s")
    return env, var_dir


def setup_django(env: dict[str, str]) -> None:
    """Configure Django in this process against the benchmark database."""
    for key in ("CHISO_ENV", "CHISO_VAR_DIR", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"):
        os.environ[key] = env[key]
    src = str(REPO / "src")
    if src not in sys.path:
        sys.path.insert(0, src)
    import django

    django.setup()


def bench_province():
    """Quảng Ngãi (51) as it is now (the merged province): where the benchmarks add their units."""
    from django.db.models import F

    from chiso.units.models import Unit

    return (
        Unit.objects.filter(kind="province", code="51")
        .order_by(F("valid_from").desc(nulls_last=True))
        .first()
    )


def parser(doc: str | None, pg_name: str):
    """The command line every database benchmark has: its description, ``--pg-name`` and ``--reuse``."""
    import argparse

    out = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    out.add_argument("--pg-name", default=pg_name, help="PostgreSQL database to drop and create")
    out.add_argument("--reuse", action="store_true", help="use the PostgreSQL database as it is (loaded)")
    return out


def run_together(client, clients: int, barrier, *, daemon: bool = False) -> float:
    """Start ``clients`` threads running ``client`` (which first waits on ``barrier``, made for clients + 1),
    release them together and return the wall-clock seconds until the last one ends."""
    import threading

    threads = [threading.Thread(target=client, daemon=daemon) for _ in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    return time.perf_counter() - t0


# --- statistics ---------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1))
    return ordered[k]


def median(values: list[float]) -> float:
    ordered = sorted(values)
    n = len(ordered)
    mid = n // 2
    return ordered[mid] if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def repeat(fn, times: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds (of this process) of ``times`` calls of fn().

    On a busy machine the wall clock also counts time spent waiting for a CPU; the CPU time does not
    (nor does it count a database server's own work: PostgreSQL runs in other processes).
    """
    wall, cpu = [], []
    for _ in range(times):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    return wall, cpu


def utc_now() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())


def load_line() -> str:
    """The machine's load average: figures taken while other work runs are not comparable."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min) {five:.2f} (5 min) on {os.cpu_count()} CPU"


def machine_line() -> str:
    return f"{platform.node()} · Python {platform.python_version()} · {utc_now()} · {load_line()}"


def fmt_s(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.0f} µs"
