"""Plans, periodic reports and reminder letters (công văn đôn đốc) as official documents.

Each ``*_document`` function turns the database rows into a :class:`chiso.documents.model.OfficialDocument`
in the shape of the real plans of ``shared/seeds`` (Kon Tum 2019 and 2024): issuer and national motto,
number and symbol, place and date, "KẾ HOẠCH" and the title, numbered sections (I. Mục đích, yêu cầu;
II. Mục tiêu; III. Nhiệm vụ, giải pháp; IV. Tổ chức thực hiện), "Nơi nhận", the signature, then the
appendices as tables (Phụ lục I: the tasks; Phụ lục II: the points lost and the units responsible).
``render_*`` give the DOCX or PDF bytes of the same content, in the province's layout for that kind.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass

from chiso.core.text import fold, format_date, format_number, nfc
from chiso.documents.model import (
    Appendix,
    Heading,
    OfficialDocument,
    Paragraph,
    Signer,
    Table,
    blocks_from_text,
)

from .models import PeriodicReport, Plan, Recurrence, Shortcoming, Target, Task, UnitClass
from .services.execution import late_tasks, lead_periods

__all__ = [
    "FORMATS",
    "INDEX_LABELS",
    "LateItem",
    "body_name",
    "document_filename",
    "issuer_lines",
    "late_items",
    "periodic_report_document",
    "plan_document",
    "reminder_letter_document",
    "render",
    "render_letter",
    "render_periodic",
    "render_plan",
    "unit_full_name",
]

FORMATS = ("docx", "pdf")
INDEX_LABELS = {"papi": "PAPI", "par": "PAR INDEX", "sipas": "SIPAS"}
INDEX_ORDER = {"papi": 0, "par": 1, "sipas": 2}
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
#: The agency that follows the plan for the issuer (the decree's plans: "báo cáo … về Sở Nội vụ").
COORDINATING_AGENCY = "Sở Nội vụ"
RECURRENCE_WORDS = {
    Recurrence.CONTINUOUS: "Thường xuyên",
    Recurrence.QUARTERLY: "Hằng quý",
    Recurrence.SEMIANNUAL: "6 tháng",
    Recurrence.ANNUAL: "Hằng năm",
}
_LOCAL_GOVERNMENT = {"province", "district", "ward"}
_SUBTYPE_OF_KIND = {"province": "Tỉnh", "district": "Huyện", "ward": "Xã"}


# --- names ---------------------------------------------------------------------------------------


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _esc(text: str) -> str:
    """User text inside light markup: stars are literal."""
    return nfc(text or "").replace("*", "\\*")


def unit_full_name(unit) -> str:
    """ "Tỉnh Quảng Ngãi", "Xã Đăk Hà", "Sở Tư pháp": the name with its administrative type."""
    name = nfc(unit.name or unit.short_name or "")
    if unit.kind in _LOCAL_GOVERNMENT:
        subtype = nfc(unit.subtype or _SUBTYPE_OF_KIND.get(unit.kind, ""))
        if subtype and not fold(name).startswith(fold(subtype) + " "):
            name = f"{subtype} {name}"
    return name


def issuer_lines(unit) -> tuple[str, str]:
    """(parent body, issuer) of the header block, in capitals as the decree prints them.

    A People's Committee issues in its own name ("ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI", no parent body);
    a department or agency under it prints its superior on the first line ("UBND TỈNH QUẢNG NGÃI",
    then "SỞ TƯ PHÁP")."""
    if unit.kind in _LOCAL_GOVERNMENT:
        return "", f"ỦY BAN NHÂN DÂN {unit_full_name(unit).upper()}"
    parent = unit.parent
    parent_body = f"UBND {unit_full_name(parent).upper()}" if parent is not None else ""
    return parent_body, unit_full_name(unit).upper()


def body_name(unit, *, full: bool = False) -> str:
    """How the body text names the issuer: "Ủy ban nhân dân tỉnh" (full: "… tỉnh Quảng Ngãi")."""
    if unit.kind in _LOCAL_GOVERNMENT:
        name = unit_full_name(unit)
        if full:
            return "Ủy ban nhân dân " + _lower_first(name)
        subtype = nfc(unit.subtype or _SUBTYPE_OF_KIND.get(unit.kind, "")) or name
        return "Ủy ban nhân dân " + subtype.lower()
    return unit_full_name(unit)


def _date_words(day: dt.date | None, year: int | None = None) -> str:
    """ "ngày 15 tháng 3 năm 2025" (months 1–2 and days < 10 zero-padded, as on the date line)."""
    if day is None:
        return f"ngày      tháng      năm {year or ''}".rstrip()
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def _number_ref(number: str, symbol: str) -> str:
    return f"{number}/{symbol}" if number else f"     /{symbol}"


def plan_reference(plan: Plan) -> str:
    """ "Kế hoạch số 123/KH-UBND ngày 15 tháng 3 năm 2025 của Ủy ban nhân dân tỉnh Quảng Ngãi"."""
    return (
        f"Kế hoạch số {_number_ref(plan.number, plan.symbol)} {_date_words(plan.date, plan.year)} "
        f"của {body_name(plan.issuing_unit, full=True)}"
    )


def _title_of(plan_title: str, kind_word: str) -> str:
    """The trích yếu under the kind label: "Kế hoạch cải thiện …" prints as "Cải thiện …"."""
    title = nfc(plan_title)
    if fold(title).startswith(fold(kind_word) + " "):
        title = _upper_first(title[len(kind_word) :].strip())
    return title


def _index_label(code: str) -> str:
    return INDEX_LABELS.get(code, code.upper())


def _indices_text(codes) -> str:
    labels = [_index_label(c) for c in codes if c]
    if not labels:
        return ""
    return "Chỉ số " + (", ".join(labels[:-1]) + " và " + labels[-1] if len(labels) > 1 else labels[0])


def _unit_text(unit, text: str = "", unit_class: str = "") -> str:
    if unit is not None:
        return unit_full_name(unit)
    if text:
        return nfc(text)
    if unit_class:
        return str(UnitClass(unit_class).label)
    return ""


def task_lead(task: Task) -> str:
    return _unit_text(task.lead_unit, task.lead_text, task.lead_class)


def task_coordinating(task: Task) -> str:
    names = [unit_full_name(u) for u in task.coordinating_units.all()]
    if task.coordinating_text:
        names.append(nfc(task.coordinating_text))
    return ", ".join(dict.fromkeys(n for n in names if n))


def task_deadline(task: Task) -> str:
    """ "30/09/2025", "Hằng quý (từ 31/03/2025)", "Thường xuyên"; "" when none."""
    word = RECURRENCE_WORDS.get(task.recurrence)
    if word is None:
        return format_date(task.deadline) if task.deadline else ""
    parts = []
    if task.first_due and task.recurrence != Recurrence.CONTINUOUS:
        parts.append(f"từ {format_date(task.first_due)}")
    if task.deadline:
        parts.append(f"đến {format_date(task.deadline)}")
    return word + (f" ({', '.join(parts)})" if parts else "")


# --- node names ----------------------------------------------------------------------------------


class _Nodes:
    """Names and order of the index nodes a plan's tasks and targets name (from the framework of the
    results year; the plan's own targets and shortcomings fill any gap)."""

    def __init__(self, plan: Plan, targets: list[Target], shortcomings: list[Shortcoming]):
        self.names: dict[tuple[str, str], str] = {}
        self.parent: dict[tuple[str, str], str | None] = {}
        self.order: dict[tuple[str, str], int] = {}
        self._plan = plan
        self._loaded: set[str] = set()
        self._own: dict[tuple[str, str], str] = {}
        for row in [*targets, *shortcomings]:
            if row.node_code and row.node_name:
                self._own.setdefault((row.index, row.node_code), row.node_name)

    def _load(self, index: str) -> None:
        if index in self._loaded:
            return
        self._loaded.add(index)
        try:
            from chiso.frameworks.services import framework_for, framework_tree

            framework = framework_for(index, self._plan.results_year or self._plan.year - 1)
            if framework is None:
                return
            _, nodes = framework_tree(framework)
        except Exception:  # a missing framework only costs the names  # noqa: BLE001
            return
        for i, (code, node) in enumerate(nodes.items()):
            self.names.setdefault((index, code), node.name_vi)
            self.parent[(index, code)] = node.parent.code if node.parent else None
            self.order[(index, code)] = i

    def section(self, index: str, code: str) -> str:
        """The top-level content (depth 1) a node belongs to: D1.4 → D1, F3.TP1 → F3."""
        self._load(index)
        key = (index, code)
        if key in self.parent:
            cur = code
            seen = set()
            while True:
                parent = self.parent.get((index, cur))
                if parent is None or self.parent.get((index, parent)) is None or parent in seen:
                    return cur
                seen.add(cur)
                cur = parent
        return code.split(".")[0]

    def name(self, index: str, code: str) -> str:
        self._load(index)
        return nfc(self.names.get((index, code)) or self._own.get((index, code)) or code)

    def sort_key(self, index: str, code: str):
        self._load(index)
        return (self.order.get((index, code), 10_000), code)


