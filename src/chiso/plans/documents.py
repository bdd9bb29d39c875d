"""Plans as official documents (periodic reports and reminder letters: chiso.tracking.documents).

``plan_document`` turns the database rows into a :class:`chiso.documents.model.OfficialDocument`
in the shape of the real plans of ``shared/seeds`` (Kon Tum 2019 and 2024): issuer and national motto,
number and symbol, place and date, "KẾ HOẠCH" and the title, numbered sections (I. Mục đích, yêu cầu;
II. Mục tiêu; III. Nhiệm vụ, giải pháp; IV. Tổ chức thực hiện), "Nơi nhận", the signature, then the
appendices as tables (Phụ lục I: the tasks; Phụ lục II: the points lost and the units responsible).
``render_plan`` gives the DOCX or PDF bytes of the same content, in the province's layout for plans.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from chiso.core.plan import COUNT_KINDS
from chiso.core.text import fold, format_date, format_number, nfc
from chiso.documents.model import (
    Appendix,
    Heading,
    Layout,
    OfficialDocument,
    Paragraph,
    Table,
    Wording,
    blocks_from_text,
)
from chiso.documents.services import FORMATS, layout_for, province_for, render, wording_for
from chiso.documents.wording import (
    ROMAN,
    body_name,
    bullets,
    date_words,
    esc,
    issuer_lines,
    lower_first,
    number_ref,
    recipient_list,
    signer_of,
    title_of,
    unit_full_name,
    upper_first,
)
from chiso.frameworks.services import index_labels

from .models import Activity, Plan, Recurrence, Shortcoming, Target, Task, TaskLayout, UnitClass
from .services.requests import request_sentence

__all__ = [
    "FORMATS",
    "plan_document",
    "plan_reference",
    "render_plan",
    "task_coordinating",
    "task_deadline",
    "task_lead",
    "task_sentence",
    "task_sections",
    "TaskSection",
]

RECURRENCE_WORDS = {
    Recurrence.CONTINUOUS: "Thường xuyên",
    Recurrence.QUARTERLY: "Hằng quý",
    Recurrence.SEMIANNUAL: "6 tháng",
    Recurrence.ANNUAL: "Hằng năm",
}


# --- names ---------------------------------------------------------------------------------------


def plan_reference(plan: Plan) -> str:
    """ "Kế hoạch số 123/KH-UBND ngày 15 tháng 3 năm 2025 của Ủy ban nhân dân tỉnh Quảng Ngãi"."""
    return (
        f"Kế hoạch số {number_ref(plan.number, plan.symbol)} {date_words(plan.date, plan.year)} "
        f"của {body_name(plan.issuing_unit, full=True)}"
    )


def _indices_text(codes, nodes: _Nodes) -> str:
    labels = [nodes.label(c) for c in codes if c]
    if not labels:
        return ""
    # as real plans name each index: "Chỉ số PAR INDEX, Chỉ số SIPAS và Chỉ số PAPI"
    named = [f"Chỉ số {label}" for label in labels]
    return ", ".join(named[:-1]) + " và " + named[-1] if len(named) > 1 else named[0]


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
        #: How the plan names each index ("PAR INDEX"), from the indices chiso has.
        self.labels = index_labels()
        self._loaded: set[str] = set()
        self._own: dict[tuple[str, str], str] = {}
        for row in [*targets, *shortcomings]:
            if row.node_code and row.node_name:
                self._own.setdefault((row.index, row.node_code), row.node_name)

    def label(self, index: str) -> str:
        return self.labels.get(index, index.upper())

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


def _task_group_key(task: Task, nodes: _Nodes) -> tuple[str, str]:
    index = task.index if task.index in nodes.labels else ""
    codes = [c for c in (task.nodes or []) if c]
    if not index or not codes:
        return index, ""
    return index, nodes.section(index, codes[0])


def _ordered_indices(plan: Plan, extra) -> list[str]:
    """The plan's indices in the order the plan lists them, then any other index its rows name."""
    seen = [i for i in plan.indices or [] if i]
    for i in extra:
        if i and i not in seen:
            seen.append(i)
    return seen


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
        parts.append(f"thời hạn: {lower_first(deadline) if task.recurrence != 'none' else deadline}")
    if not parts:
        return ""
    text = "; ".join(parts)
    return upper_first(text) + "."


