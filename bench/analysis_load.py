"""Benchmark: the analysis page under 20 concurrent clients, served by gunicorn.

Target (b) of the issue, reported, never asserted: /phan-tich/papi/<Kon Tum>/2023/ with a median
under 150 ms and a p95 under 300 ms with 20 concurrent clients, on PostgreSQL with gunicorn. The
same load against /healthz, measured in the same run, is the baseline.

    .venv/bin/python bench/analysis_load.py               # PostgreSQL chiso_bench, dropped and created
    .venv/bin/python bench/analysis_load.py --sqlite      # a fresh SQLite file instead
    .venv/bin/python bench/analysis_load.py --profile     # also cProfile the view in-process

Issue 10's target, printed too: the page's median with 20 clients within 4× of /healthz's median
measured in the same run on the same server.

Only loopback addresses are used; gunicorn is always stopped at the end.
"""

from __future__ import annotations

import argparse
import cProfile
import http.client
import http.cookiejar
import io
import json
import os
import pstats
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

from common import (
    REPO,
    chiso,
    fmt_s,
    load_line,
    machine_line,
    median,
    percentile,
    prepare_database,
    run_together,
    setup_django,
    utc_now,
)

HOST = "127.0.0.1"
USERNAME, PASSWORD = "dieuphoi", "chiso-dieuphoi"
TARGET_MEDIAN, TARGET_P95 = 0.150, 0.300
TARGET_RATIO = 4.0  # issue 10: the page's median / /healthz's median


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


# --- the server ----------------------------------------------------------------------------------


def start_gunicorn(env: dict, port: int, workers: int, threads: int, log: Path) -> subprocess.Popen:
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        "python:chiso.gunicorn_conf",
        "chiso.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--log-level",
        "warning",
    ]
    out = log.open("w")
    # Its own session: stopping it (by its pid) reaches the master and its workers, nothing else.
    return subprocess.Popen(
        cmd, env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
    )


def stop_gunicorn(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)
    except ProcessLookupError:
        pass


def wait_until_up(proc: subprocess.Popen, port: int, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer /healthz within {timeout:.0f} s:\n{log.read_text()[-3000:]}")


# --- the client ----------------------------------------------------------------------------------


def log_in(base: str, username: str = USERNAME, password: str = PASSWORD) -> str:
    """Sign in (as the demo coordinator by default) through the login form; returns the Cookie header."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(f"{base}/accounts/login/", timeout=30).read()
    csrf = next((c.value for c in jar if c.name == "csrftoken"), None)
    if csrf is None:
        raise SystemExit("no csrftoken cookie on /accounts/login/")
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": csrf, "username": username, "password": password, "next": "/"}
    ).encode()
    req = urllib.request.Request(
        f"{base}/accounts/login/", data=form, headers={"Referer": f"{base}/accounts/login/"}
    )
    with opener.open(req, timeout=60) as resp:
        resp.read()
        if "/accounts/login/" in resp.geturl():
            raise SystemExit(f"signing in as {username} failed (still on the login page)")
    if not any(c.name == "sessionid" for c in jar):
        raise SystemExit(f"signing in as {username} gave no session cookie")
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def get(port: int, path: str, cookie: str, conn: http.client.HTTPConnection | None = None):
    """One GET; returns (status, body bytes, seconds). With conn: reuse it (keep-alive)."""
    headers = {"Cookie": cookie}
    own = conn is None
    if own:
        conn = http.client.HTTPConnection(HOST, port, timeout=120)
        headers["Connection"] = "close"
    t0 = time.perf_counter()
    conn.request("GET", path, headers=headers)
    resp = conn.getresponse()
    body = resp.read()
    elapsed = time.perf_counter() - t0
    if own:
        conn.close()
    return resp.status, body, elapsed


def find_unit_id(port: int, cookie: str, name: str, index: str, year: int) -> int:
    """The unit's id: from the API's name resolver when it answers, else from the results table's links."""
    query = urllib.parse.urlencode({"name": name, "year": year})
    try:
        status, body, _ = get(port, f"/api/units/resolve/?{query}", cookie)
        if status == 200:
            return int(json.loads(body)["id"])
    except (ValueError, KeyError, TypeError):
        pass
    status, body, _ = get(port, f"/ket-qua/{index}/{year}/", cookie)
    if status != 200:
        raise SystemExit(f"/ket-qua/{index}/{year}/ answered {status}")
    m = re.search(rf'href="/phan-tich/{index}/(\d+)/{year}/">{re.escape(name)}<', body.decode())
    if m is None:
        raise SystemExit(f"no link to the analysis of {name!r} on /ket-qua/{index}/{year}/ (use --unit-id)")
    return int(m.group(1))


def run_load(port: int, path: str, cookie: str, clients: int, per_client: int, keepalive: bool) -> dict:
    """clients threads, each sending per_client GETs one after the other; all start together."""
    latencies: list[float] = []
    statuses: Counter = Counter()
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)

    def client():
        conn = http.client.HTTPConnection(HOST, port, timeout=120) if keepalive else None
        mine, codes = [], Counter()
        barrier.wait()
        for _ in range(per_client):
            try:
                status, _, elapsed = get(port, path, cookie, conn)
                mine.append(elapsed)
                codes[status] += 1
            except (OSError, http.client.HTTPException) as exc:
                codes["error"] += 1
                with lock:
                    errors.append(repr(exc))
                if conn is not None:
                    conn.close()
                    conn = http.client.HTTPConnection(HOST, port, timeout=120)
        if conn is not None:
            conn.close()
        with lock:
            latencies.extend(mine)
            statuses.update(codes)

    wall = run_together(client, clients, barrier, daemon=True)
    return {
        "path": path,
        "n": len(latencies),
        "statuses": dict(statuses),
        "errors": errors[:3],
        "median": median(latencies) if latencies else float("nan"),
        "p95": percentile(latencies, 95) if latencies else float("nan"),
        "max": max(latencies) if latencies else float("nan"),
        "wall": wall,
        "throughput": len(latencies) / wall if wall else float("nan"),
    }


