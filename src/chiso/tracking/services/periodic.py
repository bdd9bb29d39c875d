"""Periodic reports (quarterly, 6-month, annual) compiled from what units reported.

``compile_report(plan, period, user)`` builds a draft PeriodicReport whose ``content`` has the sections
of the statutory report: ``overview`` (figures in words), ``results`` (one row per task: text, lead unit,
state, percent, narrative, product), ``late`` (tasks behind schedule), ``difficulties`` (joined from the
units' reports) and ``proposals`` (left to the coordinator). The coordinator edits the text
(``update_report``), then it follows the plan workflow (services.workflow.transition): submitted,
approved, issued with a number and date. Approved and issued reports are locked.

A unit's report counts for the period when its own period lies inside it (an annual report uses the
quarterly and 6-month reports of that year too): for each task and unit the latest such report is used.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from chiso.concurrency import bump, check_revision
from chiso.core.schedule import last_due, period_bounds, period_label
from chiso.core.text import format_date, format_number, nfc
from chiso.documents.services import wording_for
from chiso.idempotency import services as idempotency
from chiso.plans.models import Plan, Task
from chiso.plans.permissions import covers_plan, oversees

from ..models import PeriodicReport, ProgressReport
from .monitoring import periods_containing, periods_within

__all__ = [
    "SECTIONS",
    "PeriodicError",
    "can_compile",
    "can_edit_report",
    "can_read_reports",
    "compile_content",
    "compile_report",
    "history_rows",
    "period_choices",
    "period_kind_of",
    "update_report",
]

SECTIONS = {
    "overview": "Tình hình chung",
    "results": "Kết quả thực hiện các nhiệm vụ",
    "late": "Nhiệm vụ chậm tiến độ",
    "difficulties": "Khó khăn, vướng mắc",
    "proposals": "Đề xuất, kiến nghị",
}
STATE_LABELS = {k: str(v) for k, v in ProgressReport.State.choices}
NOT_REPORTED = "Chưa báo cáo"


class PeriodicError(ValueError):
    """The report cannot be compiled or saved (message in Vietnamese); nothing was changed."""


# --- permissions ---------------------------------------------------------------------------------------


def can_read_reports(user, plan: Plan) -> bool:
    """Coordinators, leaders and viewers of the issuing unit (and administrators)."""
    return oversees(user, plan)


def can_compile(user, plan: Plan) -> bool:
    return covers_plan(user, plan, ("coordinator",))


def can_edit_report(user, report: PeriodicReport) -> bool:
    return can_compile(user, report.plan) and not report.locked


# --- periods ---------------------------------------------------------------------------------------------


def period_kind_of(period: str) -> str:
    period_bounds(period)  # ValueError if not a period name
    if "-Q" in period:
        return PeriodicReport.PeriodKind.QUARTER
    if "-H" in period:
        return PeriodicReport.PeriodKind.SEMIANNUAL
    return PeriodicReport.PeriodKind.ANNUAL


def period_choices(plan: Plan, today: dt.date | None = None) -> list[tuple[str, str]]:
    """Periods of the plan's years that have begun by today, the latest first."""
    today = today or dt.date.today()
    out = []
    for year in range(plan.year, (plan.year_to or plan.year) + 1):
        for name in (
            f"{year}-Q1",
            f"{year}-Q2",
            f"{year}-H1",
            f"{year}-Q3",
            f"{year}-Q4",
            f"{year}-H2",
            str(year),
        ):
            if period_bounds(name)[0] <= today:
                out.append((name, period_label(name, get_language())))
    out.reverse()
    return out


# --- compiling ---------------------------------------------------------------------------------------


def _issuer_phrase(plan: Plan) -> str:
    unit = plan.issuing_unit
    if unit.kind in ("province", "district", "ward"):
        name = unit.name[:1].lower() + unit.name[1:] if unit.name else ""
        return f"Ủy ban nhân dân {name}".strip()
    return unit.name