def _targets_blocks(plan: Plan, targets: list[Target], nodes: _Nodes) -> list:
    blocks: list = [Heading("II. MỤC TIÊU", 1)]
    # the whole index's targets first; then each node's in the framework's order (a plan goes through
    # every dimension in turn), then the targets on how many nodes are in a group
    counted = [t for t in targets if t.kind in COUNT_KINDS]
    overall = [t for t in targets if not t.node_code and t.kind not in COUNT_KINDS]
    specific = sorted(
        (t for t in targets if t.node_code), key=lambda t: (t.index, nodes.sort_key(t.index, t.node_code))
    )
    specific += counted
    if not targets and plan.derived_from_id and plan.implements:
        # a derived plan: no figures of its own; its purpose states the parent's targets it contributes to
        blocks.append(
            Paragraph(
                "Hoàn thành đầy đủ, đúng thời hạn các nhiệm vụ được giao tại Kế hoạch này, góp phần thực hiện "
                f"các mục tiêu đã đề ra tại {esc(plan.implements[0])}."
            )
        )
        return blocks
    if not targets:
        what = _indices_text(plan.indices, nodes) or "các Chỉ số"
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
        blocks.extend(bullets([t.label for t in overall]))
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
                blocks.append(Heading(f"{letters[i]}) Chỉ số {nodes.label(idx)}", 3))
            blocks.extend(bullets([t.label for t in rows]))
    return blocks


REQUESTS_HEADING = "Đề nghị các cơ quan, tổ chức phối hợp thực hiện"


def task_sentence(task: Task) -> str:
    """The task as the plan writes it: an assignment as written, a request "Đề nghị <body> …"."""
    if task.is_request:
        return request_sentence(task_lead(task), task.text)
    return nfc(task.text)


def _split_requests(tasks: list[Task]) -> tuple[list[Task], list[Task]]:
    return [t for t in tasks if not t.is_request], [t for t in tasks if t.is_request]


def _request_paragraphs(task: Task) -> list[Paragraph]:
    text = task_sentence(task).rstrip()
    if text and text[-1] not in ".;:!?":
        text += "."
    out = [Paragraph("- " + esc(text))]
    parts = []
    coord = task_coordinating(task)
    if coord:
        parts.append(f"phối hợp: {coord}")
    deadline = task_deadline(task)
    if deadline:
        parts.append(f"thời hạn: {lower_first(deadline) if task.recurrence != 'none' else deadline}")
    if parts:
        out.append(Paragraph(esc(upper_first("; ".join(parts)) + "."), italic=True))
    return out


def _in_activity_section(plan: Plan, task: Task) -> bool:
    """Whether a task is printed in its activity's section: every task with an activity when the plan is
    arranged by activity; else only those tied to no content (the activities' own work)."""
    if not task.activity:
        return False
    return plan.task_layout == TaskLayout.ACTIVITY or not (task.nodes and task.index)


@dataclass
class TaskSection:
    """A section of the plan's tasks as the document prints them (``task_sections``): ``key``
    ("activity:training", an index code, "" for the tasks common to all indices, ``REQUESTS`` for the
    requests), its ``title`` ("Tập huấn, bồi dưỡng", "Cải thiện, nâng cao Chỉ số PAPI", "Nhiệm vụ
    chung"…) and its ``parts``: (sub-title or "", tasks) — the contents of an index ("Nội dung “…”"),
    one untitled part elsewhere."""

    key: str
    title: str
    parts: list[tuple[str, list[Task]]] = field(default_factory=list)

    @property
    def tasks(self) -> list[Task]:
        return [t for _title, items in self.parts for t in items]

    @property
    def is_requests(self) -> bool:
        return self.key == REQUESTS


#: The key of the section of requests to bodies outside the administration (last, apart).
REQUESTS = "\x00requests"


def _activity_sections(tasks: list[Task]) -> list[TaskSection]:
    """One section per activity (direction and propaganda, training, inspection, survey teams), in that
    order."""
    out = []
    for value, label in Activity.choices:
        items = [t for t in tasks if value and t.activity == value]
        if items:
            out.append(TaskSection(f"activity:{value}", str(label), [("", items)]))
    return out


