"""Benchmark: satisfaction survey estimates over many responses, and the public intake in-process.

Targets of issue 9, reported, never asserted:

(a) estimates over 1,000,000 responses under 2 s (weighted, all items): ``surveys.services.estimates.compute``
    (the DB read of the ``scores`` column and of the profile answers, design weights, raking to sex and age,
    every item's share and mean with linearisation intervals, elements, service points, overall), weighted
    and unweighted; baseline: the bare read of the same ``scores`` column into a Python list; and weighted
    again with sex and age group extracted from the JSON answers, as before they had columns of their own;
(b) the public intake: responses/s and p95 of ``POST /api/public/surveys/<id>/responses/`` through Django's
    test client in this one process (rate limit off), against the same rows INSERTed straight into the
    database by one cursor in the same run;
(c) with ``--http`` (PostgreSQL only): the intake target itself — ≥ 500 responses/s, p95 < 100 ms — over
    HTTP on gunicorn (2 workers by default) with concurrent keep-alive clients for ``--seconds`` (the rate in
    consecutive 5 s windows too: sustained), against a same-run baseline
    of the same number of concurrent connections INSERTing the same rows straight into PostgreSQL; then
    the restart scenario: the same load while PostgreSQL is restarted
    (``pg_ctlcluster --skip-systemctl-redirect <ver> main restart``, a few seconds, only inside this run),
    counting the acknowledged responses (201 with a receipt) and checking every one is in the table
    afterwards (target: 0 lost). Responses refused during the restart (5xx, closed connections) are
    counted apart: they were never acknowledged, a client would send them again.

    .venv/bin/python bench/surveys.py                      # SQLite file in a temporary directory
    .venv/bin/python bench/surveys.py --pg                 # PostgreSQL chiso_bench_surveys, dropped and created
    .venv/bin/python bench/surveys.py --responses 200000   # fewer responses for (a)
    .venv/bin/python bench/surveys.py --pg --intake 200 --profile   # (a) and where its time goes
    .venv/bin/python bench/surveys.py --pg --http --responses 0   # (c) only, with (b)
    .venv/bin/python bench/surveys.py --pg --reuse --profile-intake 300  # only cProfile 300 intake requests in-process
    .venv/bin/python bench/surveys.py --pg --reuse --estimates-only --profile  # (a) only, on the responses already there

(d) with ``--intake-cpu N``: only the server's CPU time per intake response, through Django with every
    middleware and through ``chiso.wsgi.application`` (the intake's own path, ``chiso.api.intake_path``).

A run with ``--reuse`` keeps the database but still builds a new survey and writes ``--responses`` new rows into
it; ``--estimates-only`` (with ``--reuse``) writes nothing: it runs (a) alone on the bench survey of the database
with the most responses (the one an earlier run filled).

The responses of (a) are synthetic rows written straight into the table (COPY on PostgreSQL).
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    bench_province,
    fmt_s,
    machine_line,
    median,
    parser,
    percentile,
    prepare_database,
    repeat,
    setup_django,
)

PG_NAME = "chiso_bench_surveys"
#: one complete response to the SIPAS template: filter "no", every 1–5 item "satisfied" (the intake benches)
ANSWERS = {"q8_7": 2, **{f"q9_sat_{i}": 4 for i in range(24, 37)}}


def build_survey():
    from chiso.surveys.services import frame, questionnaire
    from chiso.units.models import Unit

    province = bench_province()
    for i in range(30):
        Unit.objects.get_or_create(
            kind="department",
            code=f"BENCH-S{i:02d}",
            defaults={"name": f"Sở thử {i:02d}", "parent": province},
        )
    survey = questionnaire.create_survey(
        "sipas", province, 2026, None, title=f"Khảo sát bench {time.strftime('%Y%m%d-%H%M%S')}"
    )
    rng = random.Random(9)
    frame.set_dossiers(survey, {p.code: rng.randint(500, 20000) for p in survey.points.all()}, None)
    survey.margins = {
        "gender": {"1": 0.49, "2": 0.51},
        "age": {"1": 0.15, "2": 0.2, "3": 0.3, "4": 0.2, "5": 0.15},
    }
    survey.save(update_fields=["margins"])
    return frame.step(survey, "open", None)


def fill(survey, n: int) -> float:
    """Write n synthetic responses straight into the table; returns the seconds it took."""
    from django.db import connection

    from chiso.surveys.models import profile_cells
    from chiso.surveys.services.questionnaire import scale_codes

    width = len(scale_codes(survey))
    points = list(survey.points.values_list("pk", flat=True))
    rng = random.Random(1)
    base = {p: rng.uniform(3.0, 4.6) for p in points}
    t0 = time.perf_counter()
    cols = (
        "survey_id, version, point_id, dossier, receipt, mode, answers, scores, sheet, verified, created_at, "
        "text_state, gender, age"
    )
    now = "2026-01-01 00:00:00+00"

    def rows():
        for i in range(n):
            p = points[i % len(points)]
            b = base[p]
            scores = "".join(str(max(1, min(5, round(b + rng.gauss(0, 0.9))))) for _ in range(width))
            # one in five without a profile; sex and age group drawn apart from the point (not from i,
            # whose residues would tie them to the point and leave an age group empty: raking would fail)
            answers = {"gender": rng.randint(1, 2), "age": rng.randint(1, 5)} if rng.random() < 0.8 else {}
            profile = profile_cells(answers)  # the columns every writer fills from the answers
            yield (
                survey.pk,
                survey.version,
                p,
                "",
                f"B{survey.pk % 100000:05d}{i:010d}",
                "import",
                json.dumps(answers),
                scores,
                "",
                False,
                now,
                "",
                profile["gender"],
                profile["age"],
            )

    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.cursor.copy(f"COPY surveys_response ({cols}) FROM STDIN") as copy:
                for row in rows():
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * 14)
            batch = []
            for row in rows():
                batch.append(row)
                if len(batch) == 10000:
                    cur.executemany(f"INSERT INTO surveys_response ({cols}) VALUES ({marks})", batch)
                    batch = []
            if batch:
                cur.executemany(f"INSERT INTO surveys_response ({cols}) VALUES ({marks})", batch)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE surveys_response")
    return time.perf_counter() - t0


def filled_survey():
    """The bench survey with the most responses, the latest of those (for ``--estimates-only``)."""
    from django.db.models import Count

    from chiso.surveys.models import Survey

    survey = (
        Survey.objects.filter(title__startswith="Khảo sát bench")
        .annotate(n=Count("responses"))
        .order_by("-n", "-pk")
        .first()
    )
    if survey is None or not survey.n:
        raise SystemExit("no bench survey with responses in this database: run once without --reuse")
    return survey


def bench_estimates(survey, repeat_n: int, profile: bool = False) -> None:
    from chiso.surveys.models import Response
    from chiso.surveys.services import estimates

    n = Response.objects.filter(survey=survey).count()
    print(f"\n(a) estimates over {n:,} responses (target: weighted, all items, under 2 s)")

    def baseline():
        return list(Response.objects.filter(survey=survey).values_list("scores", flat=True))

    def fresh(weighted):
        def run():
            survey.__dict__.pop("_questions", None)
            estimates.compute(survey, weighted=weighted)

        return run

    def from_json():  # as before migration 0003: sex and age group extracted from each row's JSON answers
        saved = estimates.PROFILE_CODES
        estimates.PROFILE_CODES = ()
        try:
            fresh(True)()
        finally:
            estimates.PROFILE_CODES = saved

    rows = []
    for label, fn in (
        ("baseline: read scores", baseline),
        ("unweighted", fresh(False)),
        ("weighted", fresh(True)),
        ("weighted, profile JSON", from_json),
    ):
        fn()
        wall, cpu = repeat(fn, repeat_n)
        rows.append((label, median(wall), min(wall), median(cpu)))
    base = rows[0][1]
    for label, med, low, cpu in rows:
        print(
            f"  {label:<22} median {fmt_s(med):>9}  min {fmt_s(low):>9}  cpu {fmt_s(cpu):>9}  ×{med / base:5.1f} baseline"
        )
    weighted = rows[2][1]
    print(f"  target (a): weighted {fmt_s(weighted)} {'met' if weighted < 2 else 'NOT met'} (< 2 s)")
    print(
        f"  weighted, sex and age group from their columns / from the JSON answers (as before): "
        f"median ×{weighted / rows[3][1]:.2f}, min ×{rows[2][2] / rows[3][2]:.2f}"
    )
    if profile:  # where the CPU time of one weighted run goes (process time: the machine may be shared)
        import cProfile
        import pstats

        prof = cProfile.Profile(time.process_time)
        prof.runcall(fresh(True))
        print("\n  profile of one weighted run (CPU seconds):")
        pstats.Stats(prof, stream=sys.stdout).sort_stats("tottime").print_stats(15)


def bench_intake(survey, n: int) -> None:
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from chiso.surveys.models import Response
    from chiso.surveys.services.intake import new_receipt

    settings.CHISO_SURVEY_RATE_LIMIT = 0
    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    body = {
        "answers": {"q8_7": 2, **{f"q9_sat_{i}": 4 for i in range(24, 37)}},
        "service_point": "",
        "dossier": "",
    }
    points = list(survey.points.values_list("code", flat=True))
    url = f"/api/public/surveys/{survey.pk}/responses/"
    times = []
    t0 = time.perf_counter()
    for i in range(n):
        body["service_point"] = points[i % len(points)]
        s = time.perf_counter()
        r = client.post(url, data=json.dumps(body), content_type="application/json")
        times.append(time.perf_counter() - s)
        if r.status_code != 201:
            raise SystemExit(f"intake answered {r.status_code}: {r.content[:300]!r}")
    total = time.perf_counter() - t0
    # baseline: the same rows INSERTed straight, one statement each, autocommit
    cols = "survey_id, version, point_id, dossier, receipt, mode, answers, scores, sheet, verified, created_at, text_state"
    marks = ", ".join(["%s"] * 12)
    answers = json.dumps(body["answers"])
    base_times = []
    b0 = time.perf_counter()
    with connection.cursor() as cur:
        for _i in range(n):
            s = time.perf_counter()
            cur.execute(
                f"INSERT INTO surveys_response ({cols}) VALUES ({marks})",
                (
                    survey.pk,
                    1,
                    None,
                    "",
                    new_receipt(),
                    "api",
                    answers,
                    "4" * 13 + "---",
                    "",
                    False,
                    "2026-01-01 00:00:00+00",
                    "",
                ),
            )
            base_times.append(time.perf_counter() - s)
    base_total = time.perf_counter() - b0
    print(
        f"\n(b) public intake, {n} responses in this process (target: ≥ 500/s, p95 < 100 ms with 2 workers on PostgreSQL)"
    )
    print(
        f"  intake API      {n / total:8.0f}/s  median {fmt_s(median(times)):>9}  p95 {fmt_s(percentile(times, 95)):>9}"
    )
    print(
        f"  baseline INSERT {n / base_total:8.0f}/s  median {fmt_s(median(base_times)):>9}  p95 {fmt_s(percentile(base_times, 95)):>9}"
    )
    print(f"  intake / baseline time per response: ×{(total / n) / (base_total / n):.1f}")
    print(f"  responses in the survey now: {Response.objects.filter(survey=survey).count():,}")


def profile_intake(survey, n: int) -> None:
    """cProfile ``n`` intake requests in this process with Django's test Client (rate limit on, as in
    production, unless ``CHISO_SURVEY_RATE_LIMIT=0``), after counting the queries of one of them."""
    import cProfile
    import io
    import pstats
    import re

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    points = list(survey.points.values_list("code", flat=True))
    url = f"/api/public/surveys/{survey.pk}/responses/"
    answers = ANSWERS
    counter = [0]

    def post():
        counter[0] += 1
        body = {
            "answers": answers,
            "service_point": points[counter[0] % len(points)],
            "dossier": f"p{counter[0]}",
        }
        r = client.post(url, data=json.dumps(body), content_type="application/json")
        if r.status_code != 201:
            raise SystemExit(f"intake answered {r.status_code}: {r.content[:300]!r}")

    post()
    with CaptureQueriesContext(connection) as q:
        post()
    limit = settings.CHISO_SURVEY_RATE_LIMIT
    print(
        f"\nIn-process profile of the intake (rate limit {limit or 'off'}): {len(q.captured_queries)} SQL "
        f"statements a response, {fmt_s(sum(float(x['time']) for x in q.captured_queries))} in the database"
    )
    for sql, count in Counter(re.sub(r"\b\d+\b", "N", x["sql"])[:120] for x in q.captured_queries).items():
        print(f"  {count:>3} × {sql}")
    prof = cProfile.Profile()
    c0, w0 = time.process_time(), time.perf_counter()
    prof.enable()
    for _ in range(n):
        post()
    prof.disable()
    cpu, wall = time.process_time() - c0, time.perf_counter() - w0
    print(f"  {n} requests under cProfile: {fmt_s(cpu / n)} CPU, {fmt_s(wall / n)} wall a request")
    for order in ("cumulative", "tottime"):
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).strip_dirs().sort_stats(order).print_stats(
            int(os.environ.get("BENCH_PROFILE_LINES", "25"))
        )
        text = buf.getvalue()
        print(f"\n  by {order}:")
        print("\n".join("  " + line for line in text[text.index("ncalls") :].splitlines() if line.strip()))


def intake_cpu(survey, n: int) -> None:
    """The server's CPU time per intake response, in this one thread (``time.thread_time``): through
    Django's ``WSGIHandler`` with every middleware (the way every other request goes) and through
    ``chiso.wsgi.application``, the way gunicorn serves it (``chiso.api.intake_path``), alternating, after
    20 untimed responses each. Each response is written and committed (rate limit off)."""
    import io

    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import RequestFactory

    import chiso.wsgi

    settings.ALLOWED_HOSTS = ["*"]
    factory = RequestFactory()
    points = list(survey.points.values_list("code", flat=True))
    path = f"/api/public/surveys/{survey.pk}/responses/"
    answers = ANSWERS
    counter = [0]

    def post(app) -> float:
        counter[0] += 1
        body = json.dumps(
            {
                "answers": answers,
                "service_point": points[counter[0] % len(points)],
                "dossier": f"c{counter[0]}",
            }
        ).encode()
        environ = factory._base_environ(
            PATH_INFO=path,
            REQUEST_METHOD="POST",
            CONTENT_TYPE="application/json",
            CONTENT_LENGTH=str(len(body)),
            **{"wsgi.input": io.BytesIO(body)},
        )
        status: list[str] = []
        c0 = time.thread_time()
        out = app(environ, lambda s, headers, exc_info=None: status.append(s))
        b"".join(out)
        getattr(out, "close", lambda: None)()
        spent = time.thread_time() - c0
        if not status[0].startswith("201"):
            raise SystemExit(f"intake answered {status[0]}")
        return spent

    ways = [("Django, every middleware", WSGIHandler()), ("chiso.wsgi (intake path)", chiso.wsgi.application)]
    for _label, app in ways:
        for _ in range(20):
            post(app)
    cpu: dict[str, list[float]] = {label: [] for label, _ in ways}
    for _ in range(n):
        for label, app in ways:
            cpu[label].append(post(app))
    print(
        f"\n(d) server CPU per intake response, in-process, {n} each (rate limit off, PostgreSQL commit each)"
    )
    base = median(cpu[ways[0][0]])
    for label, _ in ways:
        print(
            f"  {label:<28} median {fmt_s(median(cpu[label])):>9}  best {fmt_s(min(cpu[label])):>9}"
            f"  ×{median(cpu[label]) / base:.2f}"
        )


# --- (c) HTTP intake on gunicorn, and a PostgreSQL restart mid-load ---------------------------------


class _Connection:
    """A minimal HTTP/1.1 keep-alive client: the request written as bytes, the answer read by its status
    line and Content-Length. It shares the two cores with the server and PostgreSQL, so it should take as
    little of them as it can: ``http.client`` parses every answer's headers with the e-mail parser, which
    costs about as much CPU as the server spends on a response (``--client http.client`` to compare)."""

    def __init__(self, host: str, port: int, timeout: float = 30) -> None:
        import socket

        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.reader = self.sock.makefile("rb")
        self.head = f"Host: {host}:{port}\r\nContent-Type: application/json\r\n".encode()

    def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        self.sock.sendall(
            b"POST %s HTTP/1.1\r\n%sContent-Length: %d\r\n\r\n%s"
            % (path.encode(), self.head, len(body), body)
        )
        status_line = self.reader.readline()
        if not status_line:
            raise ConnectionError("connection closed by the server")
        length, close = 0, False
        while True:
            line = self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
        content = self.reader.read(length)
        if close:
            self.close()
            raise ConnectionError("the server closed the connection after answering")
        return int(status_line.split()[1]), content

    def close(self) -> None:
        self.reader.close()
        self.sock.close()


class _StdlibConnection:
    """The same through ``http.client`` (``--client http.client``)."""

    def __init__(self, host: str, port: int, timeout: float = 30) -> None:
        import http.client

        self.conn = http.client.HTTPConnection(host, port, timeout=timeout)

    def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        self.conn.request("POST", path, body=body, headers={"Content-Type": "application/json"})
        r = self.conn.getresponse()
        return r.status, r.read()

    def close(self) -> None:
        self.conn.close()


CLIENTS = {"raw": _Connection, "http.client": _StdlibConnection}


@dataclass
class Load:
    latencies: list[float]  # of the 201s
    receipts: list[str]
    statuses: Counter
    wall: float
    cpu: float  # the client threads' CPU seconds
    finished: list[float]  # perf_counter when each 201 came back, ascending

    def windows(self, width: float = 5.0) -> list[float]:
        """Responses acknowledged per second in consecutive windows of ``width`` seconds (whole windows)."""
        if not self.finished:
            return []
        start, out = self.finished[0], []
        k = 0
        while start + width <= self.finished[-1]:
            j = k
            while j < len(self.finished) and self.finished[j] < start + width:
                j += 1
            out.append((j - k) / width)
            k, start = j, start + width
        return out


def http_load(
    port: int,
    survey,
    clients: int,
    *,
    per_client: int = 0,
    seconds: float = 0,
    tag: str = "h",
    kind: str = "raw",
):
    """``clients`` threads posting responses over keep-alive connections, ``per_client`` each or for
    ``seconds``; every response has its own dossier code. Returns latencies of the 201s, their receipts,
    the other statuses, the wall time, the CPU time the client threads took (``time.thread_time``) and when
    each 201 came back."""
    import http.client
    import threading

    from analysis_load import HOST
    from common import run_together

    connect = CLIENTS[kind]
    points = list(survey.points.values_list("code", flat=True))
    path = f"/api/public/surveys/{survey.pk}/responses/"
    answers = ANSWERS
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)
    latencies: list[float] = []
    receipts: list[str] = []
    statuses: Counter = Counter()
    stop_at = [0.0]
    cpu = [0.0]

    def client():
        me = threading.get_ident()
        conn = connect(HOST, port)
        mine, got, codes, done = [], [], Counter(), []
        barrier.wait()
        c0 = time.thread_time()
        i = 0
        while (per_client and i < per_client) or (seconds and time.perf_counter() < stop_at[0]):
            body = json.dumps(
                {"answers": answers, "service_point": points[i % len(points)], "dossier": f"{tag}{me}-{i}"}
            ).encode()
            i += 1
            t = time.perf_counter()
            try:
                status, content = conn.post(path, body)
            except (OSError, http.client.HTTPException, ValueError, IndexError):
                codes["connection error"] += 1
                conn.close()
                time.sleep(0.05)
                try:
                    conn = connect(HOST, port)
                except OSError:
                    pass
                continue
            codes[status] += 1
            if status == 201:
                end = time.perf_counter()
                mine.append(end - t)
                done.append(end)
                got.append(json.loads(content)["receipt"])
            elif status >= 500:
                time.sleep(0.05)
        spent = time.thread_time() - c0
        conn.close()
        with lock:
            latencies.extend(mine)
            receipts.extend(got)
            statuses.update(codes)
            finished.extend(done)
            cpu[0] += spent

    finished: list[float] = []
    stop_at[0] = time.perf_counter() + seconds
    wall = run_together(client, clients, barrier, daemon=True)
    return Load(latencies, receipts, statuses, wall, cpu[0], sorted(finished))


def insert_load(survey, clients: int, per_client: int):
    """The baseline: ``clients`` connections INSERTing the same rows straight into PostgreSQL, autocommit."""
    import threading

    import psycopg
    from common import run_together
    from django.conf import settings

    from chiso.surveys.services.intake import new_receipt

    db = settings.DATABASES["default"]
    dsn = f"host={db['HOST']} port={db['PORT'] or 5432} user={db['USER']} dbname={db['NAME']}"
    if db.get("PASSWORD"):
        dsn += f" password={db['PASSWORD']}"
    cols = "survey_id, version, point_id, dossier, receipt, mode, answers, scores, sheet, verified, created_at, text_state"
    sql = f"INSERT INTO surveys_response ({cols}) VALUES ({', '.join(['%s'] * 12)})"
    points = list(survey.points.values_list("pk", flat=True))
    answers = json.dumps(ANSWERS)
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)
    latencies: list[float] = []

    def client():
        me = threading.get_ident()
        mine = []
        with psycopg.connect(dsn, autocommit=True) as conn, conn.cursor() as cur:
            barrier.wait()
            for i in range(per_client):
                t = time.perf_counter()
                cur.execute(
                    sql,
                    (
                        survey.pk,
                        survey.version,
                        points[i % len(points)],
                        f"b{me}-{i}",
                        new_receipt(),
                        "api",
                        answers,
                        "4" * 13 + "---",
                        "",
                        False,
                        "2026-01-01 00:00:00+00",
                        "",
                    ),
                )
                mine.append(time.perf_counter() - t)
        with lock:
            latencies.extend(mine)

    wall = run_together(client, clients, barrier, daemon=True)
    return latencies, wall


def restart_postgresql() -> tuple[float, str]:
    import subprocess

    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SHOW server_version_num")
        major = int(cur.fetchone()[0]) // 10000
    connection.close()
    t = time.perf_counter()
    out = subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", str(major), "main", "restart"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if out.returncode != 0:
        raise SystemExit(f"pg_ctlcluster failed ({out.returncode}): {out.stderr[-500:]}")
    return time.perf_counter() - t, f"{major}/main"


def _children_cpu(pid: int) -> float:
    """CPU seconds (user + system) of the processes whose parent is ``pid`` (gunicorn's workers)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def bench_http(
    env: dict,
    var_dir: Path,
    survey,
    clients: int,
    per_client: int,
    workers: int,
    threads: int,
    restart_seconds: float,
    kind: str = "raw",
    seconds: float = 0,
) -> None:
    import threading

    from analysis_load import free_port, start_gunicorn, stop_gunicorn, wait_until_up

    from chiso.surveys.models import Response

    env = {**env, "CHISO_SURVEY_RATE_LIMIT": "0"}
    port = free_port()
    log = var_dir / "gunicorn-surveys.log"
    proc = start_gunicorn(env, port, workers, threads, log)
    print(
        f"\n(c) public intake over HTTP: gunicorn {workers} workers × {threads} threads, {clients} concurrent "
        f"keep-alive clients ({kind}) × {f'{seconds:.0f} s' if seconds else f'{per_client} responses'} (targets: ≥ 500/s, p95 < 100 ms, 0 acknowledged lost)"
    )
    try:
        wait_until_up(proc, port, log)
        http_load(port, survey, clients, per_client=5, tag="w", kind=kind)  # warm every worker
        base_lat, base_wall = insert_load(survey, clients, per_client)
        server0 = _children_cpu(proc.pid)
        load = http_load(
            port, survey, clients, per_client=0 if seconds else per_client, seconds=seconds, kind=kind
        )
        lat, statuses, wall, client_cpu = load.latencies, load.statuses, load.wall, load.cpu
        server_cpu = _children_cpu(proc.pid) - server0
        n, bn = len(lat), len(base_lat)
        rate, base_rate = n / wall, bn / base_wall
        p95, base_p95 = percentile(lat, 95), percentile(base_lat, 95)
        print(
            f"  baseline INSERT {base_rate:8.0f}/s  median {fmt_s(median(base_lat)):>9}  p95 {fmt_s(base_p95):>9}"
        )
        print(
            f"  intake HTTP     {rate:8.0f}/s  median {fmt_s(median(lat)):>9}  p95 {fmt_s(p95):>9}  "
            f"statuses {dict(statuses)}"
        )
        print(f"  intake / baseline: throughput ×{rate / base_rate:.2f}, p95 ×{p95 / base_p95:.1f}")
        windows = load.windows()
        if len(windows) > 1:
            print(
                f"  sustained: {', '.join(f'{w:.0f}' for w in windows)} /s in consecutive 5 s windows "
                f"(lowest {min(windows):.0f}/s)"
            )
        answered = max(1, sum(statuses.values()))
        print(
            f"  CPU per response: gunicorn workers {fmt_s(server_cpu / answered)}, load generator "
            f"{fmt_s(client_cpu / answered)} (PostgreSQL not counted)"
        )
        print(
            f"  target: {rate:.0f}/s {'met' if rate >= 500 else 'NOT met'} (≥ 500/s); "
            f"p95 {fmt_s(p95)} {'met' if p95 < 0.1 else 'NOT met'} (< 100 ms)"
        )
        if restart_seconds:
            outcome: dict = {}

            def restarter():
                time.sleep(restart_seconds / 3)
                outcome["took"], outcome["cluster"] = restart_postgresql()

            t = threading.Thread(target=restarter)
            t.start()
            load = http_load(port, survey, clients, seconds=restart_seconds, tag="r", kind=kind)
            receipts, statuses, wall = load.receipts, load.statuses, load.wall
            t.join()
            from django.db import connection

            connection.close()
            found = set()
            for k in range(0, len(receipts), 5000):
                chunk = receipts[k : k + 5000]
                found.update(Response.objects.filter(receipt__in=chunk).values_list("receipt", flat=True))
            lost = len(set(receipts) - found)
            refused = sum(v for k, v in statuses.items() if k != 201)
            print(
                f"  PostgreSQL {outcome.get('cluster')} restarted mid-load (restart took {outcome.get('took', 0):.1f} s) "
                f"during {wall:.1f} s of load: {len(receipts)} acknowledged, {lost} of them lost; "
                f"{refused} not acknowledged (statuses {dict(statuses)})"
            )
            print(f"  target: {lost} acknowledged responses lost {'met' if lost == 0 else 'NOT met'} (0)")
    finally:
        stop_gunicorn(proc)


