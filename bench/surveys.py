"""Benchmark: satisfaction survey estimates over many responses, and the public intake in-process.

Targets of issue 9, reported, never asserted:

(a) estimates over 1,000,000 responses under 2 s (weighted, all items): ``surveys.services.estimates.compute``
    (the DB read of the ``scores`` column and of the profile answers, design weights, raking to sex and age,
    every item's share and mean with linearisation intervals, elements, service points, overall), weighted
    and unweighted; baseline: the bare read of the same ``scores`` column into a Python list;
(b) the public intake: responses/s and p95 of ``POST /api/public/surveys/<id>/responses/`` through Django's
    test client in this one process (rate limit off), against the same rows INSERTed straight into the
    database by one cursor in the same run. Not measured here (left): the multi-worker HTTP load on
    gunicorn and the PostgreSQL-restart-mid-load scenario (0 acknowledged responses lost).

    .venv/bin/python bench/surveys.py                      # SQLite file in a temporary directory
    .venv/bin/python bench/surveys.py --pg                 # PostgreSQL chiso_bench_surveys, dropped and created
    .venv/bin/python bench/surveys.py --responses 200000   # fewer responses for (a)

The responses of (a) are synthetic rows written straight into the table (COPY on PostgreSQL).
"""

from __future__ import annotations

import json
import random
import sys
import time
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
    survey = questionnaire.create_survey("sipas", province, 2026, None, title="Khảo sát bench")
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

    from chiso.surveys.services.questionnaire import scale_codes

    width = len(scale_codes(survey))
    points = list(survey.points.values_list("pk", flat=True))
    rng = random.Random(1)
    base = {p: rng.uniform(3.0, 4.6) for p in points}
    t0 = time.perf_counter()
    cols = "survey_id, version, point_id, dossier, receipt, mode, answers, scores, sheet, verified, created_at, text_state"
    now = "2026-01-01 00:00:00+00"

    def rows():
        for i in range(n):
            p = points[i % len(points)]
            b = base[p]
            scores = "".join(str(max(1, min(5, round(b + rng.gauss(0, 0.9))))) for _ in range(width))
            answers = {"gender": 1 + (i % 2), "age": 1 + (i % 5)} if i % 5 else {}
            yield (
                survey.pk,
                survey.version,
                p,
                "",
                f"B{i:012d}",
                "import",
                json.dumps(answers),
                scores,
                "",
                False,
                now,
                "",
            )

    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.cursor.copy(f"COPY surveys_response ({cols}) FROM STDIN") as copy:
                for row in rows():
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * 12)
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


def bench_estimates(survey, repeat_n: int) -> None:
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

    rows = []
    for label, fn in (
        ("baseline: read scores", baseline),
        ("unweighted", fresh(False)),
        ("weighted", fresh(True)),
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


def main() -> None:
    p = parser(__doc__, PG_NAME)
    p.add_argument("--pg", action="store_true", help="PostgreSQL instead of a temporary SQLite file")
    p.add_argument("--responses", type=int, default=1_000_000, help="responses for (a)")
    p.add_argument("--intake", type=int, default=2000, help="responses posted for (b)")
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    print(machine_line())
    env, _var = prepare_database(pg=args.pg, pg_name=args.pg_name, reuse=args.reuse)
    setup_django(env)
    survey = build_survey()
    bench_intake(survey, args.intake)
    seconds = fill(survey, args.responses)
    print(f"\n» {args.responses:,} synthetic responses written in {seconds:.1f} s")
    bench_estimates(survey, args.repeat)
    print("\n" + machine_line())


if __name__ == "__main__":
    main()
