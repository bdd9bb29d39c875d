"""Execution of issued plans: progress reports with evidence, the state of each task derived from them,
roll-up of derived tasks to their origin, lateness, and every officer's inbox.

- `save_report(task, user, unit, period, data, files)` stores (or updates) the report of one unit for
  one period with its evidence files: every rule of a report lives there (ValidationError /
  PermissionDenied, nothing saved); `add_evidence(report, user, files)` adds files to a report.
- `refresh_task(task)` recomputes Task.progress/done/done_on/last_reported_at from the lead unit's latest
  report (or from its derived tasks) and rolls up to the origin task; `rollup(task)` does the latter.
- `task_late_due(task, today, reported)` is THE lateness rule (tasks of public plans only: issued or closed);
  `late_tasks(plans_qs, today)` lists the tasks whose (last) due date has passed and that are not done.
- `period_choices(plan, today)` / `default_period(task, periods, today)`: periods a report may be for.
- `inbox(user, today)` groups the tasks of the user's units: late, due soon, in progress, done.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max, Prefetch, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from chiso.concurrency import bump, check_revision
from chiso.core.schedule import last_due, next_due, period_bounds, period_label, period_of, periods_containing
from chiso.core.text import nfc
from chiso.files.checks import check_uploads, store
from chiso.idempotency import services as idempotency
from chiso.plans import permissions as plan_perms
from chiso.plans.models import Plan, Recurrence, Task
from chiso.units.models import Unit
from chiso.validation import Errors

from .. import permissions
from ..models import PRODUCT_FIELDS, REPORT_FIELDS, Evidence, ProgressReport

__all__ = [
    "DUE_SOON_DAYS",
    "InboxItem",
    "inbox",
    "add_evidence",
    "late_tasks",
    "lead_periods",
    "default_period",
    "period_choices",
    "period_kind",
    "period_years",
    "periods_containing",
    "refresh_task",
    "rollup",
    "save_report",
    "task_late_due",
]

DUE_SOON_DAYS = 7
_KIND = {
    Recurrence.QUARTERLY: "quarter",
    Recurrence.CONTINUOUS: "quarter",
    Recurrence.SEMIANNUAL: "semiannual",
    Recurrence.ANNUAL: "annual",
}


def period_kind(recurrence: str) -> str | None:
    """The kind of reporting period of a recurring task (quarter, semiannual, annual); None if one-off."""
    return _KIND.get(recurrence)


def period_years(plan, today: dt.date | None = None) -> tuple[int, int]:
    """First and last year a plan may be reported for: from its first year to the latest of its last
    year, the latest deadline (or first due date) of its tasks, and today's year."""
    today = today or dt.date.today()
    last = max(plan.year, plan.year_to or plan.year, today.year)
    if plan.pk is not None:
        agg = Task.objects.filter(plan_id=plan.pk).aggregate(d=Max("deadline"), f=Max("first_due"))
        for day in agg.values():
            if day is not None:
                last = max(last, day.year)
    return plan.year, last


def period_choices(plan, today: dt.date | None = None) -> list[tuple[str, str]]:
    """Reporting periods of a plan, chronological: for each year from `period_years`, its quarters,
    halves, then the year itself."""
    first, last = period_years(plan, today)
    out = []
    for year in range(first, last + 1):
        for p in [f"{year}-Q{q}" for q in range(1, 5)] + [f"{year}-H1", f"{year}-H2", str(year)]:
            out.append((p, period_label(p, get_language())))
    return out


def default_period(task: Task, periods, today: dt.date | None = None) -> str:
    """The period a report form opens on: the quarter containing today when it is offered, else the first
    period offered if today is before them (a plan of a later year), else the last one."""
    today = today or dt.date.today()
    valid = [p for p, _label in periods]
    if not valid:
        return ""
    current = period_of(today, "quarter")
    if current in valid:
        return current
    first_start = _period_key(valid[0])[1]
    return valid[0] if today < first_start else valid[-1]


