"""Index frameworks (bộ chỉ số) as versioned data: load, validate, convert.

A *framework* is one version of the structure of an index: a tree of nodes (total > dimension >
sub-dimension …) with maxima, minima and the rule by which a node is derived from its children.
Frameworks ship as YAML files in ``chiso/data/frameworks/`` and can be exchanged with coordinators as an
XLSX template (one row per node).

An *index* is data too (:class:`IndexDef`): its code, names, levels from the top of the tree down, the
kind of unit it scores. A framework file may declare its index (``index_name_vi``, ``index_name_en``,
``levels`` …): installing the first file of a new index makes the index; later files of a known index
need only its code. Nothing here lists index codes: ``validate`` and the readers take the indices
chiso knows (``known``) from the caller.

Pure Python — no Django.  The Django loader and the importers call into this module.

Representations
---------------
* YAML / dict: nested (``root`` with ``children``), see ``docs/methodology.md``.
* :class:`FrameworkDef`: flat list of :class:`NodeRow` in pre-order (parents before children).
* XLSX: sheet "Thông tin" (key/value metadata) and sheet "Cây chỉ số" (one row per node).

All user-facing messages are Vietnamese; numbers in messages use a decimal comma.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import yaml

from . import safeyaml
from .scoring import RuleError, parse_rule, rule_problems
from .spreadsheet import SpreadsheetRefused, check_archive, safe_append
from .text import fold as text_fold
from .text import parse_number as text_parse_number

if TYPE_CHECKING:  # imported where used: reading XLSX is rare
    from python_calamine import CalamineWorkbook

__all__ = [
    "AGGREGATIONS",
    "SOURCE_KINDS",
    "SURVEY_SOURCE_KINDS",
    "UNIT_KINDS",
    "TEMPLATE_COLUMNS",
    "METADATA_FIELDS",
    "FrameworkDef",
    "FrameworkError",
    "FrameworkFormatError",
    "IndexDef",
    "LevelDef",
    "NodeRow",
    "empty_framework",
    "fold",
    "format_number",
    "load_yaml",
    "dump_yaml",
    "parse_dict",
    "parse_number",
    "read_xlsx",
    "shipped_framework_paths",
    "load_shipped",
    "shipped_indices",
    "to_dict",
    "validate",
    "write_xlsx",
]

# ---------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------

#: The shape of an index code (lower-case ASCII, digits, "-" or "_"): used in URLs, file names, the CLI.
INDEX_CODE_RE = re.compile(r"^[a-z][a-z0-9_-]{0,19}$")
#: Kinds of units an index scores: provinces (PAPI, PAR INDEX, SIPAS), a province's departments or its
#: communes (its own internal index), districts, or any unit.
UNIT_KINDS: tuple[str, ...] = ("province", "department", "commune", "district", "any")

AGGREGATIONS: tuple[str, ...] = ("sum", "mean", "weighted", "none", "capped")
SOURCE_KINDS: tuple[str, ...] = (
    "appraisal",
    "leader_survey",
    "satisfaction_survey",
    "socioeconomic",
    "citizen_survey",
    "mixed",
)
#: Score sources that come from a survey: in an assessment round they are imported, never typed.
SURVEY_SOURCE_KINDS: tuple[str, ...] = ("leader_survey", "satisfaction_survey", "citizen_survey")
VALUE_KINDS: tuple[str, ...] = ("points", "percent")
NAME_VI_SOURCES: tuple[str, ...] = ("official", "translated")
GROUPING_KINDS: tuple[str, ...] = ("quantile", "threshold")

#: Vietnamese words written into / accepted from the XLSX template.
AGGREGATION_VI: dict[str, str] = {
    "sum": "tổng",
    "mean": "trung bình",
    "weighted": "có trọng số",
    "none": "không",
    "capped": "tổng có giới hạn",
}
SOURCE_KIND_VI: dict[str, str] = {
    "appraisal": "thẩm định",
    "leader_survey": "khảo sát lãnh đạo",
    "satisfaction_survey": "SIPAS",
    "socioeconomic": "kinh tế - xã hội",
    "citizen_survey": "khảo sát người dân",
    "mixed": "hỗn hợp",
}
VALUE_KIND_VI: dict[str, str] = {"points": "điểm", "percent": "phần trăm"}
NAME_VI_SOURCE_VI: dict[str, str] = {"official": "chính thức", "translated": "dịch"}
_EXTRA_AGGREGATION_WORDS: dict[str, str] = {
    "cong": "sum",
    "tong cong": "sum",
    "binh quan": "mean",
    "trung binh cong": "mean",
    "trong so": "weighted",
    "binh quan gia quyen": "weighted",
    "khong tong hop": "none",
}
_EXTRA_SOURCE_WORDS: dict[str, str] = {
    "tham dinh cua bo noi vu": "appraisal",
    "khao sat lanh dao quan ly": "leader_survey",
    "dieu tra lanh dao quan ly": "leader_survey",
    "lanh dao quan ly": "leader_survey",
    "kinh te xa hoi": "socioeconomic",
    "kt xh": "socioeconomic",
    "tac dong kinh te xa hoi": "socioeconomic",
    "nguoi dan": "citizen_survey",
    "khao sat nguoi dan": "citizen_survey",
}
_TRUE_WORDS = {"co", "x", "true", "yes", "y", "1", "dung", "1.0"}
_FALSE_WORDS = {"khong", "false", "no", "n", "0", "sai", "0.0"}

# ---------------------------------------------------------------------------
# Data classes
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LevelDef:
    """A level of an index's tree ("dimension": "Chỉ số nội dung"); ``aliases`` are other words for it
    accepted in the XLSX template."""

    code: str
    name_vi: str
    name_en: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class IndexDef:
    """An index as data: code, names, the short name documents and the UI use ("PAR INDEX"), its levels
    from the top of the tree down, the kind of unit it scores, other names a file may call it by, and its
    place among the indices (``order``)."""

    code: str
    name_vi: str
    name_en: str = ""
    short_name: str = ""
    levels: tuple[LevelDef, ...] = ()
    #: the short name in English ("Departments' PAR"); empty: the short name is the same in both
    short_name_en: str = ""
    unit_kind: str = "province"
    value_kind: str = "points"
    aliases: tuple[str, ...] = ()
    order: int | None = None

    @property
    def label(self) -> str:
        return self.short_name or self.code.upper()

    @property
    def level_codes(self) -> tuple[str, ...]:
        return tuple(lv.code for lv in self.levels)

    def level(self, code: str) -> LevelDef | None:
        for lv in self.levels:
            if lv.code == code:
                return lv
        return None

    def names(self) -> set[str]:
        """Folded words that name this index (code, short name, names, the parenthesised short form of
        the Vietnamese name, aliases)."""
        out = {fold(self.code), fold(self.short_name), fold(self.name_vi), fold(self.name_en)}
        out |= {fold(a) for a in self.aliases}
        out |= {fold(m) for m in re.findall(r"\(([^)]*)\)", self.name_vi)}
        out.add(fold(re.sub(r"\(.*?\)", "", self.name_vi)))
        return {w for w in out if w}


def match_index(word: str, known: Iterable[IndexDef]) -> str | None:
    """The code of the index ``word`` names (code, short name, name, alias; accent/case-insensitive)."""
    key = fold(word)
    if not key:
        return None
    for idx in known:
        if key in idx.names():
            return idx.code
    return None


@dataclass
class NodeRow:
    """One node of a framework tree, flattened (``parent`` holds the parent's code)."""

    code: str
    parent: str | None = None
    level: str = ""
    name_vi: str = ""
    name_en: str = ""
    max: float | None = None
    min: float | None = None
    aggregation: str = "sum"
    weight: float | None = None
    contributes: bool = True
    source_kind: str | None = None
    aliases: tuple[str, ...] = ()
    incomplete: bool = False
    note: str | None = None
    name_vi_source: str | None = None
    #: Assessment rounds (chiso.core.scoring): the step of a typed score (0,25 …; None: any value at the
    #: framework's precision), the rule that scores a criterion from figures the unit enters (a raw
    #: mapping, checked by scoring.parse_rule), whether its points are a bonus (counted in the score, not
    #: in the maximum), whether a unit may be declared not concerned by it.
    step: float | None = None
    rule: dict[str, Any] | None = None
    bonus: bool = False
    may_be_na: bool = False
    #: 1-based position among the siblings (derived from the order of the rows).
    order: int = 0
    #: 1-based line of the source table (spreadsheet row); only for error messages.
    row: int | None = field(default=None, compare=False)


@dataclass
class FrameworkDef:
    """One version of an index framework."""

    index: str
    code: str
    name_vi: str = ""
    name_en: str = ""
    valid_from: int | None = None
    valid_to: int | None = None
    complete: bool = False
    incomplete_note: str | None = None
    source: str | None = None
    unit_kind: str = "province"
    value_kind: str = "points"
    precision: int | None = 2  # None: an unreadable value in the file (validate reports it)
    tolerance: float = 0.0
    grouping: dict[str, Any] | None = None
    nodes: list[NodeRow] = field(default_factory=list)
    #: The index as the file declares it (a new index, or new names/levels of a known one); None when the
    #: file only names a known index by its code.
    index_def: IndexDef | None = None
    #: Problems of that declaration found while reading (reported by ``validate``).
    index_problems: list[str] = field(default_factory=list)

    # -- convenience -------------------------------------------------------
    @property
    def root(self) -> NodeRow | None:
        roots = [n for n in self.nodes if not n.parent]
        return roots[0] if len(roots) == 1 else None

    def node(self, code: str) -> NodeRow:
        for n in self.nodes:
            if n.code == code:
                return n
        raise KeyError(code)

    def children(self, code: str) -> list[NodeRow]:
        return [n for n in self.nodes if n.parent == code]

    def covers_year(self, year: int) -> bool:
        if self.valid_from is not None and year < self.valid_from:
            return False
        return not (self.valid_to is not None and year > self.valid_to)

    def alias_map(self) -> dict[str, str]:
        """Folded code/alias/name → node code (for importers matching column headers)."""
        out: dict[str, str] = {}
        for n in self.nodes:
            for label in (n.code, *n.aliases):
                key = fold(label)
                if key:
                    out.setdefault(key, n.code)
        return out

    def find_node(self, label: str) -> NodeRow | None:
        """The node a column header / label refers to (code or alias, accent/case-insensitive)."""
        code = self.alias_map().get(fold(label))
        return self.node(code) if code else None


@dataclass
class FrameworkError:
    """A validation / import problem, with the 1-based row of the source table when known."""

    row: int | None
    code: str | None
    message: str

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.message


class FrameworkFormatError(ValueError):
    """The input is not a framework at all (wrong structure, unknown keys)."""


# ---------------------------------------------------------------------------
# Small helpers: accent folding, numbers
# ---------------------------------------------------------------------------


def fold(text: Any) -> str:
    """Accent-free key for matching headers and words: chiso.core.text.fold with every run of
    non-alphanumerics as one space."""
    return re.sub(r"[^0-9a-z]+", " ", text_fold("" if text is None else str(text))).strip()


def format_number(value: float | int | None, max_decimals: int = 6) -> str:
    """Vietnamese number formatting: decimal comma, dot for thousands, no trailing zeros."""
    if value is None:
        return "—"
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    rounded = round(float(value), max_decimals)
    if rounded == 0:
        rounded = 0.0
    text = f"{rounded:.{max_decimals}f}".rstrip("0").rstrip(".")
    sign = ""
    if text.startswith("-"):
        sign, text = "-", text[1:]
    whole, _, frac = text.partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    out = ".".join(groups)
    if frac:
        out += "," + frac
    return sign + out


def parse_number(value: Any) -> float | None:
    """A number in a framework cell: Vietnamese or English separators, or a fraction such as 10/3."""
    return text_parse_number(value, fractions=True)


#: Node numbers are canonicalised to this many decimals so that values such as 10/3 survive a round trip
#: through XLSX (Excel keeps 15 significant digits).
NUMBER_DECIMALS = 10


def _node_number(value: Any) -> float | None:
    num = parse_number(value)
    return None if num is None else round(num, NUMBER_DECIMALS)


def _parse_bool(value: Any, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value)
    key = fold(value)
    if key == "":
        return default
    if key in _TRUE_WORDS:
        return True
    if key in _FALSE_WORDS:
        return False
    raise ValueError(f"giá trị '{value}' không phải có/không")


def _parse_int(value: Any) -> int | None:
    num = parse_number(value)
    if num is None:
        return None
    if num != int(num):
        raise ValueError(f"không phải số nguyên: {value!r}")
    return int(num)


def _vocab_lookup(value: Any, canonical: Iterable[str], vi: dict[str, str], extra: dict[str, str]) -> str:
    """Map a cell value to its canonical code; unknown values are returned unchanged (validate reports)."""
    text = "" if value is None else str(value).strip()
    key = fold(text)
    for c in canonical:
        if key == fold(c):
            return c
    for c, word in vi.items():
        if key == fold(word):
            return c
    if key in extra:
        return extra[key]
    return text


def _level_lookup(value: Any, index: IndexDef | None) -> str:
    """The level code a cell names: the code, the Vietnamese or English name or an alias of one of the
    index's levels; "tổng", "gốc" name the top level. Unknown words are returned as written."""
    text = "" if value is None else str(value).strip()
    key = fold(text)
    if index is None or not key:
        return text
    for lv in index.levels:
        if key in {fold(w) for w in (lv.code, lv.name_vi, lv.name_en, *lv.aliases) if w}:
            return lv.code
    if key in {"tong", "goc", "chi so tong hop"} and index.levels:
        return index.levels[0].code
    return text


def _prefix(row: int | None, text: str) -> str:
    if row is None:
        return text
    return f"Dòng {row}: " + text[:1].lower() + text[1:]


def _node_label(n: NodeRow) -> str:
    return f"'{n.code}'"


# ---------------------------------------------------------------------------
# dict / YAML  <->  FrameworkDef
# ---------------------------------------------------------------------------

# the index, declared by the file (required for a new index): see IndexDef
_INDEX_KEYS = (
    "index_name_vi",
    "index_name_en",
    "index_short_name",
    "index_short_name_en",
    "index_aliases",
    "index_order",
    "levels",
)
_TOP_KEYS = {
    "index",
    "code",
    "name_vi",
    "name_en",
    "valid_from",
    "valid_to",
    "complete",
    "incomplete_note",
    "source",
    "unit_kind",
    "value_kind",
    "precision",
    "tolerance",
    "grouping",
    "root",
    *_INDEX_KEYS,
}
_NODE_KEYS = {
    "code",
    "level",
    "name_vi",
    "name_en",
    "max",
    "min",
    "aggregation",
    "weight",
    "contributes",
    "source_kind",
    "aliases",
    "incomplete",
    "note",
    "name_vi_source",
    "step",
    "rule",
    "bonus",
    "may_be_na",
    "children",
}


def _opt_str(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _aliases(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        parts: Iterable[Any] = value.split(";")
    elif isinstance(value, list | tuple):
        parts = value
    else:
        raise FrameworkFormatError(f"aliases phải là danh sách, nhận được {value!r}")
    out: list[str] = []
    for p in parts:
        t = str(p).strip()
        if t and t not in out:
            out.append(t)
    return tuple(out)


def parse_dict(d: dict[str, Any]) -> FrameworkDef:
    """Nested dict (as in the YAML files) → :class:`FrameworkDef` with a flat pre-order node list."""
    if not isinstance(d, dict):
        raise FrameworkFormatError("Tệp bộ chỉ số phải là một bảng khóa–giá trị (mapping).")
    unknown = sorted(set(d) - _TOP_KEYS)
    if unknown:
        raise FrameworkFormatError("Khóa không được hỗ trợ ở cấp bộ chỉ số: " + ", ".join(unknown))
    try:
        fw = FrameworkDef(
            index=str(d.get("index") or "").strip(),
            code=str(d.get("code") or "").strip(),
            name_vi=str(d.get("name_vi") or ""),
            name_en=str(d.get("name_en") or ""),
            valid_from=_parse_int(d.get("valid_from")),
            valid_to=_parse_int(d.get("valid_to")),
            complete=_parse_bool(d.get("complete"), False),
            incomplete_note=_opt_str(d.get("incomplete_note")),
            source=_opt_str(d.get("source")),
            unit_kind=str(d.get("unit_kind") or "province"),
            value_kind=str(d.get("value_kind") or "points"),
            precision=_parse_int(d.get("precision")) if d.get("precision") is not None else 2,
            tolerance=parse_number(d.get("tolerance")) or 0.0,
            grouping=d.get("grouping"),
        )
    except ValueError as exc:
        if isinstance(exc, FrameworkFormatError):
            raise
        raise FrameworkFormatError(str(exc)) from exc
    if fw.grouping is not None and not isinstance(fw.grouping, dict):
        raise FrameworkFormatError("grouping phải là một bảng khóa–giá trị hoặc null.")
    if any(d.get(k) not in (None, "", []) for k in _INDEX_KEYS):
        fw.index_def, fw.index_problems = _index_declaration(fw, d)
    root = d.get("root")
    if root is not None:
        _flatten(root, None, 1, fw.nodes)
    return fw


def _levels(raw: Any, problems: list[str]) -> tuple[LevelDef, ...]:
    if not isinstance(raw, list) or not raw:
        problems.append("levels phải là danh sách các cấp từ trên xuống, mỗi cấp {code, name_vi, name_en}.")
        return ()
    out: list[LevelDef] = []
    for i, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            problems.append(f"Cấp thứ {i} phải là một bảng {{code, name_vi, name_en}}.")
            continue
        unknown = sorted(set(item) - {"code", "name_vi", "name_en", "aliases"})
        if unknown:
            problems.append(f"Cấp thứ {i}: khóa không được hỗ trợ: " + ", ".join(map(str, unknown)))
        try:
            aliases = _aliases(item.get("aliases"))
        except FrameworkFormatError as exc:
            problems.append(f"Cấp thứ {i}: {exc}")
            aliases = ()
        out.append(
            LevelDef(
                code=str(item.get("code") or "").strip(),
                name_vi=str(item.get("name_vi") or "").strip(),
                name_en=str(item.get("name_en") or "").strip(),
                aliases=aliases,
            )
        )
    return tuple(out)


def _index_declaration(fw: FrameworkDef, d: dict[str, Any]) -> tuple[IndexDef, list[str]]:
    """The index a file declares (``index_name_vi``, ``levels`` …), with the problems found."""
    problems: list[str] = []
    try:
        aliases = _aliases(d.get("index_aliases"))
    except FrameworkFormatError as exc:
        problems.append(f"index_aliases: {exc}")
        aliases = ()
    order = None
    try:
        order = _parse_int(d.get("index_order"))
    except ValueError:
        problems.append("index_order phải là số nguyên.")
    declared = IndexDef(
        code=fw.index,
        name_vi=str(d.get("index_name_vi") or "").strip(),
        name_en=str(d.get("index_name_en") or "").strip(),
        short_name=str(d.get("index_short_name") or "").strip(),
        short_name_en=str(d.get("index_short_name_en") or "").strip(),
        levels=_levels(d.get("levels"), problems),
        unit_kind=fw.unit_kind,
        value_kind=fw.value_kind,
        aliases=aliases,
        order=order,
    )
    return declared, problems


def _flatten(node: Any, parent: str | None, order: int, out: list[NodeRow]) -> None:
    if not isinstance(node, dict):
        raise FrameworkFormatError(f"Nút con của '{parent}' phải là một bảng khóa–giá trị.")
    unknown = sorted(set(node) - _NODE_KEYS)
    if unknown:
        raise FrameworkFormatError(f"Nút '{node.get('code')}': khóa không được hỗ trợ: " + ", ".join(unknown))
    try:
        row = NodeRow(
            code=str(node.get("code") if node.get("code") is not None else "").strip(),
            parent=parent,
            level=str(node.get("level") or "").strip(),
            name_vi=str(node.get("name_vi") or ""),
            name_en=str(node.get("name_en") or ""),
            max=_node_number(node.get("max")),
            min=_node_number(node.get("min")),
            aggregation=str(node.get("aggregation") or "sum").strip(),
            weight=_node_number(node.get("weight")),
            contributes=_parse_bool(node.get("contributes"), True),
            source_kind=_source_kind(node.get("source_kind")),
            aliases=_aliases(node.get("aliases")),
            incomplete=_parse_bool(node.get("incomplete"), False),
            note=_opt_str(node.get("note")),
            name_vi_source=_opt_str(node.get("name_vi_source")),
            step=_node_number(node.get("step")),
            rule=node.get("rule"),
            bonus=_parse_bool(node.get("bonus"), False),
            may_be_na=_parse_bool(node.get("may_be_na"), False),
            order=order,
            row=None,
        )
    except ValueError as exc:
        if isinstance(exc, FrameworkFormatError):
            raise
        raise FrameworkFormatError(f"Nút '{node.get('code')}': {exc}") from exc
    out.append(row)
    children = node.get("children") or []
    if not isinstance(children, list):
        raise FrameworkFormatError(f"Nút '{row.code}': children phải là một danh sách.")
    for i, child in enumerate(children, start=1):
        _flatten(child, row.code, i, out)


def _source_kind(value: Any) -> str | None:
    """A source kind by its code or its Vietnamese word (unknown values kept for validate to report)."""
    if _opt_str(value) is None:
        return None
    return _vocab_lookup(value, SOURCE_KINDS, SOURCE_KIND_VI, _EXTRA_SOURCE_WORDS) or None


def _clean_number(x: float | None) -> float | int | None:
    if x is None:
        return None
    return int(x) if float(x).is_integer() else x


def _node_to_dict(n: NodeRow) -> dict[str, Any]:
    d: dict[str, Any] = {"code": n.code, "level": n.level, "name_vi": n.name_vi, "name_en": n.name_en}
    if n.max is not None:
        d["max"] = _clean_number(n.max)
    if n.min is not None:
        d["min"] = _clean_number(n.min)
    if n.aggregation != "sum":
        d["aggregation"] = n.aggregation
    if n.weight is not None:
        d["weight"] = _clean_number(n.weight)
    if not n.contributes:
        d["contributes"] = False
    if n.source_kind:
        d["source_kind"] = n.source_kind
    if n.aliases:
        d["aliases"] = list(n.aliases)
    if n.incomplete:
        d["incomplete"] = True
    if n.note:
        d["note"] = n.note
    if n.name_vi_source:
        d["name_vi_source"] = n.name_vi_source
    if n.step is not None:
        d["step"] = _clean_number(n.step)
    if n.rule is not None:
        d["rule"] = n.rule
    if n.bonus:
        d["bonus"] = True
    if n.may_be_na:
        d["may_be_na"] = True
    return d


def to_dict(fw: FrameworkDef) -> dict[str, Any]:
    """:class:`FrameworkDef` → nested dict (inverse of :func:`parse_dict`).

    Raises :class:`FrameworkFormatError` when the node list is not a single tree.
    """
    d: dict[str, Any] = {
        "index": fw.index,
        "code": fw.code,
        "name_vi": fw.name_vi,
        "name_en": fw.name_en,
        "valid_from": fw.valid_from,
        "valid_to": fw.valid_to,
        "complete": fw.complete,
        "incomplete_note": fw.incomplete_note,
        "source": fw.source,
        "unit_kind": fw.unit_kind,
        "value_kind": fw.value_kind,
        "precision": fw.precision,
        "tolerance": _clean_number(fw.tolerance),
        "grouping": fw.grouping,
        **_declaration_dict(fw.index_def),
        "root": None,
    }
    if not fw.nodes:
        return d
    by_parent: dict[str | None, list[NodeRow]] = {}
    for n in fw.nodes:
        by_parent.setdefault(n.parent or None, []).append(n)
    roots = by_parent.get(None, [])
    if len(roots) != 1:
        raise FrameworkFormatError("Cây chỉ số phải có đúng một nút gốc.")
    seen: set[str] = set()

    def build(n: NodeRow) -> dict[str, Any]:
        if n.code in seen:
            raise FrameworkFormatError(f"Mã '{n.code}' bị trùng hoặc tạo vòng lặp.")
        seen.add(n.code)
        nd = _node_to_dict(n)
        kids = sorted(by_parent.get(n.code, []), key=lambda k: k.order)
        if kids:
            nd["children"] = [build(k) for k in kids]
        return nd

    d["root"] = build(roots[0])
    if len(seen) != len(fw.nodes):
        raise FrameworkFormatError("Có nút không nối được về nút gốc.")
    return d


def _declaration_dict(idx: IndexDef | None) -> dict[str, Any]:
    if idx is None:
        return {}
    out: dict[str, Any] = {"index_name_vi": idx.name_vi, "index_name_en": idx.name_en}
    if idx.short_name:
        out["index_short_name"] = idx.short_name
    if idx.short_name_en:
        out["index_short_name_en"] = idx.short_name_en
    if idx.aliases:
        out["index_aliases"] = list(idx.aliases)
    if idx.order is not None:
        out["index_order"] = idx.order
    out["levels"] = [
        {
            "code": lv.code,
            "name_vi": lv.name_vi,
            "name_en": lv.name_en,
            **({"aliases": list(lv.aliases)} if lv.aliases else {}),
        }
        for lv in idx.levels
    ]
    return out


def load_yaml(path: str | os.PathLike[str]) -> FrameworkDef:
    """Read a framework file; FrameworkFormatError (Vietnamese) when it is not YAML or not a framework."""
    try:
        with open(path, encoding="utf-8") as fh:
            data = safeyaml.load(fh.read(), max_bytes=4 * 1024 * 1024)
    except UnicodeDecodeError as exc:
        raise FrameworkFormatError("Tệp không phải văn bản UTF-8.") from exc
    except safeyaml.YamlRefused as exc:
        raise FrameworkFormatError(str(exc)) from exc
    return parse_dict(data)


def dump_yaml(fw: FrameworkDef) -> str:
    return yaml.safe_dump(to_dict(fw), allow_unicode=True, sort_keys=False, width=110)


def empty_framework(index: str = "", code: str = "") -> FrameworkDef:
    """A framework without nodes (``write_xlsx(empty_framework())`` is the blank template)."""
    return FrameworkDef(index=index, code=code, precision=2, tolerance=0.0)


FRAMEWORKS_DIR = Path(__file__).resolve().parent.parent / "data" / "frameworks"


def shipped_framework_paths() -> list[Path]:
    return sorted(FRAMEWORKS_DIR.glob("*.yaml"))


def load_shipped() -> dict[str, FrameworkDef]:
    """All frameworks shipped with chiso, by code."""
    out: dict[str, FrameworkDef] = {}
    for p in shipped_framework_paths():
        fw = load_yaml(p)
        out[fw.code] = fw
    return out


def shipped_indices() -> dict[str, IndexDef]:
    """The indices the shipped framework files declare, by code (the newest framework's declaration
    wins), in their declared order."""
    newest: dict[str, tuple[int, IndexDef]] = {}
    for fw in load_shipped().values():
        if fw.index_def is None:
            continue
        year = fw.valid_from or 0
        if fw.index not in newest or year >= newest[fw.index][0]:
            newest[fw.index] = (year, fw.index_def)
    found = [idx for _year, idx in newest.values()]
    found.sort(key=lambda i: (i.order if i.order is not None else 10_000, i.code))
    return {i.code: i for i in found}


# ---------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------

_SUM_EPS = 1e-6


def index_of(fw: FrameworkDef, known: Mapping[str, IndexDef] | None = None) -> IndexDef | None:
    """The index of ``fw``: as the file declares it, else as chiso knows it (None: unknown)."""
    if fw.index_def is not None:
        return fw.index_def
    return (known or {}).get(fw.index)


def _validate_index(fw: FrameworkDef, known: Mapping[str, IndexDef] | None, add: Any) -> IndexDef | None:
    if not fw.index:
        add(None, None, "Thiếu mã chỉ số (index).")
        return None
    if not INDEX_CODE_RE.match(fw.index):
        add(
            None,
            None,
            f"Mã chỉ số '{fw.index}' không hợp lệ: chỉ dùng chữ thường không dấu, chữ số, '-' hoặc '_', "
            "bắt đầu bằng chữ, tối đa 20 ký tự.",
        )
    idx = index_of(fw, known)
    if idx is None:
        names = ", ".join(sorted(known or {})) or "chưa có"
        add(
            None,
            None,
            f"Chỉ số '{fw.index}' chưa có trong chiso (đã có: {names}). Tệp của một chỉ số mới phải khai báo "
            "index_name_vi, index_name_en và levels (các cấp từ trên xuống), xem docs/methodology.md.",
        )
        return None
    if fw.index_def is None:
        return idx
    for problem in fw.index_problems:
        add(None, None, problem)
    if not idx.name_vi:
        add(None, None, "Thiếu tên tiếng Việt của chỉ số (index_name_vi).")
    if not idx.name_en:
        add(None, None, "Thiếu tên tiếng Anh của chỉ số (index_name_en).")
    seen: set[str] = set()
    for i, lv in enumerate(idx.levels, start=1):
        if not INDEX_CODE_RE.match(lv.code):
            add(
                None,
                None,
                f"Cấp thứ {i}: mã cấp '{lv.code}' không hợp lệ (chữ thường không dấu, chữ số, '_').",
            )
        elif lv.code in seen:
            add(None, None, f"Cấp thứ {i}: mã cấp '{lv.code}' bị trùng.")
        seen.add(lv.code)
        if not lv.name_vi:
            add(None, None, f"Cấp '{lv.code or i}' thiếu tên tiếng Việt (name_vi).")
    if fw.unit_kind not in UNIT_KINDS:
        add(
            None,
            None,
            f"Đơn vị được đánh giá '{fw.unit_kind}' không hợp lệ (cho phép: {', '.join(UNIT_KINDS)}).",
        )
    return idx


#: The sizes of the database columns these values go to (chiso.frameworks.models; a test keeps them
#: equal): checked here so that PostgreSQL never refuses an over-long value with a server error.
MAX_LENGTHS = {
    "index.name": 200,
    "index.short_name": 40,
    "framework.code": 60,
    "framework.name": 300,
    "node.code": 40,
    "node.name": 500,
}
MAX_YEAR = 9999


def _validate_lengths(fw: FrameworkDef, add: Callable[[int | None, str | None, str], None]) -> None:
    """Every value within its column; the message names the limit, never echoes the long value."""

    def check(row: int | None, value: str | None, key: str, what: str) -> None:
        if value is not None and len(value) > MAX_LENGTHS[key]:
            add(row, None, f"{what} dài quá {MAX_LENGTHS[key]} ký tự ({len(value)} ký tự).")

    if fw.index_def is not None:
        for value in (fw.index_def.name_vi, fw.index_def.name_en):
            check(None, value, "index.name", "Tên chỉ số")
        for value in (fw.index_def.short_name, fw.index_def.short_name_en):
            check(None, value, "index.short_name", "Tên ngắn của chỉ số")
    check(None, fw.code, "framework.code", "Mã bộ chỉ số")
    for value in (fw.name_vi, fw.name_en):
        check(None, value, "framework.name", "Tên bộ chỉ số")
    for year in (fw.valid_from, fw.valid_to):
        if year is not None and not 1 <= year <= MAX_YEAR:
            add(None, None, f"Năm áp dụng phải từ 1 đến {MAX_YEAR}.")
    for n in fw.nodes:
        check(n.row, n.code, "node.code", "Mã nút")
        for value in (n.name_vi, n.name_en):
            check(n.row, value, "node.name", "Tên nút")


def validate(fw: FrameworkDef, known: Mapping[str, IndexDef] | None = None) -> list[FrameworkError]:
    """Check a framework; return every problem found (empty list = valid). ``known`` are the indices
    chiso already has, by code: a file that does not declare its index must name one of them."""
    errs: list[FrameworkError] = []

    def add(row: int | None, code: str | None, text: str) -> None:
        errs.append(FrameworkError(row=row, code=code, message=_prefix(row, text)))

    # -- framework level -----------------------------------------------------
    idx = _validate_index(fw, known, add)
    _validate_lengths(fw, add)
    if not fw.code.strip():
        add(None, None, "Thiếu mã bộ chỉ số.")
    if fw.valid_from is not None and fw.valid_to is not None and fw.valid_from > fw.valid_to:
        add(None, None, f"Năm bắt đầu ({fw.valid_from}) lớn hơn năm kết thúc ({fw.valid_to}).")
    if fw.value_kind not in VALUE_KINDS:
        add(None, None, f"Kiểu giá trị '{fw.value_kind}' không hợp lệ (cho phép: points, percent).")
    if fw.precision is None or fw.precision < 0:
        add(None, None, "Số chữ số thập phân phải là số nguyên không âm.")
    if fw.tolerance is None or fw.tolerance < 0:
        add(None, None, "Sai số cho phép phải là số không âm.")
    if fw.complete and any(n.incomplete for n in fw.nodes):
        names = ", ".join(_node_label(n) for n in fw.nodes if n.incomplete)
        add(None, None, f"Bộ chỉ số được đánh dấu đầy đủ nhưng có nút chưa đầy đủ: {names}.")
    _validate_grouping(fw.grouping, add)

    if not fw.nodes:
        add(None, None, "Bộ chỉ số chưa có nút nào.")
        return errs

    # -- codes ---------------------------------------------------------------
    first_row: dict[str, NodeRow] = {}
    for n in fw.nodes:
        if not n.code.strip():
            add(n.row, None, "Thiếu mã của nút.")
            continue
        if n.code in first_row:
            other = first_row[n.code]
            where = f"dòng {other.row}" if other.row is not None else "một nút khác"
            add(n.row, n.code, f"Mã '{n.code}' bị trùng với {where}.")
        else:
            first_row[n.code] = n

    # -- roots / parents / cycles ---------------------------------------------
    roots = [n for n in fw.nodes if not n.parent]
    if not roots:
        add(None, None, "Không có nút gốc (nút không có mã cha).")
    elif len(roots) > 1:
        for extra in roots[1:]:
            add(
                extra.row,
                extra.code,
                f"Nút '{extra.code}' là nút gốc thứ hai (nút gốc đầu tiên là '{roots[0].code}'); "
                "chỉ được có một nút gốc.",
            )
    for n in fw.nodes:
        if n.parent and n.parent not in first_row:
            add(n.row, n.code, f"Mã cha '{n.parent}' không tồn tại.")
    reported_cycles: set[frozenset[str]] = set()
    for n in fw.nodes:
        path: list[str] = []
        cur: NodeRow | None = n
        while cur is not None and cur.parent:
            if cur.code in path:
                cycle = path[path.index(cur.code) :]
                members = frozenset(cycle)
                if members not in reported_cycles:
                    reported_cycles.add(members)
                    start = first_row.get(cycle[0], n)
                    chain = " → ".join([*cycle, cycle[0]])
                    add(start.row, start.code, f"Vòng lặp cha–con: {chain}.")
                break
            path.append(cur.code)
            cur = first_row.get(cur.parent)

    # -- per-node checks -----------------------------------------------------
    allowed_levels = idx.level_codes if idx is not None else ()
    for n in fw.nodes:
        if allowed_levels and n.level not in allowed_levels:
            add(
                n.row,
                n.code,
                f"Cấp '{n.level}' của nút '{n.code}' không hợp lệ cho chỉ số "
                f"{idx.label if idx else fw.index} (cho phép: {', '.join(allowed_levels)}).",
            )
        if n.aggregation not in AGGREGATIONS:
            add(
                n.row,
                n.code,
                f"Cách tổng hợp '{n.aggregation}' của nút '{n.code}' không hợp lệ "
                f"(cho phép: {', '.join(AGGREGATIONS)}).",
            )
        if n.source_kind is not None and n.source_kind not in SOURCE_KINDS:
            add(
                n.row,
                n.code,
                f"Nguồn điểm '{n.source_kind}' của nút '{n.code}' không hợp lệ "
                f"(cho phép: {', '.join(SOURCE_KINDS)}).",
            )
        if n.name_vi_source is not None and n.name_vi_source not in NAME_VI_SOURCES:
            add(n.row, n.code, f"Nguồn tên tiếng Việt '{n.name_vi_source}' không hợp lệ.")
        if not n.name_vi.strip():
            add(n.row, n.code, f"Nút '{n.code}' thiếu tên tiếng Việt.")
        if n.max is not None and n.min is not None and n.max < n.min:
            add(
                n.row,
                n.code,
                f"Nút '{n.code}': điểm tối đa ({format_number(n.max)}) nhỏ hơn "
                f"điểm tối thiểu ({format_number(n.min)}).",
            )
        if n.weight is not None and n.weight <= 0:
            add(n.row, n.code, f"Nút '{n.code}': trọng số phải lớn hơn 0.")
        _validate_scoring(n, add)

    # -- aliases unique (accent/case-insensitive) ------------------------------
    owner: dict[str, NodeRow] = {}
    for n in fw.nodes:
        for label in dict.fromkeys((n.code, *n.aliases)):
            key = fold(label)
            if not key:
                continue
            prev = owner.get(key)
            if prev is None:
                owner[key] = n
            elif prev is not n and prev.code != n.code:
                add(
                    n.row,
                    n.code,
                    f"Tên cột '{label}' của nút '{n.code}' đã được dùng cho nút '{prev.code}'.",
                )

    # -- derivation checks ------------------------------------------------------
    kids: dict[str, list[NodeRow]] = {}
    for n in fw.nodes:
        if n.parent:
            kids.setdefault(n.parent, []).append(n)
    for n in fw.nodes:
        children = [c for c in kids.get(n.code, []) if c.contributes]
        if not children:
            continue
        if n.aggregation == "weighted":
            for c in children:
                if c.weight is None:
                    add(
                        c.row,
                        c.code,
                        f"Nút '{c.code}' thiếu trọng số (nút cha '{n.code}' tổng hợp có trọng số).",
                    )
        if n.incomplete or n.max is None or any(c.max is None for c in children):
            continue
        maxima = [c.max for c in children if c.max is not None and not c.bonus]
        if n.aggregation == "capped" and (n.max is None or n.min is None):
            add(n.row, n.code, f"Nút '{n.code}' tổng có giới hạn cần cả điểm tối đa và điểm tối thiểu.")
        if n.aggregation == "sum":
            total = math.fsum(maxima)
            if abs(total - n.max) > _SUM_EPS:
                add(
                    n.row,
                    n.code,
                    f"Nút '{n.code}': tổng điểm tối đa của các nút con ({format_number(total)}) "
                    f"khác điểm tối đa của nút ({format_number(n.max)}).",
                )
        elif n.aggregation == "mean":
            avg = math.fsum(maxima) / len(maxima)
            if abs(avg - n.max) > _SUM_EPS:
                add(
                    n.row,
                    n.code,
                    f"Nút '{n.code}': trung bình điểm tối đa của các nút con ({format_number(avg)}) "
                    f"khác điểm tối đa của nút ({format_number(n.max)}).",
                )
    return errs


def _validate_scoring(n: NodeRow, add: Any) -> None:
    """The assessment keys of a node: a positive step, a well-formed rule whose scores fit the node."""
    if n.step is not None and not n.step > 0:
        add(n.row, n.code, f"Nút '{n.code}': bước điểm phải lớn hơn 0.")
    if n.rule is None:
        return
    try:
        rule = parse_rule(n.rule)
    except RuleError as exc:
        add(n.row, n.code, f"Nút '{n.code}': {exc}")
        return
    for problem in rule_problems(rule, n.max, n.min):
        add(n.row, n.code, f"Nút '{n.code}': {problem}")


def _validate_grouping(grouping: dict[str, Any] | None, add: Any) -> None:
    if grouping is None:
        return
    if not isinstance(grouping, dict):
        add(None, None, "Quy tắc xếp nhóm phải là một bảng khóa–giá trị (JSON object) hoặc để trống.")
        return
    kind = grouping.get("kind")
    if kind not in GROUPING_KINDS:
        add(None, None, f"Kiểu xếp nhóm '{kind}' không hợp lệ (cho phép: quantile, threshold).")
    levels = grouping.get("levels")
    if levels is not None and (
        not isinstance(levels, list) or not all(isinstance(x, str) and x.strip() for x in levels)
    ):
        add(None, None, "Các cấp xếp nhóm (levels) phải là danh sách mã cấp, ví dụ [dimension].")
    groups = grouping.get("groups")
    if not isinstance(groups, list) or not groups:
        add(None, None, "Quy tắc xếp nhóm phải có danh sách nhóm (groups).")
        return
    previous: float | None = None
    for i, g in enumerate(groups, start=1):
        if not isinstance(g, dict) or not str(g.get("label") or "").strip():
            add(None, None, f"Nhóm thứ {i} trong quy tắc xếp nhóm thiếu tên (label).")
            continue
        lower = g.get("lower")
        if lower is None:
            if i != len(groups):
                add(None, None, f"Chỉ nhóm cuối cùng được để trống ngưỡng dưới (nhóm '{g['label']}').")
            continue
        try:
            lv = parse_number(lower)
        except ValueError:
            add(None, None, f"Ngưỡng dưới của nhóm '{g['label']}' không phải là số.")
            continue
        if previous is not None and lv is not None and lv >= previous:
            add(None, None, f"Các ngưỡng xếp nhóm phải giảm dần (nhóm '{g['label']}').")
        previous = lv


# ---------------------------------------------------------------------------
# XLSX template
# ---------------------------------------------------------------------------

#: Columns of the "Cây chỉ số" sheet: (key, Vietnamese header).
TEMPLATE_COLUMNS: list[tuple[str, str]] = [
    ("code", "Mã"),
    ("parent", "Mã cha"),
    ("level", "Cấp"),
    ("name_vi", "Tên tiếng Việt"),
    ("name_en", "Tên tiếng Anh"),
    ("max", "Điểm tối đa"),
    ("min", "Điểm tối thiểu"),
    ("aggregation", "Cách tổng hợp"),
    ("weight", "Trọng số"),
    ("contributes", "Tính vào nút cha"),
    ("source_kind", "Nguồn điểm"),
    ("aliases", "Tên cột khác (cách nhau bởi ;)"),
    ("incomplete", "Chưa đầy đủ"),
    ("name_vi_source", "Nguồn tên tiếng Việt"),
    ("note", "Ghi chú"),
    ("step", "Bước điểm"),
    ("rule", "Quy tắc chấm điểm (JSON)"),
    ("bonus", "Điểm thưởng"),
    ("may_be_na", "Có thể không áp dụng"),
]

#: Rows of the "Thông tin" sheet: (key, Vietnamese label).
METADATA_FIELDS: list[tuple[str, str]] = [
    ("index", "Chỉ số"),
    ("code", "Mã bộ chỉ số"),
    ("name_vi", "Tên"),
    ("name_en", "Tên tiếng Anh"),
    ("valid_from", "Năm bắt đầu"),
    ("valid_to", "Năm kết thúc"),
    ("complete", "Đầy đủ"),
    ("incomplete_note", "Phần chưa đầy đủ"),
    ("source", "Nguồn"),
    ("unit_kind", "Đơn vị được đánh giá"),
    ("value_kind", "Thang điểm/Kiểu giá trị"),
    ("precision", "Số chữ số thập phân"),
    ("tolerance", "Sai số cho phép"),
    ("grouping", "Quy tắc xếp nhóm"),
    # the index, declared by the file (a new index; see IndexDef)
    ("index_name_vi", "Tên chỉ số"),
    ("index_name_en", "Tên chỉ số tiếng Anh"),
    ("index_short_name", "Tên ngắn của chỉ số"),
    ("index_short_name_en", "Tên ngắn tiếng Anh của chỉ số"),
    ("index_aliases", "Tên khác của chỉ số (cách nhau bởi ;)"),
    ("index_order", "Thứ tự chỉ số"),
]

#: Columns of the "Cấp" sheet (the levels of the index, from the top down).
LEVEL_COLUMNS: list[tuple[str, str]] = [
    ("code", "Mã cấp"),
    ("name_vi", "Tên tiếng Việt"),
    ("name_en", "Tên tiếng Anh"),
    ("aliases", "Tên khác (cách nhau bởi ;)"),
]

SHEET_INFO = "Thông tin"
SHEET_TREE = "Cây chỉ số"
SHEET_LEVELS = "Cấp"
SHEET_HELP = "Hướng dẫn"


def _header_key(label: Any, table: list[tuple[str, str]]) -> str | None:
    f = fold(label)
    if not f:
        return None
    for key, header in table:
        hf = fold(header)
        short = fold(re.sub(r"\(.*?\)", "", header))
        if f in (hf, short, fold(key)):
            return key
    return None


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _open_calamine(path_or_bytes: str | os.PathLike[str] | bytes | BinaryIO) -> CalamineWorkbook:
    import python_calamine

    if isinstance(path_or_bytes, bytes | bytearray):
        return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(bytes(path_or_bytes)))
    if isinstance(path_or_bytes, str | os.PathLike):
        return python_calamine.CalamineWorkbook.from_path(os.fspath(path_or_bytes))
    return python_calamine.CalamineWorkbook.from_filelike(path_or_bytes)  # a binary file object


def _raw_bytes(path_or_bytes: str | os.PathLike[str] | bytes | BinaryIO) -> bytes:
    if isinstance(path_or_bytes, bytes | bytearray):
        return bytes(path_or_bytes)
    if isinstance(path_or_bytes, str | os.PathLike):
        with open(path_or_bytes, "rb") as fh:
            return fh.read()
    return path_or_bytes.read()


def _sheet_rows(wb: CalamineWorkbook, wanted: str) -> list[list[Any]] | None:
    for name in wb.sheet_names:
        if fold(name) == fold(wanted):
            return wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
    return None


def _xlsx_levels(rows: list[list[Any]] | None) -> list[dict[str, Any]]:
    """The "Cấp" sheet as ``levels`` entries (header row found by its "Mã cấp" column)."""
    if not rows:
        return []
    for i, r in enumerate(rows):
        cols = {_header_key(v, LEVEL_COLUMNS): j for j, v in enumerate(r)}
        cols.pop(None, None)
        if "code" in cols:
            out = []
            for r2 in rows[i + 1 :]:
                cell = {k: _cell_text(r2[j]) if j < len(r2) else "" for k, j in cols.items() if k}
                if any(cell.values()):
                    out.append({**cell, "aliases": cell.get("aliases") or None})
            return out
    return []


def read_xlsx(
    path_or_bytes: str | os.PathLike[str] | bytes | BinaryIO,
    known: Mapping[str, IndexDef] | None = None,
) -> tuple[FrameworkDef | None, list[FrameworkError]]:
    """Read a filled template.  Returns ``(framework, [])`` or ``(None, errors)``. ``known``: the indices
    chiso has (by code), for naming the index in words ("PAR INDEX") and for its levels.

    Errors carry the 1-based spreadsheet row of the "Cây chỉ số" sheet (metadata errors have no row).
    """
    errs: list[FrameworkError] = []
    try:
        raw = _raw_bytes(path_or_bytes)
        check_archive(raw)
        wb = _open_calamine(io.BytesIO(raw))
    except SpreadsheetRefused as exc:
        return None, [FrameworkError(None, None, f"Không đọc được tệp Excel: {exc}")]
    except Exception as exc:  # calamine raises several exception types for unreadable files
        return None, [FrameworkError(None, None, f"Không đọc được tệp Excel: {exc}.")]

    info = _sheet_rows(wb, SHEET_INFO)
    tree = _sheet_rows(wb, SHEET_TREE)
    if info is None:
        errs.append(FrameworkError(None, None, f"Thiếu trang '{SHEET_INFO}'."))
    if tree is None:
        errs.append(FrameworkError(None, None, f"Thiếu trang '{SHEET_TREE}'."))
    if info is None or tree is None:
        return None, errs

    meta: dict[str, Any] = {}
    for r in info:
        if not r:
            continue
        key = _header_key(r[0], METADATA_FIELDS)
        if key and key not in meta:
            meta[key] = r[1] if len(r) > 1 else None

    def meta_err(text: str) -> None:
        errs.append(FrameworkError(None, None, text))

    index_raw = _cell_text(meta.get("index"))
    index = match_index(index_raw, (known or {}).values()) or index_raw.strip().lower()
    fw = FrameworkDef(index=index, code=_cell_text(meta.get("code")))
    fw.name_vi = _cell_text(meta.get("name_vi"))
    fw.name_en = _cell_text(meta.get("name_en"))
    fw.incomplete_note = _cell_text(meta.get("incomplete_note")) or None
    fw.source = _cell_text(meta.get("source")) or None
    fw.unit_kind = _cell_text(meta.get("unit_kind")) or "province"
    fw.value_kind = _vocab_lookup(meta.get("value_kind") or "points", VALUE_KINDS, VALUE_KIND_VI, {})
    for key, label in (("valid_from", "Năm bắt đầu"), ("valid_to", "Năm kết thúc")):
        try:
            setattr(fw, key, _parse_int(meta.get(key)))
        except ValueError:
            meta_err(f"{label} '{_cell_text(meta.get(key))}' không phải là năm.")
    try:
        fw.complete = _parse_bool(meta.get("complete"), False)
    except ValueError:
        meta_err(f"Đầy đủ: giá trị '{_cell_text(meta.get('complete'))}' phải là 'có' hoặc 'không'.")
    try:
        p = _parse_int(meta.get("precision"))
        fw.precision = 2 if p is None else p
    except ValueError:
        meta_err("Số chữ số thập phân phải là số nguyên.")
    try:
        fw.tolerance = parse_number(meta.get("tolerance")) or 0.0
    except ValueError:
        meta_err("Sai số cho phép phải là số.")
    grouping_text = _cell_text(meta.get("grouping"))
    if grouping_text and fold(grouping_text) not in {"null", "khong", "none"}:
        try:
            fw.grouping = json.loads(grouping_text)
        except json.JSONDecodeError as exc:
            meta_err(f"Quy tắc xếp nhóm không phải JSON hợp lệ: {exc.msg}.")
    declaration: dict[str, Any] = {k: meta.get(k) for k in _INDEX_KEYS if k != "levels"}
    declaration["index_aliases"] = _cell_text(declaration.get("index_aliases")) or None
    declaration["levels"] = _xlsx_levels(_sheet_rows(wb, SHEET_LEVELS)) or None
    if any(v not in (None, "", []) for v in declaration.values()):
        fw.index_def, fw.index_problems = _index_declaration(fw, declaration)
    index_def = index_of(fw, known)

    # -- node rows -----------------------------------------------------------
    header_idx = None
    colmap: dict[str, int] = {}
    for i, r in enumerate(tree):
        keys = {_header_key(v, TEMPLATE_COLUMNS): j for j, v in enumerate(r)}
        keys.pop(None, None)
        if "code" in keys:
            header_idx = i
            colmap = {k: j for k, j in keys.items() if k is not None}
            break
    if header_idx is None:
        errs.append(FrameworkError(None, None, f"Trang '{SHEET_TREE}' thiếu dòng tiêu đề có cột 'Mã'."))
        return None, errs

    nodes: list[NodeRow] = []
    for i in range(header_idx + 1, len(tree)):
        r = tree[i]
        rowno = i + 1

        def cell(key: str, r: list[Any] = r) -> Any:
            j = colmap.get(key)
            if j is None or j >= len(r):
                return None
            v = r[j]
            return None if v == "" else v

        if all(_cell_text(v) == "" for v in r):
            continue

        def num(key: str, label: str, rowno: int = rowno, cell: Any = cell) -> float | None:
            try:
                return _node_number(cell(key))
            except ValueError:
                errs.append(
                    FrameworkError(rowno, _cell_text(cell("code")) or None,
                                   f"Dòng {rowno}: {label} '{_cell_text(cell(key))}' không phải là số.")
                )  # fmt: skip
                return None

        def boolean(key: str, label: str, default: bool, rowno: int = rowno, cell: Any = cell) -> bool:
            try:
                return _parse_bool(cell(key), default)
            except ValueError:
                errs.append(
                    FrameworkError(rowno, _cell_text(cell("code")) or None,
                                   f"Dòng {rowno}: {label} '{_cell_text(cell(key))}' phải là 'có' hoặc 'không'.")
                )  # fmt: skip
                return default

        agg_raw = cell("aggregation")
        nodes.append(
            NodeRow(
                code=_cell_text(cell("code")),
                parent=_cell_text(cell("parent")) or None,
                level=_level_lookup(cell("level"), index_def),
                name_vi=_cell_text(cell("name_vi")),
                name_en=_cell_text(cell("name_en")),
                max=num("max", "điểm tối đa"),
                min=num("min", "điểm tối thiểu"),
                aggregation=_vocab_lookup(agg_raw, AGGREGATIONS, AGGREGATION_VI, _EXTRA_AGGREGATION_WORDS)
                if agg_raw is not None
                else "sum",
                weight=num("weight", "trọng số"),
                contributes=boolean("contributes", "tính vào nút cha", True),
                source_kind=_vocab_lookup(
                    cell("source_kind"), SOURCE_KINDS, SOURCE_KIND_VI, _EXTRA_SOURCE_WORDS
                )
                or None,
                aliases=_aliases(_cell_text(cell("aliases"))),
                incomplete=boolean("incomplete", "chưa đầy đủ", False),
                note=_cell_text(cell("note")) or None,
                name_vi_source=_vocab_lookup(cell("name_vi_source"), NAME_VI_SOURCES, NAME_VI_SOURCE_VI, {})
                or None,
                step=num("step", "bước điểm"),
                rule=_xlsx_rule(cell("rule"), rowno, errs),
                bonus=boolean("bonus", "điểm thưởng", False),
                may_be_na=boolean("may_be_na", "có thể không áp dụng", False),
                row=rowno,
            )
        )
    fw.nodes = _preorder(nodes)
    errs.extend(validate(fw, known))
    if errs:
        return None, errs
    return fw, []


def _xlsx_rule(value: Any, rowno: int, errs: list[FrameworkError]) -> dict[str, Any] | None:
    text = _cell_text(value)
    if not text:
        return None
    try:
        rule = json.loads(text)
    except json.JSONDecodeError as exc:
        errs.append(
            FrameworkError(rowno, None, f"Dòng {rowno}: quy tắc chấm điểm không phải JSON hợp lệ: {exc.msg}.")
        )
        return None
    if not isinstance(rule, dict):
        errs.append(
            FrameworkError(rowno, None, f"Dòng {rowno}: quy tắc chấm điểm phải là một đối tượng JSON.")
        )
        return None
    return rule


def _preorder(nodes: list[NodeRow]) -> list[NodeRow]:
    """Order rows parents-before-children (stable) and number siblings; leave broken trees as given."""
    codes = [n.code for n in nodes]
    if len(set(codes)) != len(codes):
        return _number_siblings(nodes)
    by_parent: dict[str | None, list[NodeRow]] = {}
    for n in nodes:
        by_parent.setdefault(n.parent, []).append(n)
    out: list[NodeRow] = []
    seen: set[str] = set()

    def visit(n: NodeRow) -> None:
        if n.code in seen:
            return
        seen.add(n.code)
        out.append(n)
        for c in by_parent.get(n.code, []):
            visit(c)

    for r in by_parent.get(None, []):
        visit(r)
    if len(out) != len(nodes):
        return _number_siblings(nodes)
    return _number_siblings(out)


def _number_siblings(nodes: list[NodeRow]) -> list[NodeRow]:
    counter: dict[str | None, int] = {}
    out = []
    for n in nodes:
        counter[n.parent] = counter.get(n.parent, 0) + 1
        out.append(replace(n, order=counter[n.parent]))
    return out


def _xlsx_value(key: str, n: NodeRow, index: IndexDef | None) -> Any:
    v = getattr(n, key)
    if key == "level":
        level = index.level(v) if index is not None else None
        return level.name_vi if level is not None else v
    if key == "aggregation":
        return AGGREGATION_VI.get(v, v)
    if key == "source_kind":
        return SOURCE_KIND_VI.get(v, v) if v else None
    if key == "name_vi_source":
        return NAME_VI_SOURCE_VI.get(v, v) if v else None
    if key == "rule":
        return json.dumps(v, ensure_ascii=False) if v is not None else None
    if key in ("bonus", "may_be_na"):
        return "có" if v else None
    if key in ("contributes", "incomplete"):
        return "có" if v else "không"
    if key == "aliases":
        return "; ".join(v) if v else None
    if key in ("max", "min", "weight"):
        return _clean_number(v)
    return v if v not in ("",) else None


def write_xlsx(
    fw: FrameworkDef, path_or_buffer: str | os.PathLike[str] | BinaryIO, index: IndexDef | None = None
) -> None:
    """Write ``fw`` as a filled template (an empty framework gives the blank template). The index (as the
    file declares it, else ``index``) is written too — names on "Thông tin", levels on "Cấp" — so the file
    alone can install the framework in another chiso."""
    idx = fw.index_def or index
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.worksheet import Worksheet

    wb = Workbook()
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")

    ws = wb.active  # a new workbook has exactly one sheet, a worksheet
    assert isinstance(ws, Worksheet)
    ws.title = SHEET_INFO
    safe_append(ws, ["Mục", "Giá trị"])
    meta_values: dict[str, Any] = {
        "index": fw.index or None,
        "code": fw.code or None,
        "name_vi": fw.name_vi or None,
        "name_en": fw.name_en or None,
        "valid_from": fw.valid_from,
        "valid_to": fw.valid_to,
        "complete": "có" if fw.complete else "không",
        "incomplete_note": fw.incomplete_note,
        "source": fw.source,
        "unit_kind": fw.unit_kind,
        "value_kind": VALUE_KIND_VI.get(fw.value_kind, fw.value_kind),
        "precision": fw.precision,
        "tolerance": _clean_number(fw.tolerance),
        "grouping": json.dumps(fw.grouping, ensure_ascii=False) if fw.grouping is not None else None,
        "index_name_vi": idx.name_vi if idx else None,
        "index_name_en": idx.name_en if idx else None,
        "index_short_name": (idx.short_name or None) if idx else None,
        "index_short_name_en": (idx.short_name_en or None) if idx else None,
        "index_aliases": "; ".join(idx.aliases) if idx and idx.aliases else None,
        "index_order": idx.order if idx else None,
    }
    for key, label in METADATA_FIELDS:
        safe_append(ws, [label, meta_values[key]])
    for c in ws[1]:
        c.font, c.fill = bold, fill
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 100
    for row in ws.iter_rows(min_row=2, min_col=2, max_col=2):
        for c in row:
            c.alignment = Alignment(wrap_text=True, vertical="top")

    wt = wb.create_sheet(SHEET_TREE)
    safe_append(wt, [h for _, h in TEMPLATE_COLUMNS])
    for n in fw.nodes:
        safe_append(wt, [_xlsx_value(k, n, idx) for k, _ in TEMPLATE_COLUMNS])
    for c in wt[1]:
        c.font, c.fill = bold, fill
    wt.freeze_panes = "A2"
    widths = {"code": 12, "parent": 10, "level": 20, "name_vi": 60, "name_en": 45, "aliases": 40, "note": 60}
    from openpyxl.utils import get_column_letter

    for j, (key, _) in enumerate(TEMPLATE_COLUMNS, start=1):
        wt.column_dimensions[get_column_letter(j)].width = widths.get(key, 14)
    last = max(len(fw.nodes) + 1, 500)
    col = {k: get_column_letter(j) for j, (k, _) in enumerate(TEMPLATE_COLUMNS, start=1)}
    lists = {
        "aggregation": list(AGGREGATION_VI.values()),
        "source_kind": list(SOURCE_KIND_VI.values()),
        "contributes": ["có", "không"],
        "bonus": ["có", "không"],
        "may_be_na": ["có", "không"],
        "incomplete": ["có", "không"],
        "name_vi_source": list(NAME_VI_SOURCE_VI.values()),
    }
    for key, options in lists.items():
        dv = DataValidation(type="list", formula1='"' + ",".join(options) + '"', allow_blank=True)
        dv.showErrorMessage = False  # only a suggestion list; the reader accepts more spellings
        dv.add(f"{col[key]}2:{col[key]}{last}")
        wt.add_data_validation(dv)

    wl = wb.create_sheet(SHEET_LEVELS)
    safe_append(wl, [h for _, h in LEVEL_COLUMNS])
    for lv in idx.levels if idx else ():
        safe_append(wl, [lv.code, lv.name_vi, lv.name_en or None, "; ".join(lv.aliases) or None])
    for c in wl[1]:
        c.font, c.fill = bold, fill
    for letter, width in zip("ABCD", (16, 30, 30, 40), strict=True):
        wl.column_dimensions[letter].width = width

    wh = wb.create_sheet(SHEET_HELP)
    safe_append(wh, ["Cột", "Giá trị được chấp nhận"])
    safe_append(wh, ["Mã", "Mã duy nhất của nút, ví dụ D1, D1.1, F3, APPRAISAL."])
    safe_append(wh, ["Mã cha", "Mã của nút cha; để trống cho nút gốc (chỉ một nút gốc)."])
    if idx is not None and idx.levels:
        safe_append(wh, [f"Cấp ({idx.label})", "; ".join(f"{lv.name_vi} ({lv.code})" for lv in idx.levels)])
    safe_append(
        wh,
        [
            f"Trang '{SHEET_LEVELS}'",
            "Các cấp của chỉ số, từ trên xuống (mã, tên tiếng Việt, tên tiếng Anh). Bắt buộc với chỉ số mới, "
            "cùng Tên chỉ số và Tên chỉ số tiếng Anh ở trang 'Thông tin'.",
        ],
    )
    safe_append(wh, ["Cách tổng hợp", "; ".join(f"{v} ({k})" for k, v in AGGREGATION_VI.items())])
    safe_append(wh, ["Nguồn điểm", "; ".join(f"{v} ({k})" for k, v in SOURCE_KIND_VI.items())])
    safe_append(wh, ["Tính vào nút cha / Chưa đầy đủ", "có / không"])
    safe_append(wh, ["Số thập phân", "Viết 2,5 hoặc 2.5; phân số như 10/3 cũng được."])
    safe_append(wh, ["Thang điểm/Kiểu giá trị", "điểm (points) hoặc phần trăm (percent)"])
    safe_append(
        wh, ["Quy tắc xếp nhóm", 'JSON, ví dụ {"kind": "threshold", "groups": [{"label": "A", "lower": 90}]}']
    )
    for c in wh[1]:
        c.font, c.fill = bold, fill
    wh.column_dimensions["A"].width = 32
    wh.column_dimensions["B"].width = 110

    if isinstance(path_or_buffer, str | os.PathLike):
        wb.save(os.fspath(path_or_buffer))
    else:
        wb.save(path_or_buffer)
