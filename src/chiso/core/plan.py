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
from typing import Literal, cast, get_args

from .gap import group_with, needed_for_group, needed_for_rank, needed_for_score, rank_of
from .stats import NDIGITS, GroupRule, is_number
from .text import fold, format_number, parse_number, round_up

__all__ = [
    "COUNT_KINDS",
    "Baseline",
    "GroupedNode",
    "NodeInput",
    "Outcome",
    "Review",
    "Target",
    "TargetKind",
    "baseline_of",
    "check_count_target",
    "check_target",
    "count_text",
    "draft_targets",
    "parse_count",
    "points_up",
    "review_summary",
    "review_target",
]

TargetKind = Literal["score", "rank", "group", "percent", "places", "top", "count_min", "count_max"]
KINDS: tuple[str, ...] = get_args(TargetKind)
#: Targets on how many nodes of a level (PAPI's dimensions) are in a group: "at least N in group G or
#: better" (count_min), "at most N in group G or worse" (count_max; N = 0: none). Value "N G" ("3 Cao").
COUNT_KINDS: tuple[str, ...] = ("count_min", "count_max")
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
    """One target of a plan; needed_points None = not reachable within the maximum, or, when
    ``needed_known`` is False, not computable: a rank goal in a year whose scores are known for only
    part of the ranked units (the published ranking is the only ranking)."""

    kind: TargetKind
    node: str | None
    value: float | int | str
    baseline: Baseline
    needed_points: float | None
    met: bool
    label_vi: str
    needed_known: bool = True


@dataclass
class NodeInput:
    """A node of the unit's results: its score and max, its rank among units, its best past score
    (from a year whose framework defines the node the same way: never a floor from another version),
    its group among the units (when the publisher groups this level) and the other units' scores."""

    code: str
    name: str
    score: float
    max: float
    rank: int | None = None
    rank_of: int | None = None
    best_past: float | None = None
    group: str | None = None
    others: Sequence[float] = ()


@dataclass(frozen=True)
class GroupedNode:
    """A node of a grouped level (a PAPI dimension) for a count target: the unit's score, the other
    units' scores on it, its maximum and the unit's group on it (None = not grouped)."""

    code: str
    name: str
    score: float | None
    others: Sequence[float]
    max: float | None
    group: str | None


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


def _needed_text(needed: float | None, decimals: int = POINT_DECIMALS) -> str:
    if needed is None:
        return ", không thể đạt trong phạm vi điểm tối đa"
    if needed <= 0:
        return " (đã đạt)"
    return f", tương ứng tăng tối thiểu {format_number(points_up(needed, decimals))} điểm"


