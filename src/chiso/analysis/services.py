"""Derived figures and the analysis of one unit and year, read from the stored results.

``year_figures`` is cached per (framework, year, data version): any committed import or revert
bumps the version, so a cached figure is never stale.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from threading import Lock, RLock

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chiso.core import gap as gapcore
from chiso.core.derive import UnitInput, YearDerived, derive_year
from chiso.core.stats import GroupRule
from chiso.core.text import format_at_least, format_number, format_signed
from chiso.core.tree import Tree
from chiso.frameworks.models import Framework, Index, Node
from chiso.frameworks.services import framework_for, framework_tree
from chiso.results.models import Result
from chiso.results.version import current_data_version
from chiso.units.lineage import carried_units
from chiso.units.models import Unit

_CACHE: OrderedDict[tuple, YearContext] = OrderedDict()
_LOCK = Lock()
_COMPUTE_LOCK = RLock()
CACHE_SIZE = 256
_MISSING = object()


class AnalysisError(ValueError):
    pass


class NoResults(AnalysisError):
    """The index has no framework, or the unit no results, for that year: nothing to analyse (the API
    answers 404, as for an unknown unit)."""


@dataclass
class YearContext:
    framework: Framework
    year: int
    nodes: dict[str, Node]
    tree: Tree
    derived: YearDerived
    units: dict[int, Unit]
    rule: GroupRule | None


def year_figures(index_code: str, year: int, *, version: int | None = None) -> YearContext | None:
    version = current_data_version() if version is None else version
    key = (index_code, year, version)
    with _LOCK:
        hit = _CACHE.get(key, _MISSING)
        if hit is not _MISSING:
            _CACHE.move_to_end(key)
            return hit
    with _COMPUTE_LOCK:  # one computation per worker at a time; others wait and reuse it
        with _LOCK:
            hit = _CACHE.get(key, _MISSING)
        if hit is not _MISSING:
            return hit
        framework = framework_for(index_code, year)
        ctx = _compute(framework, year) if framework is not None else None
    with _LOCK:
        _CACHE[key] = ctx
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return ctx


def _compute(framework: Framework, year: int) -> YearContext:
    tree, nodes = framework_tree(framework)
    code_of = {n.pk: code for code, n in nodes.items()}
    root_pk = next(n.pk for n in nodes.values() if n.parent_id is None)
    per_unit: dict[int, dict] = {}
    rows = Result.objects.filter(framework=framework, year=year).values_list(
        "unit_id", "node_id", "value", "published_rank", "published_rank_of", "published_group"
    )
    for unit_id, node_id, value, prank, pof, pgroup in rows:
        entry = per_unit.setdefault(unit_id, {"values": {}, "rank": None, "of": None, "group": None})
        if value is not None:
            entry["values"][code_of[node_id]] = value
        if node_id == root_pk:
            entry["rank"], entry["of"], entry["group"] = prank, pof, pgroup or None
    inputs = [UnitInput(uid, e["values"], e["rank"], e["of"], e["group"]) for uid, e in per_unit.items()]
    rule = GroupRule.from_dict(framework.grouping) if framework.grouping else None
    grouped = [c for c, n in nodes.items() if rule is not None and n.level in rule.levels]
    derived = derive_year(
        tree,
        {c: n.max_score for c, n in nodes.items()},
        inputs,
        rule,
        tolerance=framework.tolerance,
        grouped_nodes=grouped,
    )
    units = Unit.objects.in_bulk(list(per_unit))
    return YearContext(framework, year, nodes, tree, derived, units, rule)


def available_years(index_code: str) -> list[int]:
    key = ("years", index_code, current_data_version())
    with _LOCK:
        hit = _CACHE.get(key)
    if hit is not None:
        return hit
    years = sorted(
        Result.objects.filter(framework__index__code=index_code).values_list("year", flat=True).distinct()
    )
    with _LOCK:
        _CACHE[key] = years
    return years


# --- analysis of one unit and year --------------------------------------------------------------


@dataclass
class NodeLine:
    code: str
    name: str
    level: str
    level_label: str
    depth: int
    score: float | None
    max: float | None
    percent: float | None
    rank: int | None
    rank_of: int | None
    mean: float | None
    diff_from_mean: float | None
    previous: float | None
    delta: float | None
    lost_points: float | None
    best_past: float | None
    best_past_year: int | None
    complete: bool
    contributes: bool
    is_leaf: bool
    mismatch: float | None = None
    name_en: str = ""
    #: The unit's group on this node among the units, when the publisher groups its level (PAPI's
    #: dimensions: ``GroupRule.levels``).
    group: str | None = None

    @property
    def display(self) -> str:
        """The name in the reader's language (English when the framework gives one); ``name`` stays the
        Vietnamese, official one that plans and documents quote."""
        from django.utils.translation import get_language

        return self.name_en if self.name_en and (get_language() or "vi").startswith("en") else self.name


@dataclass
class Analysis:
    index: Index
    framework: Framework
    unit: Unit
    year: int
    total: float | None
    max: float | None
    percent: float | None
    complete: bool
    rank: int | None
    rank_of: int | None
    rank_source: str | None
    computed_rank: int | None
    published_rank: int | None
    published_rank_of: int | None
    group: str | None
    group_source: str | None
    group_size: int | None
    cutoffs: list[tuple[str, float | None]]
    previous_year: int | None
    previous_total: float | None
    delta_total: float | None
    previous_rank: int | None
    delta_rank: int | None
    previous_unit_note: str
    predecessors_previous: list[dict]
    national_mean: float | None
    diff_from_mean: float | None
    national_median: float | None
    diff_from_median: float | None
    n_scored: int
    full_coverage: bool
    nodes: list[NodeLine]
    regions: list[dict] = field(default_factory=list)
    history: list[dict] = field(default_factory=list)
    mismatches: dict[str, float] = field(default_factory=dict)

    def _notable(self, good: bool) -> list[NodeLine]:
        """Strengths (``good``) or weaknesses at every level: a dimension in the top (bottom) third of the
        ranking — or, with no ranks, at ≥ 90 % (< 80 %) of its maximum — and, under a dimension that is
        not listed, its sub-dimensions that are (a sub-dimension ranked 4th counts even when its dimension
        is middling); what lies under a listed node is not repeated. Dimensions first, best (worst) first."""
        lines = [n for n in self.nodes if n.depth >= 1 and n.score is not None]
        ranked = any(n.rank for n in lines)

        def hit(n: NodeLine) -> bool:
            if ranked:
                if not (n.rank and n.rank_of):
                    return False
                return n.rank <= max(1, n.rank_of // 3) if good else n.rank > n.rank_of * 2 // 3
            if n.percent is None:
                return False
            return n.percent >= 90 if good else n.percent < 80

        out: list[NodeLine] = []
        covered: int | None = None  # depth of the last listed node while walking its subtree
        for n in self.nodes:
            if n.depth < 1:
                continue
            if covered is not None and n.depth > covered:
                continue
            covered = None
            if n.score is not None and hit(n):
                out.append(n)
                covered = n.depth
        if ranked:
            return sorted(out, key=lambda n: (n.depth, n.rank if good else -(n.rank or 0)))
        return sorted(out, key=lambda n: (n.depth, -(n.percent or 0) if good else (n.percent or 0)))

    @property
    def strengths(self) -> list[NodeLine]:
        return self._notable(good=True)

    @property
    def weaknesses(self) -> list[NodeLine]:
        return self._notable(good=False)

    @property
    def lost(self) -> list[NodeLine]:
        """Every leaf-most scored node where points were lost, most points at stake first."""
        lines = [
            n for n in self.nodes if n.is_leaf and n.lost_points and n.lost_points > 1e-9 and n.contributes
        ]
        return sorted(lines, key=lambda n: -(n.lost_points or 0))

    @property
    def fallen(self) -> list[NodeLine]:
        lines = [n for n in self.nodes if n.depth >= 1 and n.delta is not None and n.delta < -1e-9]
        return sorted(lines, key=lambda n: n.delta or 0)

    @property
    def worst_ranked(self) -> list[NodeLine]:
        ranked = [n for n in self.nodes if n.rank and n.depth >= 1]
        return sorted(ranked, key=lambda n: -(n.rank or 0))[:8]


def _same_node(a: Node | None, b: Node | None) -> bool:
    if a is None or b is None:
        return False
    return a.code == b.code and (a.name_vi == b.name_vi or (a.name_en and a.name_en == b.name_en))


def _shape(ctx: YearContext, code: str) -> tuple[tuple[str, float | None], ...]:
    """The node's subtree in that year's framework: every node under it (itself included) with its maximum."""
    by_pk = {n.pk: n for n in ctx.nodes.values()}
    out = []
    for c, n in ctx.nodes.items():
        p = n
        while p is not None and p.code != code:
            p = by_pk.get(p.parent_id)
        if p is not None:
            out.append((c, n.max_score))
    return tuple(sorted(out, key=lambda x: x[0]))


def same_definition(a: YearContext | None, b: YearContext | None, code: str) -> bool:
    """Whether a node measures the same thing in two years: the same node (code and name) with the same
    sub-nodes and maxima (PAPI's D2 before 2018 had no "Access to information", D5 from 2021 no
    construction permits). A score of a node defined differently is never a floor or a target."""
    if a is None or b is None or not _same_node(a.nodes.get(code), b.nodes.get(code)):
        return False
    if a.framework.pk == b.framework.pk:
        return True
    return _shape(a, code) == _shape(b, code)


def analyse(index_code: str, unit: Unit, year: int) -> Analysis:
    ctx = year_figures(index_code, year)
    if ctx is None:
        raise NoResults(
            _("Chưa có bộ chỉ số {index} cho năm {year}.").format(index=index_code.upper(), year=year)
        )
    ud = ctx.derived.units.get(unit.pk)
    if ud is None:
        raise NoResults(
            _("Chưa có kết quả {index} năm {year} của {unit}.").format(
                index=ctx.framework.index.short_name, year=year, unit=unit.short_name
            )
        )
    root = ctx.derived.root

    # The previous evaluation year with results; the unit is compared only with itself (a merged
    # unit's predecessors are shown side by side in its history instead).
    previous_ctx = None
    previous_ud = None
    previous_note = ""
    years = [y for y in available_years(index_code) if y < year]
    predecessors_previous: list[dict] = []
    for py in reversed(years):
        pctx = year_figures(index_code, py)
        if pctx and unit.pk in pctx.derived.units:
            previous_ctx, previous_ud = pctx, pctx.derived.units[unit.pk]
        elif pctx:
            # A unit formed by a merger has no previous year of its own: it is compared with each of
            # the units whose results it carries that year, and the page says so.
            for p in carried_units(unit, py):
                pud = pctx.derived.units.get(p.pk)
                if pud is not None and p.pk != unit.pk:
                    predecessors_previous.append(
                        {
                            "unit": p,
                            "year": py,
                            "total": pud.total,
                            "rank": pud.rank,
                            "rank_of": pud.rank_of,
                            "group": pud.group,
                        }
                    )
            if predecessors_previous:
                previous_note = _(
                    "{unit} hình thành do sáp nhập nên không có kết quả riêng năm {year}; so sánh với các tỉnh cũ: "
                    "{items}."
                ).format(
                    unit=unit.short_name,
                    year=py,
                    items="; ".join(
                        f"{d['unit'].short_name} {format_number(d['total'], 4)}"
                        + (f" ({d['rank']}/{d['rank_of']})" if d["rank"] else "")
                        for d in predecessors_previous
                    ),
                )
        break
    stats = ctx.derived.stats

    # The unit's own best past score on each node (for gap suggestions).
    best_past: dict[str, tuple[float, int]] = {}
    for py in years:
        pctx = year_figures(index_code, py)
        pud = pctx.derived.units.get(unit.pk) if pctx else None
        if not pud:
            continue
        for code, nv in pud.nodes.items():
            if nv.value is None or not same_definition(pctx, ctx, code):
                continue
            if code not in best_past or nv.value > best_past[code][0]:
                best_past[code] = (nv.value, py)

    children = {n.parent.code for n in ctx.nodes.values() if n.parent}
    lines: list[NodeLine] = []
    for code, node in ctx.nodes.items():
        nv = ud.nodes[code]
        st = stats[code]
        prev = None
        if previous_ud is not None and _same_node(previous_ctx.nodes.get(code), node):
            pv = previous_ud.nodes.get(code)
            prev = pv.value if pv else None
        lost = (node.max_score - nv.value) if (node.max_score is not None and nv.value is not None) else None
        bp = best_past.get(code)
        lines.append(
            NodeLine(
                code=code,
                name=node.name_vi,
                name_en=node.name_en,
                level=node.level,
                level_label=node.level_label,
                depth=node.depth,
                score=nv.value,
                max=node.max_score,
                percent=(nv.value / node.max_score * 100)
                if nv.value is not None and node.max_score
                else None,
                rank=st.ranks.get(unit.pk),
                rank_of=st.n if st.ranks else None,
                mean=st.mean,
                diff_from_mean=(nv.value - st.mean) if nv.value is not None and st.mean is not None else None,
                previous=prev,
                delta=(nv.value - prev) if nv.value is not None and prev is not None else None,
                lost_points=lost,
                best_past=bp[0] if bp else None,
                best_past_year=bp[1] if bp else None,
                complete=nv.complete,
                contributes=node.contributes,
                is_leaf=code not in children,
                mismatch=nv.mismatch,
                group=st.groups.get(unit.pk),
            )
        )

    previous_total = previous_ud.total if previous_ud else None
    previous_rank = previous_ud.rank if previous_ud else None
    comparable_total = True
    if previous_ctx is not None and previous_ctx.framework.pk != ctx.framework.pk:
        if previous_ctx.derived.maximum != ctx.derived.maximum:
            comparable_total = False
            previous_note = _(
                "Năm {year} áp dụng bộ chỉ số khác ({framework}, tối đa "
                "{max} điểm) nên không so sánh trực tiếp điểm tổng."
            ).format(
                year=previous_ctx.year,
                framework=previous_ctx.framework.name_vi,
                max=format_number(previous_ctx.derived.maximum),
            )
        else:
            previous_note = _("Năm {year} áp dụng phiên bản bộ chỉ số trước ({framework}).").format(
                year=previous_ctx.year, framework=previous_ctx.framework.name_vi
            )

    delta_rank = (previous_rank - ud.rank) if previous_rank and ud.rank else None
    st_root = stats[root]
    regions = []
    for region in unit.regions.all().order_by("kind", "name_vi"):
        members = [m.pk for m in region.members.all() if m.pk in ctx.derived.units]
        scored = {
            k: ctx.derived.units[k].total
            for k in members
            if ctx.derived.units[k].complete and ctx.derived.units[k].total is not None
        }
        from chiso.core.stats import mean as _mean
        from chiso.core.stats import rank_desc

        # a partial year: no rank among the region's units that happen to have data
        ranks = rank_desc(scored) if ctx.derived.full_coverage else {}
        regions.append(
            {
                "region": region,
                "rank": ranks.get(unit.pk),
                "rank_of": len(scored),
                "mean": _mean(list(scored.values())),
                "members": sorted(
                    [(ctx.units[k], v, ranks.get(k)) for k, v in scored.items()], key=lambda t: t[2] or 999
                ),
            }
        )
    history = unit_history(index_code, unit)
    return Analysis(
        index=ctx.framework.index,
        framework=ctx.framework,
        unit=unit,
        year=year,
        total=ud.total,
        max=ctx.derived.maximum,
        percent=ud.percent,
        complete=ud.complete,
        rank=ud.rank,
        rank_of=ud.rank_of,
        rank_source=ud.rank_source,
        computed_rank=ud.computed_rank,
        published_rank=ud.published_rank,
        published_rank_of=ud.published_rank_of,
        group=ud.group,
        group_source=ud.group_source,
        group_size=ctx.derived.group_sizes.get(ud.group)
        if ud.group and ud.group_source == "computed"
        else None,
        cutoffs=ctx.derived.cutoffs,
        previous_year=previous_ctx.year if previous_ctx else None,
        previous_total=previous_total,
        delta_total=(ud.total - previous_total)
        if comparable_total and ud.total is not None and previous_total is not None
        else None,
        previous_rank=previous_rank,
        delta_rank=delta_rank,
        previous_unit_note=previous_note,
        predecessors_previous=predecessors_previous,
        national_mean=st_root.mean,
        diff_from_mean=(ud.total - st_root.mean)
        if ud.total is not None and st_root.mean is not None
        else None,
        national_median=st_root.median,
        diff_from_median=(ud.total - st_root.median)
        if ud.total is not None and st_root.median is not None
        else None,
        n_scored=ctx.derived.n_scored,
        full_coverage=ctx.derived.full_coverage,
        nodes=lines,
        regions=regions,
        history=history,
        mismatches=ud.mismatches,
    )


def unit_history(index_code: str, unit: Unit) -> list[dict]:
    """The unit's totals over the years; a merged unit also lists each predecessor's series."""
    out = []
    for member in carried_units(unit):
        series = []
        for y in available_years(index_code):
            ctx = year_figures(index_code, y)
            ud = ctx.derived.units.get(member.pk) if ctx else None
            if ud is not None:
                series.append(
                    {
                        "year": y,
                        "total": ud.total,
                        "max": ctx.derived.maximum,
                        "framework": ctx.framework.code,
                        "rank": ud.rank,
                        "rank_of": ud.rank_of,
                        "group": ud.group,
                        "rank_source": ud.rank_source,
                        "complete": ud.complete,
                    }
                )
        out.append({"unit": member, "series": series, "is_predecessor": member.pk != unit.pk})
    return out


# --- gap solver ---------------------------------------------------------------------------------


@dataclass
class GapResult:
    analysis: Analysis
    goal: str
    current_total: float
    current_rank: int | None
    target_rank: int | None
    target_group: str | None
    needed_increase: float | None
    new_total: float | None
    suggestions: list[gapcore.Suggestion]
    cover: list[gapcore.Suggestion]
    assumptions: str
    rank_of: int | None = None
    precision: int = 4  # the framework's: "at least" figures are shown rounded up at it
    note: str = ""  # a partial year: ranks are the published ones

    @property
    def needed_text(self) -> str:
        """The increase as shown and printed: rounded *up* at the framework's precision."""
        return format_at_least(self.needed_increase, self.precision)

    @property
    def new_total_text(self) -> str:
        return format_at_least(self.new_total, self.precision)


