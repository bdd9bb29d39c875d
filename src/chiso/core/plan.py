"""Plan-drafting rules: targets with their baselines, checked against reality, and drafted targets.

Pure Python. A target is for the whole index (node None) or one node; it says what the unit aims
for (a score, a rank, a climb of some places, a place in the top K, a group, a percent of the
maximum), its baseline from the results, the points still needed (from the gap solver, ties count
as reached) and the Vietnamese sentence a plan prints.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, get_args

from .gap import group_with, needed_for_group, needed_for_rank, needed_for_score, rank_of
from .stats import GroupRule, is_number
from .text import format_number, round_up

__all__ = [
    "Baseline",
    "NodeInput",
    "Target",
    "TargetKind",
    "baseline_of",
    "check_target",
    "draft_targets",
    "points_up",
]

TargetKind = Literal["score", "rank", "group", "percent", "places", "top"]
KINDS: tuple[str, ...] = get_args(TargetKind)
AMBITIONS: tuple[TargetKind, ...] = ("places", "group", "top", "score", "rank", "percent")

POINT_DECIMALS = 4  # points printed in a plan (and asked of nodes) are rounded up to this many decimals
_EPS = 1e-9


@dataclass(frozen=True)
class Baseline:
    """Where the unit stands in the results a target starts from (any field may be unknown)."""

    year: int | None
    score: float | None
    rank: int | None = None
    rank_of: int | None = None
    group: str | None = None
    percent: float | None = None  # of the maximum


@dataclass
class Target:
    """One target of a plan; needed_points None = not reachable within the maximum."""

    kind: TargetKind
    node: str | None
    value: float | int | str
    baseline: Baseline
    needed_points: float | None
    met: bool
    label_vi: str


@dataclass
class NodeInput:
    """A node of the unit's results: its score and max, its rank among units, its best past score."""

    code: str
    name: str
    score: float
    max: float
    rank: int | None = None
    rank_of: int | None = None
    best_past: float | None = None


# ---------------------------------------------------------------- formatting


def points_up(x: float, decimals: int = POINT_DECIMALS) -> float:
    """x rounded up to `decimals` (a "tối thiểu" figure must not understate): :func:`.text.round_up`."""
    return round_up(x, decimals)


def _pad(n: int) -> str:
    """Ranks and places as plans write them: at least two digits ("05")."""
    return f"{n:02d}"


def _rank_text(rank: int, of: int | None) -> str:
    """A rank as officials write it, without a leading zero: "6/62" (the denominator is the number of
    units ranked in the published results of that year, ``rank_of``); counts of places keep two digits."""
    return f"{rank}/{of}" if of else str(rank)


def _subject(index_name: str, node: str | None, node_name: str | None) -> str:
    if node is None:
        return f"Chỉ số {index_name}"
    return f"nội dung {node_name or node} (Chỉ số {index_name})"


def _baseline_text(b: Baseline, maximum: float | None, *, with_rank: bool = True) -> str:
    """ "năm 2023 đạt 5,26/10 điểm, xếp hạng 31/63, nhóm Thấp" from what the baseline knows."""
    parts: list[str] = []
    if b.score is not None:
        pts = format_number(b.score)
        if maximum is not None:
            pts += f"/{format_number(maximum)}"
        parts.append(f"đạt {pts} điểm")
    if with_rank and b.rank is not None:
        parts.append(f"xếp hạng {_rank_text(b.rank, b.rank_of)}")
    if b.group is not None:
        parts.append(f"thuộc nhóm {b.group}")
    if not parts:
        return ""
    year = f"năm {b.year} " if b.year is not None else ""
    return f" ({year}{', '.join(parts)})"


def _needed_text(needed: float | None) -> str:
    if needed is None:
        return ", không thể đạt trong phạm vi điểm tối đa"
    if needed <= 0:
        return " (đã đạt)"
    return f", tương ứng tăng tối thiểu {format_number(points_up(needed))} điểm"


# ---------------------------------------------------------------- checking


def baseline_of(
    year: int | None,
    current: float,
    others: Sequence[float],
    rule: GroupRule | None = None,
    maximum: float | None = None,
) -> Baseline:
    """The baseline computed from the results: rank among the others, group with the unit included."""
    others = [float(o) for o in others if is_number(o)]
    group = group_with(current, others, rule, maximum=maximum) if rule is not None else None
    percent = 100.0 * current / maximum if maximum else None
    return Baseline(year, current, rank_of(current, others), len(others) + 1, group, percent)


def _as_int(value: object, what: str) -> int:
    if isinstance(value, bool) or not is_number(value) or float(value) != int(float(value)):
        raise ValueError(f"{what} phải là số nguyên, nhận {value!r}")
    return int(float(value))