# --- plan ----------------------------------------------------------------------------------------


def _bullets(lines: list[str]) -> list[Paragraph]:
    out = []
    for line in lines:
        line = nfc(line).rstrip()
        if not line:
            continue
        if line[-1] not in ".;:!?":
            line += "."
        out.append(Paragraph("- " + _esc(line)))
    return out


def _task_group_key(task: Task, nodes: _Nodes) -> tuple[str, str]:
    index = task.index if task.index in INDEX_LABELS else ""
    codes = [c for c in (task.nodes or []) if c]
    if not index or not codes:
        return index, ""
    return index, nodes.section(index, codes[0])


def _ordered_indices(plan: Plan, extra) -> list[str]:
    seen = [i for i in plan.indices or [] if i]
    for i in extra:
        if i and i not in seen:
            seen.append(i)
    return sorted(seen, key=lambda i: (INDEX_ORDER.get(i, 99), seen.index(i)))


def _task_detail(task: Task) -> str:
    parts = []
    lead = task_lead(task)
    if lead:
        parts.append(f"Cơ quan chủ trì: {lead}")
    coord = task_coordinating(task)
    if coord:
        parts.append(f"phối hợp: {coord}")
    if task.product:
        parts.append(f"sản phẩm: {nfc(task.product)}")
    deadline = task_deadline(task)
    if deadline:
        parts.append(f"thời hạn: {_lower_first(deadline) if task.recurrence != 'none' else deadline}")
    if not parts:
        return ""
    text = "; ".join(parts)
    return _upper_first(text) + "."


