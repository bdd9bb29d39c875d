"""Benchmark: deriving every figure (totals, ranks, groups, means, medians) of every PAPI year.

Target (a) of the issue, reported, never asserted: all PAPI years 2011–2024 for all provinces in
under 0.5 s in total. Prints a table of seconds and the ratio to a baseline measured in the same
run (a trivial loop summing every loaded value).

    .venv/bin/python bench/derive.py            # fresh SQLite file in a temporary directory
    .venv/bin/python bench/derive.py --pg       # postgres://postgres@127.0.0.1:5432/chiso_bench
"""

from __future__ import annotations

import argparse
import sys

from common import fmt_s, load_line, machine_line, median, prepare_database, repeat, setup_django, utc_now

TARGET_SECONDS = 0.5


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pg", action="store_true", help="PostgreSQL on 127.0.0.1 instead of SQLite")
    parser.add_argument("--pg-name", default="chiso_bench", help="PostgreSQL database to drop and create")
    parser.add_argument(
        "--reuse", action="store_true", help="--pg: use the database as it is (already loaded)"
    )
    parser.add_argument("--repeat", type=int, default=20, help="repetitions of each measurement (default 20)")
    parser.add_argument("--index", default="papi")
    parser.add_argument("--first-year", type=int, default=2011)
    parser.add_argument("--last-year", type=int, default=2024)
    args = parser.parse_args()

    print(f"chiso derive benchmark · {machine_line()}")
    env, _ = prepare_database(pg=args.pg, pg_name=args.pg_name, reuse=args.reuse)
    setup_django(env)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from chiso.analysis import services
    from chiso.core.derive import UnitInput, derive_year
    from chiso.core.stats import GroupRule
    from chiso.frameworks import services as framework_services
    from chiso.frameworks.services import framework_for
    from chiso.results.models import Result
    from chiso.units.models import Unit

    index = args.index
    years = [y for y in services.available_years(index) if args.first_year <= y <= args.last_year]
    if not years:
        raise SystemExit(f"no {index} results between {args.first_year} and {args.last_year}")

    # Inputs of every year, loaded once, the way services._compute builds them.
    prepared = []
    n_rows = n_units = 0
    for year in years:
        fw = framework_for(index, year)
        tree, nodes = services.framework_tree(fw)
        code_of = {n.pk: code for code, n in nodes.items()}
        root_pk = next(n.pk for n in nodes.values() if n.parent_id is None)
        per_unit: dict[int, dict] = {}
        rows = list(
            Result.objects.filter(framework=fw, year=year).values_list(
                "unit_id", "node_id", "value", "published_rank", "published_rank_of", "published_group"
            )
        )
        n_rows += len(rows)
        for unit_id, node_id, value, prank, pof, pgroup in rows:
            entry = per_unit.setdefault(unit_id, {"values": {}, "rank": None, "of": None, "group": None})
            if value is not None:
                entry["values"][code_of[node_id]] = value
            if node_id == root_pk:
                entry["rank"], entry["of"], entry["group"] = prank, pof, pgroup or None
        inputs = [UnitInput(uid, e["values"], e["rank"], e["of"], e["group"]) for uid, e in per_unit.items()]
        n_units += len(inputs)
        rule = GroupRule.from_dict(fw.grouping) if fw.grouping else None
        maxima = {c: n.max_score for c, n in nodes.items()}
        prepared.append((year, fw, tree, maxima, inputs, rule))
    n_nodes = sum(len(p[2]) for p in prepared)
    print(
        f"» {index}: {len(years)} years ({years[0]}–{years[-1]}), {n_units} unit-years, {n_rows} stored values, "
        f"{n_nodes} tree nodes in all; database {connection.vendor}; {args.repeat} repetitions each"
    )
    if len(years) != args.last_year - args.first_year + 1:
        print(f"  (note: only {len(years)} of {args.last_year - args.first_year + 1} years have results)")

    # --- the measured operations ---------------------------------------------------------------------

    def baseline():
        total = 0.0
        for _, _, _, _, inputs, _ in prepared:
            for u in inputs:
                for v in u.values.values():
                    total += v
        return total

    def aggregate_only():
        for _, fw, tree, _, inputs, _ in prepared:
            for u in inputs:
                tree.aggregate(u.values, tolerance=fw.tolerance)

    def core():
        for _, fw, tree, maxima, inputs, rule in prepared:
            derive_year(tree, maxima, inputs, rule, tolerance=fw.tolerance)

    def compute_cold():
        framework_services._TREES.clear()
        for year, fw, *_ in prepared:
            services._compute(fw, year)

    def year_figures_cold():
        services.clear_caches()
        for year in years:
            services.year_figures(index, year)

    def year_figures_cached():
        for year in years:
            services.year_figures(index, year)

    home = Unit.objects.filter(kind=Unit.Kind.PROVINCE, short_name="Kon Tum").order_by("valid_from").first()
    home_year = 2023 if 2023 in years else years[-1]

    def analyse_cached():
        services.analyse(index, home, home_year)

    steps = [
        ("baseline", "baseline: sum every loaded value", baseline),
        ("aggregate", "(i-a) Tree.aggregate only, every unit-year", aggregate_only),
        ("core", "(i)  core derive_year, all years (inputs in memory)", core),
        ("compute", "(ii) _compute per year, DB read, cold trees", compute_cold),
        ("cold", "(ii-b) year_figures, all caches cleared", year_figures_cold),
        ("cached", "(iii) year_figures, cached", year_figures_cached),
    ]
    if home is not None:
        steps.append(("analyse", f"analyse(Kon Tum, {home_year}), figures cached", analyse_cached))

    results = []
    for key, label, fn in steps:
        fn()  # warm imports and code paths; the cold steps clear their caches themselves
        with CaptureQueriesContext(connection) as q:
            fn()
        queries = len(q.captured_queries)
        wall, cpu = repeat(fn, args.repeat)
        results.append((key, label, median(wall), min(wall), median(cpu), queries))

    base_wall, base_cpu = results[0][2], results[0][4]
    width = max(len(r[1]) for r in results)
    print()
    print(
        f"{'operation':<{width}}  {'wall med':>9}  {'wall min':>9}  {'CPU med':>9}  "
        f"{'× base wall':>11}  {'× base CPU':>10}  {'queries':>7}"
    )
    print("-" * (width + 67))
    for _, label, med, mn, cpu, queries in results:
        print(
            f"{label:<{width}}  {fmt_s(med):>9}  {fmt_s(mn):>9}  {fmt_s(cpu):>9}  "
            f"{med / base_wall:>10.0f}×  {cpu / max(base_cpu, 1e-9):>9.0f}×  {queries:>7}"
        )
    print("(CPU: this process only; a PostgreSQL server's own work is in the wall time, not here.)")
    print()

    row = {r[0]: r for r in results}
    print(
        f"Target (a): every figure of {len(years)} PAPI years in < {TARGET_SECONDS} s in total (wall-clock median)"
    )
    for key, what in (("core", "core derivation (i)"), ("cold", "full cold path incl. DB (ii-b)")):
        _, _, med, mn, cpu, _ = row[key]
        verdict = "MET" if med < TARGET_SECONDS else "MISSED"
        print(
            f"  {what:<32} {fmt_s(med):>9}  → {verdict} ({med / TARGET_SECONDS:.0%} of the budget; "
            f"best run {fmt_s(mn)}, CPU {fmt_s(cpu)})"
        )
    print(
        f"  per year (wall median): core {fmt_s(row['core'][2] / len(years))}, "
        f"full cold {fmt_s(row['cold'][2] / len(years))}"
    )
    print(f"finished {utc_now()} · {load_line()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