def partial_year_note(ctx: YearContext) -> str:
    """Why ranks and quantile groups cannot be recomputed for a year known for only part of the units
    ("" when the year is fully known). One rule everywhere (gap, what-if, charts): never rank among the
    units that happen to have data; the published ranking is the only ranking."""
    d = ctx.derived
    if d.full_coverage:
        return ""
    return _(
        "Năm {year} mới có số liệu của {n}/{expected} đơn vị: chiso không xếp hạng lại trên phần đã biết "
        "(xếp hạng hiển thị là theo công bố)."
    ).format(year=ctx.year, n=d.n_with_data, expected=d.expected)


def _ranks_known(ctx: YearContext) -> bool:
    return ctx.derived.full_coverage


def _refuse_partial(ctx: YearContext, a: Analysis, what: str) -> None:
    """A goal that needs every unit's score, in a year known for only part of them: said plainly."""
    if _ranks_known(ctx):
        return
    raise AnalysisError(
        partial_year_note(ctx)
        + " "
        + _(
            "Không tính được số điểm cần để {what} vì không biết điểm của các đơn vị còn lại; "
            "hãy đặt mục tiêu theo số điểm."
        ).format(what=what)
        + (
            " " + _("Xếp hạng công bố: {rank}/{of}.").format(rank=a.rank, of=a.rank_of)
            if a.rank and a.rank_of
            else ""
        )
    )