def _targets_blocks(plan: Plan, targets: list[Target]) -> list:
    blocks: list = [Heading("II. MỤC TIÊU", 1)]
    overall = [t for t in targets if not t.node_code]
    specific = [t for t in targets if t.node_code]
    if not targets:
        what = _indices_text(plan.indices) or "các Chỉ số"
        blocks.append(
            Paragraph(
                f"Phấn đấu duy trì, cải thiện và nâng cao kết quả {what} năm {plan.year} của địa phương."
            )
        )
        return blocks
    n = 0
    if overall:
        n += 1
        blocks.append(Heading(f"{n}. Mục tiêu chung", 2))
        blocks.extend(_bullets([t.label for t in overall]))
    if specific:
        n += 1
        blocks.append(Heading(f"{n}. Mục tiêu cụ thể", 2))
        by_index: OrderedDict[str, list[Target]] = OrderedDict()
        for idx in _ordered_indices(plan, [t.index for t in specific]):
            by_index[idx] = [t for t in specific if t.index == idx]
        letters = "abcdefghijklmnopqrstuvwxyz"
        groups = [(k, v) for k, v in by_index.items() if v]
        for i, (idx, rows) in enumerate(groups):
            if len(groups) > 1:
                blocks.append(Heading(f"{letters[i]}) Chỉ số {_index_label(idx)}", 3))
            blocks.extend(_bullets([t.label for t in rows]))
    return blocks


def _tasks_blocks(plan: Plan, tasks: list[Task], nodes: _Nodes) -> list:
    blocks: list = [Heading("III. NHIỆM VỤ, GIẢI PHÁP", 1)]
    if not tasks:
        blocks.append(Paragraph("(Chưa có nhiệm vụ.)", italic=True))
        return blocks
    groups: dict[tuple[str, str], list[Task]] = {}
    for t in tasks:
        groups.setdefault(_task_group_key(t, nodes), []).append(t)
    indices = _ordered_indices(plan, [k[0] for k in groups if k[0]])
    n = 0
    for idx in indices:
        keys = sorted(
            (k for k in groups if k[0] == idx), key=lambda k: (k[1] == "", nodes.sort_key(idx, k[1]))
        )
        if not keys:
            continue
        n += 1
        blocks.append(Heading(f"{n}. Cải thiện, nâng cao Chỉ số {_index_label(idx)}", 2))
        m = 0
        for key in keys:
            m += 1
            if key[1]:
                title = f"{n}.{m}. Nội dung “{nodes.name(idx, key[1])}”"
            else:
                title = f"{n}.{m}. Các nhiệm vụ chung về Chỉ số {_index_label(idx)}"
            blocks.append(Heading(title, 3))
            for t in groups[key]:
                blocks.extend(_task_paragraphs(t))
    general = groups.get(("", ""), [])
    if general:
        n += 1
        blocks.append(Heading(f"{n}. Nhiệm vụ chung", 2))
        for t in general:
            blocks.extend(_task_paragraphs(t))
    return blocks