def _dimension_sections(plan: Plan, tasks: list[Task], nodes: _Nodes) -> tuple[list[TaskSection], list[Task]]:
    """One section per index, one part per content; and the tasks of no index (printed last, "Nhiệm vụ
    chung")."""
    groups: dict[tuple[str, str], list[Task]] = {}
    for t in tasks:
        groups.setdefault(_task_group_key(t, nodes), []).append(t)
    out = []
    for idx in _ordered_indices(plan, [k[0] for k in groups if k[0]]):
        keys = sorted(
            (k for k in groups if k[0] == idx), key=lambda k: (k[1] == "", nodes.sort_key(idx, k[1]))
        )
        if not keys:
            continue
        section = TaskSection(idx, f"Cải thiện, nâng cao Chỉ số {nodes.label(idx)}")
        for key in keys:
            if key[1]:
                title = f"Nội dung “{nodes.name(idx, key[1])}”"
            else:
                title = f"Các nhiệm vụ chung về Chỉ số {nodes.label(idx)}"
            section.parts.append((title, groups[key]))
        out.append(section)
    return out, groups.get(("", ""), [])


def task_sections(plan: Plan, tasks: list[Task], nodes: _Nodes | None = None) -> list[TaskSection]:
    """The plan's tasks in the sections the plan prints them in (the body of the document, its task
    appendix, the plan's page): by content of each index, then the activity sections (a plan arranged
    by activity: the activity sections first, then the specialist tasks by content), then the tasks
    common to all indices, then the requests to bodies outside the administration, apart. Each task is
    in one section; empty sections are left out."""
    if nodes is None:
        nodes = _Nodes(plan, list(plan.targets.all()), list(plan.shortcomings.all()))
    tasks, requests = _split_requests(tasks)
    activity = [t for t in tasks if _in_activity_section(plan, t)]
    rest = [t for t in tasks if not _in_activity_section(plan, t)]
    dimensions, general = _dimension_sections(plan, rest, nodes)
    if plan.task_layout == TaskLayout.ACTIVITY:
        sections = [*_activity_sections(activity), *dimensions]
    else:
        sections = [*dimensions, *_activity_sections(activity)]
    if general:
        sections.append(TaskSection("", "Nhiệm vụ chung", [("", general)]))
    if requests:
        sections.append(TaskSection(REQUESTS, REQUESTS_HEADING, [("", requests)]))
    return sections


def _tasks_blocks(plan: Plan, tasks: list[Task], nodes: _Nodes) -> list:
    """Section III with the tasks, in the sections of ``task_sections``. Each task is printed once."""
    blocks: list = [Heading("III. NHIỆM VỤ, GIẢI PHÁP", 1)]
    if not tasks:
        blocks.append(Paragraph("(Chưa có nhiệm vụ.)", italic=True))
        return blocks
    for n, section in enumerate(task_sections(plan, tasks, nodes), start=1):
        blocks.append(Heading(f"{n}. {section.title}", 2))
        for m, (title, items) in enumerate(section.parts, start=1):
            if title:
                blocks.append(Heading(f"{n}.{m}. {title}", 3))
            for t in items:
                blocks.extend(_request_paragraphs(t) if section.is_requests else _task_paragraphs(t))
    return blocks


def _task_paragraphs(task: Task) -> list[Paragraph]:
    text = nfc(task.text).rstrip()
    if text and text[-1] not in ".;:!?":
        text += "."
    out = [Paragraph("- " + esc(text))]
    detail = _task_detail(task)
    if detail:
        out.append(Paragraph(esc(detail), italic=True))
    return out


def _report_deadline_sentence(plan: Plan, wording: Wording) -> str:
    days = plan.report_deadline_dates()
    if not days:
        return ""
    listed = [f"ngày {format_date(d)}" for d in days]
    when = listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " và " + listed[-1]
    return (
        f"Định kỳ, các cơ quan, đơn vị, địa phương báo cáo kết quả thực hiện Kế hoạch này về "
        f"{wording.coordinating_agency} trước {when} để tổng hợp, báo cáo {body_name(plan.issuing_unit)}."
    )