def _period_key(period: str) -> tuple[dt.date, dt.date]:
    try:
        start, end = period_bounds(period)
    except ValueError:
        return dt.date.min, dt.date.min
    return end, start


# ---------------------------------------------------------------- task state from reports


def _latest(reports):
    reports = list(reports)
    if not reports:
        return None
    return max(reports, key=lambda r: (_period_key(r.period), r.submitted_at))


def _live_derived(task: Task):
    return task.derived_tasks.filter(plan__status__in=Plan.workflow().public_states, plan__superseded=False)


def _save_state(task: Task, progress: int, done: bool, done_on, last_at, user=None) -> bool:
    changed = (task.progress, task.done, task.done_on, task.last_reported_at) != (
        progress,
        done,
        done_on,
        last_at,
    )
    if changed:
        task.progress, task.done, task.done_on, task.last_reported_at = progress, done, done_on, last_at
        if user is not None:
            task._history_user = user
        task.save(update_fields=["progress", "done", "done_on", "last_reported_at"])
    return changed


def _from_derived(task: Task, user=None) -> bool:
    derived = list(_live_derived(task))
    if not derived:
        return False
    progress = round(sum(t.progress for t in derived) / len(derived))
    done = all(t.done for t in derived)
    done_on = max((t.done_on for t in derived if t.done_on), default=None) if done else None
    last_at = max((t.last_reported_at for t in derived if t.last_reported_at), default=None)
    _save_state(task, 100 if done else min(progress, 99), done, done_on, last_at, user)
    return True


def _recompute(task: Task, user=None) -> None:
    if not _from_derived(task, user):
        _from_reports(task, user)


def rollup(task: Task, user=None) -> Task:
    """A task with derived tasks (in issued or closed plans) shows their mean progress and is done when
    all of them are; its origin, and the origin's origin, are then recomputed in turn. Returns the
    task (refreshed)."""
    _from_derived(task, user)
    seen = {task.pk}
    parent = Task.objects.filter(pk=task.origin_id).first() if task.origin_id else None
    while parent is not None and parent.pk not in seen:
        seen.add(parent.pk)
        _recompute(parent, user)
        parent = Task.objects.filter(pk=parent.origin_id).first() if parent.origin_id else None
    return task


def _from_reports(task: Task, user=None) -> None:
    latest = _latest(task.reports.filter(unit_id=task.lead_unit_id)) if task.lead_unit_id else None
    if latest is None:
        _save_state(task, 0, False, None, None, user)
        return
    done = latest.state == ProgressReport.State.DONE
    done_on = (latest.product_date or timezone.localdate(latest.submitted_at)) if done else None
    _save_state(task, 100 if done else latest.percent, done, done_on, latest.submitted_at, user)


def refresh_task(task: Task, user=None) -> Task:
    """Recompute the task's state from the lead unit's latest report (or its derived tasks) and roll
    up to its origin. Coordinating units' reports never complete a task."""
    _recompute(task, user)
    rollup(task, user)
    task.refresh_from_db()
    return task


# ---------------------------------------------------------------- saving a report


def _checked_files(files, errors: Errors) -> list:
    """Every file checked (type by content, size, virus hook); each refused one is a problem of
    "evidence"."""
    return check_uploads(files, errors, "evidence")


def _store_evidence(report: ProgressReport, checked, user) -> list[Evidence]:
    """Store the files a report does not hold yet (the same content — SHA-256 — sent twice, by a form
    resent or the same file chosen twice, is kept once); the report's row is locked by the caller."""
    held = set(Evidence.objects.filter(report=report).values_list("sha256", flat=True))
    stored = []
    for c in checked:
        if c.sha256 in held:
            continue
        held.add(c.sha256)
        stored.append(store(Evidence, c, user=user, report=report))
    return stored