def gap(
    index_code: str,
    unit: Unit,
    year: int,
    *,
    places: int | None = None,
    group: str | None = None,
    top: int | None = None,
    score: float | None = None,
) -> GapResult:
    """The least increase of the unit's total that reaches a goal. Impossible goals (beyond rank 1, above
    the maximum, a group out of reach) and goals a partial year cannot answer are refused with the
    reason (AnalysisError)."""
    a = analyse(index_code, unit, year)
    ctx = year_figures(index_code, year)
    if a.total is None or not a.complete:
        raise AnalysisError(_("Đơn vị chưa đủ điểm thành phần để tính khoảng cách."))
    others = ctx.derived.totals(exclude=unit.pk)
    if _ranks_known(ctx):
        current_rank: int | None = gapcore.rank_of(a.total, others)
        rank_of: int | None = len(others) + 1
    else:
        current_rank, rank_of = a.rank, a.rank_of
    target_rank = None
    target_group = None
    if places is not None:
        if places < 1:
            raise AnalysisError(_("Số bậc cần tăng phải từ 1 trở lên."))
        _refuse_partial(ctx, a, _("tăng hạng"))
        assert current_rank is not None
        if places >= current_rank:
            raise AnalysisError(
                _("{unit} đã xếp thứ nhất.").format(unit=unit.short_name)
                if current_rank == 1
                else ngettext(
                    "{unit} đang xếp thứ {rank}/{of}: chỉ có thể tăng tối đa {most} bậc.",
                    "{unit} đang xếp thứ {rank}/{of}: chỉ có thể tăng tối đa {most} bậc.",
                    current_rank - 1,
                ).format(unit=unit.short_name, rank=current_rank, of=rank_of, most=current_rank - 1)
            )
        target_rank = current_rank - places
        needed = gapcore.needed_for_rank(a.total, others, target_rank)
        goal = ngettext(
            "tăng {places} bậc (lên hạng {rank}/{of})", "tăng {places} bậc (lên hạng {rank}/{of})", places
        ).format(places=places, rank=target_rank, of=rank_of)
    elif top is not None:
        if top < 1:
            raise AnalysisError(_("Nhóm dẫn đầu phải có ít nhất 1 đơn vị."))
        _refuse_partial(ctx, a, _("vào nhóm dẫn đầu"))
        assert rank_of is not None
        if top >= rank_of:
            raise AnalysisError(
                _("Chỉ có {n} đơn vị được xếp hạng: nhóm {top} đơn vị dẫn đầu phải nhỏ hơn {n}.").format(
                    n=rank_of, top=top
                )
            )
        target_rank = top
        needed = gapcore.needed_for_rank(a.total, others, top)
        goal = ngettext("vào nhóm {top} đơn vị dẫn đầu", "vào nhóm {top} đơn vị dẫn đầu", top).format(top=top)
    elif group is not None:
        if ctx.rule is None:
            raise AnalysisError(
                _("Bộ chỉ số {framework} không có quy tắc xếp nhóm.").format(framework=ctx.framework.name_vi)
            )
        labels = [b.label for b in ctx.rule.groups]
        match = next((lab for lab in labels if lab.lower() == group.strip().lower()), None)
        if match is None:
            raise AnalysisError(
                _("Nhóm “{group}” không có; các nhóm là: {groups}.").format(
                    group=group, groups=", ".join(labels)
                )
            )
        if ctx.rule.kind == "quantile":  # cut-offs depend on every unit's score
            _refuse_partial(ctx, a, _("vào nhóm “{group}”").format(group=match))
        target_group = match
        needed = gapcore.needed_for_group(a.total, others, ctx.rule, match, maximum=a.max)
        if needed is None:
            raise AnalysisError(
                _("Không thể vào nhóm “{group}”: kể cả đạt điểm tối đa {max} cũng không đủ.").format(
                    group=match, max=format_number(a.max)
                )
            )
        goal = _("vào nhóm “{group}”").format(group=match)
    elif score is not None:
        if a.max is not None and round(score, 9) > round(a.max, 9):
            raise AnalysisError(
                _("Điểm mục tiêu {score} vượt điểm tối đa {max}.").format(
                    score=format_number(score), max=format_number(a.max)
                )
            )
        if score < 0:
            raise AnalysisError(_("Điểm mục tiêu phải không âm."))
        needed = gapcore.needed_for_score(a.total, score)
        goal = _("đạt {score} điểm").format(score=format_number(score))
    else:
        raise AnalysisError(_("Chọn một mục tiêu: số bậc, nhóm, top hoặc điểm."))
    nodes = [
        {"code": n.code, "name": n.name, "score": n.score, "max": n.max, "best_past": n.best_past}
        for n in a.nodes
        if n.is_leaf
        and n.contributes
        and n.score is not None
        and n.max is not None
        and n.max - n.score > 1e-9
    ]
    suggestions = gapcore.suggest(nodes, needed or 0.0)
    cover = gapcore.cover(suggestions, needed) if needed else []
    return GapResult(
        analysis=a,
        goal=goal,
        current_total=a.total,
        current_rank=current_rank,
        target_rank=target_rank,
        target_group=target_group,
        needed_increase=needed,
        new_total=(a.total + needed) if needed is not None else None,
        suggestions=suggestions,
        cover=cover,
        assumptions=_("Giả định điểm của các đơn vị khác năm {year} giữ nguyên.").format(year=year),
        rank_of=rank_of,
        precision=a.framework.precision,
        note=partial_year_note(ctx),
    )


