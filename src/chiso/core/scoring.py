"""Scoring a unit's sheet in an assessment round (self-assessment, appraisal): pure Python, no Django.

A leaf criterion of a framework is scored in one of three ways:

* **typed**: a score between its minimum and maximum, on its ``step`` (0,25 …) when the framework gives
  one, else any value at the framework's precision;
* **by a rule** from figures the unit enters (the rule is data in the framework file, node key ``rule``):

  - ``choice``: one of listed levels, each worth a score ("Ban hành kịp thời: 1 / không kịp thời: 0,5 /
    không ban hành: 0");
  - ``bands``: a value — a ratio in percent of two figures (dossiers on time / total), or one figure —
    falls in bands, each worth a score (">90 % → 2; 70–90 % → 1; < 70 % → 0");
  - ``proportional``: the maximum times the ratio, reaching the maximum at ``full_at`` percent;

* **from a survey** (``source_kind`` of a survey): imported, never typed.

Totals (:func:`totals`): a parent adds up its contributing children; a ``capped`` parent clips that sum to
its [min, max] (a bonus group worth at most 3 points, a penalty group of at most −5, a total that bonus
points may not push above its maximum). Penalty criteria have a maximum of 0 and a negative minimum.
A ``bonus`` criterion adds to the score but not to the maximum it is measured against. A criterion the
framework allows to be not applicable (``may_be_na``) and that is marked so for a unit is left out of both
the score and the maximum: the unit's percent is its total over its *applicable* maximum.

Every message is Vietnamese; numbers in messages use a decimal comma.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from .text import format_number, parse_number

__all__ = [
    "RULE_KINDS",
    "Band",
    "Choice",
    "InputError",
    "Item",
    "Rule",
    "RuleError",
    "RuleInput",
    "SheetTree",
    "Totals",
    "check_score",
    "parse_rule",
    "prepare",
    "rule_problems",
    "rule_score",
    "totals",
]

RuleKind = Literal["choice", "bands", "proportional"]
RuleOn = Literal["ratio", "value"]
_KINDS: dict[str, RuleKind] = {"choice": "choice", "bands": "bands", "proportional": "proportional"}
_ONS: dict[str, RuleOn] = {"ratio": "ratio", "value": "value"}
RULE_KINDS: tuple[str, ...] = tuple(_KINDS)
_EPS = 1e-9


class RuleError(ValueError):
    """A rule in a framework file is malformed (Vietnamese message)."""


class InputError(ValueError):
    """Figures entered for a rule-scored criterion cannot be scored (Vietnamese message)."""


@dataclass(frozen=True)
class RuleInput:
    """A figure the unit enters ("on_time": "Số hồ sơ giải quyết đúng hạn")."""

    code: str
    label: str
    #: the label in English (the English pages); empty: the Vietnamese one is shown
    label_en: str = ""

    def label_for(self, language: str | None) -> str:
        return self.label_en if self.label_en and (language or "").startswith("en") else self.label


@dataclass(frozen=True)
class Choice:
    """One level of a choice rule."""

    code: str
    label: str
    score: float
    label_en: str = ""

    def label_for(self, language: str | None) -> str:
        return self.label_en if self.label_en and (language or "").startswith("en") else self.label


@dataclass(frozen=True)
class Band:
    """Values from ``lower`` (inclusive; None: any value below the other bands) are worth ``score``."""

    lower: float | None
    score: float


@dataclass(frozen=True)
class Rule:
    kind: RuleKind
    inputs: tuple[RuleInput, ...] = ()
    choices: tuple[Choice, ...] = ()
    bands: tuple[Band, ...] = ()
    #: What bands and proportional rules measure: "ratio" (first input / second input, in percent) or
    #: "value" (the single input itself).
    on: RuleOn = "ratio"
    #: Proportional rules reach the maximum at this percent.
    full_at: float = 100.0

    @property
    def input_codes(self) -> tuple[str, ...]:
        return tuple(i.code for i in self.inputs)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _number(value: Any, what: str, problems: list[str]) -> float | None:
    try:
        num = parse_number(value)
    except ValueError:
        problems.append(f"{what}: '{_text(value)}' không phải là số.")
        return None
    if num is None:
        problems.append(f"{what}: thiếu số.")
    return num


def parse_rule(data: Any) -> Rule:
    """A rule from a framework file (YAML mapping); RuleError lists every problem of its shape."""
    if not isinstance(data, Mapping):
        raise RuleError("Quy tắc chấm điểm (rule) phải là một bảng khóa–giá trị.")
    problems: list[str] = []
    kind_text = _text(data.get("kind"))
    kind = _KINDS.get(kind_text)
    if kind is None:
        raise RuleError(
            f"Loại quy tắc chấm điểm '{kind_text}' không hợp lệ (cho phép: {', '.join(RULE_KINDS)})."
        )
    unknown = sorted(set(data) - {"kind", "inputs", "choices", "bands", "on", "full_at"})
    if unknown:
        problems.append("Quy tắc chấm điểm: khóa không được hỗ trợ: " + ", ".join(map(str, unknown)))
    inputs: list[RuleInput] = []
    for i, raw in enumerate(data.get("inputs") or [], start=1):
        if isinstance(raw, Mapping):
            inputs.append(
                RuleInput(_text(raw.get("code")), _text(raw.get("label")), _text(raw.get("label_en")))
            )
        else:
            problems.append(f"Số liệu thứ {i} của quy tắc phải là {{code, label}}.")
    choices: list[Choice] = []
    for i, raw in enumerate(data.get("choices") or [], start=1):
        if not isinstance(raw, Mapping):
            problems.append(f"Mức thứ {i} của quy tắc phải là {{code, label, score}}.")
            continue
        score = _number(raw.get("score"), f"Mức thứ {i}", problems)
        code = _text(raw.get("code")) or str(i)
        score = score if score is not None else math.nan
        choices.append(Choice(code, _text(raw.get("label")), score, _text(raw.get("label_en"))))
    bands: list[Band] = []
    for i, raw in enumerate(data.get("bands") or [], start=1):
        if not isinstance(raw, Mapping):
            problems.append(f"Khoảng thứ {i} của quy tắc phải là {{from, score}}.")
            continue
        lower = None
        if raw.get("from") is not None:
            lower = _number(raw.get("from"), f"Khoảng thứ {i} (from)", problems)
        score = _number(raw.get("score"), f"Khoảng thứ {i} (score)", problems)
        bands.append(Band(lower, score if score is not None else math.nan))
    on_text = _text(data.get("on")) or "ratio"
    on = _ONS.get(on_text, "ratio")
    if on_text not in _ONS:
        problems.append(
            f"Quy tắc đo '{on_text}' không hợp lệ (ratio: tỷ lệ hai số liệu; value: một số liệu)."
        )
    full_at = 100.0
    if data.get("full_at") is not None:
        got = _number(data.get("full_at"), "full_at", problems)
        full_at = got if got is not None else 100.0
    if problems:
        raise RuleError(" ".join(problems))
    return Rule(
        kind,
        tuple(inputs),
        tuple(choices),
        tuple(sorted(bands, key=lambda b: -math.inf if b.lower is None else b.lower, reverse=True)),
        on,
        full_at,
    )


def rule_problems(rule: Rule, maximum: float | None, minimum: float | None = None) -> list[str]:
    """What is wrong with a well-formed rule on a criterion worth ``minimum``–``maximum`` points."""
    problems: list[str] = []
    lo = minimum if minimum is not None else min(0.0, maximum or 0.0)
    hi = maximum

    def in_range(score: float, what: str) -> None:
        if math.isnan(score):
            return
        if hi is not None and score > hi + _EPS or score < lo - _EPS:
            problems.append(
                f"{what}: {format_number(score)} điểm nằm ngoài {format_number(lo)}–{format_number(hi)} điểm "
                "của tiêu chí."
            )

    codes = [i.code for i in rule.inputs]
    if len(set(codes)) != len(codes) or any(not c for c in codes):
        problems.append("Mã các số liệu của quy tắc phải có và không được trùng.")
    if rule.kind == "choice":
        if len(rule.choices) < 2:
            problems.append("Quy tắc chọn mức cần ít nhất hai mức.")
        if len({c.code for c in rule.choices}) != len(rule.choices):
            problems.append("Mã các mức của quy tắc bị trùng.")
        for c in rule.choices:
            if not c.label:
                problems.append(f"Mức '{c.code}' thiếu tên.")
            in_range(c.score, f"Mức '{c.label or c.code}'")
        if rule.inputs:
            problems.append("Quy tắc chọn mức không dùng số liệu (inputs).")
        return problems
    wanted = 2 if rule.on == "ratio" else 1
    if len(rule.inputs) != wanted:
        problems.append(
            "Quy tắc theo tỷ lệ cần đúng hai số liệu (tử số, mẫu số)."
            if wanted == 2
            else "Quy tắc theo một số liệu cần đúng một số liệu."
        )
    if rule.kind == "bands":
        if not rule.bands:
            problems.append("Quy tắc theo khoảng cần ít nhất một khoảng.")
        if sum(1 for b in rule.bands if b.lower is None) > 1:
            problems.append("Chỉ một khoảng được để trống mốc dưới (các giá trị còn lại).")
        lowers = [b.lower for b in rule.bands if b.lower is not None]
        if len(set(lowers)) != len(lowers):
            problems.append("Hai khoảng có cùng mốc dưới.")
        for b in rule.bands:
            in_range(b.score, f"Khoảng từ {format_number(b.lower) if b.lower is not None else '…'}")
    else:
        if rule.bands or rule.choices:
            problems.append("Quy tắc tỷ lệ thuận không dùng khoảng (bands) hay mức (choices).")
        if not rule.full_at > 0:
            problems.append("full_at phải lớn hơn 0.")
        if hi is None:
            problems.append("Quy tắc tỷ lệ thuận cần điểm tối đa của tiêu chí.")
    return problems


def _figure(entered: Mapping[str, Any], inp: RuleInput) -> float:
    raw = entered.get(inp.code)
    try:
        value = parse_number(raw)
    except ValueError:
        raise InputError(f"{inp.label or inp.code}: '{_text(raw)}' không phải là số.") from None
    if value is None:
        raise InputError(f"Thiếu số liệu «{inp.label or inp.code}».")
    if not math.isfinite(value) or value < 0:
        raise InputError(f"{inp.label or inp.code}: số liệu phải là số không âm.")
    return value


def _measure(rule: Rule, entered: Mapping[str, Any]) -> float:
    """The value a bands/proportional rule looks at: a ratio in percent, or the single figure."""
    if rule.on == "value":
        return _figure(entered, rule.inputs[0])
    num, den = (_figure(entered, i) for i in rule.inputs[:2])
    if den == 0:
        raise InputError(f"«{rule.inputs[1].label or rule.inputs[1].code}» bằng 0: không tính được tỷ lệ.")
    if num > den:
        raise InputError(
            f"«{rule.inputs[0].label or rule.inputs[0].code}» ({format_number(num)}) lớn hơn "
            f"«{rule.inputs[1].label or rule.inputs[1].code}» ({format_number(den)})."
        )
    return 100.0 * num / den


def rule_score(rule: Rule, entered: Mapping[str, Any], maximum: float | None) -> float:
    """The score the rule gives for what the unit entered; InputError says what is missing or wrong."""
    if rule.kind == "choice":
        chosen = _text(entered.get("choice"))
        for c in rule.choices:
            if chosen == c.code:
                return c.score
        labels = "; ".join(c.label for c in rule.choices)
        raise InputError(f"Chọn một mức: {labels}." if not chosen else f"Mức '{chosen}' không có ({labels}).")
    value = _measure(rule, entered)
    if rule.kind == "bands":
        for b in rule.bands:  # highest lower bound first; the open band (None) last
            if b.lower is None or value >= b.lower - _EPS:
                return b.score
        raise InputError(f"Giá trị {format_number(value)} không thuộc khoảng nào của quy tắc.")
    assert maximum is not None
    return min(maximum, maximum * value / rule.full_at)


def check_score(
    value: float,
    *,
    maximum: float | None,
    minimum: float | None,
    step: float | None,
    precision: int,
    label: str = "",
) -> str | None:
    """Why a typed score cannot be accepted (None: it can): outside [min, max], not on the step, more
    decimals than the framework's precision."""
    where = f"{label}: " if label else ""
    if not math.isfinite(value):
        return f"{where}điểm không hợp lệ."
    lo = minimum if minimum is not None else min(0.0, maximum if maximum is not None else 0.0)
    if maximum is not None and value > maximum + _EPS:
        return f"{where}{format_number(value)} vượt điểm tối đa {format_number(maximum)}."
    if value < lo - _EPS:
        return f"{where}{format_number(value)} thấp hơn điểm tối thiểu {format_number(lo)}."
    if step:
        k = (value - lo) / step
        if abs(k - round(k)) > 1e-6:
            return f"{where}điểm phải theo bước {format_number(step)} (ví dụ {format_number(lo + step * math.floor(k))})."
    elif abs(round(value, precision) - value) > _EPS:
        return f"{where}điểm chỉ có tối đa {precision} chữ số thập phân."
    return None