# --- in-process profile ---------------------------------------------------------------------------


def profile_in_process(env: dict, path: str, requests: int) -> None:
    """cProfile the view with Django's test Client against the same database, and count its queries."""
    setup_django(env)
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(get_user_model().objects.get(username=USERNAME))
    t0 = time.perf_counter()
    first = client.get(path)
    cold = time.perf_counter() - t0
    if first.status_code != 200:
        print(f"  in-process GET {path} answered {first.status_code}; no profile")
        return
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        client.get(path)
        times.append(time.perf_counter() - t0)
    with CaptureQueriesContext(connection) as q:
        client.get(path)
    print(
        f"\nIn-process (Django test Client, one thread, {connection.vendor}): first request {fmt_s(cold)}, "
        f"then median {fmt_s(median(times))} over {len(times)}; {len(q.captured_queries)} SQL queries a request, "
        f"{fmt_s(sum(float(x['time']) for x in q.captured_queries))} of it in the database (as Django times it)"
    )
    shapes = Counter(re.sub(r"\b\d+\b", "N", x["sql"])[:110] for x in q.captured_queries)
    print("  most repeated queries (numbers folded):")
    for sql, count in shapes.most_common(6):
        print(f"  {count:>4} × {sql}")
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(requests):
        client.get(path)
    prof.disable()
    for order in ("cumulative", "tottime"):
        buf = io.StringIO()
        stats = pstats.Stats(prof, stream=buf).strip_dirs().sort_stats(order)
        stats.print_stats(22)
        text = buf.getvalue()
        print(f"\n  cProfile of {requests} requests, by {order}:")
        print("\n".join("  " + line for line in text[text.index("ncalls") :].splitlines() if line.strip()))