def _shortcoming_responsible(s: Shortcoming) -> str:
    names = [unit_full_name(u) for u in s.responsible_units.all()]
    if s.responsible_text:
        names.append(nfc(s.responsible_text))
    return "; ".join(dict.fromkeys(n for n in names if n))


def _points(achieved: float | None, maximum: float | None, decimals: int = 2) -> str:
    """ "3,89/10": the points achieved with the layout's decimals (two unless configured), the maximum
    as published."""
    if achieved is None and maximum is None:
        return ""
    got = format_number(achieved, decimals) if achieved is not None else "–"
    return f"{got}/{format_number(maximum) if maximum is not None else '–'}"


def _tasks_appendix(plan: Plan, tasks: list[Task], label: str, nodes: _Nodes) -> Appendix:
    """The tasks as a table, one heading row per section of ``task_sections`` (an index: its contents
    in one list, in the order of the plan's tasks)."""
    rows: list[list[str]] = []
    sections = task_sections(plan, tasks, nodes)
    stt = 0
    for i, section in enumerate(sections):
        if len(sections) > 1:
            rows.append([f"{ROMAN[i] if i < len(ROMAN) else i + 1}. {section.title.upper()}"])
        for t in sorted(section.tasks, key=lambda t: (_task_group_key(t, nodes)[1] == "", t.order, t.pk)):
            stt += 1
            rows.append(
                [
                    str(stt),
                    esc(task_sentence(t)),  # printed as the user wrote it, stars included
                    esc(task_lead(t)),
                    esc(task_coordinating(t)),
                    esc(nfc(t.product)),
                    task_deadline(t),
                ]
            )
    table = Table(
        columns=["STT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Sản phẩm", "Thời hạn hoàn thành"],
        rows=rows,
        widths=[5, 44, 16, 17, 13, 12],
    )
    return Appendix(
        label=label,
        title="DANH MỤC NHIỆM VỤ",
        subtitle=f"(Kèm theo {_appendix_reference(plan)})",
        blocks=[table],
    )


