"""Gap solver (points needed for a rank, a group, a score) and what-if simulation. Pure Python."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .stats import NDIGITS, GroupBand, GroupRule, group_cutoffs, group_of, is_number, percentile
from .tree import NodeValue, Tree

__all__ = [
    "Suggestion",
    "WhatIf",
    "cover",
    "group_with",
    "needed_for_group",
    "needed_for_places",
    "needed_for_rank",
    "needed_for_score",
    "rank_of",
    "suggest",
    "what_if",
]


def _clean(others: Sequence[float | None]) -> list[float]:
    return [float(o) for o in others if o is not None and is_number(o)]


def rank_of(score: float, others: Sequence[float], ndigits: int = NDIGITS) -> int:
    """1 + number of others strictly greater (after rounding to ndigits); ties share the rank."""
    s = round(score, ndigits)
    return 1 + sum(1 for o in _clean(others) if round(o, ndigits) > s)


def needed_for_rank(current: float, others: Sequence[float], target_rank: int) -> float:
    """Smallest increase d >= 0 with rank_of(current + d, others) <= target_rank (ties count as reached)."""
    if target_rank < 1:
        raise ValueError(f"target rank must be >= 1, got {target_rank}")
    xs = sorted(_clean(others), reverse=True)
    if target_rank > len(xs):
        return 0.0
    kth = xs[target_rank - 1]
    if round(kth, NDIGITS) <= round(current, NDIGITS):
        return 0.0
    x = _nudge(kth, lambda y: rank_of(y, xs) <= target_rank, kth + max(abs(kth), 1.0) * 1e-6)
    return (x if x is not None else kth) - current


def needed_for_places(current: float, others: Sequence[float], places: int) -> float:
    """Increase needed to climb `places` ranks (capped at rank 1)."""
    target = max(1, rank_of(current, others) - places)
    return needed_for_rank(current, others, target)


def needed_for_score(current: float, target: float) -> float:
    """max(0, target − current)."""
    return max(0.0, target - current)


def group_with(
    score: float | None,
    others: Sequence[float],
    rule: GroupRule,
    *,
    maximum: float | None = None,
    extra_population: Sequence[float] = (),
) -> str | None:
    """The unit's group when its own score is part of the population (quantile cut-offs recomputed)."""
    if score is None or not is_number(score):
        return None
    pop = [*_clean(others), float(score)]
    cuts = [c for _, c in group_cutoffs(pop, rule, maximum=maximum, extra_population=extra_population)]
    return group_of(score, rule, cuts, maximum)


def _reach_quantile(current: float, pop_others: list[float], p: float, inclusive: bool) -> float | None:
    """Smallest x >= current with x >= P_p(pop_others + [x]) (or > when not inclusive); None if never.

    P_p(pop + [x]) is piecewise linear in x with slope < 1 except where it equals x, so on each interval
    between consecutive population values the condition is solved exactly.
    """
    s = sorted(pop_others)
    n = len(s) + 1
    h = (n - 1) * (p / 100)
    lo = math.floor(h)
    t = h - lo

    def stat(i: int, r: int) -> tuple[float, float]:
        """Order statistic i of s+[x] with x at position r, as (constant, coefficient of x)."""
        if i < r:
            return s[i], 0.0
        if i == r:
            return 0.0, 1.0
        return s[i - 1], 0.0

    def linear(r: int) -> tuple[float, float]:
        a0, b0 = stat(lo, r)
        if lo + 1 > n - 1 or t == 0:
            return a0, b0
        a1, b1 = stat(lo + 1, r)
        return (1 - t) * a0 + t * a1, (1 - t) * b0 + t * b1

    def ok(x: float, cut: float) -> bool:
        xr, cr = round(x, NDIGITS), round(cut, NDIGITS)
        return xr >= cr if inclusive else xr > cr

    def real_ok(x: float) -> bool:  # exactly as group_of will see it
        return ok(x, percentile([*s, x], p))

    breaks = sorted({v for v in s if v > current})
    left = current
    for upper in [*breaks, math.inf]:
        if real_ok(left):
            return left
        # for x in (left, upper) x sits after every population value <= left
        a, b = linear(sum(1 for v in s if v <= left))
        if b < 1:
            x = max(left, a / (1 - b))
            if x <= upper:
                found = _nudge(x, real_ok, min(upper, x + max(abs(x), 1.0) * 1e-3))
                if found is not None:
                    return found
        left = upper
    return None


def _nudge(x: float, ok: Callable[[float], bool], limit: float) -> float | None:
    """Smallest found y in [x, limit] with ok(y), stepping up from x (absorbs float and rounding effects)."""
    if ok(x):
        return x
    step = max(abs(x), 1.0) * 1e-15
    while x + step <= limit:
        if ok(x + step):
            return x + step
        step *= 2
    return None


