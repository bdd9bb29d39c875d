"""Task library (thư viện nhiệm vụ): reusable improvement tasks per index node.

The library is seeded from real improvement plans (Kế hoạch) typed in as data — one YAML file per plan in
``chiso/data/task_library/`` with a ``source`` block (seed file, issuer, document, year, frameworks) and a
list of ``tasks``.  Each task keeps the plan's own words, the node codes it serves, the lead unit (chủ trì),
the coordinating units (phối hợp), the product (sản phẩm), the deadline as written, a recurrence and the
line of the seed text where it is quoted from, so anyone can check it.

Pure Python — no Django.  User-facing messages are Vietnamese.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "ACTIVITIES",
    "RECURRENCES",
    "GENERAL",
    "activity_of",
    "LibraryTask",
    "TaskLibraryFormatError",
    "load_library",
    "load_file",
    "shipped_library_dir",
    "validate_library",
    "tasks_for",
    "node_ancestors",
    "CROSSWALK_FILE",
    "Crosswalk",
    "apply_crosswalk",
    "load_crosswalk",
    "validate_crosswalk",
]

#: The file of a library folder that maps older node codes to current ones (not a list of tasks).
CROSSWALK_FILE = "crosswalk.yaml"

#: Index of a task that serves every index of its plan rather than one.
GENERAL = "general"
RECURRENCES: tuple[str, ...] = ("none", "continuous", "quarterly", "semiannual", "annual")
#: Kinds of work a task may be, for the plan sections by activity ("" = the specialist work of a content).
ACTIVITIES: tuple[str, ...] = ("direction", "training", "inspection", "survey")


class TaskLibraryFormatError(ValueError):
    """A library file cannot be read at all (not YAML, wrong shape)."""


@dataclass
class LibraryTask:
    """One reusable task of the library, with the source it was typed in from."""

    id: str
    text: str
    index: str
    nodes: tuple[str, ...] = ()
    lead: str = ""
    coordinating: tuple[str, ...] = ()
    product: str = ""
    deadline: str = ""
    recurrence: str = "none"
    quote_line: int | None = None
    #: Kind of work (one of ACTIVITIES) when the file says it; else read from the words (activity_of).
    activity: str = ""
    #: Source of the task (the ``source`` block of its file).
    seed: str = ""
    issuer: str = ""
    document: str = ""
    year: int | None = None
    #: Framework code the node codes belong to (``source.frameworks[index]``), if given.
    framework: str = ""
    #: File the task was loaded from (for messages only).
    file: str = field(default="", compare=False)


def shipped_library_dir() -> Path:
    """Folder of the shipped library files (``chiso/data/task_library``)."""
    return Path(__file__).resolve().parent.parent / "data" / "task_library"


def _str(value: Any) -> str:
    if value is None:
        return ""
    return str(value).strip()


def _str_list(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        return (_str(value),)
    return tuple(s for s in (_str(v) for v in value) if s)


def _int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _parse(data: Any, file: str) -> list[LibraryTask]:
    if not isinstance(data, Mapping):
        raise TaskLibraryFormatError(
            f"{file}: tệp thư viện nhiệm vụ phải là một bảng YAML có 'source' và 'tasks'."
        )
    source = data.get("source") or {}
    if not isinstance(source, Mapping):
        raise TaskLibraryFormatError(f"{file}: 'source' phải là một bảng.")
    raw_tasks = data.get("tasks") or []
    if not isinstance(raw_tasks, list):
        raise TaskLibraryFormatError(f"{file}: 'tasks' phải là một danh sách.")
    frameworks = source.get("frameworks") or {}
    if not isinstance(frameworks, Mapping):
        frameworks = {}
    out: list[LibraryTask] = []
    for pos, raw in enumerate(raw_tasks, 1):
        if not isinstance(raw, Mapping):
            raise TaskLibraryFormatError(f"{file}: nhiệm vụ thứ {pos} phải là một bảng.")
        index = _str(raw.get("index")).lower()
        out.append(
            LibraryTask(
                id=_str(raw.get("id")),
                text=_str(raw.get("text")),
                index=index,
                nodes=_str_list(raw.get("nodes")),
                lead=_str(raw.get("lead")),
                coordinating=_str_list(raw.get("coordinating")),
                product=_str(raw.get("product")),
                deadline=_str(raw.get("deadline")),
                recurrence=_str(raw.get("recurrence")).lower() or "none",
                quote_line=_int(raw.get("quote_line")),
                activity=_str(raw.get("activity")).lower(),
                seed=_str(source.get("seed")),
                issuer=_str(source.get("issuer")),
                document=_str(source.get("document")),
                year=_int(source.get("year")),
                framework=_str(frameworks.get(index)),
                file=file,
            )
        )
    return out


def load_file(path: str | os.PathLike[str]) -> list[LibraryTask]:
    """Read one library file."""
    p = Path(path)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise TaskLibraryFormatError(f"{p.name}: không đọc được YAML ({exc}).") from exc
    return _parse(data, p.name)


def load_library(directory: str | os.PathLike[str] | None = None) -> list[LibraryTask]:
    """Read every ``*.yaml`` file of ``directory`` (default: the shipped library), in file-name order."""
    d = Path(directory) if directory is not None else shipped_library_dir()
    tasks: list[LibraryTask] = []
    for p in sorted(d.glob("*.yaml")):
        if p.name != CROSSWALK_FILE:
            tasks.extend(load_file(p))
    return tasks


@dataclass
class Crosswalk:
    """Older node codes → current ones, per framework (``frameworks[old] = (new framework, {code:
    [codes]})``); codes added to single tasks (``tasks[id]``); tasks also serving another index
    (``serves``: (task id, index, node codes))."""

    frameworks: dict[str, tuple[str, dict[str, tuple[str, ...]]]] = field(default_factory=dict)
    tasks: dict[str, tuple[str, ...]] = field(default_factory=dict)
    serves: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)


def load_crosswalk(directory: str | os.PathLike[str] | None = None) -> Crosswalk:
    """The crosswalk of a library folder (default: the shipped library); empty when it has none."""
    d = Path(directory) if directory is not None else shipped_library_dir()
    p = d / CROSSWALK_FILE
    if not p.exists():
        return Crosswalk()
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise TaskLibraryFormatError(f"{p.name}: không đọc được YAML ({exc}).") from exc
    if not isinstance(data, Mapping):
        raise TaskLibraryFormatError(f"{p.name}: phải là một bảng YAML.")
    cw = Crosswalk()
    for old, spec in (data.get("frameworks") or {}).items():
        if not isinstance(spec, Mapping):
            raise TaskLibraryFormatError(f"{p.name}: bộ chỉ số '{old}' phải là một bảng (to, nodes).")
        nodes = {str(k): _str_list(v) for k, v in (spec.get("nodes") or {}).items()}
        cw.frameworks[str(old)] = (_str(spec.get("to")), nodes)
    cw.tasks = {str(k): _str_list(v) for k, v in (data.get("tasks") or {}).items()}
    for raw in data.get("serves") or []:
        if not isinstance(raw, Mapping):
            raise TaskLibraryFormatError(
                f"{p.name}: mỗi dòng 'serves' phải là một bảng (from, index, nodes)."
            )
        cw.serves.append((_str(raw.get("from")), _str(raw.get("index")).lower(), _str_list(raw.get("nodes"))))
    return cw


def apply_crosswalk(
    tasks: Iterable[LibraryTask], cw: Crosswalk, frameworks: Mapping[str, str]
) -> list[LibraryTask]:
    """The tasks with the current codes added after their own (a task of an older framework: its codes
    mapped; a task named in ``cw.tasks``: those codes), then one new task per ``serves`` line (id
    ``<id>-<index>``, same words and source, the other index's codes; ``frameworks``: index → framework
    code of those codes)."""
    from dataclasses import replace

    out: list[LibraryTask] = []
    by_id: dict[str, LibraryTask] = {}
    for t in tasks:
        nodes = list(t.nodes)
        mapped = cw.frameworks.get(t.framework)
        if mapped is not None:
            for code in t.nodes:
                nodes.extend(c for c in mapped[1].get(code, ()) if c not in nodes)
        nodes.extend(c for c in cw.tasks.get(t.id, ()) if c not in nodes)
        new = replace(t, nodes=tuple(nodes))
        out.append(new)
        by_id[t.id] = new
    for source, index, codes in cw.serves:
        origin = by_id.get(source)
        if origin is None:
            continue
        out.append(
            replace(
                origin, id=f"{source}-{index}", index=index, nodes=codes, framework=frameworks.get(index, "")
            )
        )
    return out


def validate_crosswalk(
    cw: Crosswalk, tasks: Iterable[LibraryTask], known_nodes: Mapping[str, set[str]]
) -> list[str]:
    """Vietnamese messages for a crosswalk that names unknown tasks or codes (``known_nodes``: framework
    code → its node codes)."""
    errors: list[str] = []
    ids = {t.id for t in tasks}
    for old, (new, nodes) in cw.frameworks.items():
        for code, targets in nodes.items():
            if old in known_nodes and code not in known_nodes[old]:
                errors.append(f"Bảng chuyển mã: '{code}' không có trong bộ chỉ số {old}.")
            for c in targets:
                if new in known_nodes and c not in known_nodes[new]:
                    errors.append(f"Bảng chuyển mã: '{c}' không có trong bộ chỉ số {new}.")
    for tid in [*cw.tasks, *(s[0] for s in cw.serves)]:
        if tid not in ids:
            errors.append(f"Bảng chuyển mã: không có nhiệm vụ '{tid}' trong thư viện.")
    return errors


def validate_library(
    tasks: Iterable[LibraryTask],
    known_nodes: Mapping[str, set[str]] | None = None,
    indices: Mapping[str, str] | None = None,
) -> list[str]:
    """Check a list of tasks; return Vietnamese messages (empty list = valid).

    ``indices`` maps the codes of the indices chiso knows to their labels ({code: label}); when
    given, a task's index must be one of them (or ``general``). ``known_nodes`` maps an index code to the
    node codes it knows; when given, every node code of a task must be among the codes of its index.
    Keys may also be framework codes (``papi-2019``): a task whose file names its framework is then
    checked against that framework's codes.
    """
    errors: list[str] = []
    seen: dict[str, str] = {}
    for t in tasks:
        where = f"Nhiệm vụ '{t.id}'" + (f" ({t.file})" if t.file else "")
        if not t.id:
            errors.append(f"Nhiệm vụ không có mã (id){' trong ' + t.file if t.file else ''}.")
        elif t.id in seen:
            errors.append(
                f"Mã nhiệm vụ '{t.id}' bị trùng" + (f" ({seen[t.id]} và {t.file})." if t.file else ".")
            )
        else:
            seen[t.id] = t.file
        allowed = [*indices, GENERAL] if indices is not None else None
        if allowed is not None and t.index not in allowed:
            errors.append(f"{where}: chỉ số '{t.index}' không hợp lệ (dùng một trong: {', '.join(allowed)}).")
        if t.activity and t.activity not in ACTIVITIES:
            errors.append(
                f"{where}: hoạt động '{t.activity}' không hợp lệ (dùng một trong: {', '.join(ACTIVITIES)})."
            )
        if t.recurrence not in RECURRENCES:
            errors.append(
                f"{where}: tần suất '{t.recurrence}' không hợp lệ (dùng một trong: {', '.join(RECURRENCES)})."
            )
        if not t.text:
            errors.append(f"{where}: nội dung nhiệm vụ trống.")
        elif not unicodedata.is_normalized("NFC", t.text):
            errors.append(f"{where}: nội dung nhiệm vụ chưa chuẩn hóa Unicode NFC.")
        if t.quote_line is not None and t.quote_line < 1:
            errors.append(f"{where}: số dòng trích dẫn (quote_line) phải là số nguyên dương.")
        if t.index == GENERAL and t.nodes:
            errors.append(f"{where}: nhiệm vụ chung (index: general) không gắn với mã chỉ tiêu.")
            continue
        if known_nodes is not None and (allowed is None or t.index in allowed) and t.index != GENERAL:
            known = known_nodes.get(t.framework) if t.framework and t.framework in known_nodes else None
            label = (indices or {}).get(t.index, t.index)
            scope = f"bộ chỉ số {t.framework}" if known is not None else f"chỉ số {label}"
            if known is None:
                known = known_nodes.get(t.index, set())
            for code in t.nodes:
                if code not in known:
                    errors.append(f"{where}: mã '{code}' không có trong {scope}.")
    return errors


_OPENING = ("tiep tuc ", "tang cuong ", "thuong xuyen ", "chu dong ", "day manh ", "dinh ky ", "to chuc ")


def activity_of(text: str) -> str:
    """The kind of work a task's words say (one of ACTIVITIES, "" for the specialist work of a content):
    supporting the survey teams (điều tra xã hội học, khảo sát), training (tập huấn, bồi dưỡng), inspection
    (a task that opens with kiểm tra, thanh tra, giám sát), direction and propaganda (one that opens with
    chỉ đạo, tuyên truyền, phổ biến, quán triệt). Accents and case are ignored."""
    from chiso.core.text import fold

    f = fold(text)
    head = f
    changed = True
    while changed:
        changed = False
        for w in _OPENING:
            if head.startswith(w):
                head, changed = head[len(w) :], True
    head = " ".join(head.split()[:10])
    if any(w in f for w in ("dieu tra xa hoi hoc", "doan dieu tra", "doan khao sat")) or "khao sat" in head:
        return "survey"
    if any(w in head for w in ("tap huan", "boi duong", "lop dao tao")):
        return "training"
    if head.startswith(("kiem tra", "thanh tra", "giam sat", "cong tac kiem tra", "cong tac thanh tra")):
        return "inspection"
    if head.startswith(("chi dao", "cong tac chi dao")) or any(
        w in head for w in ("tuyen truyen", "pho bien", "quan triet")
    ):
        return "direction"
    return ""


def node_ancestors(code: str) -> list[str]:
    """Ancestors of a node code by its dotted form, nearest first: ``F7.TP3`` → ``['F7']``; ``D8.1`` → ``['D8']``."""
    out: list[str] = []
    parts = code.split(".")
    for k in range(len(parts) - 1, 0, -1):
        out.append(".".join(parts[:k]))
    return out


def tasks_for(
    tasks: Iterable[LibraryTask],
    index: str,
    node_codes: Iterable[str],
    parents: Mapping[str, str | None] | None = None,
) -> list[LibraryTask]:
    """Tasks of ``index`` serving any of ``node_codes`` or their ancestors, most specific first.

    A task tied to one of the asked nodes itself comes before a task tied only to an ancestor (nearest
    ancestor first); within the same rank the library order is kept.  ``parents`` (code → parent code, e.g.
    from a framework) gives the tree; without it the dotted form of the code is used (``D8.1`` → ``D8``).
    """

    def ancestors(code: str) -> list[str]:
        if parents is None:
            return node_ancestors(code)
        out: list[str] = []
        cur = parents.get(code)
        while cur and cur not in out:
            out.append(cur)
            cur = parents.get(cur)
        return out

    rank: dict[str, int] = {}
    for code in node_codes:
        rank[code] = 0
        for depth, anc in enumerate(ancestors(code), 1):
            if anc not in rank or rank[anc] > depth:
                rank[anc] = depth
    found: list[tuple[int, int, LibraryTask]] = []
    for pos, t in enumerate(tasks):
        if t.index != index:
            continue
        ranks = [rank[c] for c in t.nodes if c in rank]
        if ranks:
            found.append((min(ranks), pos, t))
    found.sort(key=lambda x: (x[0], x[1]))
    return [t for _, _, t in found]