def _task_paragraphs(task: Task) -> list[Paragraph]:
    text = nfc(task.text).rstrip()
    if text and text[-1] not in ".;:!?":
        text += "."
    out = [Paragraph("- " + _esc(text))]
    detail = _task_detail(task)
    if detail:
        out.append(Paragraph(_esc(detail), italic=True))
    return out


def _report_deadline_sentence(plan: Plan) -> str:
    days = []
    for raw in plan.report_deadlines or []:
        try:
            days.append(dt.date.fromisoformat(str(raw)[:10]))
        except ValueError:
            continue
    if not days:
        return ""
    days.sort()
    listed = [f"ngày {format_date(d)}" for d in days]
    when = listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " và " + listed[-1]
    return (
        f"Định kỳ, các cơ quan, đơn vị, địa phương báo cáo kết quả thực hiện Kế hoạch này về "
        f"{COORDINATING_AGENCY} trước {when} để tổng hợp, báo cáo {body_name(plan.issuing_unit)}."
    )


def _recipient_list(recipients) -> list[str]:
    items = [nfc(str(r)).strip() for r in recipients or [] if str(r).strip()]
    if not any(fold(i.lstrip("-– ")).startswith("luu") for i in items):
        items.append("Lưu: VT.")
    return items


def _signer(obj) -> Signer:
    return Signer(
        authority=obj.signer_authority or "", title=obj.signer_title or "", name=obj.signer_name or ""
    )


def _shortcoming_responsible(s: Shortcoming) -> str:
    names = [unit_full_name(u) for u in s.responsible_units.all()]
    if s.responsible_text:
        names.append(nfc(s.responsible_text))
    return "; ".join(dict.fromkeys(n for n in names if n))


def _points(achieved: float | None, maximum: float | None) -> str:
    if achieved is None and maximum is None:
        return ""
    return f"{format_number(achieved, 2) if achieved is not None else '–'}/{format_number(maximum)}"


def _tasks_appendix(plan: Plan, tasks: list[Task], label: str, nodes: _Nodes) -> Appendix:
    rows: list[list[str]] = []
    groups: OrderedDict[str, list[Task]] = OrderedDict()
    for idx in _ordered_indices(plan, [t.index for t in tasks if t.index in INDEX_LABELS]):
        groups[idx] = []
    groups[""] = []
    for t in tasks:
        groups[t.index if t.index in INDEX_LABELS else ""].append(t)
    used = [(k, v) for k, v in groups.items() if v]
    stt = 0
    for i, (idx, items) in enumerate(used):
        if len(used) > 1:
            head = f"CẢI THIỆN, NÂNG CAO CHỈ SỐ {_index_label(idx)}" if idx else "NHIỆM VỤ CHUNG"
            rows.append([f"{ROMAN[i] if i < len(ROMAN) else i + 1}. {head}"])
        for t in sorted(items, key=lambda t: (_task_group_key(t, nodes)[1] == "", t.order, t.pk)):
            stt += 1
            rows.append(
                [str(stt), nfc(t.text), task_lead(t), task_coordinating(t), nfc(t.product), task_deadline(t)]
            )
    table = Table(
        columns=["STT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Sản phẩm", "Thời hạn hoàn thành"],
        rows=rows,
        widths=[5, 44, 16, 17, 13, 12],
    )
    return Appendix(
        label=label,
        title="DANH MỤC NHIỆM VỤ",
        subtitle=f"(Kèm theo {plan_reference(plan)})",
        blocks=[table],
    )


