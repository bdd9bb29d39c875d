"""Ranking, percentiles and performance groups. Pure Python, no Django."""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeGuard, TypeVar

__all__ = [
    "GroupBand",
    "GroupRule",
    "assign_groups",
    "group_cutoffs",
    "group_of",
    "is_number",
    "mean",
    "median",
    "percentile",
    "rank_desc",
]

K = TypeVar("K", bound=Hashable)

GroupKind = Literal["quantile", "threshold"]
Population = Literal["scored", "all"]
CompareOn = Literal["value", "percent"]

NDIGITS = 9  # comparisons (ties, cut-offs) are made on values rounded to this many decimals


def is_number(x: object) -> TypeGuard[float]:
    """True for a finite int/float (not bool, not None, not NaN)."""
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def rank_desc(scores: Mapping[K, float | None], *, ndigits: int = NDIGITS) -> dict[K, int]:
    """Standard competition ranking ("1,2,2,4"), higher is better; None/NaN values are not ranked.

    Values equal after round(x, ndigits) share the best rank.
    """
    rounded = {k: round(float(v), ndigits) for k, v in scores.items() if v is not None and is_number(v)}
    ordered = sorted(rounded.values(), reverse=True)
    first: dict[float, int] = {}
    for i, v in enumerate(ordered):
        first.setdefault(v, i + 1)
    return {k: first[v] for k, v in rounded.items()}


def percentile(values: Sequence[float], p: float) -> float:
    """p-th percentile (p in [0, 100]) with linear interpolation; equals numpy.percentile(values, p).

    Raises ValueError on an empty sequence or p outside [0, 100].
    """
    if not 0 <= p <= 100:
        raise ValueError(f"percentile p must be in [0, 100], got {p}")
    xs = sorted(float(v) for v in values)
    n = len(xs)
    if n == 0:
        raise ValueError("percentile of an empty sequence")
    h = (n - 1) * (p / 100)
    lo = math.floor(h)
    hi = min(lo + 1, n - 1)
    t = h - lo
    a, b = xs[lo], xs[hi]
    diff = b - a
    # numpy's _lerp: computed from the nearer end for accuracy
    return b - diff * (1 - t) if t >= 0.5 else a + diff * t


def mean(values: Iterable[float | None]) -> float | None:
    """Arithmetic mean of the numbers (None skipped); None when there are none."""
    xs = [float(v) for v in values if v is not None and is_number(v)]
    return math.fsum(xs) / len(xs) if xs else None


def median(values: Iterable[float | None]) -> float | None:
    """Median of the numbers (None skipped); None when there are none."""
    xs = [float(v) for v in values if v is not None and is_number(v)]
    return percentile(xs, 50) if xs else None


@dataclass(frozen=True)
class GroupBand:
    """One group. lower: a percentile (quantile rule) or a value/percent (threshold rule); None = the rest."""

    label: str
    label_en: str = ""
    lower: float | None = None
    lower_inclusive: bool = True

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> GroupBand:
        lower = d.get("lower")
        return cls(
            label=str(d["label"]),
            label_en=str(d.get("label_en") or d["label"]),
            lower=None if lower is None else float(lower),
            lower_inclusive=bool(d.get("lower_inclusive", True)),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "label_en": self.label_en,
            "lower": self.lower,
            "lower_inclusive": self.lower_inclusive,
        }

    def reaches(self, x: float, cutoff: float | None, ndigits: int = NDIGITS) -> bool:
        """Whether x belongs to this band or better, given the band's cut-off value."""
        if cutoff is None:
            return True
        xr, cr = round(x, ndigits), round(cutoff, ndigits)
        return xr >= cr if self.lower_inclusive else xr > cr