def report_title(plan: Plan, period: str) -> str:
    parts = [f"Báo cáo kết quả thực hiện Kế hoạch số {plan.number_symbol}"]
    if plan.date:
        parts.append(f" ngày {format_date(plan.date)}")
    parts.append(f" của {_issuer_phrase(plan)}, {period_label(period)}")
    return "".join(parts)[:500]


def _product(report) -> str:
    if report is None or not report.product_number:
        return ""
    text = f"Văn bản số {report.product_number}"
    if report.product_date:
        text += f" ngày {format_date(report.product_date)}"
    if report.product_issuer:
        text += f" của {report.product_issuer}"
    return text


def _lead_name(task: Task) -> str:
    if task.lead_unit_id:
        return task.lead_unit.short_name or task.lead_unit.name
    return task.lead_text or "—"


def _percent_text(x: float) -> str:
    return f"{format_number(x, 1)}%"


def compile_content(plan: Plan, period: str, today: dt.date | None = None) -> dict:
    """The sections of the report of `period`, from the units' reports (3 queries)."""
    first, last = period_bounds(period)
    today = today or dt.date.today()
    cutoff = min(today, last + dt.timedelta(days=1))  # "late" as it stood at the end of the period
    tasks = list(
        Task.objects.filter(Task.tracked_q(), plan=plan).select_related("lead_unit").order_by("order", "pk")
    )
    reports = (
        ProgressReport.objects.filter(task__plan=plan, period__in=periods_within(period))
        .select_related("unit")
        .order_by("submitted_at", "pk")
    )
    # Latest report per (task, unit): the one whose period ends last, then the last submitted.
    latest: dict[tuple[int, int], ProgressReport] = {}
    for r in reports:
        key = (r.task_id, r.unit_id)
        old = latest.get(key)
        if old is None or period_bounds(r.period)[1] >= period_bounds(old.period)[1]:
            latest[key] = r
    per_task: dict[int, list[ProgressReport]] = {}
    for r in latest.values():
        per_task.setdefault(r.task_id, []).append(r)

    results, late, difficulties = [], [], []
    n_done = n_progress = n_not_started = 0
    for i, task in enumerate(tasks, start=1):
        mine = per_task.get(task.pk, [])
        lead = next((r for r in mine if r.unit_id == task.lead_unit_id), None)
        main = lead or (max(mine, key=lambda r: r.percent) if mine else None)
        if main is not None:
            state, percent = main.state, main.percent
        elif task.done and task.done_on and task.done_on <= last:
            state, percent = ProgressReport.State.DONE, 100
        else:
            state, percent = "", 0
        if state == ProgressReport.State.DONE:
            percent = 100
            n_done += 1
        elif state in (ProgressReport.State.IN_PROGRESS, ProgressReport.State.BLOCKED):
            n_progress += 1
        else:
            n_not_started += 1
        narrative = []
        if main is not None and main.narrative:
            narrative.append(main.narrative)
        for r in sorted(mine, key=lambda r: r.unit.short_name):
            if r is not main and r.narrative:
                narrative.append(f"{r.unit.short_name} (phối hợp): {r.narrative}")
            if r.difficulties:
                difficulties.append(f"- {r.unit.short_name}: {r.difficulties}")
        lead_name = _lead_name(task)
        results.append(
            {
                "task_id": task.pk,
                "no": i,
                "text": task.text,
                "lead": lead_name,
                "state": str(state) or "not_reported",
                "state_label": STATE_LABELS.get(state, NOT_REPORTED),
                "percent": percent,
                "narrative": "\n".join(narrative),
                "product": _product(main) if state == ProgressReport.State.DONE else "",
                "planned_product": task.product,
            }
        )
        if state == ProgressReport.State.DONE:
            continue
        recurrence = task.recurrence or "none"
        if recurrence == "none":
            due = task.deadline if task.deadline and task.deadline < cutoff else None
            behind = due is not None
        else:
            due = last_due(recurrence, task.deadline, task.first_due, cutoff)
            reported = {r.period for r in mine if r.unit_id == task.lead_unit_id}
            behind = due is not None and not (reported & set(periods_containing(due)))
        if behind:
            late.append(
                {
                    "task_id": task.pk,
                    "no": i,
                    "text": task.text,
                    "lead": lead_name,
                    "due": format_date(due),
                    "percent": percent,
                    "state_label": STATE_LABELS.get(state, NOT_REPORTED),
                }
            )

    total = len(tasks)
    label = period_label(period)
    if total:
        overview = (
            f"{label}, Kế hoạch số {plan.number_symbol} có tổng số {total} nhiệm vụ. "
            f"Đến nay đã hoàn thành {n_done} nhiệm vụ (đạt {_percent_text(100 * n_done / total)}); "
            f"đang thực hiện {n_progress} nhiệm vụ; chưa triển khai hoặc chưa báo cáo {n_not_started} nhiệm vụ; "
            f"có {len(late)} nhiệm vụ chậm tiến độ so với thời hạn quy định."
        )
    else:
        overview = f"{label}, Kế hoạch số {plan.number_symbol} chưa có nhiệm vụ nào."
    units_reported = {unit for _, unit in latest}
    if latest:
        overview += f" Có {len(units_reported)} cơ quan, đơn vị, địa phương đã gửi báo cáo kết quả thực hiện."
    return {
        "overview": overview,
        "results": results,
        "late": late,
        "difficulties": "\n".join(dict.fromkeys(difficulties)),
        "proposals": "",
        "figures": {
            "total": total,
            "done": n_done,
            "in_progress": n_progress,
            "not_started": n_not_started,
            "late": len(late),
            "percent_done": round(100 * n_done / total, 1) if total else 0,
            "units_reported": len(units_reported),
        },
        "compiled_at": dt.date.today().isoformat(),
    }


