"""Benchmark: rendering an official document (Nghị định 30/2020 layout) to DOCX and to PDF.

Targets of the issue, reported, never asserted: a 100-task plan (sections I–IV with the tasks listed
by lead agency, about ten pages of text, and an appendix table of 100 tasks) renders to DOCX in under
1 s and to PDF in under 3 s. Prints the median and best wall-clock and CPU times, the ratio to a
baseline measured in the same run (serialising the same document to JSON), pages and file sizes.
No database: the document is built from the shipped task library and seed text.

    .venv/bin/python bench/documents.py
    .venv/bin/python bench/documents.py --tasks 300 --repeat 5
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import sys

from common import REPO, fmt_s, load_line, machine_line, median, repeat, utc_now

TARGETS = {"docx": 1.0, "pdf": 3.0}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tasks", type=int, default=100, help="tasks in the plan (default 100)")
    parser.add_argument("--repeat", type=int, default=10, help="repetitions of each measurement (default 10)")
    args = parser.parse_args()

    src = str(REPO / "src")
    if src not in sys.path:
        sys.path.insert(0, src)

    from chiso.documents.docx_render import render_docx
    from chiso.documents.model import Layout, Table
    from chiso.documents.pdf_render import render_pdf
    from chiso.documents.samples import sample_plan

    print(f"chiso documents benchmark · {machine_line()}")
    layout = Layout()
    doc = sample_plan(args.tasks)
    rows = sum(len(b.rows) for a in doc.appendices for b in a.blocks if isinstance(b, Table))
    words = sum(len(getattr(b, "text", "").split()) for b in doc.blocks)
    pdf = render_pdf(doc, layout)
    docx = render_docx(doc, layout)
    pages = len(re.findall(rb"/Type /Page\b", pdf))
    print(
        f"» plan of {args.tasks} tasks: {len(doc.blocks)} body blocks ({words} words), appendix table of {rows} rows "
        f"(incl. group rows); PDF {pages} pages, {len(pdf) / 1024:.0f} KiB; DOCX {len(docx) / 1024:.0f} KiB; "
        f"{args.repeat} repetitions each"
    )

    def baseline():
        json.dumps(dataclasses.asdict(doc), default=str, ensure_ascii=False)

    def build():
        sample_plan(args.tasks)

    steps = [
        ("baseline", "baseline: the document as JSON", baseline),
        ("build", "build the OfficialDocument (task library read)", build),
        ("docx", "render_docx", lambda: render_docx(doc, layout)),
        ("pdf", "render_pdf", lambda: render_pdf(doc, layout)),
    ]
    results = []
    for key, label, fn in steps:
        fn()  # warm: imports, font registration, caches
        wall, cpu = repeat(fn, args.repeat)
        results.append((key, label, median(wall), min(wall), median(cpu)))

    base_wall = results[0][2]
    width = max(len(r[1]) for r in results)
    print()
    print(f"{'operation':<{width}}  {'wall med':>9}  {'wall min':>9}  {'CPU med':>9}  {'× base':>8}")
    print("-" * (width + 44))
    for _, label, med, mn, cpu in results:
        print(f"{label:<{width}}  {fmt_s(med):>9}  {fmt_s(mn):>9}  {fmt_s(cpu):>9}  {med / base_wall:>7.0f}×")
    print()
    row = {r[0]: r for r in results}
    for key, target in TARGETS.items():
        _, label, med, mn, cpu = row[key]
        verdict = "MET" if med < target else "MISSED"
        print(
            f"Target: {label} of a {args.tasks}-task plan < {target:g} s → {verdict} "
            f"(median {fmt_s(med)}, {med / target:.0%} of the budget; best {fmt_s(mn)}, CPU {fmt_s(cpu)})"
        )
    print(f"finished {utc_now()} · {load_line()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