# --- main ------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sqlite", action="store_true", help="a fresh SQLite file instead of PostgreSQL")
    parser.add_argument("--pg-name", default="chiso_bench", help="PostgreSQL database to drop and create")
    parser.add_argument("--reuse", action="store_true", help="use the PostgreSQL database as it is (loaded)")
    parser.add_argument("--env", default="demo", choices=["demo", "test"], help="CHISO_ENV of the server")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=25, help="requests per client (default 25)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--keepalive", action="store_true", help="one persistent connection per client")
    parser.add_argument("--unit", default="Kon Tum")
    parser.add_argument("--unit-id", type=int, help="skip looking the unit up on the results table")
    parser.add_argument("--index", default="papi")
    parser.add_argument("--year", type=int, default=2023)
    parser.add_argument("--profile", action="store_true", help="afterwards, cProfile the view in-process")
    parser.add_argument("--profile-requests", type=int, default=20)
    args = parser.parse_args()

    print(f"chiso analysis-page load benchmark · {machine_line()}")
    env, var_dir = prepare_database(
        pg=not args.sqlite, pg_name=args.pg_name, reuse=args.reuse, chiso_env=args.env
    )
    if args.env == "demo":  # manifest static storage: the page's {% static %} needs the manifest
        chiso(env, "collectstatic", "--noinput", "-v0")
    port = free_port()
    log = var_dir / "gunicorn.log"
    base = f"http://{HOST}:{port}"
    print(
        f"» gunicorn on {base}: {args.workers} workers × {args.threads} threads, CHISO_ENV={args.env}, "
        f"database {'SQLite' if args.sqlite else 'PostgreSQL'}; log {log}"
    )
    proc = start_gunicorn(env, port, args.workers, args.threads, log)
    try:
        wait_until_up(proc, port, log)
        cookie = log_in(base)
        unit_id = args.unit_id or find_unit_id(port, cookie, args.unit, args.index, args.year)
        page = f"/phan-tich/{args.index}/{unit_id}/{args.year}/"
        status, body, first = get(port, page, cookie)
        if status != 200:
            raise SystemExit(f"GET {page} answered {status}:\n{body[:500]!r}")
        print(f"» signed in as {USERNAME}; page {page} ({args.unit}, {len(body) // 1024} KiB)")
        print(f"  first request (this worker's figures cold): {fmt_s(first)}")

        # Warm every worker: with Connection: close each request is accepted by whichever worker is free.
        warm = run_load(port, page, cookie, args.workers * args.threads, 3, keepalive=False)
        run_load(port, "/healthz", cookie, args.workers * args.threads, 3, keepalive=False)
        print(f"  warm-up: {warm['n']} requests, median {fmt_s(warm['median'])}, max {fmt_s(warm['max'])}")

        print(
            f"» load: {args.clients} concurrent clients × {args.requests} requests each, "
            f"{'keep-alive' if args.keepalive else 'a new connection per request'}"
        )
        base_run = run_load(port, "/healthz", cookie, args.clients, args.requests, args.keepalive)
        page_run = run_load(port, page, cookie, args.clients, args.requests, args.keepalive)
    finally:
        stop_gunicorn(proc)
    print("» gunicorn stopped")

    print()
    header = f"{'path':<28} {'n':>5} {'median':>9} {'p95':>9} {'max':>9} {'req/s':>7}  statuses"
    print(header)
    print("-" * len(header))
    for r in (base_run, page_run):
        print(
            f"{r['path']:<28} {r['n']:>5} {fmt_s(r['median']):>9} {fmt_s(r['p95']):>9} {fmt_s(r['max']):>9} "
            f"{r['throughput']:>7.1f}  {r['statuses']}"
        )
        for e in r["errors"]:
            print(f"  error: {e}")
    print(
        f"ratio page / baseline: median {page_run['median'] / base_run['median']:.0f}×, "
        f"p95 {page_run['p95'] / base_run['p95']:.0f}×, throughput {page_run['throughput'] / base_run['throughput']:.2f}×"
    )
    ok_med = page_run["median"] < TARGET_MEDIAN
    ok_p95 = page_run["p95"] < TARGET_P95
    ok_status = set(page_run["statuses"]) == {200}
    print(
        f"\nTarget (b): {args.clients} concurrent clients, median < {TARGET_MEDIAN * 1e3:.0f} ms and "
        f"p95 < {TARGET_P95 * 1e3:.0f} ms ({'PostgreSQL' if not args.sqlite else 'SQLite — the target is for PostgreSQL'})"
    )
    print(
        f"  median {fmt_s(page_run['median'])} → {'MET' if ok_med else 'MISSED'}; "
        f"p95 {fmt_s(page_run['p95'])} → {'MET' if ok_p95 else 'MISSED'}"
        f"{'' if ok_status else '; some answers were not 200'}"
    )
    ratio = page_run["median"] / base_run["median"]
    print(
        f"Target (issue 10): the page's median within {TARGET_RATIO:.0f}× of /healthz's on the same server, "
        f"{args.clients} clients: {ratio:.1f}× → {'MET' if ratio <= TARGET_RATIO and ok_status else 'MISSED'}"
    )
    print(f"finished {utc_now()} · {load_line()}")

    if args.profile:
        profile_in_process(env, page, args.profile_requests)
    return 0


if __name__ == "__main__":
    sys.exit(main())