def main() -> None:
    p = parser(__doc__, PG_NAME)
    p.add_argument("--pg", action="store_true", help="PostgreSQL instead of a temporary SQLite file")
    p.add_argument("--responses", type=int, default=1_000_000, help="responses for (a)")
    p.add_argument("--intake", type=int, default=2000, help="responses posted for (b)")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--profile", action="store_true", help="(a): also cProfile one weighted run")
    p.add_argument(
        "--profile-intake", type=int, default=0, help="only cProfile this many intake requests in-process"
    )
    p.add_argument(
        "--estimates-only",
        action="store_true",
        help="with --reuse: only (a), on the bench survey already filled (nothing written)",
    )
    p.add_argument(
        "--intake-cpu", type=int, default=0, help="only (d): server CPU per intake response, N of each way"
    )
    p.add_argument(
        "--http", action="store_true", help="(c): HTTP intake on gunicorn and a PostgreSQL restart"
    )
    p.add_argument("--clients", type=int, default=16, help="(c): concurrent clients")
    p.add_argument(
        "--per-client", type=int, default=250, help="(c): responses per client (and the baseline's)"
    )
    p.add_argument(
        "--seconds",
        type=float,
        default=30.0,
        help="(c): post for this long instead of --per-client each; 0: count",
    )
    p.add_argument(
        "--client", choices=sorted(CLIENTS), default="raw", help="(c): the load generator's HTTP client"
    )
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--threads", type=int, default=4)
    p.add_argument(
        "--restart-seconds", type=float, default=12.0, help="(c): load around the restart; 0: none"
    )
    args = p.parse_args()
    print(machine_line())
    env, var = prepare_database(pg=args.pg, pg_name=args.pg_name, reuse=args.reuse)
    setup_django(env)
    if args.estimates_only:
        if not (args.pg and args.reuse):
            raise SystemExit("--estimates-only needs --pg --reuse (a database an earlier run filled)")
        bench_estimates(filled_survey(), args.repeat, args.profile)
        print("\n" + machine_line())
        return
    survey = build_survey()
    if args.profile_intake:
        profile_intake(survey, args.profile_intake)
        return
    if args.intake_cpu:
        intake_cpu(survey, args.intake_cpu)
        return
    bench_intake(survey, args.intake)
    if args.http:
        if not args.pg:
            raise SystemExit("--http needs --pg (the restart scenario is PostgreSQL's)")
        bench_http(
            env,
            var,
            survey,
            args.clients,
            args.per_client,
            args.workers,
            args.threads,
            args.restart_seconds,
            args.client,
            args.seconds,
        )
    if args.responses:
        seconds = fill(survey, args.responses)
        print(f"\n» {args.responses:,} synthetic responses written in {seconds:.1f} s")
        bench_estimates(survey, args.repeat, args.profile)
    print("\n" + machine_line())


if __name__ == "__main__":
    main()
