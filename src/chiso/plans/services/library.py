"""The task library in the database (thư viện nhiệm vụ) and the responsibility map (bản đồ trách nhiệm).

``load_shipped_library()`` copies the shipped library (``chiso.core.tasklib``, typed in from real plans)
into LibraryTask rows (``shipped=True``, key = the task id, source = where it was quoted from); it is
idempotent and never touches the rows coordinators added (``shipped=False``). Coordinators add and edit
their own tasks (``save_library_task``); shipped tasks are read-only but may be copied.

The responsibility map says, per province, index and node, which unit leads and which coordinate the
work; drafting a plan proposes the latest entry (``responsibility_for``). Every change is kept in the
rows' history (simple_history).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from chiso.accounts.scope import covered
from chiso.core import datedtext, tasklib
from chiso.core.text import fold, nfc, strip_admin_prefix
from chiso.frameworks.models import Framework, Node
from chiso.frameworks.services import framework_for, index_choices
from chiso.units.models import Unit

from ..models import Activity, LibraryTask, Recurrence, Responsibility
from ..permissions import EDIT_ROLES, can_edit_responsibility, can_manage_library

__all__ = [
    "REFORM_DATE",
    "LibraryError",
    "can_edit_library_task",
    "coordinator_provinces",
    "current_framework",
    "framework_parents",
    "library_nodes",
    "library_words",
    "load_shipped_library",
    "match_units",
    "modernise_text",
    "province_units",
    "lookup_responsibility",
    "responsibility_for",
    "responsibility_map",
    "responsibility_rows",
    "resolve_lead_unit",
    "save_library_task",
    "save_responsibilities",
    "search_library",
    "shipped_source",
]


def library_index_choices() -> list[tuple[str, str]]:
    """The indices a library task may serve (the indices chiso has), then "Chung" (all of a plan's)."""
    return [*index_choices(), (tasklib.GENERAL, _("Chung"))]


class LibraryError(ValueError):
    """Bad input for the library or the responsibility map (Vietnamese messages in ``messages``)."""

    def __init__(self, messages: str | list[str]):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("; ".join(self.messages))


# --------------------------------------------------------------------------- shipped library


def shipped_source(t: tasklib.LibraryTask) -> str:
    """Where a shipped task was quoted from: "issuer, document/year, seed file, line N", e.g. "UBND tỉnh
    Kon Tum, Kế hoạch số /KH-UBND năm 2019, 002_4ec0cf1c12908f77.txt, dòng 51" (a plan printed without
    number shows none)."""
    import re

    number = ""
    m = re.search(r"Số:?\s*([0-9]*/[A-ZĐ0-9-]+)", t.document or "")
    if m:
        number = m.group(1)
    doc = "Kế hoạch" + (f" số {number}" if number else "") + (f" năm {t.year}" if t.year else "")
    parts = [t.issuer, doc, t.seed]
    if t.quote_line:
        parts.append(f"dòng {t.quote_line}")
    return nfc(", ".join(p for p in parts if p))[:500]


_SHIPPED_FIELDS = (
    "text",
    "index",
    "nodes",
    "lead",
    "coordinating",
    "product",
    "recurrence",
    "activity",
    "source",
    "quote_line",
)


def library_words(text: str, year: int | None, issuer: str = "") -> str:
    """A text of the shipped library as the library keeps it: the years of the time its source plan
    speaks of as parameters (``datedtext.parameterise``: "{năm}"…, filled with the years of the plan the
    task goes into; cited documents keep theirs), and the source plan's own province named by its tier
    only ("… năm 2023 của tỉnh Kon Tum" in a Kon Tum plan → "… của tỉnh": the task may go into any
    province's plan) and its bodies by the plan's province ("Báo Kon Tum" → "Báo {tên tỉnh}")."""
    text = datedtext.parameterise(nfc(text), year)
    own = nfc(issuer or "")
    if "tỉnh " in own:
        name = own.split("tỉnh ", 1)[1].strip()
        if name:
            text = re.sub(rf"\btỉnh {re.escape(name)}\b", "tỉnh", text)
            # the province's own bodies named by it ("Báo Kon Tum", "Đài Phát thanh và Truyền hình Quảng
            # Nam") take the name of the plan's province; a city or commune of the same name is a place
            text = re.sub(
                rf"(?<!thành phố )(?<!TP\. )(?<!huyện )(?<!thị xã )(?<!xã )(?<!phường )\b{re.escape(name)}\b",
                datedtext.PROVINCE,
                text,
                flags=re.IGNORECASE,
            )
    return text


@transaction.atomic
def load_shipped_library(directory=None) -> dict[str, int]:
    """Upsert the shipped library into LibraryTask rows; returns counts created/updated/unchanged/kept.

    Rows a coordinator added (shipped=False) are never changed, even when their key collides ("kept")."""
    counts = {"created": 0, "updated": 0, "unchanged": 0, "kept": 0}
    existing = {row.key: row for row in LibraryTask.objects.all()}
    # the codes of older frameworks mapped to the current ones, and the tasks that also serve another
    # index (crosswalk.yaml of the library folder)
    tasks = tasklib.apply_crosswalk(tasklib.load_library(directory), tasklib.load_crosswalk(directory), {})
    for t in tasks:
        if not t.id:
            continue

        # the years of the time the source plan speaks of become parameters ({năm}…), filled with the
        # years of the plan the task goes into (chiso.core.datedtext); cited documents keep theirs
        def dated(text: str, year: int | None = t.year, issuer: str = t.issuer) -> str:
            return library_words(text, year, issuer)

        values = {
            "text": dated(t.text),
            "index": t.index,
            "nodes": list(t.nodes),
            "lead": dated(t.lead),
            "coordinating": [dated(c) for c in t.coordinating],
            "product": dated(t.product),
            "recurrence": t.recurrence if t.recurrence in Recurrence.values else Recurrence.NONE,
            "activity": t.activity if t.activity in tasklib.ACTIVITIES else tasklib.activity_of(t.text),
            "source": shipped_source(t),
            "quote_line": t.quote_line,
        }
        row = existing.get(t.id)
        if row is None:
            LibraryTask.objects.create(key=t.id, shipped=True, **values)
            counts["created"] += 1
        elif not row.shipped:
            counts["kept"] += 1
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            row.save()
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    return counts


# --------------------------------------------------------------------------- frameworks


def current_framework(index: str) -> Framework | None:
    """The framework in force for an index today (the newest with results or active)."""
    if index == tasklib.GENERAL:
        return None
    year = dt.date.today().year
    for y in (year, year - 1, year - 2):
        fw = framework_for(index, y)
        if fw is not None:
            return fw
    return Framework.objects.filter(index__code=index).order_by("-valid_from", "-version").first()


def framework_nodes(framework: Framework | None) -> list[Node]:
    if framework is None:
        return []
    return list(framework.nodes.select_related("parent").order_by("order"))


def framework_parents(framework: Framework | None) -> dict[str, str | None]:
    return {n.code: (n.parent.code if n.parent else None) for n in framework_nodes(framework)}


def library_nodes(index: str) -> list[tuple[str, str]]:
    """(code, label) of the nodes one may filter the library on: the current framework's nodes below the
    root (named in the reader's language), then codes used by library tasks that the current framework
    does not have."""
    language = get_language()
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for n in framework_nodes(current_framework(index)):
        if n.parent_id is None:
            continue
        out.append((n.code, f"{n.code} — {n.label_for(language)}"))
        seen.add(n.code)
    extra = set()
    for nodes in LibraryTask.objects.filter(index=index).values_list("nodes", flat=True):
        extra.update(c for c in nodes or [] if c not in seen)
    out.extend((c, c) for c in sorted(extra))
    return out


# --------------------------------------------------------------------------- search and edit


def _node_match(task_nodes: Iterable[str], code: str) -> bool:
    return any(c == code or c.startswith(code + ".") for c in task_nodes or [])


def search_library(query: str = "", index: str = "", node: str = "") -> list[LibraryTask]:
    """Library tasks matching every word of ``query`` (accents ignored), of ``index``, serving ``node`` or
    one of its sub-nodes (codes matched as written, whatever framework version they came from)."""
    qs = LibraryTask.objects.all().select_related("created_by")
    if index:
        qs = qs.filter(index=index)
    for word in fold(query or "").split():
        qs = qs.filter(search_text__contains=word)
    rows = list(qs.order_by("index", "shipped", "key"))
    rows.sort(key=lambda r: (r.index, not r.shipped, _natural(r.key)))
    if node:
        rows = [r for r in rows if _node_match(r.nodes, node)]
    return rows


def _natural(key: str) -> tuple:
    import re

    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", key))


def can_edit_library_task(user, task: LibraryTask) -> bool:
    """Shipped tasks are read-only; a coordinator edits the tasks she added (administrators: all)."""
    if task.shipped or not can_manage_library(user):
        return False
    return covered(user, EDIT_ROLES) is None or task.created_by_id == user.pk


def _clean_list(values) -> list[str]:
    if isinstance(values, str):
        values = values.replace(";", "\n").splitlines()
    return [nfc(v) for v in values or [] if nfc(str(v))]


@transaction.atomic
def save_library_task(user, data: dict, task: LibraryTask | None = None) -> LibraryTask:
    """Create (task None) or update a coordinator's library task. ``data``: text, index, nodes (list or
    text), lead, coordinating (list or text, one per line or ';'), product, recurrence, source."""
    if not can_manage_library(user):
        raise PermissionError(_("Chỉ chuyên viên điều phối được thêm, sửa nhiệm vụ trong thư viện."))
    if task is not None and not can_edit_library_task(user, task):
        raise PermissionError(_("Nhiệm vụ có sẵn trong thư viện chỉ được xem và sao chép, không được sửa."))
    errors = []
    text = nfc(str(data.get("text") or ""))
    index = str(data.get("index") or "").strip().lower()
    recurrence = str(data.get("recurrence") or Recurrence.NONE)
    raw_nodes = data.get("nodes") or []
    if isinstance(raw_nodes, str):
        raw_nodes = raw_nodes.replace(";", ",").replace("\n", ",").split(",")
    nodes = list(dict.fromkeys(nfc(str(c)) for c in raw_nodes if nfc(str(c))))
    if not text:
        errors.append(_("Nội dung nhiệm vụ không được để trống."))
    choices = library_index_choices()
    if index not in dict(choices):
        errors.append(
            _("Chỉ số không hợp lệ (chọn {choices}).").format(
                choices=", ".join(label for _c, label in choices)
            )
        )
    if recurrence not in Recurrence.values:
        errors.append(_("Tần suất không hợp lệ."))
    activity = str(data.get("activity") or "")
    if activity not in Activity.values:
        errors.append(_("Hoạt động không hợp lệ."))
    if index == tasklib.GENERAL and nodes:
        errors.append(_("Nhiệm vụ chung không gắn với nội dung chỉ số nào: để trống ô mã nội dung."))
    unknown = datedtext.unknown_parameters(" ".join([text, str(data.get("product") or "")]))
    if unknown:
        errors.append(
            _("Tham số {unknown} không có; dùng {known}.").format(
                unknown=", ".join(unknown), known=", ".join(datedtext.PARAMETERS)
            )
        )
    if errors:
        raise LibraryError(errors)
    if task is None:
        task = LibraryTask(key=_new_key(), shipped=False, created_by=user)
    task.text = text
    task.index = index
    task.nodes = nodes
    task.lead = nfc(str(data.get("lead") or ""))
    task.coordinating = _clean_list(data.get("coordinating"))
    task.product = nfc(str(data.get("product") or ""))
    task.recurrence = recurrence
    task.activity = activity
    task.source = nfc(str(data.get("source") or ""))[:500]
    task._history_user = user
    task.save()
    return task


def _new_key() -> str:
    while True:
        key = f"cq-{secrets.token_hex(4)}"
        if not LibraryTask.objects.filter(key=key).exists():
            return key


def copy_initial(task: LibraryTask) -> dict:
    """Initial values of a new task copied from a library task (shipped or not)."""
    return {
        "text": task.text,
        "index": task.index,
        "nodes": ", ".join(task.nodes or []),
        "lead": task.lead,
        "coordinating": "\n".join(task.coordinating or []),
        "product": task.product,
        "recurrence": task.recurrence,
        "activity": task.activity,
        "source": _("Sao chép từ {key} ({source})").format(key=task.key, source=task.source or "—")[:500],
    }


# --------------------------------------------------------------------------- responsibility map


def coordinator_provinces(user) -> list[Unit]:
    """Provinces (in force today) whose plans the user coordinates; all of them for administrators."""
    provinces = Unit.objects.filter(kind=Unit.Kind.PROVINCE, valid_to__isnull=True).order_by("code")
    scope = covered(user, EDIT_ROLES)
    if scope is None:
        return list(provinces)
    return [p for p in provinces if p.pk in scope]


def province_units(province: Unit) -> list[Unit]:
    """Units of a province that can lead or coordinate: its departments, districts, communes, others."""
    from chiso.core.text import vi_sort_key

    order = {Unit.Kind.DEPARTMENT: 0, Unit.Kind.OTHER: 1, Unit.Kind.DISTRICT: 2, Unit.Kind.WARD: 3}
    today = dt.date.today()
    units = [
        u for u in Unit.objects.filter(parent=province).exclude(kind=Unit.Kind.PROVINCE) if u.valid_on(today)
    ]
    return sorted(units, key=lambda u: (order.get(u.kind, 9), vi_sort_key(u.short_name)))


@dataclass
class ResponsibilityRow:
    node: Node
    entry: Responsibility | None
    coordinating_ids: list[int] = field(default_factory=list)


def responsibility_rows(province: Unit, index: str) -> tuple[Framework | None, list[ResponsibilityRow]]:
    """Every node (below the root) of the index's current framework with its map entry (or None)."""
    fw = current_framework(index)
    entries = {
        r.node_code: r
        for r in Responsibility.objects.filter(province=province, index=index)
        .select_related("lead_unit")
        .prefetch_related("coordinating_units")
    }
    rows = []
    for n in framework_nodes(fw):
        if n.parent_id is None:
            continue
        e = entries.get(n.code)
        rows.append(ResponsibilityRow(n, e, [u.pk for u in e.coordinating_units.all()] if e else []))
    return fw, rows


@transaction.atomic
def save_responsibilities(province: Unit, index: str, entries: dict[str, dict], user) -> int:
    """Save the map for the given nodes: ``entries[code] = {"lead": unit id or None, "coordinating":
    [unit ids], "lead_text": str}``. Only changed rows are written (their history keeps the old value);
    a node whose lead, coordinating units and note are all empty loses its entry. Returns rows changed."""
    if not can_edit_responsibility(user, province.pk):
        raise PermissionError(_("Chỉ chuyên viên điều phối của tỉnh được sửa bản đồ trách nhiệm."))
    allowed = {u.pk for u in province_units(province)}
    fw = current_framework(index)
    known = {n.code for n in framework_nodes(fw)}
    errors = []
    for code, e in entries.items():
        ids = ([e["lead"]] if e.get("lead") else []) + list(e.get("coordinating") or [])
        if code not in known:
            errors.append(_("Nội dung “{code}” không có trong bộ chỉ số hiện hành.").format(code=code))
        elif any(i not in allowed for i in ids):
            errors.append(
                _("{code}: chỉ chọn các cơ quan, đơn vị, địa phương thuộc {province}.").format(
                    code=code, province=province.short_name
                )
            )
    if errors:
        raise LibraryError(errors)
    current = {
        r.node_code: r
        for r in Responsibility.objects.select_for_update()
        .filter(province=province, index=index)
        .prefetch_related("coordinating_units")
    }
    changed = 0
    for code, e in entries.items():
        lead = e.get("lead") or None
        coord = sorted({i for i in e.get("coordinating") or [] if i != lead})
        lead_text = nfc(str(e.get("lead_text") or ""))[:300]
        row = current.get(code)
        if row is None and not lead and not coord and not lead_text:
            continue
        if row is not None and not lead and not coord and not lead_text:
            row._history_user = user
            row.delete()
            changed += 1
            continue
        if row is not None:
            same = (
                row.lead_unit_id == lead
                and row.lead_text == lead_text
                and sorted(u.pk for u in row.coordinating_units.all()) == coord
            )
            if same:
                continue
        else:
            row = Responsibility(province=province, index=index, node_code=code)
        row.lead_unit_id = lead
        row.lead_text = lead_text
        row.updated_by = user
        row._history_user = user
        row.save()
        row.coordinating_units.set(coord)
        changed += 1
    return changed


def _chain(codes: Iterable[str], parents: dict[str, str | None] | None) -> list[str]:
    """The codes themselves, then their ancestors (nearest first; by the framework or the dotted form)."""
    chain: list[str] = []
    codes = [c for c in codes if c]
    for c in codes:
        if c not in chain:
            chain.append(c)
    for c in codes:
        if parents is not None:
            ancestors, cur = [], parents.get(c)
            while cur and cur not in ancestors:
                ancestors.append(cur)
                cur = parents.get(cur)
        else:
            ancestors = tasklib.node_ancestors(c)
        chain.extend(a for a in ancestors if a not in chain)
    return chain


def lookup_responsibility(
    entries: dict[str, Responsibility], codes: Iterable[str], parents: dict[str, str | None] | None = None
) -> Responsibility | None:
    """The entry for the first of ``codes`` that has one, else for their nearest ancestor."""
    for c in _chain(codes, parents):
        if c in entries:
            return entries[c]
    return None


def responsibility_for(
    province: Unit | None, index: str, codes: Iterable[str], parents: dict[str, str | None] | None = None
) -> Responsibility | None:
    """The map entry (the latest: one row per node, its history keeps the earlier ones) for the first of
    ``codes`` that has one, else for their nearest ancestor."""
    return lookup_responsibility(responsibility_map(province, index), codes, parents)


def responsibility_map(province: Unit | None, index: str) -> dict[str, Responsibility]:
    """All entries of a province and index, by node code (one query, for drafting)."""
    if province is None:
        return {}
    return {
        r.node_code: r
        for r in Responsibility.objects.filter(province=province, index=index)
        .select_related("lead_unit")
        .prefetch_related("coordinating_units")
    }


# --------------------------------------------------------------------------- 2025 reorganisation

#: From this day the merged provinces exist (Nghị quyết 202/2025/QH15), local government has two levels
#: (province, commune: the district level is abolished) and the provincial departments are the merged ones.
REFORM_DATE = dt.date(2025, 7, 1)

_UBND = r"(?:ủy ban nhân dân|uỷ ban nhân dân|ubnd)"
_COMMUNES = "xã, phường, đặc khu"


def _with_same_case(match: re.Match, replacement: str) -> str:
    """The replacement, capitalised like the text it replaces (a sentence may start with it)."""
    first = match.group(0)[:1]
    if first.isupper() and replacement[:1].islower():
        return replacement[:1].upper() + replacement[1:]
    return replacement


def _sub(pattern: str, replacement):
    compiled = re.compile(pattern, re.IGNORECASE)
    if callable(replacement):
        return compiled, replacement
    return compiled, lambda m: _with_same_case(m, m.expand(replacement))


def _commune_level(m: re.Match) -> str:
    # "100% UBND cấp huyện, 100% UBND cấp xã" → "100% UBND cấp xã"
    out = (m["p2"] or m["p1"] or "") + (m["u2"] or m["u1"] or "") + "cấp xã"
    return _with_same_case(m, out)


#: Renamings applied to texts written before the 2025 reorganisation (library tasks quoted from older plans)
#: when they go into a plan of the reorganised province. Order matters (longer phrases first).
_MODERNISE = [
    # District level abolished from 01/07/2025 (Luật Tổ chức chính quyền địa phương năm 2025: chính quyền
    # địa phương hai cấp, tỉnh và xã): the work of "UBND cấp huyện" / "các huyện, thành phố" goes to the
    # communes ("xã, phường, đặc khu").
    _sub(
        rf"(?P<p1>\d+\s?%\s)?(?P<u1>{_UBND}\s)?cấp huyện(?:,|;| và)\s(?P<p2>\d+\s?%\s)?(?P<u2>{_UBND}\s)?cấp xã",
        _commune_level,
    ),
    _sub(r"\b3 cấp tỉnh, huyện, xã\b", "2 cấp tỉnh, xã"),
    _sub(r"\b(cả )?3 cấp chính quyền\b", r"\g<1>2 cấp chính quyền"),
    _sub(r"\bcấp huyện(?:,| và) xã\b", "cấp xã"),
    _sub(r"\bhuyện, xã\b", "xã"),
    _sub(
        rf"({_UBND}) (?:các|mỗi) huyện, (?:thị xã, )?thành phố(?:, thị xã)?",
        rf"\1 các {_COMMUNES}",
    ),
    _sub(r"\b(các|mỗi) huyện, (?:thị xã, )?thành phố(?:, thị xã)?", rf"\1 {_COMMUNES}"),
    _sub(rf"({_UBND}) cấp huyện", r"\1 cấp xã"),
    _sub(r"\bcấp huyện\b", "cấp xã"),
    # No more towns (thị trấn) after the reorganisation; the communes are xã, phường and đặc khu.
    _sub(r"\bxã, phường,? (?:và )?thị trấn\b", _COMMUNES),
    _sub(r"\bphường, xã,? (?:và )?thị trấn\b", _COMMUNES),
    _sub(r"\bxã, thị trấn\b", _COMMUNES),
    # Provincial departments merged by the 2025 reorganisation (Nghị định 45/2025/NĐ-CP on the specialised
    # agencies of the provincial People's Committees, following the merger of their ministries).
    _sub(r"\bSở Kế hoạch và Đầu tư\b|\bSở KH\s?&\s?ĐT\b|\bSở KHĐT\b", "Sở Tài chính"),
    _sub(r"\bSở Tài nguyên và Môi trường\b|\bSở TN\s?&\s?MT\b|\bSở TNMT\b", "Sở Nông nghiệp và Môi trường"),
    _sub(
        r"\bSở Nông nghiệp và Phát triển nông thôn\b|\bSở NN\s?&\s?PTNT\b|\bSở NNPTNT\b",
        "Sở Nông nghiệp và Môi trường",
    ),
    _sub(r"\bSở Thông tin và Truyền thông\b|\bSở TT\s?&\s?TT\b|\bSở TTTT\b", "Sở Khoa học và Công nghệ"),
    # Most of the labour, war invalids and social affairs department went to Sở Nội vụ (social protection
    # and children to Sở Y tế, vocational training to Sở Giáo dục và Đào tạo).
    _sub(
        r"\bSở Lao động\s?[-–—]\s?Thương binh và Xã hội\b|\bSở LĐ\s?[-–]?\s?TB\s?&\s?XH\b|\bSở LĐTBXH\b",
        "Sở Nội vụ",
    ),
]

#: Names a renaming may leave twice in a row ("Sở Tài chính, Sở Kế hoạch và Đầu tư" → "Sở Tài chính").
_DEDUPE = [
    re.compile(rf"({re.escape(name)})(?:(?:,|;| và| với)\s+{re.escape(name)}\b)+")
    for name in (
        "Sở Tài chính",
        "Sở Nông nghiệp và Môi trường",
        "Sở Khoa học và Công nghệ",
        "Sở Nội vụ",
        "Ủy ban nhân dân cấp xã",
        "UBND cấp xã",
        "cấp xã",
        f"các {_COMMUNES}",
    )
]


def modernise_text(text: str, on_date: dt.date | None = None) -> str:
    """``text`` with the bodies abolished or merged by the 2025 reorganisation named by their successors,
    when ``on_date`` (the plan's time; default today) is on or after 1 July 2025; else unchanged.

    "UBND cấp huyện" → "UBND cấp xã", "Ủy ban nhân dân các huyện, thành phố" → "Ủy ban nhân dân các xã,
    phường, đặc khu", "Sở Kế hoạch và Đầu tư" → "Sở Tài chính", "Sở Tài nguyên và Môi trường" and "Sở Nông
    nghiệp và Phát triển nông thôn" → "Sở Nông nghiệp và Môi trường", "Sở Thông tin và Truyền thông" → "Sở
    Khoa học và Công nghệ", "Sở Lao động - Thương binh và Xã hội" → "Sở Nội vụ", "xã, phường, thị trấn" →
    "xã, phường, đặc khu". Ministries are not renamed (a text citing a ministry's document keeps its
    issuer), nor a district named by its own name."""
    if not text:
        return text
    if (on_date or dt.date.today()) < REFORM_DATE:
        return text
    out = unicodedata.normalize("NFC", text)
    for pattern, replace in _MODERNISE:
        out = pattern.sub(replace, out)
    for pattern in _DEDUPE:
        out = pattern.sub(r"\1", out)
    return out


# --------------------------------------------------------------------------- units named in a text

_ABBREVIATIONS = {
    "ubnd": "uy ban nhan dan",
    "hdnd": "hoi dong nhan dan",
    "mttq": "mat tran to quoc",
    "vp": "van phong",
}


def _key(text: str) -> str:
    return " ".join(_ABBREVIATIONS.get(w, w) for w in fold(text or "").split())


def _unit_keys(unit: Unit, province: Unit | None) -> set[str]:
    """Folded names of a unit (with abbreviations spelt out), also without the province's name at the end
    ("Văn phòng UBND tỉnh Quảng Ngãi" is also "van phong uy ban nhan dan tinh")."""
    names = [unit.name, *(unit.aliases or [])]
    if unit.kind in (Unit.Kind.DEPARTMENT, Unit.Kind.OTHER):
        names.append(unit.short_name)
    keys = {_key(n) for n in names if n}
    if province is not None and unit.kind in (Unit.Kind.DEPARTMENT, Unit.Kind.OTHER):
        # not for a local government: "Thành phố Quảng Ngãi" is not "thành phố" (in "các huyện, thành phố")
        place = _key(strip_admin_prefix(province.short_name or province.name))
        for k in list(keys):
            if place and k.endswith(" " + place) and len(k) > len(place) + 6:
                keys.add(k[: -len(place) - 1])
    return {k for k in keys if k}


_PARTS = re.compile(r"[,;\n]")


def _contained(units: list[Unit], keys: dict[int, set[str]], part: str) -> list[Unit]:
    padded = f" {part} "
    found = [u for u in units if any(f" {k} " in padded for k in keys[u.pk])]
    # a unit named inside a longer name that also matched is not meant on its own
    longest = {u.pk: max((k for k in keys[u.pk] if f" {k} " in padded), key=len) for u in found}
    return [u for u in found if not any(v.pk != u.pk and longest[u.pk] in longest[v.pk] for v in found)]


def match_units(text: str, units: list[Unit], province: Unit | None = None) -> list[Unit]:
    """The units of ``units`` named in ``text``, in the order named: the unit whose folded name is the whole
    text; else, for each comma- or semicolon-separated part, the unit whose name is the part, or the one
    unit whose name the part contains (a part naming several units, or none, gives nothing). Accents, case
    and abbreviations ("UBND", "VP") are ignored; nothing is guessed from partial names."""
    keys = {u.pk: _unit_keys(u, province) for u in units}
    whole = _key(text)
    exact = [u for u in units if whole and whole in keys[u.pk]]
    if len(exact) == 1:
        return exact
    out: list[Unit] = []
    for raw in _PARTS.split(text or ""):
        part = _key(raw)
        if not part:
            continue
        found = [u for u in units if part in keys[u.pk]] or _contained(units, keys, part)
        if len(found) == 1 and found[0] not in out:
            out.append(found[0])
    return out


def resolve_lead_unit(text: str, units: list[Unit], province: Unit | None = None) -> Unit | None:
    """The one unit ``text`` names as lead (see match_units), or None when it names none or several."""
    keys = {u.pk: _unit_keys(u, province) for u in units}
    whole = _key(text)
    exact = [u for u in units if whole and whole in keys[u.pk]]
    if len(exact) == 1:
        return exact[0]
    named: list[Unit] = []
    for raw in _PARTS.split(text or ""):
        part = _key(raw)
        if part:
            for u in _contained(units, keys, part):
                if u not in named:
                    named.append(u)
    return named[0] if len(named) == 1 else None