# ---------------------------------------------------------------------------------------- totals


@dataclass(frozen=True)
class Item:
    """A node of the framework as scoring sees it."""

    code: str
    parent: str | None
    max: float | None
    min: float | None = None
    #: "sum" (add the children), "capped" (add, then clip to [min, max]); other aggregations are read as
    #: "sum" on a score sheet.
    aggregation: str = "sum"
    contributes: bool = True
    bonus: bool = False
    may_be_na: bool = False


@dataclass
class Totals:
    """A unit's sheet added up. ``score``: every node's points (criteria not scored yet count as 0);
    ``applicable``: every node's maximum without the criteria not applicable to the unit (and without
    bonus points); ``missing``: leaves still to be scored; ``percent``: the root's score over its
    applicable maximum."""

    score: dict[str, float] = field(default_factory=dict)
    applicable: dict[str, float | None] = field(default_factory=dict)
    missing: tuple[str, ...] = ()
    root: str = ""

    @property
    def total(self) -> float:
        return self.score.get(self.root, 0.0)

    @property
    def complete(self) -> bool:
        return not self.missing

    def percent(self, code: str | None = None) -> float | None:
        c = code or self.root
        maximum = self.applicable.get(c)
        if not maximum:
            return None
        return 100.0 * self.score.get(c, 0.0) / maximum


