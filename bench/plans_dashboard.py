"""Benchmark: the coordinator's dashboard (/ke-hoach/theo-doi/) with 200 plans and 5,000 tasks.

Target of issue 3, reported, never asserted: median under 200 ms on PostgreSQL. The database is a
throw-away one (``chiso_bench_plans``, dropped and created; the demo reference data without wards),
filled with 200 issued plans of 25 tasks each, led by 40 departments and 100 communes, with progress
reports on about half of them and some tasks late. Requests are sent in-process with Django's test
Client (one thread); the same number of requests to /healthz and to the dashboard filtered to one
plan, measured in the same run, are the baselines.

    .venv/bin/python bench/plans_dashboard.py                # PostgreSQL chiso_bench_plans
    .venv/bin/python bench/plans_dashboard.py --reuse        # keep the loaded database, rebuild the plans
    .venv/bin/python bench/plans_dashboard.py --sqlite       # a fresh SQLite file instead
"""

from __future__ import annotations

import datetime as dt
import random
import re
import sys
import time
from collections import Counter

import common
from common import fmt_s, load_line, machine_line, median, percentile, prepare_database, setup_django, utc_now

TARGET_MEDIAN = 0.200
USERNAME = "bench_dieuphoi"


def build(plans: int, tasks_per_plan: int, departments: int, communes: int, seed: int) -> dict:
    """Units, a coordinator, plans, tasks and reports, with bulk inserts (history rows are not needed)."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from chiso.accounts.models import Membership
    from chiso.core.schedule import period_of
    from chiso.plans.models import Plan, Task
    from chiso.tracking.models import ProgressReport
    from chiso.units.models import Unit

    rng = random.Random(seed)
    today = dt.date.today()
    with transaction.atomic():
        province = common.bench_province()
        Plan.objects.filter(title__startswith="[bench]").delete()
        Unit.objects.filter(code__startswith="BENCH-").delete()
        depts = [
            Unit(kind="department", code=f"BENCH-D{i:02d}", name=f"Sở thử nghiệm {i:02d}", parent=province)
            for i in range(1, departments + 1)
        ]
        wards = [
            Unit(
                kind="ward",
                code=f"BENCH-X{i:03d}",
                name=f"Xã thử nghiệm {i:03d}",
                parent=province,
                subtype="Xã",
            )
            for i in range(1, communes + 1)
        ]
        for u in depts + wards:  # save(): names normalised, search keys filled
            u.save()
        units = depts + wards
        user, _ = get_user_model().objects.get_or_create(username=USERNAME)
        Membership.objects.get_or_create(user=user, unit=province, role="coordinator")

        plan_rows = Plan.objects.bulk_create(
            [
                Plan(
                    issuing_unit=province,
                    number=str(1000 + i),
                    title=f"[bench] Kế hoạch cải thiện chỉ số số {i + 1}",
                    indices=["papi", "par"] if i % 2 else ["papi"],
                    year=today.year - (i % 3 == 0),
                    status="issued",
                    date=today - dt.timedelta(days=200),
                )
                for i in range(plans)
            ]
        )
        tasks = []
        for p in plan_rows:
            for j in range(tasks_per_plan):
                recurring = rng.random() < 0.3
                index = rng.choice(p.indices)
                code = f"D{rng.randint(1, 8)}" if index == "papi" else f"F{rng.randint(1, 8)}"
                done = rng.random() < 0.35
                tasks.append(
                    Task(
                        plan=p,
                        order=j + 1,
                        text=f"Nhiệm vụ {j + 1} của kế hoạch {p.number}: tổ chức thực hiện, báo cáo kết quả",
                        index=index,
                        nodes=[code, f"{code}.{rng.randint(1, 4)}"] if rng.random() < 0.5 else [code],
                        lead_unit=rng.choice(units),
                        recurrence=rng.choice(["quarterly", "semiannual", "annual", "continuous"])
                        if recurring
                        else "none",
                        first_due=today - dt.timedelta(days=rng.randint(20, 300)) if recurring else None,
                        deadline=None if recurring else today + dt.timedelta(days=rng.randint(-150, 200)),
                        progress=100 if done else rng.choice([0, 0, 20, 50, 80]),
                        done=done,
                    )
                )
        tasks = Task.objects.bulk_create(tasks, batch_size=1000)
        reports = []
        for t in tasks:
            if rng.random() < 0.55:
                day = today - dt.timedelta(days=rng.randint(0, 200))
                reports.append(
                    ProgressReport(
                        task=t,
                        unit=t.lead_unit,
                        period=period_of(day, "quarter"),
                        state="done" if t.done else "in_progress",
                        percent=t.progress,
                        narrative="Đã triển khai theo kế hoạch.",
                    )
                )
        ProgressReport.objects.bulk_create(reports, batch_size=1000)
    return {
        "plans": len(plan_rows),
        "tasks": len(tasks),
        "reports": len(reports),
        "units": len(units),
        "user": user,
    }


def measure(client, path: str, n: int, before=None, label: str = "") -> dict:
    """Time n GETs of path (after one untimed first and three warm-up requests); `before` runs
    untimed before each timed request (e.g. a data change that invalidates the cache)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = time.perf_counter()
    resp = client.get(path)
    cold = time.perf_counter() - first
    if resp.status_code != 200:
        raise SystemExit(f"GET {path} answered {resp.status_code}")
    for _ in range(3):
        client.get(path)
    times = []
    for _ in range(n):
        if before is not None:
            before()
        t0 = time.perf_counter()
        client.get(path)
        times.append(time.perf_counter() - t0)
    with CaptureQueriesContext(connection) as q:
        body = client.get(path).content
    if before is not None:
        before()
    return {
        "path": label or path,
        "n": n,
        "cold": cold,
        "median": median(times),
        "p95": percentile(times, 95),
        "max": max(times),
        "queries": len(q.captured_queries),
        "db": sum(float(x["time"]) for x in q.captured_queries),
        "kib": len(body) // 1024,
        "shapes": Counter(re.sub(r"\b\d+\b", "N", x["sql"])[:100] for x in q.captured_queries),
    }


