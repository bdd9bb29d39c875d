"""Benchmark: committing an import that changes every PAPI value of 2011–2024 (issue 10, item 6).

Target, reported, never asserted: committing ≈ 28,850 changed PAPI values — with a history row
and a change row (the batch's record, used by the revert) for each — in under 5 s, on PostgreSQL
and on SQLite. Baseline in the same run: a bare ``bulk_create`` of the same number of result rows
(no history, no change rows, no checks), rolled back.

    .venv/bin/python bench/import_commit.py            # fresh SQLite file in a temporary directory
    .venv/bin/python bench/import_commit.py --pg       # postgres://postgres@127.0.0.1:5432/chiso_bench_import
    .venv/bin/python bench/import_commit.py --profile  # then cProfile one commit

The database is loaded with the demo data (``chiso load-demo --no-wards``: PAPI 2011–2024 among it).
The file is the shipped ``papi_2011_2024_provinces_wide.csv`` with every score moved by 0.0001
(down where up would pass the node's maximum). Each round: ``preview_import`` alone (what the preview
page computes), ``commit_import`` (which checks the file again, then writes), then ``revert_import``
of that batch (every value back, through the same bulk path), and a check that the values are those
of before the commit. ``--rounds`` rounds (default 3).
"""

from __future__ import annotations

import csv
import io
import sys
import time

from common import fmt_s, load_line, machine_line, median, parser, prepare_database, setup_django

TARGET_SECONDS = 5.0
SOURCE = "papi_2011_2024_provinces_wide.csv"


def shifted_file(path) -> tuple[bytes, int]:
    """The file with every node score moved by 0.0001 (the totals too, left to the import's checks)."""
    text = path.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    score_cols = [i for i, h in enumerate(header) if h.startswith(("D", "SC")) or h in ("total_unweighted",)]
    moved = 0
    for row in rows[1:]:
        for i in score_cols:
            if i < len(row) and row[i].strip():
                v = float(row[i])
                # Dimensions are on 1–10, sub-dimensions on 0.25–2.5 (or 3.33): stay inside both.
                row[i] = repr(round(v - 0.0001 if v > 1.0 else v + 0.0001, 7))
                moved += 1
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8"), moved


def main() -> int:
    p = parser(__doc__, "chiso_bench_import")
    p.add_argument("--pg", action="store_true", help="PostgreSQL on 127.0.0.1 instead of SQLite")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--profile", action="store_true", help="then cProfile one commit and its revert")
    args = p.parse_args()

    print(f"chiso import-commit benchmark · {machine_line()}")
    env, _ = prepare_database(pg=args.pg, pg_name=args.pg_name, reuse=args.reuse)
    setup_django(env)

    from django.db import connection, transaction

    class Count:
        def __init__(self):
            self.n = 0

        def __call__(self, execute, sql, params, many, context):
            self.n += 1
            return execute(sql, params, many, context)

        def __len__(self):
            return self.n

    from chiso.results.importer import commit_import, preview_import, revert_import
    from chiso.results.models import Result, ResultChange
    from chiso.seed.management.commands.load_demo import RESULTS_DIR

    data, moved = shifted_file(RESULTS_DIR / SOURCE)
    name = "papi-shifted.csv"
    print(f"» {connection.vendor}; file {name}: {len(data) / 1024:.0f} KiB, {moved} scores moved by 0.0001")

    def snapshot() -> dict:
        return {
            (r[0], r[1], r[2]): r[3:]
            for r in Result.objects.filter(framework__index__code="papi").values_list(
                "node_id",
                "unit_id",
                "year",
                "value",
                "published_rank",
                "published_rank_of",
                "published_group",
                "source",
                "note",
            )
        }

    before = snapshot()
    n_values = len(before)

    # Baseline: a bare bulk insert of as many result rows (the same columns), rolled back.
    template = list(Result.objects.filter(framework__index__code="papi").order_by("pk")[: max(1, n_values)])

    def bare_insert() -> float:
        t0 = time.perf_counter()
        with transaction.atomic():
            Result.objects.bulk_create(
                [
                    Result(
                        framework_id=r.framework_id,
                        node_id=r.node_id,
                        unit_id=r.unit_id,
                        year=r.year + 1000,
                        value=(r.value or 0) + 0.0001,
                        source=r.source,
                    )
                    for r in template
                ],
                batch_size=1000,
            )
            elapsed = time.perf_counter() - t0
            transaction.set_rollback(True)
        return elapsed

    rows = []
    base_times, preview_times, commit_times, revert_times = [], [], [], []
    for rnd in range(args.rounds):
        base_times.append(bare_insert())
        t0 = time.perf_counter()
        pv = preview_import(data, name, index_code="papi")
        preview_times.append(time.perf_counter() - t0)
        if not pv.ok:
            print("the preview refuses the file:", pv.error_messages[:5])
            return 1
        q_commit, q_revert = Count(), Count()
        with connection.execute_wrapper(q_commit):
            t0 = time.perf_counter()
            batch = commit_import(data, name, index_code="papi")
            commit_times.append(time.perf_counter() - t0)
        changes = ResultChange.objects.filter(batch=batch).count()
        history = Result.history.filter(history_change_reason=f"Nhập tệp {name}").count()
        with connection.execute_wrapper(q_revert):
            t0 = time.perf_counter()
            reverted = revert_import(batch)
            revert_times.append(time.perf_counter() - t0)
        same = snapshot() == before
        rows.append(
            (rnd + 1, batch.rows_changed, changes, history, reverted, len(q_commit), len(q_revert), same)
        )

    print(
        f"{'round':>5} {'changed':>8} {'change rows':>11} {'history (all)':>13} {'reverted':>8} "
        f"{'commit q':>8} {'revert q':>8}  values restored"
    )
    for r in rows:
        print(
            f"{r[0]:>5} {r[1]:>8} {r[2]:>11} {r[3]:>13} {r[4]:>8} {r[5]:>8} {r[6]:>8}  {'yes' if r[7] else 'NO'}"
        )
    base = median(base_times)
    print()
    print(f"{'operation':<52} {'median':>9} {'best':>9} {'× base':>7}")
    print("-" * 80)
    for label, times in (
        (f"baseline: bare bulk_create of {n_values} result rows", base_times),
        ("preview_import (the preview page)", preview_times),
        ("commit_import (checks again, then writes)", commit_times),
        ("revert_import of that batch", revert_times),
    ):
        print(f"{label:<52} {fmt_s(median(times)):>9} {fmt_s(min(times)):>9} {median(times) / base:>6.1f}×")
    c = median(commit_times)
    print(
        f"Target: commit of {rows[0][1]} changed values with history and change rows < {TARGET_SECONDS:.0f} s "
        f"({connection.vendor}): median {fmt_s(c)} → {'MET' if c < TARGET_SECONDS else 'MISSED'}"
    )
    print(f"» {load_line()}")

    if args.profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.enable()
        batch = commit_import(data, name, index_code="papi")
        revert_import(batch)
        prof.disable()
        pstats.Stats(prof, stream=sys.stdout).sort_stats("cumulative").print_stats(30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