@transaction.atomic
def compile_report(
    plan: Plan, period: str, user, today: dt.date | None = None, *, key: str | None = None
) -> PeriodicReport:
    """A new draft periodic report of `period` for an issued plan; PeriodicError (Vietnamese) if the
    plan is not being executed, the period is not one, or a report of that period already exists. The
    plan's row is locked first, so two compilations of one period cannot both pass that check; with a
    ``key`` (the form's token), the same submission sent again returns the report it made
    (``was_replayed``) instead of refusing."""
    Plan.objects.select_for_update().filter(pk=plan.pk).first()
    if not can_compile(user, plan):
        raise PeriodicError("Bạn không có quyền lập báo cáo định kỳ của kế hoạch này")
    if not plan.is_public:
        raise PeriodicError("Chỉ lập báo cáo định kỳ cho kế hoạch đã ban hành")
    period = nfc(period or "").strip().upper()
    try:
        kind = period_kind_of(period)
    except ValueError as exc:
        raise PeriodicError(str(exc)) from None
    claim = idempotency.claim(user, key, f"periodic:plan={plan.pk}")
    if claim.existing is not None:
        claim.existing.was_replayed = True
        return claim.existing
    if PeriodicReport.objects.filter(plan=plan, period=period).exists():
        raise PeriodicError(f"Đã có báo cáo {period_label(period)} của kế hoạch này; hãy mở để chỉnh sửa")
    report = PeriodicReport(
        plan=plan,
        period_kind=kind,
        period=period,
        symbol=wording_for(plan.issuing_unit, "report").report_symbol,
        place=plan.place,
        title=report_title(plan, period),
        content=compile_content(plan, period, today),
        recipients=list(plan.recipients or []),
        signer_authority=plan.signer_authority,
        signer_title=plan.signer_title,
        signer_name=plan.signer_name,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    bump(report)
    report._history_user = user
    report._change_reason = "Tổng hợp từ báo cáo của các đơn vị"
    report.save()
    claim.done(report)
    return report


# --- editing -------------------------------------------------------------------------------------------


def _clean(text) -> str:
    return nfc(str(text or "")).replace("\r\n", "\n").strip()


def _same(a, b) -> bool:
    """Equal but for whitespace (browsers send CRLF line ends; a re-saved text is not a change)."""
    return " ".join(_clean(a).split()) == " ".join(_clean(b).split())


@transaction.atomic
def update_report(report: PeriodicReport, data: dict, user, *, revision: int | None = None) -> PeriodicReport:
    """Save the edited text: title, place, signer_name, recipients (list), overview, difficulties,
    proposals, and narratives {task_id: text} of the results rows. PeriodicError if locked or forbidden;
    StaleEdit (chiso.concurrency) when ``revision`` is given and someone saved the report since."""
    report = PeriodicReport.objects.select_for_update().select_related("plan").get(pk=report.pk)
    if not can_compile(user, report.plan):
        raise PeriodicError("Bạn không có quyền sửa báo cáo này")
    if report.locked:
        raise PeriodicError(f"Báo cáo đang ở trạng thái «{report.status_label}», không sửa được")
    check_revision(report, revision, _("báo cáo này"))
    title = _clean(data.get("title", report.title))
    if not title:
        raise PeriodicError("Trích yếu không được để trống")
    if len(title) > 500:
        raise PeriodicError("Trích yếu dài quá 500 ký tự")
    content = dict(report.content or {})
    for key in ("overview", "difficulties", "proposals"):
        if key in data and not _same(data[key], content.get(key)):
            content[key] = _clean(data[key])
    narratives = {str(k): v for k, v in (data.get("narratives") or {}).items()}
    if narratives:
        rows = []
        for row in content.get("results", []):
            row = dict(row)
            new = narratives.get(str(row.get("task_id")))
            if new is not None and _same(new, row.get("narrative")) is False:
                row["narrative"] = _clean(new)
            rows.append(row)
        content["results"] = rows
    report.title = title
    report.content = content
    if "place" in data:
        report.place = _clean(data["place"])[:100]
    if "signer_name" in data:
        report.signer_name = _clean(data["signer_name"])[:100]
    if "recipients" in data:
        recipients = data["recipients"]
        if isinstance(recipients, str):
            recipients = recipients.splitlines()
        report.recipients = [_clean(r) for r in recipients if _clean(r)]
    bump(report)
    report._history_user = user
    report._change_reason = "Chỉnh sửa nội dung"
    report.save()
    return report


# --- history -------------------------------------------------------------------------------------------

_FIELD_LABELS = {
    "title": "trích yếu",
    "place": "địa danh",
    "recipients": "nơi nhận",
    "signer_name": "người ký",
    "number": "số",
    "date": "ngày",
    "status": "trạng thái",
}


def _content_changes(old: dict, new: dict) -> list[str]:
    old, new = old or {}, new or {}
    out = []
    for key, label in SECTIONS.items():
        if old.get(key) != new.get(key):
            if key == "results":
                before = {str(r.get("task_id")): r.get("narrative") for r in old.get("results", [])}
                changed = [
                    r
                    for r in new.get("results", [])
                    if not _same(before.get(str(r.get("task_id"))), r.get("narrative"))
                ]
                if changed:
                    out.append(
                        f"{label.lower()} (nhiệm vụ số {', '.join(str(r.get('no')) for r in changed)})"
                    )
                    continue
            out.append(label.lower())
    return out


def history_rows(report: PeriodicReport) -> list[dict]:
    """Who changed what and when, newest first (one query)."""
    wf = PeriodicReport.workflow()
    records = list(report.history.select_related("history_user").order_by("history_date", "history_id"))
    out = []
    previous = None
    for rec in records:
        if previous is None:
            what = ["lập báo cáo (tổng hợp từ báo cáo của các đơn vị)"]
        else:
            what = []
            for field, label in _FIELD_LABELS.items():
                a, b = getattr(previous, field), getattr(rec, field)
                if a != b:
                    if field == "status":
                        what.append(f"trạng thái: {wf.label(a)} → {wf.label(b)}")
                    elif field == "date" and b:
                        what.append(f"ngày: {format_date(b)}")
                    elif field == "number":
                        what.append(f"số: {b}")
                    else:
                        what.append(label)
            what.extend(_content_changes(previous.content, rec.content))
        user = rec.history_user
        out.append(
            {
                "when": rec.history_date,
                "who": (user.get_full_name() or user.username) if user else "—",
                "what": "; ".join(what) or "lưu, không thay đổi nội dung",
                "reason": rec.history_change_reason or "",
            }
        )
        previous = rec
    out.reverse()
    return out