def _shortcomings_appendix(plan: Plan, shortcomings: list[Shortcoming], label: str) -> Appendix:
    rows: list[list[str]] = []
    indices = _ordered_indices(plan, [s.index for s in shortcomings])
    used = [(idx, [s for s in shortcomings if s.index == idx]) for idx in indices]
    used = [(k, v) for k, v in used if v]
    stt = 0
    for i, (idx, items) in enumerate(used):
        if len(used) > 1 or plan.indices and len(plan.indices) > 1:
            rows.append([f"{ROMAN[i] if i < len(ROMAN) else i + 1}. CHỈ SỐ {_index_label(idx)}"])
        for s in items:
            stt += 1
            content = nfc(s.node_name) or s.node_code
            if s.note:
                content += f" ({nfc(s.note)})"
            rows.append(
                [
                    str(stt),
                    content,
                    _points(s.achieved, s.maximum),
                    format_number(s.lost, 2) if s.lost is not None else "",
                    _shortcoming_responsible(s),
                ]
            )
    table = Table(
        columns=["STT", "Nội dung", "Điểm đạt/tối đa", "Điểm bị mất", "Đơn vị chịu trách nhiệm"],
        rows=rows,
        widths=[5, 42, 13, 11, 36],
        number_columns={2, 3},
    )
    return Appendix(
        label=label,
        title="TỔNG HỢP CÁC NỘI DUNG BỊ MẤT ĐIỂM",
        subtitle=f"(Kèm theo {plan_reference(plan)})",
        blocks=[table],
    )


def plan_document(plan: Plan) -> OfficialDocument:
    """The plan as an official document, in the shape of the seeds' plans."""
    unit = plan.issuing_unit
    parent_body, issuer = issuer_lines(unit)
    targets = list(plan.targets.all())
    shortcomings = list(plan.shortcomings.prefetch_related("responsible_units"))
    tasks = list(plan.tasks.select_related("lead_unit").prefetch_related("coordinating_units"))
    nodes = _Nodes(plan, targets, shortcomings)
    title = _title_of(plan.title, "Kế hoạch")

    blocks: list = []
    indices_text = _indices_text(plan.indices)
    if plan.results_year and indices_text:
        blocks.append(
            Paragraph(
                f"Căn cứ kết quả {indices_text} năm {plan.results_year} đã được công bố; để phát huy ưu điểm, "
                f"khắc phục tồn tại, hạn chế, {body_name(unit)} ban hành Kế hoạch "
                f"{_esc(_lower_first(title))} như sau:"
            )
        )
    blocks.append(Heading("I. MỤC ĐÍCH, YÊU CẦU", 1))
    blocks.append(Heading("1. Mục đích", 2))
    blocks.extend(
        blocks_from_text(plan.purpose)
        or [Paragraph(f"Cải thiện, nâng cao kết quả {indices_text or 'các Chỉ số'} năm {plan.year}.")]
    )
    blocks.append(Heading("2. Yêu cầu", 2))
    blocks.extend(
        blocks_from_text(plan.requirements)
        or [
            Paragraph(
                "Các cơ quan, đơn vị, địa phương xác định rõ trách nhiệm, triển khai đầy đủ, đúng thời hạn "
                "các nhiệm vụ được giao tại Kế hoạch này."
            )
        ]
    )
    blocks.extend(_targets_blocks(plan, targets))
    blocks.extend(_tasks_blocks(plan, tasks, nodes))
    blocks.append(Heading("IV. TỔ CHỨC THỰC HIỆN", 1))
    body = blocks_from_text(plan.body)
    blocks.extend(body)
    sentence = _report_deadline_sentence(plan)
    if sentence:
        blocks.append(Paragraph(sentence))
    if not (nfc(plan.body).rstrip().endswith("./.")):
        blocks.append(Paragraph("Yêu cầu các cơ quan, đơn vị, địa phương nghiêm túc triển khai thực hiện./."))

    appendices = []
    if tasks:
        appendices.append(_tasks_appendix(plan, tasks, "", nodes))
    if shortcomings:
        appendices.append(_shortcomings_appendix(plan, shortcomings, ""))
    for i, app in enumerate(appendices):
        app.label = f"Phụ lục {ROMAN[i]}" if len(appendices) > 1 else "Phụ lục"

    return OfficialDocument(
        kind_label="KẾ HOẠCH",
        parent_body=parent_body,
        issuer=issuer,
        number_symbol=f"{plan.number}/{plan.symbol}" if plan.number else f"/{plan.symbol}",
        place=plan.place,
        date=plan.date,
        title=title,
        blocks=blocks,
        appendices=appendices,
        recipients=_recipient_list(plan.recipients),
        signer=_signer(plan),
    )


# --- periodic report -----------------------------------------------------------------------------

