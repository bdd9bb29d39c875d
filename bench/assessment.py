"""Benchmark: an assessment round of 40 units × 100 criteria on PostgreSQL, and an evidence package of 500
files / 200 MB.

Targets of issue 8, reported, never asserted:

(a) the round's summary (``assessment.services.results.summary``: every unit's totals, ranks and classes)
    under 300 ms; baseline: one bare query of the same 4,000 score rows;
(b) a score sheet page median under 200 ms with 20 concurrent clients, over HTTP against gunicorn, with
    ``/healthz`` as the same-run baseline. When the sheet page (``/danh-gia/<round>/<unit>/``) is not in the
    product yet, the sheet data service is measured instead, by 20 threads spread over 2 forked worker
    processes as gunicorn's 2 workers would be (its framework structure, the sheet, its scores with their
    evidence counts, the totals of the three stages and the permission checks a page makes), against a bare
    ``SELECT 1`` under the same load; the script says so;
(c) the evidence package of 500 files / 200 MB streamed (the real view through Django's test client, the
    chunks discarded as a browser would write them) with the process's memory growing under 100 MB: VmRSS of
    /proc/self/status sampled every 64 chunks, and ``ru_maxrss``; baseline: reading and hashing the same files.

    .venv/bin/python bench/assessment.py                 # PostgreSQL chiso_bench_assessment, dropped and created
    .venv/bin/python bench/assessment.py --reuse         # keep the loaded reference data, rebuild the round
    .venv/bin/python bench/assessment.py --skip-http     # (b) in-process even when the page exists
    .venv/bin/python bench/assessment.py --tracemalloc   # (c) also the Python heap peak (slower)

Only loopback addresses are used; gunicorn is always stopped at the end.
"""

from __future__ import annotations

import hashlib
import os
import random
import resource
import shutil
import sys
import threading
import time
import tracemalloc
from collections import Counter

import common
from analysis_load import free_port, get, log_in, run_load, start_gunicorn, stop_gunicorn, wait_until_up
from common import fmt_s, median, percentile

TARGET_SUMMARY = 0.300
TARGET_SHEET = 0.200
TARGET_GROWTH_MB = 100
USERNAME, PASSWORD = "bench_danhgia", "bench-danhgia"
FIELDS = 8


# --- building ------------------------------------------------------------------------------------


def framework_dict(criteria: int) -> dict:
    """A department index of ``criteria`` leaf criteria in 8 fields (each criterion worth 1 point, step
    0.25), classes on the percent like the demo index's."""
    per_field, extra = divmod(criteria, FIELDS)
    fields = []
    n = 0
    for f in range(1, FIELDS + 1):
        count = per_field + (f <= extra)
        children = []
        for c in range(1, count + 1):
            n += 1
            children.append(
                {
                    "code": f"{f}.{c}",
                    "level": "criterion",
                    "name_vi": f"Tiêu chí thử nghiệm {f}.{c} về cải cách hành chính",
                    "max": 1,
                    "step": 0.25,
                }
            )
        fields.append(
            {
                "code": f"LV{f}",
                "level": "field",
                "name_vi": f"Lĩnh vực thử nghiệm {f}",
                "max": count,
                "children": children,
            }
        )
    return {
        "index": "bench-cchc",
        "code": "bench-cchc-2025",
        "name_vi": "Chỉ số CCHC thử nghiệm năm 2025",
        "name_en": "Benchmark administrative reform index 2025",
        "index_name_vi": "Chỉ số cải cách hành chính thử nghiệm các sở, ban, ngành",
        "index_name_en": "Benchmark administrative reform index of departments",
        "index_short_name": "CCHC thử nghiệm",
        "levels": [
            {"code": "total", "name_vi": "Tổng hợp"},
            {"code": "field", "name_vi": "Lĩnh vực"},
            {"code": "criterion", "name_vi": "Tiêu chí"},
        ],
        "valid_from": 2025,
        "complete": True,
        "unit_kind": "department",
        "value_kind": "points",
        "precision": 2,
        "grouping": {
            "kind": "threshold",
            "on": "percent",
            "groups": [
                {"label": "Xuất sắc", "lower": 90},
                {"label": "Tốt", "lower": 80},
                {"label": "Khá", "lower": 70},
                {"label": "Trung bình", "lower": 50},
                {"label": "Yếu"},
            ],
        },
        "root": {
            "code": "TONG",
            "level": "total",
            "name_vi": "Chỉ số CCHC",
            "max": criteria,
            "children": fields,
        },
    }


