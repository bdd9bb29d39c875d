"""Benchmark: rendering the score sheet page of a 100-criterion sheet, in-process (issue 8, target (b)'s
page cost without the HTTP server and its concurrency — ``bench/assessment.py`` measures that on PostgreSQL).

A fresh SQLite file with the demo data, a round of 2 departments × ``--criteria`` criteria built as
``assessment.build`` builds it (every self-score, a third appraised, some final), then ``--repeat`` GETs of
the sheet page through Django's test client (the view, its queries and the template) for:

- the coordinator in the re-appraisal phase: four stage columns, the ``final`` inputs on every row;
- the unit's officer in the self-assessment phase: the ``self`` inputs on every row;
- the unit's officer once the round is closed: four read-only columns;

with ``/healthz`` through the same client as the same-run baseline. Reported, never asserted.

    .venv/bin/python bench/sheet_render.py
    .venv/bin/python bench/sheet_render.py --repeat 50 --criteria 100 --profile
"""

from __future__ import annotations

import common
from assessment import build
from common import fmt_s, median


def timed(client, path: str, repeat: int) -> dict:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    wall, cpu = common.repeat(lambda: client.get(path), repeat)
    return {
        "median": median(wall),
        "min": min(wall),
        "cpu": median(cpu),
        "kib": len(response.content) // 1024,
    }


def main() -> int:
    parser = common.parser(__doc__, "unused")
    parser.add_argument("--criteria", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--profile", action="store_true", help="then cProfile one render per case")
    args = parser.parse_args()

    print(f"chiso sheet page render benchmark · {common.machine_line()}")
    env, var_dir = common.prepare_database(pg=False, pg_name="unused", reuse=False, chiso_env="test")
    (var_dir / "static").mkdir(exist_ok=True)
    common.setup_django(env)
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from chiso.accounts.models import Membership
    from chiso.assessment.models import Round

    setup_test_environment()
    rnd, coordinator, n = build(2, args.criteria, 8)
    sheet = rnd.sheets.select_related("unit").order_by("unit__code").first()
    officer, _ = get_user_model().objects.get_or_create(username="bench_donvi")
    Membership.objects.get_or_create(user=officer, unit=sheet.unit, role="officer")
    path = f"/danh-gia/{rnd.pk}/{sheet.unit_id}/"
    print(
        f"» a round of 2 units × {n} criteria; page {path} ({connection.vendor}, CHISO_ENV={env['CHISO_ENV']})"
    )

    def client_for(user) -> Client:
        c = Client()
        c.force_login(user)
        return c

    cases = []
    base = client_for(coordinator)
    cases.append(("/healthz (baseline)", timed(base, "/healthz", args.repeat), None))
    Round.objects.filter(pk=rnd.pk).update(status="reappraisal")
    cases.append(
        ("coordinator, re-appraisal (4 cols)", timed(base, path, args.repeat), (base, "reappraisal"))
    )
    Round.objects.filter(pk=rnd.pk).update(status="self_assessment")
    off = client_for(officer)
    cases.append(
        ("officer, self-assessment (inputs)", timed(off, path, args.repeat), (off, "self_assessment"))
    )
    Round.objects.filter(pk=rnd.pk).update(status="closed")
    cases.append(("officer, closed (read-only)", timed(off, path, args.repeat), (off, "closed")))

    baseline = cases[0][1]["median"]
    print(
        f"\n{args.repeat} GETs each            {'median':>9} {'best':>9} {'CPU med':>9} {'KiB':>5} {'×base':>6} {'queries':>8}"
    )
    for label, r, how in cases:
        queries = ""
        if how is not None:
            Round.objects.filter(pk=rnd.pk).update(status=how[1])
            with CaptureQueriesContext(connection) as ctx:
                how[0].get(path)
            queries = str(len(ctx.captured_queries))
        print(
            f"{label:<34} {fmt_s(r['median']):>9} {fmt_s(r['min']):>9} {fmt_s(r['cpu']):>9} {r['kib']:>5} "
            f"{r['median'] / baseline:>6.0f} {queries:>8}"
        )
    if args.profile:
        import cProfile
        import pstats

        for label, _r, how in cases[1:]:
            Round.objects.filter(pk=rnd.pk).update(status=how[1])
            prof = cProfile.Profile()
            prof.runcall(how[0].get, path)
            print(f"\n--- {label}")
            pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
    print(f"\nend: {common.load_line()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
