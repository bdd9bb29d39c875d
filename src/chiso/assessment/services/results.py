"""A round's results: every unit's self, appraised and final totals, its percent of the applicable
maximum, its rank within the round and its class (the framework's grouping rule: thresholds on the
percent, e.g. Xuất sắc ≥ 90 %, Tốt ≥ 80 %…), and their publication when the round closes.

Closing a round on a province's own index publishes the final scores into the results of that index and
year — through the results import (all or nothing, audited, revertible as one batch) — so the analysis,
the gap solver, what-if and plan drafting work on its departments and communes as on provinces. A round
on a national index (the province's own PAR INDEX self-assessment) is a forecast: its scores stay in the
round, they are never published as national results.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from chiso.core.spreadsheet import csv_cell
from chiso.core.stats import GroupRule, group_cutoffs, group_of, rank_desc
from chiso.core.text import format_number

from ..models import Round, Sheet
from .sheets import effective, refresh_totals, round_rows
from .structure import structure

__all__ = ["UnitResult", "publish", "summary", "summary_data"]


@dataclass
class UnitResult:
    sheet: Sheet
    self_total: float | None
    appraised_total: float | None
    final_total: float | None
    percent: float | None
    rank: int | None
    klass: str

    @property
    def unit(self):
        return self.sheet.unit


def _rule(rnd: Round) -> GroupRule | None:
    grouping = rnd.framework.grouping
    if not grouping:
        return None
    try:
        return GroupRule.from_dict(grouping)
    except (ValueError, KeyError, TypeError):
        return None


def summary(rnd: Round, *, refresh: bool = True) -> list[UnitResult]:
    """Every unit of the round with its totals, rank (by percent of its applicable maximum, among the
    units that have a score) and class; best first, then the units without a score. ``refresh=False``
    reads the totals the sheets keep (the services refresh them at every save) without writing."""
    sheets = list(rnd.sheets.select_related("unit"))
    if refresh:
        st = structure(rnd.framework)
        rows = round_rows(rnd, st)  # one read for all sheets, of what the totals need, as plain rows
        for sheet in sheets:
            refresh_totals(sheet, rows.get(sheet.pk, []), st)
    percents = {s.pk: s.percent for s in sheets if s.percent is not None}
    ranks = rank_desc(percents)
    rule = _rule(rnd)
    classes: dict[int, str | None] = {}
    if rule is not None and percents:
        if rule.kind == "threshold" and rule.on == "percent":
            cuts = [c for _label, c in group_cutoffs(list(percents.values()), rule, maximum=100.0)]
            classes = {k: group_of(v, rule, cuts, 100.0) for k, v in percents.items()}
        else:
            cuts = [c for _label, c in group_cutoffs(list(percents.values()), rule)]
            classes = {k: group_of(v, rule, cuts) for k, v in percents.items()}
    out = [
        UnitResult(
            sheet=s,
            self_total=s.self_total,
            appraised_total=s.appraised_total,
            final_total=s.final_total,
            percent=s.percent,
            rank=ranks.get(s.pk),
            klass=classes.get(s.pk) or "",
        )
        for s in sheets
    ]
    out.sort(key=lambda r: (r.rank is None, r.rank or 0, r.unit.short_name))
    return out


def summary_data(rnd: Round) -> dict:
    """The summary as the CLI (``chiso assessment summary --format json``) and the API give it, with the
    keys issue 8 names: {"round", "index", "year", "stage", "units": [{"unit", "self_total",
    "appraised_total", "final_total", "percent", "rank", "class"}]}. ``stage`` is the round's state (a
    state code of its workflow, as ``advance --to`` takes); ``final_total`` is the re-appraised total where
    there is a re-appraisal, else the appraised total, else null (the sheet's, see
    ``sheets.refresh_totals``); totals are rounded to the framework's precision, the percent to 2 decimals;
    units without a score have a null rank and class."""
    digits = rnd.framework.precision

    def rounded(value: float | None, places: int) -> float | None:
        return None if value is None else round(value, places)

    return {
        "round": rnd.pk,
        "index": rnd.framework.index.code,
        "year": rnd.year,
        "stage": rnd.status,
        "units": [
            {
                "unit": r.unit.name,
                "self_total": rounded(r.self_total, digits),
                "appraised_total": rounded(r.appraised_total, digits),
                "final_total": rounded(r.final_total, digits),
                "percent": rounded(r.percent, 2),
                "rank": r.rank,
                "class": r.klass or None,
            }
            for r in summary(rnd)
        ],
    }


def published_total(r: UnitResult, maximum: float | None) -> tuple[float, str]:
    """The total a unit's results carry, and a note: its final (else self) total in points; for a unit
    with criteria not applicable to it, that total converted to the framework's scale — its percent of
    the applicable maximum times the maximum (METHODOLOGY §2.8: the index is the score over the applicable
    maximum) — so the analysis, which ranks and classes totals on the framework's maximum, ranks and
    classes every unit as the round did (one rule)."""
    total = r.final_total if r.final_total is not None else r.self_total
    applicable = r.sheet.applicable_max
    if maximum and applicable and r.percent is not None and applicable < maximum - 1e-9:
        scaled = r.percent * maximum / 100.0
        note = _(
            "Quy đổi theo điểm tối đa áp dụng: {points}/{applicable} điểm = {percent} % (có tiêu chí không áp dụng)"
        ).format(
            points=format_number(total or 0),
            applicable=format_number(applicable),
            percent=format_number(r.percent),
        )
        return scaled, note
    return float(total or 0), ""


def _csv(rnd: Round, results: list[UnitResult]) -> bytes:
    """The final scores as a results table (one row per unit, one column per criterion, the total with its
    rank and class) for the results import."""
    st = structure(rnd.framework)
    codes = [c.code for c in st.criteria]
    maximum = st.nodes[st.root].max_score
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["Đơn vị", *codes, st.root, "rank", "rank_of", "nhóm", "nguồn", "ghi chú"])
    ranked = [r for r in results if r.rank is not None]
    source = _("Kết quả {title} (chiso, đợt đánh giá số {pk})").format(title=rnd.title, pk=rnd.pk)
    for r in ranked:
        scores = {s.node.code: s for s in r.sheet.scores.select_related("node")}
        cells = []
        for code in codes:
            s = scores.get(code)
            v = None if s is None or s.not_applicable else effective(s, "final")
            cells.append("" if v is None else repr(float(v)))
        total, note = published_total(r, maximum)
        w.writerow(
            [csv_cell(r.unit.name), *cells, repr(total), r.rank, len(ranked), r.klass, source, csv_cell(note)]
        )
    return buf.getvalue().encode("utf-8")


@transaction.atomic
def publish(rnd: Round, user, *, today: dt.date | None = None) -> list[UnitResult]:
    """Fix the round's results on its sheets (rank, class) and, for a province's own index, publish the
    final scores as that index's results of the year."""
    results = summary(rnd)
    for r in results:
        Sheet.objects.filter(pk=r.sheet.pk).update(rank=r.rank, klass=r.klass)
    index = rnd.framework.index
    if index.is_national or not any(r.rank for r in results):
        return results
    from chiso.results.importer import commit_import

    batch = commit_import(
        _csv(rnd, results),
        f"ket-qua-danh-gia-{index.code}-{rnd.year}-dot-{rnd.pk}.csv",
        index_code=index.code,
        year=rnd.year,
        user=user,
    )
    Round.objects.filter(pk=rnd.pk).update(published_batch=batch)
    rnd.published_batch = batch
    return results
