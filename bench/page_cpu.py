"""Benchmark: the server's CPU time per request of the signed-in pages the load targets are about, in-process.

On two cores shared by gunicorn, PostgreSQL and the load generator, the latency of a page under 20 clients
follows its CPU time per request (Little's law), and wall-clock figures move with whatever else runs on the
machine. This script measures what a page costs the server itself: each request goes through Django's
``WSGIHandler`` — the one gunicorn calls, with every middleware, the session cookie and the whole response
body read — in this one thread, and the CPU time of the thread (``time.thread_time``) is taken per request.

It runs on a PostgreSQL database already built by ``bench/assessment.py`` (the demo data, the coordinator
``bench_danhgia`` and the latest round of the benchmark index; nothing is rebuilt), with ``CHISO_ENV=demo``
like the server, and times ``--repeat`` requests after 5 untimed ones, for:

- ``/healthz`` (the baseline of both load targets);
- the analysis page ``/phan-tich/papi/<Kon Tum>/2023/`` as ``dieuphoi`` (``analysis_load.py``'s page);
- the sheet page of the round's first unit as ``bench_danhgia`` (``assessment.py``'s page and user) and as
  an officer of that unit (``bench_donvi``, added to the unit when missing);
- the home page as ``dieuphoi`` (another page with the shared header).

It prints the median and best CPU time, the median wall clock, the ratio of the CPU time to ``/healthz``'s and
the queries of one more request. Reported, never asserted.

    .venv/bin/python bench/assessment.py --pg-name chiso_page_cpu --files 5 --megabytes 1 --skip-http  # once
    .venv/bin/python bench/page_cpu.py --pg-name chiso_page_cpu
    .venv/bin/python bench/page_cpu.py --pg-name chiso_page_cpu --profile 50   # cProfile 50 requests a page
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import tempfile
import time
from pathlib import Path

import common
from common import fmt_s, median


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--pg-name", default="chiso_bench_assessment", help="a database built by assessment.py"
    )
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="then cProfile N requests a page")
    parser.add_argument("--only", help="only the pages whose label contains this text")
    parser.add_argument(
        "--pyinstrument",
        type=int,
        default=0,
        metavar="N",
        help="then sample N requests a page (needs pyinstrument)",
    )
    parser.add_argument("--queries", action="store_true", help="print the queries of each page")
    parser.add_argument("--language", default="vi", choices=["vi", "en"])
    args = parser.parse_args()

    print(f"chiso page CPU benchmark · {common.machine_line()}")
    var_dir = Path(tempfile.mkdtemp(prefix="chiso-bench-"))
    (var_dir / "static").mkdir()
    env = common.bench_env(common.pg_url(args.pg_name), var_dir, "demo")
    common.chiso(env, "collectstatic", "--noinput", "-v0")  # the manifest storage of production
    common.setup_django(env)

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.test import Client, RequestFactory
    from django.test.utils import CaptureQueriesContext

    from chiso.accounts.models import Membership
    from chiso.assessment.models import Round
    from chiso.units.models import Unit

    users = get_user_model().objects
    rnd = Round.objects.filter(framework__index__code="bench-cchc").order_by("-pk").first()
    if rnd is None:
        raise SystemExit(f"no round of the benchmark index in {args.pg_name}: run bench/assessment.py first")
    sheet = rnd.sheets.select_related("unit").order_by("unit__code").first()
    officer, _ = users.get_or_create(username="bench_donvi")
    Membership.objects.get_or_create(user=officer, unit=sheet.unit, role="officer")
    kon_tum = Unit.objects.filter(name__contains="Kon Tum", kind="province").order_by("pk").first()
    sheet_path = f"/danh-gia/{rnd.pk}/{sheet.unit_id}/"

    def cookie_of(username: str) -> str:
        c = Client()
        c.force_login(users.get(username=username))
        return f"{settings.SESSION_COOKIE_NAME}={c.cookies[settings.SESSION_COOKIE_NAME].value}; django_language={args.language}"

    pages = [
        ("/healthz (baseline)", "/healthz", cookie_of("dieuphoi")),
        ("analysis page, dieuphoi", f"/phan-tich/papi/{kon_tum.pk}/2023/", cookie_of("dieuphoi")),
        (f"sheet page ({rnd.status}), coordinator", sheet_path, cookie_of("bench_danhgia")),
        (f"sheet page ({rnd.status}), officer", sheet_path, cookie_of("bench_donvi")),
        ("home page, dieuphoi", "/", cookie_of("dieuphoi")),
    ]
    if args.only:
        pages = [p for p in pages if args.only in p[0] or p is pages[0]]
    handler = WSGIHandler()
    factory = RequestFactory()

    def request(path: str, cookie: str) -> tuple[int, int]:
        environ = factory._base_environ(PATH_INFO=path, REQUEST_METHOD="GET", HTTP_COOKIE=cookie)
        status = []
        response = handler(environ, lambda s, headers, exc_info=None: status.append(s))
        size = sum(len(chunk) for chunk in response)
        response.close()
        return int(status[0].split()[0]), size

    print(f"» round {rnd.pk} ({rnd.status}), sheet {sheet_path}; language {args.language}")
    rows = []
    for label, path, cookie in pages:
        for _ in range(5):
            code, size = request(path, cookie)
            if code != 200:
                raise SystemExit(f"GET {path} ({label}) answered {code}")
        cpu, wall = [], []
        for _ in range(args.repeat):
            w0, c0 = time.perf_counter(), time.thread_time()
            request(path, cookie)
            cpu.append(time.thread_time() - c0)
            wall.append(time.perf_counter() - w0)
        with CaptureQueriesContext(connection) as q:
            request(path, cookie)
        rows.append((label, path, cpu, wall, len(q.captured_queries), size))
        if args.queries:
            print(f"\n{label}: {len(q.captured_queries)} queries")
            for x in q.captured_queries:
                print(f"  {x['sql'][:300]}")

    base = median(rows[0][2])
    print(
        f"\n{args.repeat} requests each{'':<28} {'CPU med':>9} {'CPU best':>9} {'wall med':>9} {'×base':>6} {'queries':>8} {'KiB':>5}"
    )
    for label, _path, cpu, wall, queries, size in rows:
        print(
            f"{label:<44} {fmt_s(median(cpu)):>9} {fmt_s(min(cpu)):>9} {fmt_s(median(wall)):>9} "
            f"{median(cpu) / base:>6.1f} {queries:>8} {size // 1024:>5}"
        )
    if args.profile:
        for label, path, cookie in pages[1:]:
            prof = cProfile.Profile(time.thread_time)  # CPU time, not waiting for the database
            prof.enable()
            for _ in range(args.profile):
                request(path, cookie)
            prof.disable()
            for order in ("cumulative", "tottime"):
                buf = io.StringIO()
                pstats.Stats(prof, stream=buf).strip_dirs().sort_stats(order).print_stats(40)
                text = buf.getvalue()
                print(f"\n--- {label}: cProfile of {args.profile} requests, by {order}")
                print(text[text.index("ncalls") :])
    if args.pyinstrument:
        from pyinstrument import Profiler  # not a dependency of chiso: pip install --target DIR pyinstrument

        for label, path, cookie in pages[1:]:
            sampler = Profiler(interval=0.0002)
            sampler.start()
            for _ in range(args.pyinstrument):
                request(path, cookie)
            sampler.stop()
            print(f"\n--- {label}: pyinstrument, {args.pyinstrument} requests")
            print(sampler.output_text(unicode=False, color=False, show_all=False))
    print(f"\nend: {common.load_line()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
