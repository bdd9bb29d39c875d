"""Periodic reports and reminder letters (công văn đôn đốc) of a plan's execution, as official documents.

``periodic_report_document`` prints the compiled content of a PeriodicReport ("BÁO CÁO": overview,
results as a table, late tasks, difficulties, proposals); ``reminder_letter_document`` the letter to the
units whose tasks are late or unreported, by the one lateness rule of ``services.execution``. ``render_*``
give the DOCX or PDF bytes in the province's layout for that kind.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass

from chiso.core.text import fold, format_date, format_number, nfc
from chiso.documents import wording as w
from chiso.documents.model import Heading, OfficialDocument, Paragraph, Signer, Table, blocks_from_text
from chiso.documents.services import render, wording_for
from chiso.plans.documents import plan_reference
from chiso.plans.models import Plan, Task

from .models import PeriodicReport
from .services.execution import late_tasks, lead_periods

__all__ = [
    "LateItem",
    "late_items",
    "periodic_report_document",
    "reminder_letter_document",
    "render_letter",
    "render_periodic",
]


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
        return w.bullets([_cell(v) for v in value])
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
                    out.extend(w.bullets([_cell(v) for v in sub]))
        return out
    return [Paragraph(w.esc(_cell(value)))]


def periodic_report_document(report: PeriodicReport) -> OfficialDocument:
    """A periodic report (báo cáo định kỳ) as an official document: "BÁO CÁO", its sections from the
    compiled content (overview, results as a table, late tasks, difficulties, proposals)."""
    plan = report.plan
    unit = plan.issuing_unit
    wording = wording_for(unit, "report")
    parent_body, issuer = w.issuer_lines(unit, wording)
    content = report.content if isinstance(report.content, dict) else {}
    blocks: list = [
        Paragraph(
            f"Thực hiện {plan_reference(plan)} về {w.esc(w.lower_first(w.title_of(plan.title, 'Kế hoạch')))}; "
            f"{w.body_name(unit)} báo cáo kết quả thực hiện như sau:"
        )
    ]
    n = 0
    for key, heading in PERIODIC_SECTIONS:
        section = _section_blocks(content.get(key))
        if not section:
            continue
        blocks.append(Heading(f"{w.ROMAN[n]}. {heading}", 1))
        blocks.extend(section)
        n += 1
    known = {k for k, _ in PERIODIC_SECTIONS}
    for key, value in content.items():
        if key in known or not isinstance(value, dict) or not value.get("title"):
            continue
        section = _section_blocks({k: v for k, v in value.items() if k != "title"})
        if section:
            blocks.append(
                Heading(f"{w.ROMAN[n] if n < len(w.ROMAN) else n + 1}. {nfc(value['title']).upper()}", 1)
            )
            blocks.extend(section)
            n += 1
    blocks.append(Paragraph(f"Trên đây là báo cáo của {w.body_name(unit)}./."))
    return OfficialDocument(
        kind_label="BÁO CÁO",
        parent_body=parent_body,
        issuer=issuer,
        number_symbol=f"{report.number}/{report.symbol}" if report.number else f"/{report.symbol}",
        place=report.place or plan.place,
        date=report.date,
        title=w.title_of(report.title, "Báo cáo"),
        blocks=blocks,
        recipients=w.recipient_list(report.recipients, wording),
        signer=w.signer_of(report),
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
    out.sort(key=lambda i: (fold(w.unit_full_name(i.unit)), i.due, i.task.order))
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
    wording = wording_for(unit, "letter")
    parent_body, issuer = w.issuer_lines(unit, wording)
    per_unit: OrderedDict[int, list[LateItem]] = OrderedDict()
    for item in items:
        per_unit.setdefault(item.unit.pk, []).append(item)
    addressed = [per_unit[k][0].unit for k in per_unit]
    names = [w.unit_full_name(u) for u in addressed]
    reference = plan_reference(plan)
    title = w.lower_first(w.title_of(plan.title, "Kế hoạch"))

    blocks: list = [
        Paragraph(
            f"Thực hiện {reference} về {w.esc(title)}, qua theo dõi, đến {w.date_words(today)}, "
            + (
                "các cơ quan, đơn vị, địa phương sau chưa hoàn thành hoặc chưa báo cáo kết quả thực hiện "
                "nhiệm vụ được giao đúng thời hạn:"
                if items
                else "các nhiệm vụ được giao đều đang trong thời hạn thực hiện."
            )
        )
    ]
    for n, (_, rows) in enumerate(per_unit.items(), start=1):
        blocks.append(Heading(f"{n}. {w.unit_full_name(rows[0].unit)}", 2))
        for item in rows:
            status = f"đã báo cáo, đạt {item.percent}%" if item.reported else "chưa báo cáo kết quả"
            text = nfc(item.task.text).rstrip().rstrip(".;")
            blocks.append(Paragraph(f"- {w.esc(text)} (thời hạn: {format_date(item.due)}; {status})."))
    blocks.append(
        Paragraph(
            f"Để bảo đảm tiến độ thực hiện Kế hoạch, {w.body_name(unit)} đề nghị các cơ quan, đơn vị, địa phương "
            f"nêu trên khẩn trương triển khai thực hiện các nhiệm vụ được giao và báo cáo kết quả về "
            f"{wording.coordinating_agency} trước ngày {format_date(report_by)} để tổng hợp, báo cáo "
            f"{w.body_name(unit)}; đồng thời cập nhật tiến độ trên hệ thống theo dõi chỉ số (chiso)./."
        )
    )
    return OfficialDocument(
        kind_label="",
        parent_body=parent_body,
        issuer=issuer,
        number_symbol=f"/{wording.letter_symbol}",
        place=plan.place,
        date=None,
        subject=f"V/v đôn đốc thực hiện và báo cáo kết quả Kế hoạch số {w.number_ref(plan.number, plan.symbol)}",
        salutation=_salutation(names),
        blocks=blocks,
        recipients=w.recipient_list(wording.letter_recipients, wording),
        signer=Signer(wording.letter_signer_authority, wording.letter_signer_title, ""),
    )


# --- rendering -----------------------------------------------------------------------------------


def render_periodic(report: PeriodicReport, fmt: str) -> bytes:
    return render(periodic_report_document(report), "report", fmt, unit=report.plan.issuing_unit)


def render_letter(
    plan: Plan, fmt: str, units=None, tasks=None, user=None, *, today: dt.date | None = None
) -> bytes:
    letter = reminder_letter_document(plan, units, tasks, user, today=today)
    return render(letter, "letter", fmt, unit=plan.issuing_unit)