def _unknown_text(year: int | None, known: int, ranked: int, unit_word: str) -> str:
    """A rank goal in a partial year: the points it needs depend on scores nobody has published."""
    when = f"năm {year} " if year is not None else ""
    return f", chưa tính được số điểm cần tăng vì {when}mới có điểm của {known}/{ranked} {unit_word}"


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
    decimals: int = POINT_DECIMALS,
) -> Target:
    """Check a target against the results and word it; ValueError (Vietnamese) if it is impossible.

    current: the unit's score now; others: the other units' scores (for rank, top, places, group);
    maximum: the highest score possible (caps what can be needed; base of percent targets).
    Kinds and their value: score (points), percent (of maximum, 0–100), rank (target rank),
    places (ranks to climb from the current rank), top (rank K or better), group (a rule label).
    needed_points: the smallest increase reaching the target (ties count as reached), 0 if met,
    None if the target lies beyond the maximum. year: the plan's year (default baseline year + 1).
    decimals: the framework's precision; points printed and asked are rounded up to it.

    A partial year — the baseline's published ranking counts more units than ``others`` + 1: rank,
    places and top goals count on the published ranking, and the points they need are not computed
    (``needed_known`` False), never a rank among the units that happen to have data.
    """
    if kind not in KINDS:
        raise ValueError(f"Loại mục tiêu không hợp lệ: {kind!r} (hợp lệ: {', '.join(KINDS)})")
    if kind in COUNT_KINDS:
        raise ValueError("Mục tiêu theo số nội dung thuộc nhóm được kiểm tra bằng check_count_target")
    current = _as_float(current, "Điểm hiện tại")
    pool = [float(o) for o in others if is_number(o)]
    n = len(pool) + 1
    if year is None and baseline.year is not None:
        year = baseline.year + 1
    head = f"Phấn đấu {_subject(index_name, node, node_name)}" + (f" năm {year}" if year is not None else "")
    now_rank = rank_of(current, pool)
    known = n
    partial = baseline.rank is not None and baseline.rank_of is not None and baseline.rank_of > n
    if partial and kind in ("rank", "top", "places"):
        assert baseline.rank is not None and baseline.rank_of is not None
        now_rank, n = baseline.rank, baseline.rank_of
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
        if partial:
            needed = 0.0 if target_rank >= now_rank else None
            tail = (
                _needed_text(needed, decimals)
                if needed is not None
                else _unknown_text(baseline.year, known, n, unit_word)
            )
        else:
            needed = needed_for_rank(current, pool, target_rank)
            if maximum is not None and round(current + needed, 9) > round(maximum, 9):
                needed = None
            tail = _needed_text(needed, decimals)
        if kind == "places":
            what = f"tăng tối thiểu {_pad(k)} bậc (từ {_rank_text(now_rank, n)} lên {_rank_text(target_rank, n)})"
            if k == 0:
                what = f"giữ vững vị trí xếp hạng {_rank_text(now_rank, n)}"
            label = head + " " + what + tail
        elif kind == "rank":
            label = f"{head} xếp hạng {_rank_text(k, n)}" + _baseline_text(baseline, None) + tail
        else:
            label = f"{head} xếp trong nhóm {k} {unit_word} dẫn đầu" + _baseline_text(baseline, None) + tail
        if partial and needed is None:
            return Target(kind, node, parsed, baseline, None, False, label, needed_known=False)
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
        label = (
            f"{head} thuộc nhóm {label_g}"
            + _baseline_text(baseline, maximum if node is not None else None)
            + _needed_text(needed, decimals)
        )
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
            f"({format_number(points_up(goal, decimals))}/{format_number(maximum)} điểm)"
            + _baseline_text(baseline, None)
            + _needed_text(needed, decimals)
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
            + _needed_text(needed, decimals)
        )

    met = needed is not None and needed <= 0
    if needed is not None and needed <= 0:
        needed = 0.0
    return Target(kind, node, parsed, baseline, needed, met, label)


# ---------------------------------------------------------------- count targets


def parse_count(value: object, labels: Sequence[str]) -> tuple[int, str]:
    """(N, group) from a count target's value "3 Cao" / "0 Trung bình thấp" (the group as the rule
    names it, matched without case or diacritics); ValueError (Vietnamese) otherwise."""
    text = " ".join(str(value if value is not None else "").replace("|", " ").split())
    head, _sep, rest = text.partition(" ")
    if not head or not head.isdigit():
        raise ValueError(
            f"Mục tiêu theo số nội dung cần dạng «số lượng tên nhóm», ví dụ «3 Cao»; nhận «{text}»"
        )
    wanted = fold(rest)
    match = next((lab for lab in labels if fold(lab) == wanted), None)
    if match is None:
        raise ValueError(f"Nhóm «{rest}» không có trong quy tắc xếp nhóm (các nhóm: {', '.join(labels)})")
    return int(head), match


def _or_worse(rule: GroupRule, group: str | None, label: str) -> bool:
    """Whether `group` is `label` or worse (None = ungrouped, below every band = worse)."""
    return group is None or rule.index(group) >= rule.index(label)


def _tail(kind: str, label: str, rule: GroupRule) -> str:
    """ " trở lên" / " trở xuống" when the group is not the end of the scale the count runs to."""
    i = rule.index(label)
    if kind == "count_min":
        return "" if i == 0 else " trở lên"
    return "" if i == len(rule.groups) - 1 else " trở xuống"


def count_text(kind: str, n: int, label: str, rule: GroupRule, level_word: str = "chỉ số nội dung") -> str:
    """The target as a plan words it: "có ít nhất 03 chỉ số nội dung thuộc nhóm Cao", "không có chỉ số
    nội dung nào thuộc nhóm Thấp", "không quá 02 chỉ số nội dung thuộc nhóm Trung bình thấp trở xuống"."""
    tail = _tail(kind, label, rule)
    if kind == "count_min":
        return f"có ít nhất {_pad(n)} {level_word} thuộc nhóm {label}{tail}"
    if n == 0:
        return f"không có {level_word} nào thuộc nhóm {label}{tail}"
    return f"không quá {_pad(n)} {level_word} thuộc nhóm {label}{tail}"