def what_if(index_code: str, unit: Unit, year: int, changes: dict[str, float]):
    ctx = year_figures(index_code, year)
    ud = ctx.derived.units.get(unit.pk) if ctx else None
    if ud is None:
        raise NoResults(_("Chưa có kết quả của đơn vị trong năm này."))
    for code, value in changes.items():
        node = ctx.nodes.get(code)
        if node is None:
            raise AnalysisError(_("Không có nút “{code}”.").format(code=code))
        if ud.nodes[code].derived:
            raise AnalysisError(
                _("{code}: điểm được tính từ các nội dung con; hãy thay đổi điểm các nội dung con.").format(
                    code=code
                )
            )
        if node.max_score is not None and value > node.max_score + 1e-9:
            raise AnalysisError(
                _("{code}: {value} vượt điểm tối đa {max}.").format(
                    code=code, value=format_number(value), max=format_number(node.max_score)
                )
            )
        if value < (node.min_score or 0) - 1e-9:
            raise AnalysisError(
                _("{code}: {value} thấp hơn điểm tối thiểu.").format(code=code, value=format_number(value))
            )
    values = {c: nv.value for c, nv in ud.nodes.items() if nv.value is not None and not nv.derived}
    others = ctx.derived.totals(exclude=unit.pk)
    w = gapcore.what_if(ctx.tree, values, changes, others, ctx.rule, ctx.derived.maximum)
    if not _ranks_known(ctx):
        # A partial year: no rank among the units that happen to have data (the rank card shows the
        # published one), and no quantile group either; a threshold group depends on the score alone.
        w.rank = None
        w.rank_of = ud.rank_of or ctx.derived.n_with_data
        if ctx.rule is not None and ctx.rule.kind == "quantile":
            w.group = None
    return w