@dataclass(frozen=True)
class GroupRule:
    """How units are put into groups; bands ordered best first.

    quantile: band.lower is a percentile of the population (the scored totals, plus the incomplete
    units' totals when population == "all"); the last band usually has lower None.
    threshold: band.lower is compared with the raw value (on="value") or percent of maximum
    (on="percent"); units below the last band are ungrouped (None) unless it has lower None.
    levels: the framework levels below the total that the publisher groups the same way, each node
    among the units scored on it (PAPI: its dimensions, METHODOLOGY §4.4); () = the total only.
    """

    kind: GroupKind
    groups: tuple[GroupBand, ...]
    population: Population = "scored"
    on: CompareOn = "value"
    levels: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in ("quantile", "threshold"):
            raise ValueError(f"unknown group rule kind {self.kind!r}")
        if self.population not in ("scored", "all"):
            raise ValueError(f"unknown population {self.population!r}")
        if self.on not in ("value", "percent"):
            raise ValueError(f"unknown 'on' {self.on!r}")
        if not self.groups:
            raise ValueError("a group rule needs at least one group")
        labels = [g.label for g in self.groups]
        if len(set(labels)) != len(labels):
            raise ValueError(f"duplicate group labels: {labels}")
        lowers = [g.lower for g in self.groups]
        if any(x is None for x in lowers[:-1]):
            raise ValueError("only the last group may have no lower bound")
        bounded = [x for x in lowers if x is not None]
        if any(a < b for a, b in zip(bounded, bounded[1:], strict=False)):
            raise ValueError(f"group lower bounds must not increase (best first): {bounded}")
        if self.kind == "quantile" and any(not 0 <= x <= 100 for x in bounded):
            raise ValueError(f"percentiles must be in [0, 100]: {bounded}")

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(g.label for g in self.groups)

    def index(self, label: str) -> int:
        """Position of a group (0 = best); ValueError for an unknown label."""
        try:
            return self.labels.index(label)
        except ValueError:
            raise ValueError(f"unknown group {label!r}; groups are {self.labels}") from None

    def at_least(self, label: str | None, target: str) -> bool:
        """Whether group `label` is `target` or better (None = ungrouped = never)."""
        return label is not None and self.index(label) <= self.index(target)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> GroupRule:
        return cls(
            kind=d["kind"],
            groups=tuple(GroupBand.from_dict(g) for g in d["groups"]),
            population=d.get("population", "scored"),
            on=d.get("on", "value"),
            levels=tuple(str(x) for x in d.get("levels") or ()),
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind}
        if self.kind == "quantile":
            out["population"] = self.population
        else:
            out["on"] = self.on
        out["groups"] = [g.to_dict() for g in self.groups]
        if self.levels:
            out["levels"] = list(self.levels)
        return out


def _numbers(values: Iterable[float | None]) -> list[float]:
    return [float(v) for v in values if v is not None and is_number(v)]


def _cutoff_values(rule: GroupRule, population: Sequence[float], maximum: float | None) -> list[float | None]:
    if rule.kind == "quantile":
        if not population:
            return [None if g.lower is None else math.nan for g in rule.groups]
        return [None if g.lower is None else percentile(population, g.lower) for g in rule.groups]
    if rule.on == "percent" and maximum is None:
        raise ValueError("a threshold rule on percent needs the maximum")
    return [g.lower for g in rule.groups]


def _population(
    scores: Iterable[float | None], rule: GroupRule, extra_population: Sequence[float]
) -> list[float]:
    pop = _numbers(scores)
    if rule.kind == "quantile" and rule.population == "all":
        pop.extend(_numbers(extra_population))
    return pop


def group_cutoffs(
    scores: Mapping[Any, float | None] | Sequence[float | None],
    rule: GroupRule,
    *,
    maximum: float | None = None,
    extra_population: Sequence[float] = (),
) -> list[tuple[str, float | None]]:
    """(label, cut-off) per band, best first: the score needed to enter each band.

    quantile: percentile values of the population; threshold: the band bounds in the rule's own unit
    (a value, or a percent when rule.on == "percent"). None = no lower bound.
    """
    vals = scores.values() if isinstance(scores, Mapping) else scores
    cuts = _cutoff_values(rule, _population(vals, rule, extra_population), maximum)
    return [(g.label, c) for g, c in zip(rule.groups, cuts, strict=True)]


def group_of(
    x: float | None, rule: GroupRule, cutoffs: Sequence[float | None], maximum: float | None = None
) -> str | None:
    """Group label of one value given the band cut-offs (from group_cutoffs); None if ungrouped."""
    if x is None or not is_number(x):
        return None
    if rule.kind == "threshold" and rule.on == "percent":
        if not maximum:
            raise ValueError("a threshold rule on percent needs a positive maximum")
        x = 100.0 * x / maximum
    for band, cut in zip(rule.groups, cutoffs, strict=True):
        if cut is not None and math.isnan(cut):
            return None
        if band.reaches(x, cut):
            return band.label
    return None


def assign_groups(
    scores: Mapping[K, float | None],
    rule: GroupRule,
    *,
    maximum: float | None = None,
    extra_population: Sequence[float] = (),
) -> dict[K, str | None]:
    """Group label per unit (None for unscored units or units below the last threshold band).

    Quantile cut-offs are percentiles of the scored values (plus extra_population, the totals of
    incomplete units, when rule.population == "all"). A unit is in the first band whose cut-off it
    reaches (>= when lower_inclusive, > otherwise; compared after rounding to 9 decimals).
    """
    cuts = [c for _, c in group_cutoffs(scores, rule, maximum=maximum, extra_population=extra_population)]
    return {k: group_of(v, rule, cuts, maximum) for k, v in scores.items()}