def _report_unit(user, task: Task, unit, errors: Errors) -> Unit | None:
    """The unit a report is for: the one given (a Unit or its id), else the user's only reporting unit
    of the task. PermissionDenied when she may not report for it."""
    unit_id = getattr(unit, "pk", unit)
    if unit_id is None:
        units = permissions.reporting_units(user, task)
        if len(units) != 1:
            errors.add("unit", _("Chọn đơn vị báo cáo (unit): bạn báo cáo được cho nhiều đơn vị."))
            return None
        unit_id = units[0]
    found = Unit.objects.filter(pk=unit_id).first()
    if found is None or found.pk not in permissions.task_units(task):
        name = found.name if found is not None else unit_id
        errors.add("unit", _("“{unit}” không chủ trì hay phối hợp nhiệm vụ này.").format(unit=name))
        return None
    permissions.require_report_for(user, task, found)
    return found


def _report_period(task: Task, period, errors: Errors) -> str:
    period = str(period or "").strip().upper()
    try:
        period_bounds(period)
    except ValueError:
        errors.add(
            "period",
            _("Kỳ báo cáo “{value}” không hợp lệ (ví dụ: 2025-Q1, 2025-H1, 2025).").format(value=period),
        )
        return period
    if period not in dict(period_choices(task.plan, timezone.localdate())):
        errors.add("period", _("Kỳ báo cáo không thuộc thời gian thực hiện kế hoạch."))
    return period


def _report_values(report: ProgressReport, data: dict, errors: Errors) -> dict:
    """REPORT_FIELDS of the report after the rules: data over what the report holds."""
    values = {name: data[name] if name in data else getattr(report, name) for name in REPORT_FIELDS}
    for name in ("narrative", "difficulties", "product_number", "product_issuer"):
        values[name] = nfc(str(values[name] or "")).strip()
    if values["state"] not in ProgressReport.State.values:
        errors.add("state", _("Chọn tình trạng thực hiện."))
    percent = values["percent"]
    values["percent"] = 0 if percent is None else percent
    if not 0 <= values["percent"] <= 100:
        errors.add("percent", _("Tiến độ phải từ 0 đến 100."))
    if values["state"] == ProgressReport.State.DONE:
        missing = [name for name in PRODUCT_FIELDS if not values[name]]
        for name in missing:
            errors.add(name, _("Bắt buộc khi nhiệm vụ đã hoàn thành."))
        if missing:
            errors.add(
                None, _("Nhiệm vụ đã hoàn thành: cần ghi sản phẩm (số văn bản, ngày, cơ quan ban hành).")
            )
        values["percent"] = 100
    return values


@transaction.atomic
def save_report(
    task: Task,
    user,
    unit,
    period: str,
    data: dict,
    files=(),
    *,
    revision: int | None = None,
    key: str | None = None,
) -> ProgressReport:
    """Store the report of ``unit`` (a Unit or its id; None: the user's only reporting unit of the task)
    on ``task`` for ``period`` (a second report for the same period updates the first; history keeps
    both). ``data``: any of REPORT_FIELDS (what is left out keeps its value). ``files``: uploaded
    evidence. Every rule of a report is checked here: the user reports for a unit of the task of an
    issued plan (PermissionDenied), the period is one of the plan's, the percent 0–100, a task done
    names its product, every file passes the upload checks; ValidationError({field: [messages]}) with
    every problem and nothing saved otherwise. The report returned says ``was_created``.

    Sent twice (a double click, a retry), it does not fail nor duplicate: the task's row is locked first,
    so simultaneous reports of one task run one after the other and the second finds the first one's
    report; a file already held by the report (same SHA-256) is not stored again; with a ``key`` (the
    form's token, the API's Idempotency-Key) the second submission returns the first one's report
    untouched (``was_replayed``). ``revision``: the report's revision the form was opened at (0: there was
    none yet) — someone else saved the report of that unit and period since: StaleEdit, nothing saved."""
    permissions.require_reporting(user, task)
    Task.objects.select_for_update().filter(pk=task.pk).order_by().first()  # the task row alone
    errors = Errors()
    unit = _report_unit(user, task, unit, errors)
    period = _report_period(task, period, errors)
    report = None
    if unit is not None:
        report = (
            ProgressReport.objects.select_for_update().filter(task=task, unit=unit, period=period).first()
        )
    scope = f"report:task={task.pk}"
    claim = idempotency.claim(user, key, scope) if not errors else idempotency.Claim()
    if claim.existing is not None:
        claim.existing.was_created = False
        claim.existing.was_replayed = True
        return claim.existing
    if report is not None:
        check_revision(report, revision, _("báo cáo kỳ này của đơn vị"))
    created = report is None
    if report is None:
        report = ProgressReport(task=task, unit=unit, period=period)
    values = _report_values(report, data, errors)
    checked = _checked_files(files, errors)
    errors.raise_if_any()
    for name, value in values.items():
        setattr(report, name, value)
    report.submitted_by = user
    bump(report)
    report._history_user = user
    report.save()
    _store_evidence(report, checked, user)
    claim.done(report)
    refresh_task(task, user)
    report.was_created = created
    return report