# --- the opening text a plan uses -----------------------------------------------------------------


def opening_text(a: Analysis) -> str:
    unit_word = "của tỉnh" if a.unit.kind == Unit.Kind.PROVINCE else "của đơn vị"
    decimals = a.framework.precision
    parts = [
        f"Chỉ số {a.index.short_name} năm {a.year} {unit_word} đạt {format_number(a.total, decimals)} điểm"
    ]
    if a.framework.value_kind == "percent":
        parts[0] = (
            f"Chỉ số {a.index.short_name} năm {a.year} {unit_word} đạt {format_number(a.total, decimals)}%"
        )
    if a.diff_from_mean is not None:
        word = "cao hơn" if a.diff_from_mean >= 0 else "thấp hơn"
        parts.append(f"{word} trung bình chung cả nước {format_number(abs(a.diff_from_mean), decimals)} điểm")
    if a.rank:
        src = "" if a.rank_source == "computed" else " (theo công bố)"
        parts.append(f"xếp thứ {a.rank}/{a.rank_of}{src}")
    if a.group:
        parts.append(f"thuộc nhóm {a.group}")
    text = ", ".join(parts)
    if a.previous_year and a.delta_total is not None:
        moves = []
        word = "tăng" if a.delta_total >= 0 else "giảm"
        moves.append(f"{word} {format_number(abs(a.delta_total), decimals)} điểm")
        if a.delta_rank:
            moves.append(f"{'tăng' if a.delta_rank > 0 else 'giảm'} {abs(a.delta_rank)} bậc")
        elif a.delta_rank == 0:
            moves.append("giữ nguyên thứ hạng")
        text += "; " + " và ".join(moves) + f" so với năm {a.previous_year}"
    text += "."
    weak = a.weaknesses[:3]
    if weak:
        names = "; ".join(
            f"{n.name} ({format_number(n.score, decimals)}/{format_number(n.max)} điểm"
            + (f", xếp thứ {n.rank}/{n.rank_of}" if n.rank else "")
            + ")"
            for n in weak
        )
        text += f" Các nội dung còn hạn chế: {names}."
    fallen = [n for n in a.fallen if n.depth == 1][:3]
    if fallen:
        text += (
            " Giảm điểm so với năm trước: "
            + "; ".join(f"{n.name} ({format_signed(n.delta, decimals)})" for n in fallen)
            + "."
        )
    return text


def clear_caches() -> None:
    """Forget every cached figure and tree (tests and benchmarks; never needed for correctness,
    since cache keys include the data version)."""
    from chiso.frameworks import services as framework_services

    with _LOCK:
        _CACHE.clear()
    framework_services._TREES.clear()