def _counted(kind: str, label: str, rule: GroupRule, groups: Sequence[str | None]) -> int:
    if kind == "count_min":
        return sum(1 for g in groups if rule.at_least(g, label))
    return sum(1 for g in groups if _or_worse(rule, g, label))


def check_count_target(
    kind: str,
    value: object,
    nodes: Sequence[GroupedNode],
    rule: GroupRule | None,
    baseline_year: int | None,
    index_name: str = "PAPI",
    year: int | None = None,
    *,
    level_word: str = "chỉ số nội dung",
) -> Target:
    """A count target checked against the nodes' groups: the baseline is how many nodes count now;
    needed_points the fewest points that move enough nodes (the cheapest ones first, each by
    :func:`.gap.needed_for_group` among the other units on that node), None if they cannot move.
    ValueError (Vietnamese) when the target is impossible (more nodes than the level has…)."""
    if kind not in COUNT_KINDS:
        raise ValueError(f"Loại mục tiêu không hợp lệ: {kind!r}")
    if rule is None:
        raise ValueError("Mục tiêu theo số nội dung thuộc nhóm cần quy tắc xếp nhóm của chỉ số")
    grouped = [nd for nd in nodes if nd.group is not None or nd.score is not None]
    if not grouped or all(nd.group is None for nd in grouped):
        raise ValueError(f"Chưa xếp nhóm được các {level_word} của Chỉ số {index_name} trong năm kết quả")
    n, label = parse_count(value, rule.labels)
    total = len(grouped)
    if n > total:
        raise ValueError(f"Chỉ số {index_name} chỉ có {_pad(total)} {level_word}, không thể đặt mục tiêu {n}")
    if kind == "count_max" and rule.index(label) == 0 and n < total:
        raise ValueError(
            f"Mọi {level_word} đều thuộc nhóm {label} trở xuống: chọn nhóm thấp hơn hoặc dùng «ít nhất»"
        )
    now = _counted(kind, label, rule, [nd.group for nd in grouped])
    if kind == "count_min":
        missing = n - now
        movers = [nd for nd in grouped if not rule.at_least(nd.group, label)]
        goal = label
    else:
        missing = now - n
        movers = [nd for nd in grouped if _or_worse(rule, nd.group, label)]
        goal = rule.labels[max(0, rule.index(label) - 1)]
    needed: float | None = 0.0
    if missing > 0:
        costs: list[float] = []
        for nd in movers:
            if nd.score is None:
                continue
            c = needed_for_group(nd.score, nd.others, rule, goal, maximum=nd.max)
            if c is not None:
                costs.append(c)
        costs.sort()
        needed = sum(costs[:missing]) if len(costs) >= missing else None
    if year is None and baseline_year is not None:
        year = baseline_year + 1
    head = f"Phấn đấu Chỉ số {index_name}" + (f" năm {year}" if year is not None else "")
    what = count_text(kind, n, label, rule, level_word)
    when = f"năm {baseline_year}: " if baseline_year is not None else "hiện "
    base = f" ({when}{_pad(now)} {level_word} thuộc nhóm {label}{_tail(kind, label, rule)})"
    label_vi = f"{head} {what}{base}" + _needed_text(needed)
    met = needed is not None and needed <= 0
    b = Baseline(baseline_year, float(now))
    return Target(cast(TargetKind, kind), None, f"{n} {label}", b, 0.0 if met else needed, met, label_vi)


# ---------------------------------------------------------------- checking a plan against its year


@dataclass(frozen=True)
class Outcome:
    """Where the unit stands in the results of the year a plan's targets are checked against: its
    score, rank, group and percent (the whole index or one node), and for count targets its groups on
    the grouped nodes. comparable False: the node is defined differently that year (another framework
    version), so its target cannot be checked."""

    year: int
    score: float | None
    maximum: float | None = None
    rank: int | None = None
    rank_of: int | None = None
    group: str | None = None
    percent: float | None = None
    node_groups: tuple[str | None, ...] = ()
    comparable: bool = True


@dataclass(frozen=True)
class Review:
    """A target checked against its year: met (None = cannot be told), what was achieved, and the
    sentence a plan prints ("… — Kết quả năm 2025: đạt 41,2/80 điểm, xếp hạng 20/63: Đạt")."""

    met: bool | None
    achieved: str
    label_vi: str