def _as_float(value: object, what: str) -> float:
    if isinstance(value, bool) or not is_number(value) or not math.isfinite(float(value)):
        raise ValueError(f"{what} phải là một số, nhận {value!r}")
    return float(value)


def check_target(
    kind: TargetKind,
    value: float | int | str,
    current: float,
    others: Sequence[float],
    rule: GroupRule | None,
    maximum: float | None,
    baseline: Baseline,
    node: str | None = None,
    index_name: str = "PAPI",
    year: int | None = None,
    *,
    node_name: str | None = None,
    unit_word: str = "tỉnh, thành phố",
    extra_population: Sequence[float] = (),
) -> Target:
    """Check a target against the results and word it; ValueError (Vietnamese) if it is impossible.

    current: the unit's score now; others: the other units' scores (for rank, top, places, group);
    maximum: the highest score possible (caps what can be needed; base of percent targets).
    Kinds and their value: score (points), percent (of maximum, 0–100), rank (target rank),
    places (ranks to climb from the current rank), top (rank K or better), group (a rule label).
    needed_points: the smallest increase reaching the target (ties count as reached), 0 if met,
    None if the target lies beyond the maximum. year: the plan's year (default baseline year + 1).
    """
    if kind not in KINDS:
        raise ValueError(f"Loại mục tiêu không hợp lệ: {kind!r} (hợp lệ: {', '.join(KINDS)})")
    current = _as_float(current, "Điểm hiện tại")
    pool = [float(o) for o in others if is_number(o)]
    n = len(pool) + 1
    if year is None and baseline.year is not None:
        year = baseline.year + 1
    head = f"Phấn đấu {_subject(index_name, node, node_name)}" + (f" năm {year}" if year is not None else "")
    now_rank = rank_of(current, pool)
    needed: float | None
    parsed: float | int | str

    if kind in ("rank", "top", "places"):
        k = _as_int(value, "Thứ hạng" if kind != "places" else "Số bậc")
        parsed = k
        if kind == "places":
            if k < 0:
                raise ValueError(f"Số bậc cần tăng phải không âm, nhận {k}")
            target_rank = now_rank - k
            if target_rank < 1:
                raise ValueError(
                    f"Không thể tăng {_pad(k)} bậc từ hạng {_rank_text(now_rank, n)}: "
                    f"cao nhất chỉ tăng được {_pad(now_rank - 1)} bậc"
                )
        else:
            target_rank = k
            if not 1 <= k <= n:
                raise ValueError(f"Thứ hạng mục tiêu phải từ 1 đến {n}, nhận {k}")
        needed = needed_for_rank(current, pool, target_rank)
        if maximum is not None and round(current + needed, 9) > round(maximum, 9):
            needed = None
        if kind == "places":
            what = f"tăng tối thiểu {_pad(k)} bậc (từ {_rank_text(now_rank, n)} lên {_rank_text(target_rank, n)})"
            if k == 0:
                what = f"giữ vững vị trí xếp hạng {_rank_text(now_rank, n)}"
            label = head + " " + what + _needed_text(needed)
        elif kind == "rank":
            label = (
                f"{head} xếp hạng {_rank_text(k, n)}" + _baseline_text(baseline, None) + _needed_text(needed)
            )
        else:
            label = (
                f"{head} xếp trong nhóm {k} {unit_word} dẫn đầu"
                + _baseline_text(baseline, None)
                + _needed_text(needed)
            )
    elif kind == "group":
        if rule is None:
            raise ValueError("Mục tiêu theo nhóm cần quy tắc xếp nhóm của chỉ số")
        label_g = str(value)
        if label_g not in rule.labels:
            raise ValueError(
                f"Nhóm «{label_g}» không có trong quy tắc xếp nhóm (các nhóm: {', '.join(rule.labels)})"
            )
        parsed = label_g
        needed = needed_for_group(
            current, pool, rule, label_g, maximum=maximum, extra_population=extra_population
        )
        label = f"{head} thuộc nhóm {label_g}" + _baseline_text(baseline, None) + _needed_text(needed)
    elif kind == "percent":
        p = _as_float(value, "Tỷ lệ mục tiêu")
        if not 0 <= p <= 100:
            raise ValueError(f"Tỷ lệ mục tiêu phải trong khoảng 0–100 %, nhận {format_number(p)}")
        if not maximum or maximum <= 0:
            raise ValueError("Mục tiêu theo tỷ lệ cần điểm tối đa dương")
        parsed = p
        goal = p * maximum / 100.0
        needed = needed_for_score(current, goal)
        label = (
            f"{head} đạt tối thiểu {format_number(p)}% số điểm tối đa "
            f"({format_number(points_up(goal))}/{format_number(maximum)} điểm)"
            + _baseline_text(baseline, None)
            + _needed_text(needed)
        )
    else:  # score
        goal = _as_float(value, "Điểm mục tiêu")
        if maximum is not None and round(goal, 9) > round(maximum, 9):
            raise ValueError(
                f"Điểm mục tiêu {format_number(goal)} vượt quá điểm tối đa {format_number(maximum)}"
            )
        if goal < 0:
            raise ValueError(f"Điểm mục tiêu phải không âm, nhận {format_number(goal)}")
        parsed = goal
        needed = needed_for_score(current, goal)
        if needed <= _EPS:
            needed = 0.0
        label = (
            f"{head} đạt tối thiểu {format_number(goal)} điểm"
            + _baseline_text(baseline, maximum)
            + _needed_text(needed)
        )

    met = needed is not None and needed <= 0
    if needed is not None and needed <= 0:
        needed = 0.0
    return Target(kind, node, parsed, baseline, needed, met, label)