PERIODIC_SECTIONS = (
    ("overview", "TÌNH HÌNH TRIỂN KHAI THỰC HIỆN"),
    ("results", "KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ"),
    ("late", "CÁC NHIỆM VỤ CHẬM TIẾN ĐỘ, CHƯA BÁO CÁO"),
    ("difficulties", "KHÓ KHĂN, VƯỚNG MẮC"),
    ("proposals", "ĐỀ XUẤT, KIẾN NGHỊ"),
)
#: Columns of the result rows a periodic report may hold (chiso.plans.services.periodic writes ``text``,
#: ``lead``, ``state_label``, ``percent``, ``narrative``, ``product``; its late rows ``due``): key → heading,
#: in the printed order. Keys printing the same heading are alternatives (the first present is used);
#: other keys (``task_id``, ``no``, the state code…) are not printed. Rows are numbered 1, 2, 3…
RESULT_COLUMNS = OrderedDict(
    [
        ("task", "Nhiệm vụ"),
        ("text", "Nhiệm vụ"),
        ("unit", "Đơn vị"),
        ("lead", "Cơ quan chủ trì"),
        ("deadline", "Thời hạn"),
        ("due", "Thời hạn"),
        ("state_label", "Tình trạng"),
        ("status", "Tình trạng"),
        ("state", "Tình trạng"),
        ("percent", "Tiến độ (%)"),
        ("progress", "Tiến độ (%)"),
        ("narrative", "Kết quả thực hiện"),
        ("result", "Kết quả thực hiện"),
        ("product", "Sản phẩm"),
    ]
)
#: Relative widths of those columns in the printed table.
COLUMN_WIDTHS = {
    "stt": 6,
    "task": 36,
    "text": 36,
    "unit": 17,
    "lead": 17,
    "deadline": 12,
    "due": 12,
    "state_label": 14,
    "status": 14,
    "state": 14,
    "percent": 10,
    "progress": 10,
    "narrative": 32,
    "result": 32,
    "product": 16,
}


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, int | float):
        return format_number(float(value))
    if isinstance(value, dt.date):
        return format_date(value)
    if isinstance(value, list | tuple):
        return ", ".join(_cell(v) for v in value)
    return nfc(str(value))


def _rows_table(value) -> Table | None:
    """A table from {"columns": [...], "rows": [[...]]} or a list of row dicts."""
    if isinstance(value, dict) and isinstance(value.get("rows"), list) and value.get("columns"):
        columns = [nfc(str(c)) for c in value["columns"]]
        rows = [[_cell(c) for c in row] for row in value["rows"] if isinstance(row, list | tuple)]
        return Table(columns=columns, rows=rows)
    if isinstance(value, list) and value and all(isinstance(r, dict) for r in value):
        present = {k for row in value for k, v in row.items() if v not in (None, "")}
        cols: list[tuple[str, str]] = [("stt", "STT")]
        heads: set[str] = set()
        for key, head in RESULT_COLUMNS.items():
            if key in present and head not in heads:
                heads.add(head)
                cols.append((key, head))
        if len(cols) == 1:
            return None
        rows = [[str(i), *[_cell(r.get(k)) for k, _ in cols[1:]]] for i, r in enumerate(value, start=1)]
        numbers = {i for i, (k, _) in enumerate(cols) if k in ("percent", "progress")}
        widths = [float(COLUMN_WIDTHS.get(k, 15)) for k, _ in cols]
        return Table(columns=[h for _, h in cols], rows=rows, widths=widths, number_columns=numbers)
    return None


def _section_blocks(value) -> list:
    """A section of a periodic report: rich text, a list of lines, a table, or a dict of those."""
    if value is None or value == "" or value == []:
        return []
    if isinstance(value, str):
        return blocks_from_text(value)
    table = _rows_table(value)
    if table is not None:
        return [table]
    if isinstance(value, list):
        return _bullets([_cell(v) for v in value])
    if isinstance(value, dict):
        out: list = []
        for key in ("text", "intro", "summary"):
            if isinstance(value.get(key), str):
                out.extend(blocks_from_text(value[key]))
        for key in ("rows", "table", "items"):
            if key in value:
                sub = value[key]
                table = _rows_table(sub if key != "rows" else {"columns": value.get("columns"), "rows": sub})
                if table is None and isinstance(sub, list):
                    table = _rows_table(sub)
                if table is not None:
                    out.append(table)
                elif isinstance(sub, list):
                    out.extend(_bullets([_cell(v) for v in sub]))
        return out
    return [Paragraph(_esc(_cell(value)))]


