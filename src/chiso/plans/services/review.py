"""Checking a plan's targets against the results of its year ("Đánh giá kết quả thực hiện mục tiêu").

A plan for year Y states targets from the results of an earlier year; once the results of Y are in,
each target is met or not, with the figures reached (chiso.core.plan.review_target does the
comparison). The plan page shows it, and a plan drafted from year Y's results opens with the verdict
on the plan for Y ("… đạt 03/07 mục tiêu, còn 04 mục tiêu chưa đạt").

- ``review_plan(plan, year=None)`` — the review against the results of ``year`` (default: the plan's
  year), or None when there are no results of that year for any of the plan's indices.
- ``previous_plan(units, index, year)`` — the published plan for ``year`` of those units on that index.
- ``review_sentence(plan, review)`` — the sentence a new plan's opening quotes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from chiso.core import plan as plancore
from chiso.core.text import format_date
from chiso.frameworks.services import index_labels

from ..models import Plan, Target
from .plans import _level_word, grouped_nodes, results_unit, with_index

__all__ = ["PlanReview", "TargetReview", "previous_plan", "review_plan", "review_sentence"]


@dataclass
class TargetReview:
    target: Target
    review: plancore.Review

    @property
    def met(self) -> bool | None:
        return self.review.met


@dataclass
class PlanReview:
    year: int
    rows: list[TargetReview]

    @property
    def summary(self) -> str:
        return plancore.review_summary([r.review for r in self.rows])

    @property
    def unmet(self) -> list[TargetReview]:
        return [r for r in self.rows if r.met is False]


def _outcome(target: Target, ctx, base_ctx, unit_pk) -> plancore.Outcome:
    from chiso.analysis.services import same_definition

    ud = ctx.derived.units.get(unit_pk)
    year = ctx.year
    if ud is None:
        return plancore.Outcome(year, None)
    if target.kind in plancore.COUNT_KINDS:
        groups = tuple(g.group for g in grouped_nodes(ctx, unit_pk))
        return plancore.Outcome(year, None, node_groups=groups)
    code = target.node_code
    if not code:
        return plancore.Outcome(
            year, ud.total, ctx.derived.maximum, ud.rank, ud.rank_of, ud.group, ud.percent
        )
    node = ctx.nodes.get(code)
    nv = ud.nodes.get(code)
    if node is None or nv is None:
        return plancore.Outcome(year, None, comparable=False)
    stats = ctx.derived.stats.get(code)
    rank = stats.ranks.get(unit_pk) if stats else None
    score = nv.value
    maximum = node.max_score
    return plancore.Outcome(
        year,
        score,
        maximum,
        rank,
        stats.n if stats and rank else None,
        stats.groups.get(unit_pk) if stats else None,
        100.0 * score / maximum if score is not None and maximum else None,
        comparable=base_ctx is None or same_definition(base_ctx, ctx, code),
    )


def review_plan(plan: Plan, year: int | None = None) -> PlanReview | None:
    """Every target of the plan checked against the results of ``year`` (default: the plan's year, its
    last year for a plan over several), for the unit whose results the plan starts from. None when
    none of the plan's indices has results that year."""
    from chiso.analysis.services import year_figures

    year = year or plan.year_to or plan.year
    targets = list(plan.targets.all())
    if not targets:
        return None
    contexts = {}
    for index in {t.index for t in targets}:
        ctx = year_figures(index, year)
        if ctx is not None and ctx.derived.units:
            contexts[index] = ctx
    if not contexts:
        return None
    rows = []
    for t in targets:
        ctx = contexts.get(t.index)
        if ctx is None:
            outcome = plancore.Outcome(year, None)
            rule, word = None, "nội dung"
        else:
            unit = results_unit(plan.issuing_unit, t.index, year)
            base_year = t.baseline_year or plan.results_year
            base_ctx = year_figures(t.index, base_year) if base_year else None
            outcome = _outcome(t, ctx, base_ctx, unit.pk)
            rule, word = ctx.rule, _level_word(ctx)
        baseline = plancore.Baseline(t.baseline_year, t.baseline_score, t.baseline_rank, t.baseline_rank_of)
        rows.append(
            TargetReview(
                t, plancore.review_target(t.kind, t.value, outcome, baseline, rule, t.label, level_word=word)
            )
        )
    return PlanReview(year, rows)


def previous_plan(units: Iterable, index: str, year: int, *, exclude: Plan | None = None) -> Plan | None:
    """The plan of ``units`` (the issuing unit and the units whose results it carries) in force for
    ``year`` on ``index``: published (issued or closed), not superseded, its own (not derived from a
    superior's plan); the latest issued first."""
    qs = (
        Plan.objects.filter(
            issuing_unit__in=list(units),
            status__in=Plan.workflow().public_states,
            superseded=False,
            derived_from__isnull=True,
            year__lte=year,
        )
        .filter(Q(year_to__gte=year) | Q(year_to__isnull=True, year=year))
        .order_by("-year", "-date", "-pk")
    )
    if exclude is not None and exclude.pk:
        qs = qs.exclude(pk=exclude.pk)
    return with_index(qs, index).first()


def review_sentence(plan: Plan, review: PlanReview) -> str:
    """ "Kết quả thực hiện Kế hoạch số 12/KH-UBND ngày 01/03/2024 của Ủy ban nhân dân tỉnh Kon Tum theo
    kết quả năm 2024: đạt 03/07 mục tiêu, còn 04 mục tiêu chưa đạt (…)." """
    ref = f"Kế hoạch số {plan.number_symbol}" if plan.number else f"Kế hoạch «{plan.title}»"
    if plan.date:
        ref += f" ngày {format_date(plan.date)}"
    issuer = plan.issuing_unit.name
    text = (
        f"Kết quả thực hiện {ref} của {_authority(issuer)} theo kết quả năm {review.year}: {review.summary}"
    )
    unmet = review.unmet
    if unmet:
        items = "; ".join(_short(r) for r in unmet)
        text += f" (chưa đạt: {items})"
    return text + "."


def _authority(name: str) -> str:
    return f"Ủy ban nhân dân {name[:1].lower() + name[1:]}" if name[:1].isupper() else name


def _short(r: TargetReview) -> str:
    t = r.target
    what = t.node_name or t.node_code or "Chỉ số " + index_labels().get(t.index, t.index.upper())
    if t.kind in plancore.COUNT_KINDS:
        what = "số nội dung thuộc nhóm"
    return f"{what} — {r.review.achieved}" if r.review.achieved else what