# ---------------------------------------------------------------- drafting


def _ambition(ambition: Mapping[str, float | int | str]) -> tuple[TargetKind, float | int | str]:
    keys = [k for k in AMBITIONS if k in ambition]
    if len(ambition) != 1 or len(keys) != 1:
        raise ValueError(
            f"Mục tiêu chung phải là đúng một trong: {', '.join(AMBITIONS)}; nhận {dict(ambition)!r}"
        )
    kind = keys[0]
    return kind, ambition[kind]


def _weakness_key(n: NodeInput) -> tuple[int, int, float, str]:
    """Lowest rank first (unranked nodes after ranked ones), then most points lost."""
    ranked = n.rank is not None
    return (0 if ranked else 1, -(n.rank or 0), -(n.max - n.score), n.code)


def draft_targets(
    index_name: str,
    year_target: int,
    total: float,
    others: Sequence[float],
    nodes: Sequence[NodeInput],
    ambition: Mapping[str, float | int | str],
    rule: GroupRule | None,
    maximum: float | None,
    baseline: Baseline,
    weakest: int = 5,
    *,
    unit_word: str = "tỉnh, thành phố",
    extra_population: Sequence[float] = (),
) -> list[Target]:
    """The whole index's target from the ambition, then one score target per weak node.

    Nodes are the parts whose points add up to the total (e.g. PAPI's dimensions). The `weakest`
    nodes with points at stake (lowest rank, then most points lost) are chosen; when their points at
    stake cannot cover the needed increase, more nodes are added (most points at stake first) until
    they do. Each chosen node is asked the needed increase × its stake / the chosen nodes' stake
    (stake = max − score), raised to its best past score when that is higher than today's, rounded up
    to 4 decimals and capped at its max; so the asked points add up to at least the needed increase
    whenever the nodes can supply it. ValueError if the overall target is impossible or unreachable.
    """
    kind, value = _ambition(ambition)
    overall = check_target(
        kind,
        value,
        total,
        others,
        rule,
        maximum,
        baseline,
        None,
        index_name,
        year_target,
        unit_word=unit_word,
        extra_population=extra_population,
    )
    if overall.needed_points is None:
        raise ValueError(f"Mục tiêu chung không thể đạt trong phạm vi điểm tối đa: {overall.label_vi}")
    needed = overall.needed_points

    usable = [nd for nd in nodes if is_number(nd.score) and is_number(nd.max) and nd.max - nd.score > 1e-12]
    usable.sort(key=_weakness_key)
    chosen = usable[: max(0, weakest)]
    rest = sorted(usable[len(chosen) :], key=lambda nd: (-(nd.max - nd.score), nd.code))
    stake = sum(nd.max - nd.score for nd in chosen)
    while stake < needed - _EPS and rest:
        nd = rest.pop(0)
        chosen.append(nd)
        stake += nd.max - nd.score

    out = [overall]
    for nd in chosen:
        available = nd.max - nd.score
        share = needed * available / stake if stake > 0 and needed > 0 else 0.0
        if needed > 0 and stake <= needed:  # everything at stake is needed
            share = available
        floor = nd.best_past - nd.score if nd.best_past is not None and nd.best_past > nd.score else 0.0
        goal = min(nd.max, points_up(nd.score + max(share, floor)))
        b = Baseline(
            baseline.year,
            nd.score,
            nd.rank,
            nd.rank_of,
            None,
            100.0 * nd.score / nd.max if nd.max else None,
        )
        t = check_target(
            "score",
            goal,
            nd.score,
            (),
            None,
            nd.max,
            b,
            nd.code,
            index_name,
            year_target,
            node_name=nd.name,
        )
        if t.met:
            t.label_vi = (
                f"Phấn đấu {_subject(index_name, nd.code, nd.name)} năm {year_target} giữ vững tối thiểu "
                f"{format_number(nd.score)} điểm" + _baseline_text(b, nd.max)
            )
        out.append(t)
    return out