def _achieved_text(o: Outcome) -> str:
    parts: list[str] = []
    if o.score is not None:
        pts = format_number(o.score)
        if o.maximum is not None:
            pts += f"/{format_number(o.maximum)}"
        parts.append(f"đạt {pts} điểm")
    if o.rank is not None:
        parts.append(f"xếp hạng {_rank_text(o.rank, o.rank_of)}")
    if o.group is not None:
        parts.append(f"thuộc nhóm {o.group}")
    return ", ".join(parts)


def _number(value: object) -> object:
    """A stored target value ("5", "42,5") as a number; anything else as it was (refused later)."""
    if isinstance(value, str):
        try:
            return parse_number(value)
        except ValueError:
            return value
    return value


def review_target(
    kind: str,
    value: object,
    outcome: Outcome,
    baseline: Baseline,
    rule: GroupRule | None,
    label: str = "",
    *,
    level_word: str = "chỉ số nội dung",
) -> Review:
    """Whether a target of a plan was met in the results of its year (ties count as met: scores are
    compared at 9 decimals). places: the rank reached against the baseline's rank minus the places;
    group: that group or better; count targets: the nodes counted in ``outcome.node_groups``.
    Unknown figures, a node defined differently that year or a value that no longer parses give
    met None ("chưa đánh giá được") rather than a guess."""
    met: bool | None = None
    achieved = _achieved_text(outcome)
    why = ""
    try:
        if not outcome.comparable:
            why = "nội dung được đo khác (bộ chỉ số đã thay đổi)"
        elif kind in COUNT_KINDS:
            if rule is None or not outcome.node_groups:
                why = f"chưa xếp nhóm được các {level_word}"
            else:
                n, lab = parse_count(value, rule.labels)
                got = _counted(kind, lab, rule, outcome.node_groups)
                achieved = f"có {_pad(got)} {level_word} thuộc nhóm {lab}{_tail(kind, lab, rule)}"
                met = got >= n if kind == "count_min" else got <= n
        elif kind in ("score", "percent"):
            goal = _as_float(_number(value), "Giá trị mục tiêu")
            got_f = outcome.score if kind == "score" else outcome.percent
            if got_f is None:
                why = "chưa có điểm"
            else:
                met = round(got_f, NDIGITS) >= round(goal, NDIGITS)
                if kind == "percent":
                    achieved = f"đạt {format_number(got_f, 2)}% số điểm tối đa" + (
                        f" ({achieved})" if achieved else ""
                    )
        elif kind in ("rank", "top", "places"):
            k = _as_int(_number(value), "Thứ hạng")
            if outcome.rank is None:
                why = "chưa có thứ hạng"
            elif kind == "places":
                if baseline.rank is None:
                    why = "chưa có thứ hạng xuất phát"
                else:
                    met = outcome.rank <= baseline.rank - k
                    moved = baseline.rank - outcome.rank
                    step = (
                        f"tăng {_pad(moved)} bậc"
                        if moved > 0
                        else f"giảm {_pad(-moved)} bậc"
                        if moved < 0
                        else "giữ nguyên thứ hạng"
                    )
                    achieved += f" ({step} so với {_rank_text(baseline.rank, baseline.rank_of)})"
            else:
                met = outcome.rank <= k
        elif kind == "group":
            if rule is None or outcome.group is None:
                why = "chưa có nhóm xếp loại"
            else:
                met = rule.at_least(outcome.group, str(value))
        else:
            why = "loại mục tiêu không rõ"
    except ValueError:
        met, why = None, "giá trị mục tiêu không đọc được"
    verdict = "Đạt" if met else "Chưa đạt" if met is False else f"Chưa đánh giá được ({why})"
    result = f"Kết quả năm {outcome.year}: {achieved}" if achieved else f"Kết quả năm {outcome.year}"
    head = label.rstrip(". ") if label else ""
    text = f"{head} — {result}: {verdict}." if head else f"{result}: {verdict}."
    return Review(met, achieved, text)


