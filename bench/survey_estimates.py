"""Benchmark: survey estimates over 1,000,000 responses, weighted, all items (issue 9).

Target, reported, never asserted: every item's weighted estimate with its interval over 1,000,000
responses in under 2 s. No database: synthetic answers (1–5, 5 % missing per item) of respondents in
120 service points (the strata) with unequal weights, as numpy arrays — the form the survey app hands
to ``chiso.core.survey``. Baseline in the same run: ``numpy.nanmean`` of the same columns (an
unweighted mean without interval, the least any estimate must do).

    .venv/bin/python bench/survey_estimates.py                  # 1,000,000 × 30 items
    .venv/bin/python bench/survey_estimates.py --bootstrap 50   # also Rao–Wu with 50 replicates (once)
    .venv/bin/python bench/survey_estimates.py --lists          # also from Python lists with None (once)
"""

from __future__ import annotations

import argparse
import sys
import time

from common import REPO, fmt_s, load_line, machine_line, median, repeat, utc_now

sys.path.insert(0, str(REPO / "src"))

TARGET_SECONDS = 2.0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--items", type=int, default=30)
    parser.add_argument("--strata", type=int, default=120, help="service points (default 120)")
    parser.add_argument("--repeat", type=int, default=5, help="repetitions of each measurement (default 5)")
    parser.add_argument("--bootstrap", type=int, default=0, help="also time the bootstrap with N replicates")
    parser.add_argument("--lists", action="store_true", help="also time input given as Python lists")
    args = parser.parse_args()

    import numpy as np

    from chiso.core.survey import combine, estimate_domains, estimate_many

    print(f"chiso survey estimates benchmark · {machine_line()}")
    rng = np.random.default_rng(2026)
    n, k = args.responses, args.items
    strata = rng.integers(0, args.strata, n)
    # design weights N_h / n_h times a raking adjustment: unequal within and between strata
    weights = rng.uniform(5, 200, args.strata)[strata] * rng.uniform(0.7, 1.4, n)
    columns = {}
    for j in range(k):
        col = rng.choice(np.arange(1.0, 6.0), n, p=[0.04, 0.08, 0.18, 0.42, 0.28])
        col[rng.random(n) < 0.05] = np.nan
        columns[f"q9_sat_{j + 1}"] = col
    codes = list(columns)
    print(
        f"» {n:,} responses × {k} items, {args.strata} strata, 5 % missing per item; {args.repeat} runs each"
    )

    rows: list[tuple[str, list[float], list[float]]] = []

    def measure(label: str, fn) -> None:
        fn()  # once untimed (allocations, caches)
        wall, cpu = repeat(fn, args.repeat)
        rows.append((label, wall, cpu))

    measure("baseline: numpy.nanmean of every item", lambda: [np.nanmean(columns[c]) for c in codes])
    measure(
        "% satisfied, weighted + strata (target)",
        lambda: estimate_many(columns, weights=weights, strata=strata, kind="proportion"),
    )
    measure(
        "mean score, weighted + strata",
        lambda: estimate_many(columns, weights=weights, strata=strata, kind="mean"),
    )
    measure("% satisfied, unweighted, no strata", lambda: estimate_many(columns, kind="proportion"))
    measure(
        "overall score (combine, all items)", lambda: combine(columns, codes, weights=weights, strata=strata)
    )
    units = strata // 2  # two service points per unit
    measure(
        f"% satisfied per unit ({(args.strata + 1) // 2} units, all items)",
        lambda: estimate_domains(columns, units, weights=weights, strata=strata),
    )

    base = median(rows[0][1])
    base_cpu = median(rows[0][2])
    print()
    print(f"{'':44s} {'median':>10s} {'min':>10s} {'cpu':>10s} {'× base':>8s} {'cpu × base':>10s}")
    for label, wall, cpu in rows:
        print(
            f"{label:44s} {fmt_s(median(wall)):>10s} {fmt_s(min(wall)):>10s} {fmt_s(median(cpu)):>10s} "
            f"{median(wall) / base:>7.1f}× {median(cpu) / base_cpu:>9.1f}×"
        )
    target = median(rows[1][1])
    verdict = "met" if target < TARGET_SECONDS else "NOT met"
    print(
        f"\ntarget < {TARGET_SECONDS:g} s for the weighted estimate of all items: {verdict} ({fmt_s(target)} median)"
    )

    if args.bootstrap:
        t0, c0 = time.perf_counter(), time.process_time()
        estimate_many(columns, weights=weights, strata=strata, method="bootstrap", replicates=args.bootstrap)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        print(f"bootstrap, {args.bootstrap} replicates, once: {fmt_s(wall)} (cpu {fmt_s(cpu)})")
    if args.lists:
        lists = {c: [None if np.isnan(x) else float(x) for x in columns[c]] for c in codes}
        labels = [f"điểm {h}" for h in strata]
        wlist = weights.tolist()
        t0, c0 = time.perf_counter(), time.process_time()
        estimate_many(lists, weights=wlist, strata=labels)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        print(f"from Python lists with None and text strata, once: {fmt_s(wall)} (cpu {fmt_s(cpu)})")
    print(f"end {utc_now()} · {load_line()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