def needed_for_group(
    current: float,
    others: Sequence[float],
    rule: GroupRule,
    target_label: str,
    maximum: float | None = None,
    extra_population: Sequence[float] = (),
) -> float | None:
    """Smallest increase that puts the unit in target_label or a better group; None if not reachable.

    Quantile rules are solved exactly with the unit's new score inside the population (cut-offs move
    with it); others are the other scored units' totals, extra_population the incomplete units' totals
    (used when rule.population == "all"). maximum caps the new score (and is the base of percent rules).
    """
    target = rule.index(target_label)
    pop_others = _clean(others)
    if rule.kind == "quantile" and rule.population == "all":
        pop_others += _clean(extra_population)
    best: float | None = None
    for band in rule.groups[: target + 1]:
        if band.lower is None:
            x: float | None = current
        elif rule.kind == "quantile":
            x = _reach_quantile(current, pop_others, band.lower, band.lower_inclusive)
        else:
            x = _reach_threshold(current, band, rule, maximum)
        if x is not None and (best is None or x < best):
            best = x
    if best is None:
        return None
    if maximum is not None and round(best, NDIGITS) > round(maximum, NDIGITS):
        return None
    return max(0.0, best - current)


def _reach_threshold(current: float, band: GroupBand, rule: GroupRule, maximum: float | None) -> float | None:
    """Smallest x >= current reaching a threshold band (as group_of compares it)."""
    assert band.lower is not None
    lower = band.lower
    if rule.on == "percent":
        if not maximum:
            raise ValueError("a threshold rule on percent needs a positive maximum")
        mx = maximum
        x = max(current, lower * mx / 100.0)
        return _nudge(x, lambda y: band.reaches(100.0 * y / mx, lower), x + max(abs(x), 1.0) * 1e-3)
    x = max(current, lower)
    return _nudge(x, lambda y: band.reaches(y, lower), x + max(abs(x), 1.0) * 1e-3)


# ---------------------------------------------------------------- suggestions


@dataclass
class Suggestion:
    """A node where points can be gained: available = max − score; to_best_past = best_past − score (> 0)."""

    code: str
    name: str
    score: float
    max: float
    available: float
    best_past: float | None = None
    to_best_past: float | None = None


def _field(node: Mapping[str, Any] | object, key: str) -> Any:
    if isinstance(node, Mapping):
        return node.get(key)
    return getattr(node, key, None)


def suggest(nodes: Sequence[Mapping[str, Any] | object], needed: float) -> list[Suggestion]:
    """Nodes with points at stake, ordered by available desc, then to_best_past desc.

    Nodes need code, name, score, max (best_past optional); those without score or max, or with nothing
    available, are left out. Nothing is suggested when needed <= 0.
    """
    if needed <= 0:
        return []
    out: list[Suggestion] = []
    for node in nodes:
        score, mx = _field(node, "score"), _field(node, "max")
        if not (is_number(score) and is_number(mx)):
            continue
        available = float(mx) - float(score)
        if available <= 1e-12:
            continue
        best_past = _field(node, "best_past")
        best_past = float(best_past) if is_number(best_past) else None
        to_best = best_past - float(score) if best_past is not None and best_past > score else None
        code = str(_field(node, "code"))
        name = _field(node, "name")
        out.append(
            Suggestion(
                code,
                str(name) if name is not None else code,
                float(score),
                float(mx),
                available,
                best_past,
                to_best,
            )
        )
    out.sort(key=lambda s: (-s.available, -(s.to_best_past or 0.0), s.code))
    return out


def cover(suggestions: Sequence[Suggestion], needed: float) -> list[Suggestion]:
    """Shortest prefix whose available points add up to needed (all of them if they do not suffice)."""
    if needed <= 0:
        return []
    total = 0.0
    for i, s in enumerate(suggestions):
        total += s.available
        if total >= needed - 1e-9:
            return list(suggestions[: i + 1])
    return list(suggestions)


# ---------------------------------------------------------------- what-if


@dataclass
class WhatIf:
    """Outcome of a simulated change: new total, its change, rank among others (of rank_of), group."""

    total: float | None
    delta_total: float | None
    rank: int | None
    rank_of: int
    group: str | None
    nodes: dict[str, NodeValue] = field(default_factory=dict, repr=False)


def what_if(
    tree: Tree,
    values: Mapping[str, float],
    changes: Mapping[str, float],
    others_totals: Sequence[float],
    rule: GroupRule | None,
    maximum: float | None,
    *,
    extra_population: Sequence[float] = (),
) -> WhatIf:
    """Apply changes (new values), re-aggregate, rank among others and group with the unit included.

    Changes may target leaves and nodes that are not derived for this unit (their children are
    incomplete, so the published value counts); a change to a derived node raises ValueError, as does
    an unknown code or a value outside the node's [min, max]. maximum defaults to the root's max.
    """
    base = tree.aggregate(values)
    for code, v in changes.items():
        if code not in tree:
            raise ValueError(f"unknown node {code!r}")
        if base[code].derived:
            raise ValueError(f"node {code!r} is derived from its children; change the children instead")
        spec = tree.specs[code]
        if not is_number(v):
            raise ValueError(f"node {code!r}: new value must be a number, got {v!r}")
        if (spec.max is not None and v > spec.max + 1e-9) or (spec.min is not None and v < spec.min - 1e-9):
            raise ValueError(f"node {code!r}: {v} outside [{spec.min}, {spec.max}]")
    new = tree.aggregate({**values, **changes}) if changes else base
    total = new[tree.root].value
    old = base[tree.root].value
    delta = total - old if total is not None and old is not None else None
    others = _clean(others_totals)
    if maximum is None:
        maximum = tree.specs[tree.root].max
    rank = rank_of(total, others) if total is not None else None
    group = (
        group_with(total, others, rule, maximum=maximum, extra_population=extra_population)
        if rule is not None and total is not None
        else None
    )
    return WhatIf(total, delta, rank, len(others) + 1, group, new)
