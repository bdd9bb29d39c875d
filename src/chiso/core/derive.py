"""Derived figures of one framework and year for every unit: totals from parts, percent of
maximum, ranks among the scored units, groups, national mean and median. Pure Python.

Ranks are computed only when the results cover every unit that was ranked: when a year is known
for 28 of 63 provinces, a rank "among the 28" would mislead, so the published rank is used instead
(``rank_source = "published"``), and where neither exists there is no rank.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass, field

from .stats import GroupRule, assign_groups, group_cutoffs, mean, median, rank_desc
from .tree import NodeValue, Tree, percent_of_max


@dataclass
class UnitInput:
    key: Hashable
    values: Mapping[str, float]
    published_rank: int | None = None
    published_rank_of: int | None = None
    published_group: str | None = None


@dataclass
class NodeStats:
    code: str
    n: int
    mean: float | None
    median: float | None
    ranks: dict[Hashable, int]
    best: float | None
    worst: float | None
    #: The node's group per unit, for the nodes the publisher groups (``GroupRule.levels``): the rule
    #: applied to the node's scores among the units scored on it (maximum = the node's). Empty otherwise.
    groups: dict[Hashable, str | None] = field(default_factory=dict)


@dataclass
class UnitDerived:
    key: Hashable
    nodes: dict[str, NodeValue]
    total: float | None
    complete: bool  # the total is known (derived from every part, or published): it is ranked
    parts_complete: bool  # every part is known too
    percent: float | None
    rank: int | None
    rank_of: int | None
    rank_source: str | None  # "computed" | "published" | None
    computed_rank: int | None
    published_rank: int | None
    published_rank_of: int | None
    group: str | None
    group_source: str | None  # "computed" | "published" | None
    published_group: str | None
    mismatches: dict[str, float] = field(default_factory=dict)


@dataclass
class YearDerived:
    root: str
    maximum: float | None
    units: dict[Hashable, UnitDerived]
    stats: dict[str, NodeStats]
    full_coverage: bool
    n_scored: int
    n_with_data: int
    expected: int | None
    cutoffs: list[tuple[str, float | None]]
    group_sizes: dict[str, int]
    rule: GroupRule | None

    def totals(self, *, exclude: Hashable | None = None) -> list[float]:
        return [u.total for k, u in self.units.items() if u.total is not None and k != exclude]

    def node_scores(self, code: str, *, exclude: Hashable | None = None) -> list[float]:
        """Every unit's known score on one node (but ``exclude``'s)."""
        out: list[float] = []
        for k, u in self.units.items():
            nv = u.nodes.get(code)
            if k != exclude and nv is not None and nv.value is not None:
                out.append(nv.value)
        return out


def derive_year(
    tree: Tree,
    maxima: Mapping[str, float | None],
    units: Sequence[UnitInput],
    rule: GroupRule | None,
    *,
    tolerance: float = 0.0051,
    expected: int | None = None,
    grouped_nodes: Collection[str] = (),
) -> YearDerived:
    """``expected``: how many units the index ranked that year, when known (a published "…/63").
    ``grouped_nodes``: the nodes (besides the root) grouped like the total, each among the units scored
    on it (the nodes of the levels in ``rule.levels``); quantile groups need a fully known year."""
    root = tree.root
    aggregated = {u.key: tree.aggregate(u.values, tolerance=tolerance) for u in units}
    published_of = [u.published_rank_of for u in units if u.published_rank_of]
    if expected is None and published_of:
        expected = max(published_of)
    n_with_data = len(units)
    full = expected is None or n_with_data >= expected

    stats: dict[str, NodeStats] = {}
    for code in tree.specs:
        # A node is scored when its value is known: derived from all its parts, or published.
        known = ((k, nv[code].value) for k, nv in aggregated.items())
        scored = {k: v for k, v in known if v is not None}
        values = list(scored.values())
        stats[code] = NodeStats(
            code=code,
            n=len(values),
            # A mean over a partial year (28 of 63 provinces) would mislead as a "national" mean.
            mean=mean(values) if full else None,
            median=median(values) if full else None,
            ranks=rank_desc(scored) if full else {},
            best=max(values) if values else None,
            worst=min(values) if values else None,
        )
        node_max = maxima.get(code)
        groupable = rule is not None and (rule.kind == "threshold" or full)
        if rule is not None and groupable and code in grouped_nodes and code != root:
            if not (rule.kind == "threshold" and rule.on == "percent" and not node_max):
                stats[code].groups = assign_groups(scored, rule, maximum=node_max)

    maximum = maxima.get(root)
    totals = {k: nv[root].value for k, nv in aggregated.items()}
    groups: dict[Hashable, str | None] = {}
    cutoffs: list[tuple[str, float | None]] = []
    if rule is not None and (rule.kind == "threshold" or full):
        groups = assign_groups(totals, rule, maximum=maximum)
        cutoffs = group_cutoffs(totals, rule, maximum=maximum)
    group_sizes: dict[str, int] = {}
    for g in groups.values():
        if g:
            group_sizes[g] = group_sizes.get(g, 0) + 1

    out: dict[Hashable, UnitDerived] = {}
    n_scored = stats[root].n
    for u in units:
        nv = aggregated[u.key]
        total = nv[root].value
        complete = total is not None
        computed = stats[root].ranks.get(u.key)
        rank: int | None
        rank_of: int | None
        rank_source: str | None
        if computed is not None:
            rank, rank_of, rank_source = computed, n_scored, "computed"
        elif u.published_rank:
            rank, rank_of, rank_source = u.published_rank, u.published_rank_of or expected, "published"
        else:
            rank = rank_of = rank_source = None
        group = groups.get(u.key)
        group_source = "computed" if group else None
        if group is None and u.published_group:
            group, group_source = u.published_group, "published"
        out[u.key] = UnitDerived(
            key=u.key,
            nodes=nv,
            total=total,
            complete=complete,
            parts_complete=nv[root].complete,
            percent=percent_of_max(total, maximum) if total is not None else None,
            rank=rank,
            rank_of=rank_of,
            rank_source=rank_source,
            computed_rank=computed,
            published_rank=u.published_rank,
            published_rank_of=u.published_rank_of,
            group=group,
            group_source=group_source,
            published_group=u.published_group,
            mismatches={c: v.mismatch for c, v in nv.items() if v.mismatch is not None},
        )
    return YearDerived(
        root=root,
        maximum=maximum,
        units=out,
        stats=stats,
        full_coverage=full,
        n_scored=n_scored,
        n_with_data=n_with_data,
        expected=expected,
        cutoffs=cutoffs,
        group_sizes=group_sizes,
        rule=rule,
    )