@transaction.atomic
def add_evidence(report: ProgressReport, user, files) -> list[Evidence]:
    """Add evidence files to a report: only who may report for its unit on its task, while the plan is
    issued (PermissionDenied); every file checked, one refused refuses all (ValidationError on
    "evidence", nothing stored). A file the report already holds (same SHA-256: the upload sent twice)
    is not stored again; returns the files stored now."""
    permissions.require_evidence(user, report)
    report = ProgressReport.objects.select_for_update().get(pk=report.pk)
    errors = Errors()
    if not files:
        errors.add("evidence", _("Chọn ít nhất một tệp minh chứng."))
    checked = _checked_files(files, errors)
    errors.raise_if_any()
    return _store_evidence(report, checked, user)


# ---------------------------------------------------------------- lateness


def lead_periods(tasks) -> set[tuple[int, str]]:
    """(task id, period) of every report of a task's lead unit, for the given tasks."""
    pairs = [(t.pk, t.lead_unit_id) for t in tasks if t.lead_unit_id]
    if not pairs:
        return set()
    ids = [p[0] for p in pairs]
    lead = dict(pairs)
    out = set()
    for chunk in range(0, len(ids), 900):
        rows = ProgressReport.objects.filter(task_id__in=ids[chunk : chunk + 900]).values_list(
            "task_id", "unit_id", "period"
        )
        out.update((t, p) for t, u, p in rows if lead.get(t) == u)
    return out


def task_late_due(task: Task, today: dt.date, reported: set[tuple[int, str]]) -> dt.date | None:
    """The due date this task is late for (None when not late). Only tasks of issued or closed plans can
    be late (a draft is not executed yet). A one-off task is late once its deadline has passed and it
    is not done; a recurring one when its last due date has passed without a report of its lead unit for
    a period containing that date (`reported`: pairs from `lead_periods`)."""
    if task.done or not task.plan.is_public:
        return None
    kind = period_kind(task.recurrence)
    if kind is None:
        return task.deadline if task.deadline is not None and task.deadline < today else None
    due = last_due(task.recurrence, task.deadline, task.first_due, today)
    if due is None or any((task.pk, p) in reported for p in periods_containing(due)):
        return None
    return due