def build(units: int, criteria: int, seed: int):
    """The province's index, ``units`` departments, a coordinator, a round in re-appraisal with every score
    (self for all, appraised for a third, final for a tenth), by bulk inserts."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from chiso.accounts.models import Membership
    from chiso.assessment.models import Round, Score
    from chiso.assessment.services.rounds import open_round
    from chiso.core.framework import parse_dict
    from chiso.frameworks.models import Framework, Index
    from chiso.frameworks.services import install_framework
    from chiso.units.models import Unit

    rng = random.Random(seed)
    with transaction.atomic():
        province = common.bench_province()
        Round.objects.filter(framework__index__code="bench-cchc").delete()
        Framework.objects.filter(index__code="bench-cchc").delete()
        Index.objects.filter(code="bench-cchc").delete()
        Unit.objects.filter(code__startswith="BENCH-A").delete()
        framework, _ = install_framework(parse_dict(framework_dict(criteria)), owner=province)
        depts = []
        for i in range(1, units + 1):
            u = Unit(
                kind="department",
                code=f"BENCH-A{i:02d}",
                name=f"Sở thử nghiệm đánh giá {i:02d}",
                parent=province,
            )
            u.save()
            depts.append(u)
        user, _ = get_user_model().objects.get_or_create(username=USERNAME)
        user.set_password(PASSWORD)
        user.save()
        Membership.objects.get_or_create(user=user, unit=province, role="coordinator")
        rnd = open_round(framework, 2025, province, "department", user, units=depts)
        Round.objects.filter(pk=rnd.pk).update(status="reappraisal")
        nodes = list(framework.nodes.filter(children__isnull=True).order_by("order"))
        scores = []
        for sheet in rnd.sheets.all():
            level = rng.uniform(0.55, 0.98)
            for node in nodes:
                value = min(1.0, max(0.0, round(rng.gauss(level, 0.15) * 4) / 4))
                appraised = max(0.0, value - 0.25) if rng.random() < 0.33 else None
                final = value if appraised is not None and rng.random() < 0.3 else None
                scores.append(
                    Score(
                        sheet=sheet,
                        node=node,
                        self_score=value,
                        appraised_score=appraised,
                        final_score=final,
                        self_note="Có tài liệu kiểm chứng",
                        appraisal_comment="Thiếu tài liệu" if appraised is not None else "",
                    )
                )
        Score.objects.bulk_create(scores, batch_size=2000)
    rnd.refresh_from_db()
    return rnd, user, len(nodes)


def add_evidence(rnd, files: int, total_mb: int, seed: int) -> dict:
    """``files`` evidence files of ``total_mb`` MB in all (incompressible, like scans) on the first sheet's
    criteria, written to the media storage, rows by bulk insert."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from chiso.assessment.models import EvidenceFile

    rng = random.Random(seed)
    sheet = rnd.sheets.select_related("unit").order_by("unit__code").first()
    scores = list(sheet.scores.order_by("node__order"))
    size = total_mb * 1024 * 1024 // files
    rows, names = [], ["Biên bản kiểm tra", "Kế hoạch", "Báo cáo kết quả", "Quyết định", "Ảnh chụp hội nghị"]
    started = time.perf_counter()
    for i in range(files):
        data = rng.randbytes(size)
        sha = hashlib.sha256(data).hexdigest()
        path = f"uploads/{sha[:2]}/{sha}"
        if not default_storage.exists(path):
            default_storage.save(path, ContentFile(data))
        rows.append(
            EvidenceFile(
                score=scores[i % len(scores)],
                file=path,
                name=f"{names[i % len(names)]} số {i // len(names) % 3 + 1}.pdf",  # names repeat: de-duplicated
                content_type="application/pdf",
                size=size,
                sha256=sha,
                scan_status="not_scanned",
            )
        )
    EvidenceFile.objects.bulk_create(rows, batch_size=500)
    return {"sheet": sheet, "files": files, "bytes": size * files, "seconds": time.perf_counter() - started}


# --- (a) summary ------------------------------------------------------------------------------------