def measure_plan_documents(n: int = 5) -> dict:
    """A real plan of 100 tasks (library texts, real units) rendered by chiso.plans.documents."""
    from chiso.plans import documents
    from chiso.plans.models import LibraryTask, Plan, Task

    source = Plan.objects.filter(title__startswith="[bench]").order_by("pk").first()
    plan = Plan.objects.create(
        issuing_unit=source.issuing_unit,
        title="[bench] Cải thiện, nâng cao Chỉ số PAPI và PAR INDEX năm 2026 (100 nhiệm vụ)",
        year=2026,
        results_year=2024,
        indices=["papi", "par"],
        place="Quảng Ngãi",
        status="issued",
        number="100",
        date=dt.date(2026, 3, 2),
        purpose="Nâng cao Chỉ số PAPI và PAR INDEX.\n\n- Xác định rõ trách nhiệm của người đứng đầu.",
        requirements="- Bám sát các nội dung có điểm thấp.\n- Báo cáo đúng hạn.",
        recipients=["Bộ Nội vụ", "Thường trực Tỉnh ủy", "Các sở, ban, ngành"],
        signer_name="Nguyễn Văn A",
    )
    if not LibraryTask.objects.exists():  # a database loaded before the library existed
        from chiso.plans.services.library import load_shipped_library

        load_shipped_library()
    lib = list(LibraryTask.objects.order_by("key")[:100])
    leads = list(source.tasks.exclude(lead_unit=None).values_list("lead_unit_id", flat=True)[:20])
    Task.objects.bulk_create(
        Task(
            plan=plan,
            order=i + 1,
            text=lib[i % len(lib)].text,
            index=lib[i % len(lib)].index if lib[i % len(lib)].index != "general" else "",
            nodes=lib[i % len(lib)].nodes,
            lead_unit_id=leads[i % len(leads)],
            product=lib[i % len(lib)].product or "Báo cáo",
            deadline=dt.date(2026, 12, 31),
        )
        for i in range(100)
    )
    out = {"tasks": plan.tasks.count()}
    for fmt in ("docx", "pdf"):
        documents.render_plan(plan, fmt)  # warm-up (fonts, templates)
        times = []
        for _ in range(n):
            t0 = time.perf_counter()
            data = documents.render_plan(plan, fmt)
            times.append(time.perf_counter() - t0)
        out[fmt] = {"median": median(times), "min": min(times), "kib": len(data) // 1024}
    plan.delete()
    return out


def main() -> int:
    parser = common.parser(__doc__, "chiso_bench_plans")
    parser.add_argument("--sqlite", action="store_true", help="a fresh SQLite file instead of PostgreSQL")
    parser.add_argument("--plans", type=int, default=200)
    parser.add_argument("--tasks-per-plan", type=int, default=25)
    parser.add_argument("--requests", type=int, default=40, help="timed requests per path (default 40)")
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()

    print(f"chiso plans dashboard benchmark · {machine_line()}")
    env, _ = prepare_database(pg=not args.sqlite, pg_name=args.pg_name, reuse=args.reuse, chiso_env="test")
    setup_django(env)
    from django.db import connection
    from django.test import Client

    t0 = time.perf_counter()
    built = build(args.plans, args.tasks_per_plan, 40, 100, args.seed)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    print(
        f"» built {built['plans']} plans, {built['tasks']} tasks, {built['reports']} progress reports, "
        f"{built['units']} units in {time.perf_counter() - t0:.1f} s ({connection.vendor})"
    )

    from chiso.plans.models import Plan
    from chiso.tracking.version import bump_plans_version

    client = Client()
    client.force_login(built["user"])
    one_plan = (
        Plan.objects.filter(title__startswith="[bench]").order_by("pk").values_list("pk", flat=True).first()
    )
    runs = [
        measure(client, "/healthz", args.requests),
        measure(client, f"/ke-hoach/theo-doi/?ke_hoach={one_plan}", args.requests),
        measure(client, "/ke-hoach/theo-doi/", args.requests),
        measure(
            client,
            "/ke-hoach/theo-doi/",
            args.requests,
            before=bump_plans_version,
            label="/ke-hoach/theo-doi/ (after a change)",
        ),
    ]
    base, page, changed = runs[0], runs[2], runs[3]
    print()
    header = f"{'path':<52} {'n':>4} {'first':>9} {'median':>9} {'p95':>9} {'max':>9} {'queries':>8} {'db':>9} {'KiB':>5}"
    print(header)
    print("-" * len(header))
    for r in runs:
        print(
            f"{r['path']:<52} {r['n']:>4} {fmt_s(r['cold']):>9} {fmt_s(r['median']):>9} {fmt_s(r['p95']):>9} "
            f"{fmt_s(r['max']):>9} {r['queries']:>8} {fmt_s(r['db']):>9} {r['kib']:>5}"
        )
    print(
        f"ratio dashboard / healthz: median {page['median'] / base['median']:.0f}×; "
        f"dashboard (all) / dashboard (one plan): median {page['median'] / runs[1]['median']:.1f}×"
    )
    print("  queries of the full dashboard (numbers folded):")
    for sql, count in page["shapes"].most_common(12):
        print(f"  {count:>4} × {sql}")
    ok = page["median"] < TARGET_MEDIAN
    print(
        f"\nTarget: dashboard with {built['tasks']} tasks, median < {TARGET_MEDIAN * 1e3:.0f} ms "
        f"({'PostgreSQL' if connection.vendor == 'postgresql' else 'SQLite — the target is for PostgreSQL'}): "
        f"median {fmt_s(page['median'])} → {'MET' if ok else 'MISSED'}; "
        f"right after a change (nothing cached): median {fmt_s(changed['median'])} → "
        f"{'MET' if changed['median'] < TARGET_MEDIAN else 'MISSED'}"
    )
    docs = measure_plan_documents()
    print(
        f"\nA plan of {docs['tasks']} tasks from the database (chiso.plans.documents.render_plan, incl. queries):"
    )
    for fmt, limit in (("docx", 1.0), ("pdf", 3.0)):
        r = docs[fmt]
        print(
            f"  {fmt.upper():<5} median {fmt_s(r['median'])}, best {fmt_s(r['min'])}, {r['kib']} KiB "
            f"→ target < {limit:.0f} s {'MET' if r['median'] < limit else 'MISSED'}"
        )
    print(f"finished {utc_now()} · {load_line()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