def periodic_report_document(report: PeriodicReport) -> OfficialDocument:
    """A periodic report (báo cáo định kỳ) as an official document: "BÁO CÁO", its sections from the
    compiled content (overview, results as a table, late tasks, difficulties, proposals)."""
    plan = report.plan
    unit = plan.issuing_unit
    parent_body, issuer = issuer_lines(unit)
    content = report.content if isinstance(report.content, dict) else {}
    blocks: list = [
        Paragraph(
            f"Thực hiện {plan_reference(plan)} về {_esc(_lower_first(_title_of(plan.title, 'Kế hoạch')))}; "
            f"{body_name(unit)} báo cáo kết quả thực hiện như sau:"
        )
    ]
    n = 0
    for key, heading in PERIODIC_SECTIONS:
        section = _section_blocks(content.get(key))
        if not section:
            continue
        blocks.append(Heading(f"{ROMAN[n]}. {heading}", 1))
        blocks.extend(section)
        n += 1
    known = {k for k, _ in PERIODIC_SECTIONS}
    for key, value in content.items():
        if key in known or not isinstance(value, dict) or not value.get("title"):
            continue
        section = _section_blocks({k: v for k, v in value.items() if k != "title"})
        if section:
            blocks.append(
                Heading(f"{ROMAN[n] if n < len(ROMAN) else n + 1}. {nfc(value['title']).upper()}", 1)
            )
            blocks.extend(section)
            n += 1
    blocks.append(Paragraph(f"Trên đây là báo cáo của {body_name(unit)}./."))
    return OfficialDocument(
        kind_label="BÁO CÁO",
        parent_body=parent_body,
        issuer=issuer,
        number_symbol=f"{report.number}/{report.symbol}" if report.number else f"/{report.symbol}",
        place=report.place or plan.place,
        date=report.date,
        title=_title_of(report.title, "Báo cáo"),
        blocks=blocks,
        recipients=_recipient_list(report.recipients),
        signer=_signer(report),
    )


# --- reminder letter -----------------------------------------------------------------------------


@dataclass
class LateItem:
    """A task a unit has not finished by its due date (or not reported on)."""

    task: Task
    unit: object
    due: dt.date
    reported: bool
    percent: int


def late_items(plan: Plan, today: dt.date | None = None) -> list[LateItem]:
    """Tasks of the plan that are late today, by lead unit: the one lateness rule of
    ``services.execution.late_tasks`` (issued or closed plans only; a one-off task whose deadline has
    passed and is not done; a recurring one whose last due date passed without a report of its lead
    unit for a period containing it), so the letter lists what the plan page, the inbox and the
    dashboard call late. ``reported``: the lead unit has reported on the task at all. Tasks without a
    lead unit (a class of units or free text) are left out: no one to address. Sorted by unit name,
    then due date."""
    today = today or dt.date.today()
    late = [t for t in late_tasks(Plan.objects.filter(pk=plan.pk), today) if t.lead_unit_id]
    reported = {task_id for task_id, _period in lead_periods(late)}
    out = [LateItem(t, t.lead_unit, t.late_due, t.pk in reported, t.progress) for t in late]
    out.sort(key=lambda i: (fold(unit_full_name(i.unit)), i.due, i.task.order))
    return out


def _salutation(names: list[str]) -> str:
    """ "Kính gửi: Sở Tư pháp." for one addressee; one "- name;" line each for several."""
    if not names:
        return "Kính gửi: Các cơ quan, đơn vị, địa phương."
    if len(names) == 1:
        return f"Kính gửi: {names[0]}."
    lines = [f"- {n};" for n in names]
    lines[-1] = lines[-1][:-1] + "."
    return "Kính gửi:\n" + "\n".join(lines)