def measure_summary(rnd, repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from chiso.assessment.models import Score
    from chiso.assessment.services.results import summary

    def bare():
        return list(
            Score.objects.filter(sheet__round=rnd).values_list(
                "sheet_id", "node_id", "self_score", "appraised_score", "final_score", "not_applicable"
            )
        )

    out = {}
    for label, fn in (("baseline", bare), ("summary", lambda: summary(rnd))):
        fn()
        with CaptureQueriesContext(connection) as q:
            result = fn()
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        out[label] = {
            "median": median(times),
            "min": min(times),
            "queries": len(q.captured_queries),
            "rows": len(result),
        }
    results = summary(rnd)
    out["classes"] = Counter(r.klass for r in results)
    out["first"] = results[0]
    return out


# --- (b) the sheet page ----------------------------------------------------------------------------


def sheet_page_path(rnd, unit_id: int) -> str | None:
    """The sheet page's path when the product has the page, else None."""
    from django.urls import Resolver404, resolve

    path = f"/danh-gia/{rnd.pk}/{unit_id}/"
    try:
        resolve(path)
    except Resolver404:
        return None
    return path


def sheet_data(sheet_id: int, user) -> int:
    """What a sheet page reads (stand-in while the page is not in the product): the sheet, the framework's
    structure, the scores with their evidence counts, the totals of the three stages, the permissions."""
    from django.db.models import Count

    from chiso.assessment import permissions
    from chiso.assessment.models import Sheet
    from chiso.assessment.services.sheets import sheet_totals
    from chiso.assessment.services.structure import structure

    sheet = Sheet.objects.select_related("round__framework", "unit").get(pk=sheet_id)
    permissions.can_view_sheet(user, sheet)
    permissions.can_work(user, sheet, "final")
    st = structure(sheet.round.framework)
    rows = list(
        sheet.scores.select_related("node").annotate(
            n_files=Count("files", distinct=True), n_links=Count("links")
        )
    )
    for stage in ("self", "appraisal", "final"):
        sheet_totals(sheet, stage, rows)
    return len(st.criteria) + len(rows)


def threaded_load(fn, clients: int, per_client: int) -> tuple[list[float], float]:
    """``clients`` threads calling fn() ``per_client`` times each, all starting together (own DB connection
    each, closed at the end): every latency, and the wall-clock time of the whole."""
    from django.db import connection

    latencies: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)

    def client():
        mine = []
        barrier.wait()
        for _ in range(per_client):
            t0 = time.perf_counter()
            fn()
            mine.append(time.perf_counter() - t0)
        connection.close()
        with lock:
            latencies.extend(mine)

    return latencies, common.run_together(client, clients, barrier)