def _shortcomings_appendix(
    plan: Plan, shortcomings: list[Shortcoming], label: str, nodes: _Nodes, decimals: int = 2
) -> Appendix:
    rows: list[list[str]] = []
    indices = _ordered_indices(plan, [s.index for s in shortcomings])
    used = [(idx, [s for s in shortcomings if s.index == idx]) for idx in indices]
    used = [(k, v) for k, v in used if v]
    stt = 0
    for i, (idx, items) in enumerate(used):
        if len(used) > 1 or plan.indices and len(plan.indices) > 1:
            rows.append([f"{ROMAN[i] if i < len(ROMAN) else i + 1}. CHỈ SỐ {nodes.label(idx)}"])
        for s in items:
            stt += 1
            content = nfc(s.node_name) or s.node_code
            if s.note:
                content += f" ({nfc(s.note)})"
            rows.append(
                [
                    str(stt),
                    content,
                    _points(s.achieved, s.maximum, decimals),
                    format_number(s.lost, decimals) if s.lost is not None else "",
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
        subtitle=f"(Kèm theo {_appendix_reference(plan)})",
        blocks=[table],
    )


def _appendix_reference(plan: Plan) -> str:
    """The plan as its appendices cite it, dated exactly as its date line (blank while it has no date,
    so a draft's appendices never name another year than the one its date line will get)."""
    when = OfficialDocument(place="", date=plan.date).place_date_text().lstrip(", ").strip()
    return (
        f"Kế hoạch số {number_ref(plan.number, plan.symbol)} {when} "
        f"của {body_name(plan.issuing_unit, full=True)}"
    )


def _is_results_paragraph(block, plan: Plan) -> bool:
    """The paragraph saying where the unit stands (drafting writes it first in "Mục đích"): it belongs
    to the opening, the "căn cứ" of the plan."""
    if not isinstance(block, Paragraph) or not plan.results_year or block.text.startswith(("-", "+", "•")):
        return False
    text = fold(block.text)
    return f"nam {plan.results_year}" in text and text.startswith(("chi so", "ket qua"))


def _cited(prefix: str, text: str) -> str:
    """ "Căn cứ Nghị quyết số …;" / "Thực hiện Kế hoạch số …;": one line of the opening."""
    text = nfc(text).strip().rstrip(";.").rstrip()
    if not fold(text).startswith(fold(prefix)):
        text = f"{prefix} {text}"
    return esc(text) + ";"


def _opening_blocks(plan: Plan, purpose: list, indices_text: str, title: str) -> list:
    """The legal basis ("Căn cứ …;") and the parent plans and notices the plan implements ("Thực hiện
    …;"), where the unit stands (moved out of "Mục đích"), then why the plan is issued."""
    blocks: list = [Paragraph(_cited("Căn cứ", b)) for b in plan.legal_basis or []]
    blocks += [Paragraph(_cited("Thực hiện", b)) for b in plan.implements or []]
    cited = bool(blocks)
    while purpose and _is_results_paragraph(purpose[0], plan):
        blocks.append(purpose.pop(0))
    if cited and not (plan.results_year and indices_text):
        blocks.append(
            Paragraph(f"{body_name(plan.issuing_unit)} ban hành Kế hoạch {esc(lower_first(title))} như sau:")
        )
    if plan.results_year and indices_text:
        blocks.append(
            Paragraph(
                f"Căn cứ kết quả {indices_text} năm {plan.results_year} đã được công bố; để phát huy ưu điểm, "
                f"khắc phục tồn tại, hạn chế, {body_name(plan.issuing_unit)} ban hành Kế hoạch "
                f"{esc(lower_first(title))} như sau:"
            )
        )
    return blocks


_CLOSING = "Yêu cầu các cơ quan, đơn vị, địa phương nghiêm túc triển khai thực hiện./."


def _organisation_blocks(plan: Plan, wording: Wording) -> list:
    """Section IV, numbered throughout: "1. Trách nhiệm thực hiện" (the body's bullets and sentences),
    "2. Chế độ báo cáo" (the reporting deadlines, unless the body already states them), "3. Kinh phí
    thực hiện" (the body's paragraphs about funding); the closing sentence ends the last one. A body
    the author numbered herself ("# …" headings) is printed as written."""
    body = blocks_from_text(plan.body)
    closing = [] if nfc(plan.body).rstrip().endswith("./.") else [Paragraph(_CLOSING)]
    sentence = _report_deadline_sentence(plan, wording)
    if any(isinstance(b, Heading) for b in body):
        tail = [Paragraph(sentence)] if sentence and not _states_deadlines(body, plan) else []
        return [*body, *tail, *closing]
    funding, duties = [], []
    for b in body:
        if not isinstance(b, Paragraph):
            duties.append(b)
        elif "kinh phi" in fold(b.text) and not b.text.startswith(("-", "+", "•")):
            funding.append(b)
        elif b.text.startswith(("-", "+", "•")):
            duties.append(b)
        else:
            duties.append(Paragraph("- " + b.text, indent_first=b.indent_first, bold=b.bold, italic=b.italic))
    sections: list[tuple[str, list]] = []
    if duties:
        sections.append(("Trách nhiệm thực hiện", duties))
    if sentence and not _states_deadlines(body, plan):
        sections.append(("Chế độ báo cáo", [Paragraph(sentence)]))
    if funding:
        sections.append(("Kinh phí thực hiện", funding))
    if not sections:
        return closing
    out: list = []
    for n, (head, items) in enumerate(sections, start=1):
        out.append(Heading(f"{n}. {head}", 2))
        out.extend(items)
    out.extend(closing)
    return out


def _states_deadlines(body: list, plan: Plan) -> bool:
    """Whether the body already says when to report (a reporting sentence is never written twice)."""
    days = [format_date(d) for d in plan.report_deadline_dates()]
    texts = [b.text for b in body if isinstance(b, Paragraph)]
    return bool(days) and any("bao cao" in fold(t) and any(d in t for d in days) for t in texts)


def _tasks_reference(plan: Plan, tasks: list[Task], nodes: _Nodes, label: str) -> list:
    """Section III when the tasks are in the appendix table: the contents they improve, then where the
    tasks are (each task is written once)."""
    blocks: list = [Heading("III. NHIỆM VỤ, GIẢI PHÁP", 1)]
    if not tasks:
        blocks.append(Paragraph("(Chưa có nhiệm vụ.)", italic=True))
        return blocks
    groups: dict[tuple[str, str], int] = {}
    for t in tasks:
        if t.is_request:
            continue
        key = _task_group_key(t, nodes)
        groups[key] = groups.get(key, 0) + 1
    for idx in _ordered_indices(plan, [k[0] for k in groups if k[0]]):
        keys = sorted((k for k in groups if k[0] == idx and k[1]), key=lambda k: nodes.sort_key(idx, k[1]))
        if keys:
            names = "; ".join(f"“{nodes.name(idx, k[1])}”" for k in keys)
            blocks.append(
                Paragraph(
                    f"- Cải thiện, nâng cao Chỉ số {nodes.label(idx)}, tập trung vào các nội dung: {names}."
                )
            )
    used = [label for value, label in Activity.choices if value and any(t.activity == value for t in tasks)]
    if used and any(_in_activity_section(plan, t) for t in tasks):
        blocks.append(Paragraph(f"- Các hoạt động: {'; '.join(lower_first(str(x)) for x in used)}."))
    blocks.append(
        Paragraph(
            f"Các nhiệm vụ, giải pháp cụ thể; cơ quan chủ trì, phối hợp; sản phẩm và thời hạn hoàn thành "
            f"tại {label} kèm theo Kế hoạch này."
        )
    )
    requests = [t for t in tasks if t.is_request]
    if requests:
        bodies = list(dict.fromkeys(task_lead(t) for t in requests if task_lead(t)))
        blocks.append(
            Paragraph(
                f"- Đề nghị {esc('; '.join(bodies) or 'các cơ quan, tổ chức liên quan')} phối hợp thực hiện "
                f"các nội dung tại mục “{REQUESTS_HEADING}” của {label}."
            )
        )
    return blocks


def plan_document(plan: Plan, layout: Layout | None = None) -> OfficialDocument:
    """The plan as an official document, in the shape of the seeds' plans (``layout``: the province's
    layout of plans, which says where the tasks go and how points are written)."""
    unit = plan.issuing_unit
    layout = layout or layout_for("plan", province_for(unit))
    wording = wording_for(unit, "plan")
    parent_body, issuer = issuer_lines(unit, wording)
    targets = list(plan.targets.all())
    shortcomings = list(plan.shortcomings.prefetch_related("responsible_units"))
    tasks = list(plan.tasks.select_related("lead_unit").prefetch_related("coordinating_units"))
    nodes = _Nodes(plan, targets, shortcomings)
    title = title_of(plan.title, "Kế hoạch")
    in_appendix = layout.plan_tasks_in_appendix and bool(tasks)
    n_appendices = int(in_appendix) + int(bool(shortcomings))
    tasks_label = "Phụ lục I" if n_appendices > 1 else "Phụ lục"

    indices_text = _indices_text(plan.indices, nodes)
    purpose = blocks_from_text(plan.purpose)
    blocks: list = _opening_blocks(plan, purpose, indices_text, title)
    blocks.append(Heading("I. MỤC ĐÍCH, YÊU CẦU", 1))
    blocks.append(Heading("1. Mục đích", 2))
    blocks.extend(
        purpose or [Paragraph(f"Cải thiện, nâng cao kết quả {indices_text or 'các Chỉ số'} năm {plan.year}.")]
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
    blocks.extend(_targets_blocks(plan, targets, nodes))
    if in_appendix:
        blocks.extend(_tasks_reference(plan, tasks, nodes, tasks_label))
    else:
        blocks.extend(_tasks_blocks(plan, tasks, nodes))
    blocks.append(Heading("IV. TỔ CHỨC THỰC HIỆN", 1))
    blocks.extend(_organisation_blocks(plan, wording))

    appendices = []
    if in_appendix:
        appendices.append(_tasks_appendix(plan, tasks, "", nodes))
    if shortcomings:
        appendices.append(_shortcomings_appendix(plan, shortcomings, "", nodes, layout.plan_point_decimals))
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
        recipients=recipient_list(plan.recipients, wording),
        signer=signer_of(plan),
        draft_mark="" if plan.is_public else "DỰ THẢO",
    )


def render_plan(plan: Plan, fmt: str) -> bytes:
    return render(plan_document(plan), "plan", fmt, unit=plan.issuing_unit)