def reminder_letter_document(
    plan: Plan,
    units=None,
    tasks=None,
    user=None,
    *,
    today: dt.date | None = None,
    report_by: dt.date | None = None,
) -> OfficialDocument:
    """The công văn đôn đốc: "Kính gửi" the units with late or unreported tasks, the list of those tasks
    per unit, and the date by which to report. ``units``/``tasks`` narrow the letter (default: every
    late task of the plan as of ``today``)."""
    today = today or dt.date.today()
    items = late_items(plan, today)
    if tasks is not None:
        wanted = {getattr(t, "pk", t) for t in tasks}
        items = [i for i in items if i.task.pk in wanted]
    if units is not None:
        wanted_units = {getattr(u, "pk", u) for u in units}
        items = [i for i in items if i.unit.pk in wanted_units]
    report_by = report_by or today + dt.timedelta(days=7)
    unit = plan.issuing_unit
    parent_body, issuer = issuer_lines(unit)
    per_unit: OrderedDict[int, list[LateItem]] = OrderedDict()
    for item in items:
        per_unit.setdefault(item.unit.pk, []).append(item)
    addressed = [per_unit[k][0].unit for k in per_unit]
    names = [unit_full_name(u) for u in addressed]
    reference = plan_reference(plan)
    title = _lower_first(_title_of(plan.title, "Kế hoạch"))

    blocks: list = [
        Paragraph(
            f"Thực hiện {reference} về {_esc(title)}, qua theo dõi, đến {_date_words(today)}, "
            + (
                "các cơ quan, đơn vị, địa phương sau chưa hoàn thành hoặc chưa báo cáo kết quả thực hiện "
                "nhiệm vụ được giao đúng thời hạn:"
                if items
                else "các nhiệm vụ được giao đều đang trong thời hạn thực hiện."
            )
        )
    ]
    for n, (_, rows) in enumerate(per_unit.items(), start=1):
        blocks.append(Heading(f"{n}. {unit_full_name(rows[0].unit)}", 2))
        for item in rows:
            status = f"đã báo cáo, đạt {item.percent}%" if item.reported else "chưa báo cáo kết quả"
            text = nfc(item.task.text).rstrip().rstrip(".;")
            blocks.append(Paragraph(f"- {_esc(text)} (thời hạn: {format_date(item.due)}; {status})."))
    blocks.append(
        Paragraph(
            f"Để bảo đảm tiến độ thực hiện Kế hoạch, {body_name(unit)} đề nghị các cơ quan, đơn vị, địa phương "
            f"nêu trên khẩn trương triển khai thực hiện các nhiệm vụ được giao và báo cáo kết quả về "
            f"{COORDINATING_AGENCY} trước ngày {format_date(report_by)} để tổng hợp, báo cáo {body_name(unit)}; "
            "đồng thời cập nhật tiến độ trên hệ thống theo dõi chỉ số (chiso)./."
        )
    )
    recipients = ["Như trên", f"{COORDINATING_AGENCY} (theo dõi)", "Lưu: VT."]
    symbol = "UBND-NC" if unit.kind in _LOCAL_GOVERNMENT else "NV"
    return OfficialDocument(
        kind_label="",
        parent_body=parent_body,
        issuer=issuer,
        number_symbol=f"/{symbol}",
        place=plan.place,
        date=None,
        subject=f"V/v đôn đốc thực hiện và báo cáo kết quả Kế hoạch số {_number_ref(plan.number, plan.symbol)}",
        salutation=_salutation(names),
        blocks=blocks,
        recipients=recipients,
        signer=Signer("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "")
        if unit.kind in _LOCAL_GOVERNMENT
        else Signer("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", ""),
    )


# --- rendering -----------------------------------------------------------------------------------


def render(doc: OfficialDocument, fmt: str, kind: str) -> bytes:
    """DOCX or PDF bytes of a document in the province's layout for this kind (plan, report, letter)."""
    from chiso.documents.services import render as render_document

    if fmt not in FORMATS:
        raise ValueError(f"Định dạng không hỗ trợ: {fmt!r} (chỉ docx hoặc pdf)")
    return render_document(doc, kind, fmt)


def render_plan(plan: Plan, fmt: str) -> bytes:
    return render(plan_document(plan), fmt, "plan")


def render_periodic(report: PeriodicReport, fmt: str) -> bytes:
    return render(periodic_report_document(report), fmt, "report")


def render_letter(
    plan: Plan, fmt: str, units=None, tasks=None, user=None, *, today: dt.date | None = None
) -> bytes:
    return render(reminder_letter_document(plan, units, tasks, user, today=today), fmt, "letter")


def document_filename(prefix: str, number: str, title: str, fmt: str) -> str:
    """An ASCII file name from the number and the title: "ke-hoach-123-cai-thien-nang-cao-chi-so-papi.docx"."""
    slug = fold(f"{prefix} {number} {title}").replace(" ", "-")
    slug = slug[:90].rstrip("-") or "van-ban"
    return f"{slug}.{fmt}"