def review_summary(reviews: Sequence[Review]) -> str:
    """ "đạt 03/07 mục tiêu, còn 04 mục tiêu chưa đạt" (and how many could not be told)."""
    total = len(reviews)
    met = sum(1 for r in reviews if r.met)
    unmet = sum(1 for r in reviews if r.met is False)
    unknown = total - met - unmet
    parts = [f"đạt {_pad(met)}/{_pad(total)} mục tiêu"]
    if unmet:
        parts.append(f"còn {_pad(unmet)} mục tiêu chưa đạt")
    elif not unknown:
        parts.append("hoàn thành toàn bộ mục tiêu")
    if unknown:
        parts.append(f"{_pad(unknown)} mục tiêu chưa đánh giá được")
    return ", ".join(parts)


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
    decimals: int = POINT_DECIMALS,
) -> list[Target]:
    """The whole index's target from the ambition, then a target for every node (the chosen weak ones
    first, then the others in their order), each with its baseline score, rank and group, then (when
    the nodes are grouped) a count target.

    Nodes are the parts whose points add up to the total (e.g. PAPI's dimensions). The `weakest`
    nodes with points at stake (lowest rank, then most points lost) are chosen; when their points at
    stake cannot cover the needed increase, more nodes are added (most points at stake first) until
    they do. Each chosen node is asked the needed increase × its stake / the chosen nodes' stake
    (stake = max − score), raised to its best past score when that is higher than today's, rounded up
    to ``decimals`` (the framework's precision) and capped at its max; so the asked points add up to at least the needed increase
    whenever the nodes can supply it. Every other node keeps its group (a group target) when it has
    one (a node in the worst group aims at the next one), else its score. When the nodes are grouped, a count target asks for one node fewer in the
    worst group ("không có chỉ số nội dung nào thuộc nhóm Thấp" when at most one is there).
    ValueError if the overall target is impossible or unreachable. A rank goal in a partial year (its
    points not computable) asks each chosen node its best past score, at least its score today."""
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
        decimals=decimals,
    )
    if overall.needed_points is None and overall.needed_known:
        raise ValueError(f"Mục tiêu chung không thể đạt trong phạm vi điểm tối đa: {overall.label_vi}")
    needed = overall.needed_points or 0.0

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
    picked = {nd.code for nd in chosen}
    rest_in_order = [
        nd for nd in nodes if nd.code not in picked and is_number(nd.score) and is_number(nd.max)
    ]
    for nd in [*chosen, *rest_in_order]:
        b = Baseline(
            baseline.year,
            nd.score,
            nd.rank,
            nd.rank_of,
            nd.group,
            100.0 * nd.score / nd.max if nd.max else None,
        )
        subject = _subject(index_name, nd.code, nd.name)
        if nd.code in picked or nd.group is None or rule is None:
            # among the weakest: its share of the points needed (at least its best past score); any
            # other: keep its score
            goal = nd.score
            if nd.code in picked:
                available = nd.max - nd.score
                share = needed * available / stake if stake > 0 and needed > 0 else 0.0
                if needed > 0 and stake <= needed:  # everything at stake is needed
                    share = available
                floor = (
                    nd.best_past - nd.score if nd.best_past is not None and nd.best_past > nd.score else 0.0
                )
                goal = min(nd.max, points_up(nd.score + max(share, floor), decimals))
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
                decimals=decimals,
            )
            if t.met or nd.code not in picked:
                t.label_vi = (
                    f"Phấn đấu {subject} năm {year_target} giữ vững tối thiểu {format_number(nd.score)} điểm"
                    + _baseline_text(b, nd.max)
                )
        else:
            # not among the weakest: keep its group among the units, or leave the worst group
            at = rule.index(nd.group)
            aim = rule.labels[at - 1] if at == len(rule.groups) - 1 and at > 0 else nd.group

            def in_group(label: str, nd: NodeInput = nd, b: Baseline = b) -> Target:
                return check_target(
                    "group",
                    label,
                    nd.score,
                    nd.others,
                    rule,
                    nd.max,
                    b,
                    nd.code,
                    index_name,
                    year_target,
                    node_name=nd.name,
                    decimals=decimals,
                )

            t = in_group(aim)
            if aim == nd.group or t.needed_points is None:
                t = in_group(nd.group)
                t.label_vi = (
                    f"Phấn đấu {subject} năm {year_target} tiếp tục giữ vững nhóm {nd.group}"
                    + _baseline_text(b, nd.max)
                )
        out.append(t)
    grouped = [GroupedNode(nd.code, nd.name, nd.score, nd.others, nd.max, nd.group) for nd in nodes]
    if rule is not None and any(g.group is not None for g in grouped) and len(rule.groups) > 1:
        worst = rule.labels[-1]
        now = _counted("count_max", worst, rule, [g.group for g in grouped if g.group is not None])
        out.append(
            check_count_target(
                "count_max",
                f"{max(0, now - 1)} {worst}",
                grouped,
                rule,
                baseline.year,
                index_name,
                year_target,
            )
        )
    return out