@dataclass(frozen=True)
class SheetTree:
    """A sheet's items prepared once for adding up many sheets (:func:`prepare`): the items by code, each
    node's children, its contributing children, the root, the postorder (every node after its children,
    siblings in order) and the items' order."""

    by_code: Mapping[str, Item]
    kids: Mapping[str, tuple[str, ...]]
    contributing: Mapping[str, tuple[str, ...]]
    root: str
    postorder: tuple[str, ...]
    order: Mapping[str, int]


def prepare(items: Sequence[Item]) -> SheetTree:
    """The tree of ``items`` (which must form one tree, parents known) for :func:`totals`."""
    by_code = {i.code: i for i in items}
    kids: dict[str, list[str]] = {i.code: [] for i in items}
    roots = []
    for i in items:
        if i.parent is None:
            roots.append(i.code)
        elif i.parent in kids:
            kids[i.parent].append(i.code)
    if len(roots) != 1:
        raise ValueError(f"a sheet needs exactly one root, found {roots}")
    postorder: list[str] = []
    stack: list[tuple[str, bool]] = [(roots[0], False)]
    while stack:
        code, done = stack.pop()
        if done:
            postorder.append(code)
            continue
        stack.append((code, True))
        stack.extend((k, False) for k in reversed(kids[code]))
    return SheetTree(
        by_code=by_code,
        kids={c: tuple(k) for c, k in kids.items()},
        contributing={c: tuple(k for k in ks if by_code[k].contributes) for c, ks in kids.items()},
        root=roots[0],
        postorder=tuple(postorder),
        order={i.code: n for n, i in enumerate(items)},
    )