def _worker(kind: str, sheet_ids: list[int], user_id: int, clients: int, per_client: int, start: float):
    """One worker process (forked, like a gunicorn worker): ``clients`` threads of sheet data or SELECT 1."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    user = get_user_model().objects.get(pk=user_id)
    counter = iter(range(10**9))

    def one():
        sheet_data(sheet_ids[next(counter) % len(sheet_ids)], user)

    def select_one():
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
            cur.fetchone()

    fn = one if kind == "page" else select_one
    fn()  # this worker's structure cache, as a warm gunicorn worker has it
    time.sleep(max(0.0, start - time.time()))
    return threaded_load(fn, clients, per_client)


def measure_sheet_in_process(rnd, user, clients: int, per_client: int, workers: int = 2) -> dict:
    """The sheet data service under ``clients`` concurrent callers spread over ``workers`` forked processes
    (gunicorn's 2 workers), against SELECT 1 under the same load."""
    import multiprocessing

    from django.db import connections

    sheet_ids = list(rnd.sheets.values_list("pk", flat=True))
    connections.close_all()  # each process opens its own
    out = {}
    ctx = multiprocessing.get_context("fork")
    for kind in ("baseline", "page"):
        start = time.time() + 2
        share = [clients // workers + (i < clients % workers) for i in range(workers)]
        with ctx.Pool(workers) as pool:
            parts = pool.starmap(_worker, [(kind, sheet_ids, user.pk, n, per_client, start) for n in share])
        latencies = [x for lat, _ in parts for x in lat]
        wall = max(w for _, w in parts)
        out[kind] = {
            "n": len(latencies),
            "median": median(latencies),
            "p95": percentile(latencies, 95),
            "max": max(latencies),
            "throughput": len(latencies) / wall,
        }
    return out


def measure_sheet_http(env, var_dir, path: str, clients: int, per_client: int) -> dict:
    common.chiso(env, "collectstatic", "--noinput", "-v0")
    port = free_port()
    log = var_dir / "gunicorn.log"
    proc = start_gunicorn(env, port, 2, 4, log)
    try:
        wait_until_up(proc, port, log)
        cookie = log_in(f"http://127.0.0.1:{port}", USERNAME, PASSWORD)
        status, body, first = get(port, path, cookie)
        if status != 200:
            raise SystemExit(f"GET {path} answered {status}")
        run_load(port, path, cookie, 8, 3, keepalive=False)
        run_load(port, "/healthz", cookie, 8, 3, keepalive=False)
        base = run_load(port, "/healthz", cookie, clients, per_client, keepalive=False)
        page = run_load(port, path, cookie, clients, per_client, keepalive=False)
    finally:
        stop_gunicorn(proc)
    return {"baseline": base, "page": page, "first": first, "kib": len(body) // 1024}


# --- (c) the evidence package ----------------------------------------------------------------------


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_package(rnd, user, evidence: dict, with_tracemalloc: bool) -> dict:
    from django.test import Client

    from chiso.assessment.models import EvidenceFile

    sheet = evidence["sheet"]
    url = f"/danh-gia/{rnd.pk}/{sheet.unit_id}/ho-so-minh-chung.zip"
    client = Client()
    client.force_login(user)
    out = {}

    # baseline: read and hash the same files, as the package does without zipping
    files = list(EvidenceFile.objects.filter(score__sheet=sheet))
    rss0, peak = rss_mb(), rss_mb()
    t0 = time.perf_counter()
    total = 0
    for f in files:
        h = hashlib.sha256()
        with f.file.storage.open(f.file.name, "rb") as fh:
            while chunk := fh.read(64 * 1024):
                h.update(chunk)
                total += len(chunk)
        peak = max(peak, rss_mb())
    out["baseline"] = {"seconds": time.perf_counter() - t0, "bytes": total, "growth": peak - rss0}

    def stream_once() -> dict:
        start_rss, peak_rss, maxrss0 = rss_mb(), rss_mb(), maxrss_mb()
        t0 = time.perf_counter()
        resp = client.get(url)
        if resp.status_code != 200:
            raise SystemExit(f"GET {url} answered {resp.status_code}")
        size = chunks = biggest = 0
        for chunk in resp.streaming_content:
            size += len(chunk)
            chunks += 1
            biggest = max(biggest, len(chunk))
            if chunks % 64 == 0:
                peak_rss = max(peak_rss, rss_mb())
        resp.close()
        peak_rss = max(peak_rss, rss_mb())
        return {
            "seconds": time.perf_counter() - t0,
            "bytes": size,
            "chunks": chunks,
            "biggest": biggest,
            "start": start_rss,
            "growth": peak_rss - start_rss,
            "maxrss_growth": maxrss_mb() - maxrss0,
        }

    out["package"] = stream_once()
    if with_tracemalloc:
        tracemalloc.start()
        stream_once()
        out["heap_peak"] = tracemalloc.get_traced_memory()[1] / 1024 / 1024
        tracemalloc.stop()
    return out


# --- main -----------------------------------------------------------------------------------------


def main() -> int:
    parser = common.parser(__doc__, "chiso_bench_assessment")
    parser.add_argument("--units", type=int, default=40)
    parser.add_argument("--criteria", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=20, help="timed runs of (a)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=25, help="requests per client in (b)")
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--megabytes", type=int, default=200)
    parser.add_argument("--skip-http", action="store_true", help="(b) in-process even when the page exists")
    parser.add_argument("--tracemalloc", action="store_true", help="(c) also the Python heap peak")
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args()

    print(f"chiso assessment benchmark · {common.machine_line()}")
    env, var_dir = common.prepare_database(pg=True, pg_name=args.pg_name, reuse=args.reuse, chiso_env="demo")
    (var_dir / "static").mkdir(exist_ok=True)  # whitenoise looks for it in-process; the server collects it
    common.setup_django(env)
    from django.db import connection

    t0 = time.perf_counter()
    rnd, user, n_criteria = build(args.units, args.criteria, args.seed)
    evidence = add_evidence(rnd, args.files, args.megabytes, args.seed)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    print(
        f"» built a round of {rnd.sheets.count()} units × {n_criteria} criteria "
        f"({rnd.sheets.count() * n_criteria} scores) and {evidence['files']} evidence files of "
        f"{evidence['bytes'] / 2**20:.0f} MB on {evidence['sheet'].unit.name} in {time.perf_counter() - t0:.1f} s "
        f"({connection.vendor})"
    )

    # (a)
    a = measure_summary(rnd, args.repeat)
    print("\n(a) summary of the round: totals, ranks, classes")
    print(f"{'':<40} {'median':>9} {'best':>9} {'queries':>8} {'rows':>6}")
    for label, key in (
        ("baseline: bare query of the score rows", "baseline"),
        ("results.summary(round)", "summary"),
    ):
        r = a[key]
        print(f"{label:<40} {fmt_s(r['median']):>9} {fmt_s(r['min']):>9} {r['queries']:>8} {r['rows']:>6}")
    first = a["first"]
    print(
        f"  ratio summary / baseline: {a['summary']['median'] / a['baseline']['median']:.0f}×; classes "
        f"{dict(a['classes'])}; first {first.unit.name} {first.percent:.2f} %"
    )
    ok = a["summary"]["median"] < TARGET_SUMMARY
    print(
        f"  Target (a): < {TARGET_SUMMARY * 1e3:.0f} ms → median {fmt_s(a['summary']['median'])} "
        f"{'MET' if ok else 'MISSED'}"
    )

    # (b)
    path = sheet_page_path(rnd, evidence["sheet"].unit_id)
    if path and not args.skip_http:
        b = measure_sheet_http(env, var_dir, path, args.clients, args.requests)
        print(f"\n(b) the score sheet page {path} ({b['kib']} KiB), gunicorn 2 workers × 4 threads, "
              f"{args.clients} clients × {args.requests} requests; first request {fmt_s(b['first'])}")  # fmt: skip
        labels = (("/healthz (baseline)", "baseline"), (path, "page"))
    else:
        why = "--skip-http" if path else f"/danh-gia/{rnd.pk}/<unit>/ is not in the product yet"
        b = measure_sheet_in_process(rnd, user, args.clients, args.requests)
        print(
            f"\n(b) NOT THE PAGE ({why}): the sheet data service (structure, sheet, scores with evidence "
            f"counts, totals of 3 stages, permissions), {args.clients} threads in 2 forked processes × "
            f"{args.requests} calls"
        )
        labels = (("SELECT 1 (baseline)", "baseline"), ("sheet data", "page"))
    print(f"{'':<34} {'n':>5} {'median':>9} {'p95':>9} {'max':>9} {'per s':>7}")
    for label, key in labels:
        r = b[key]
        print(
            f"{label:<34} {r['n']:>5} {fmt_s(r['median']):>9} {fmt_s(r['p95']):>9} {fmt_s(r['max']):>9} "
            f"{r['throughput']:>7.1f}"
        )
    ok = b["page"]["median"] < TARGET_SHEET
    print(
        f"  ratio / baseline: median {b['page']['median'] / b['baseline']['median']:.0f}×. Target (b): median < "
        f"{TARGET_SHEET * 1e3:.0f} ms with {args.clients} concurrent clients → {fmt_s(b['page']['median'])} "
        f"{'MET' if ok else 'MISSED'}{'' if path and not args.skip_http else ' (for the service, not the page)'}"
    )

    # (c)
    c = measure_package(rnd, user, evidence, args.tracemalloc)
    p, base = c["package"], c["baseline"]
    print(
        f"\n(c) evidence package: {evidence['files']} files, {base['bytes'] / 2**20:.0f} MB, streamed by the view"
    )
    print(
        f"  baseline: read and hash the files     {fmt_s(base['seconds']):>9}  "
        f"{base['bytes'] / 2**20 / base['seconds']:.0f} MB/s  RSS growth {base['growth']:.1f} MB"
    )
    print(
        f"  package ZIP streamed and discarded    {fmt_s(p['seconds']):>9}  "
        f"{p['bytes'] / 2**20 / p['seconds']:.0f} MB/s  RSS growth {p['growth']:.1f} MB "
        f"(from {p['start']:.0f} MB; ru_maxrss +{p['maxrss_growth']:.1f} MB); {p['bytes'] / 2**20:.0f} MB in "
        f"{p['chunks']} chunks, largest {p['biggest'] / 1024:.0f} KiB"
    )
    if "heap_peak" in c:
        print(f"  tracemalloc: Python heap peak while streaming {c['heap_peak']:.1f} MB")
    ok = p["growth"] < TARGET_GROWTH_MB
    print(
        f"  ratio package / baseline time: {p['seconds'] / base['seconds']:.1f}×. Target (c): memory growth < "
        f"{TARGET_GROWTH_MB} MB → {p['growth']:.1f} MB {'MET' if ok else 'MISSED'}"
    )
    shutil.rmtree(var_dir / "media", ignore_errors=True)  # the 200 MB of evidence files
    print(f"\nfinished {common.utc_now()} · {common.load_line()}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    sys.exit(main())