def late_tasks(plans_qs, today: dt.date | None = None) -> list[Task]:
    """Tasks of these plans (issued or closed ones only) that are late today: a one-off task whose deadline has passed and is not
    done; a recurring task not done with no report from its lead unit for the period of its last due
    date. Each task carries `late_due` (the date it is late for) and `late_days`; sorted oldest first."""
    today = today or dt.date.today()
    qs = (
        Task.objects.filter(plan__in=plans_qs, plan__status__in=Plan.workflow().public_states, done=False)
        .filter(Task.tracked_q())  # a request is late only once the body has accepted it
        .filter(
            Q(recurrence=Recurrence.NONE, deadline__lt=today)
            | (~Q(recurrence=Recurrence.NONE) & (Q(first_due__lt=today) | Q(deadline__lt=today)))
        )
        .select_related("plan", "lead_unit")
    )
    tasks = list(qs)
    recurring = [t for t in tasks if t.recurrence != Recurrence.NONE]
    reported = lead_periods(recurring)
    out = []
    for t in tasks:
        due = task_late_due(t, today, reported)
        if due is not None:
            t.late_due = due
            t.late_days = (today - due).days
            out.append(t)
    out.sort(key=lambda t: (t.late_due, t.plan_id, t.order, t.pk))
    return out


# ---------------------------------------------------------------- inbox


@dataclass
class InboxItem:
    task: Task
    role: str  # "lead" or "coordinating"
    due: dt.date | None
    late_due: dt.date | None
    last_report: ProgressReport | None

    @property
    def role_label(self) -> str:
        return _("Chủ trì") if self.role == "lead" else _("Phối hợp")


@dataclass
class Inbox:
    late: list[InboxItem] = field(default_factory=list)
    soon: list[InboxItem] = field(default_factory=list)
    open: list[InboxItem] = field(default_factory=list)
    done: list[InboxItem] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.late) + len(self.soon) + len(self.open) + len(self.done)

    def groups(self):
        return [
            ("late", _("Quá hạn"), self.late),
            ("soon", _("Sắp đến hạn (trong 7 ngày)"), self.soon),
            ("open", _("Đang thực hiện"), self.open),
            ("done", _("Đã hoàn thành"), self.done),
        ]


def inbox(user, today: dt.date | None = None) -> Inbox:
    """Tasks of issued plans that the user's units lead or coordinate, grouped by urgency."""
    today = today or dt.date.today()
    own = plan_perms.covered(user, plan_perms.OFFICER_ROLES)
    box = Inbox()
    if own is not None and not own:
        return box
    q = Q(plan__status__in=Plan.workflow().live_states, plan__superseded=False)
    if own is not None:
        q &= Q(lead_unit__in=own) | Q(coordinating_units__in=own)
    tasks = list(
        Task.objects.filter(q)
        .distinct()
        .select_related("plan", "plan__issuing_unit", "lead_unit")
        .prefetch_related(
            "coordinating_units",
            Prefetch(
                "reports",
                queryset=ProgressReport.objects.select_related("unit").order_by("-submitted_at"),
            ),
        )
        .order_by("deadline", "plan_id", "order", "pk")
    )
    reported = set()
    for t in tasks:
        for r in t.reports.all():
            if r.unit_id == t.lead_unit_id:
                reported.add((t.pk, r.period))
    for t in tasks:
        mine = own is None or t.lead_unit_id in own
        role = "lead" if mine and t.lead_unit_id else "coordinating"
        if own is None and not t.lead_unit_id:
            role = "coordinating"
        reports = t.reports.all()
        last = next((r for r in reports if own is None or r.unit_id in own), None)
        if last is None:
            last = next((r for r in reports if r.unit_id == t.lead_unit_id), None)
        due = next_due(t.recurrence, t.deadline, t.first_due, today)
        late = task_late_due(t, today, reported)
        item = InboxItem(t, role, due, late, last)
        if t.done:
            box.done.append(item)
        elif late is not None:
            box.late.append(item)
        elif due is not None and (due - today).days <= DUE_SOON_DAYS:
            box.soon.append(item)
        else:
            box.open.append(item)
    far = dt.date.max
    box.late.sort(key=lambda i: (i.late_due or far, i.task.pk))
    box.soon.sort(key=lambda i: (i.due or far, i.task.pk))
    box.open.sort(key=lambda i: (i.due or far, i.task.pk))
    box.done.sort(key=lambda i: i.task.done_on or dt.date.min, reverse=True)
    return box