def totals(
    items: Sequence[Item] | SheetTree, scores: Mapping[str, float], not_applicable: Collection[str] = ()
) -> Totals:
    """Add up a unit's sheet (see the module docstring). Items must form one tree (parents known); a
    :class:`SheetTree` (:func:`prepare`) spares preparing them again when adding up many sheets."""
    tree = items if isinstance(items, SheetTree) else prepare(items)
    by_code, contributing = tree.by_code, tree.contributing
    na = {c for c in not_applicable if c in by_code and by_code[c].may_be_na}
    # a node is left out when it or one of its ancestors is not applicable (reversed, parents come first)
    excluded: set[str] = set()
    if na:
        for code in reversed(tree.postorder):
            item = by_code[code]
            if code in na or (item.parent is not None and item.parent in excluded):
                excluded.add(code)
    out = Totals(root=tree.root)
    score, applicable = out.score, out.applicable
    missing: list[str] = []
    for code in tree.postorder:  # children before their parent
        if code in excluded:
            score[code], applicable[code] = 0.0, 0.0
            continue
        item = by_code[code]
        children = contributing[code]
        if not children:
            value = scores.get(code)
            if value is None or not math.isfinite(value):
                missing.append(code)
                value = 0.0
            score[code] = float(value)
            applicable[code] = max(item.max or 0.0, 0.0) if not item.bonus else 0.0
            continue
        total = math.fsum(score[c] for c in children)
        if item.aggregation == "capped":
            if item.max is not None:
                total = min(total, item.max)
            if item.min is not None:
                total = max(total, item.min)
        score[code] = total
        if item.bonus:
            applicable[code] = 0.0
        else:
            sub = math.fsum(applicable[c] or 0.0 for c in children)
            if item.aggregation == "capped" and item.max is not None:
                sub = min(sub, item.max)
            applicable[code] = sub
    out.missing = tuple(sorted(missing, key=tree.order.__getitem__))
    return out
