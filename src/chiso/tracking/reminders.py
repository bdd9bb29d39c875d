"""The reminders that plans owe (two sources of chiso.notifications, registered by TrackingConfig):

- ``task_reminders``: 7, 3 and 1 days before a task of a live plan is due and when it is late, by e-mail
  and in the app, to the officers of the lead and coordinating units; late tasks are also flagged to the
  coordinators of the plan's issuing unit;
- ``digests``: coordinators get a daily digest (late tasks, units that have not reported this quarter).

Recording, sending and never-twice are chiso.notifications'; `send_due` runs both (``chiso remind``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from django.db.models import Q
from django.urls import reverse

from chiso.accounts.models import Membership
from chiso.core.schedule import next_due, period_bounds, period_label, period_of, reminder_kind
from chiso.core.text import format_date
from chiso.notifications import services as notices
from chiso.notifications.models import Reminder
from chiso.plans.models import Plan, Task
from chiso.units.models import Unit

from .models import ProgressReport
from .services.execution import late_tasks, lead_periods, period_kind, task_late_due

__all__ = ["describe_digests", "describe_tasks", "digests", "owed", "send_due", "task_reminders"]

RECIPIENT_ROLES = ("officer", "coordinator")
_DAYS = {"d7": 7, "d3": 3, "d1": 1}


def owed(task: Task, today: dt.date, reported: set[tuple[int, str]]) -> list[tuple[dt.date, str]]:
    """(due date, kind) of the reminders owed today for an open task: d7/d3/d1 before the next due
    date (a recurring task already reported by its lead unit for that period owes none) and late."""
    out = []
    kind_of_period = period_kind(task.recurrence)
    if kind_of_period is None:
        if task.deadline is not None:
            kind = reminder_kind(task.deadline, today)
            if kind:
                out.append((task.deadline, kind))
        return out
    due = next_due(task.recurrence, task.deadline, task.first_due, today)
    if due is not None:
        kind = reminder_kind(due, today)
        if kind in _DAYS and (task.pk, period_of(due, kind_of_period)) not in reported:
            out.append((due, kind))
    late = task_late_due(task, today, reported)
    if late is not None:
        out.append((late, "late"))
    return out


def _ancestors(unit_id: int, cache: dict[int, list[int]]) -> list[int]:
    if unit_id not in cache:
        chain, current = [], Unit.objects.filter(pk=unit_id).values_list("pk", "parent_id").first()
        while current is not None:
            chain.append(current[0])
            current = (
                Unit.objects.filter(pk=current[1]).values_list("pk", "parent_id").first()
                if current[1]
                else None
            )
        cache[unit_id] = chain
    return cache[unit_id]


def send_due(today: dt.date | None = None) -> dict[str, int]:
    """Send every reminder plans owe today (idempotent): the task reminders and the digests."""
    return notices.send_due(today, sources=("tasks", "digests"))


def describe_tasks(counts: dict[str, int]) -> str:
    return f"{counts.get('tasks', 0)} nhiệm vụ, {counts.get('flags', 0)} báo quá hạn cho điều phối viên"


def describe_digests(counts: dict[str, int]) -> str:
    return f"{counts.get('digests', 0)} bản tổng hợp"


TEMPLATE = "tracking/email/reminder"


def task_reminders(today: dt.date, counts: Counter) -> None:
    tasks = list(
        Task.objects.filter(plan__status__in=Plan.workflow().live_states, plan__superseded=False, done=False)
        .filter(Task.tracked_q())  # a request is reminded of once the body has accepted it
        .filter(Q(deadline__isnull=False) | Q(first_due__isnull=False))
        .select_related("plan", "lead_unit")
        .prefetch_related("coordinating_units")
    )
    reported = lead_periods([t for t in tasks if period_kind(t.recurrence)])
    due_now = [(t, owed(t, today, reported)) for t in tasks]
    due_now = [(t, o) for t, o in due_now if o]
    if not due_now:
        return
    unit_ids = set()
    for t, _o in due_now:
        unit_ids.update(u.pk for u in t.coordinating_units.all())
        if t.lead_unit_id:
            unit_ids.add(t.lead_unit_id)
    members: dict[int, list] = defaultdict(list)
    for m in Membership.objects.filter(
        unit_id__in=unit_ids, role__in=RECIPIENT_ROLES, user__is_active=True
    ).select_related("user"):
        members[m.unit_id].append(m.user)
    ancestors: dict[int, list[int]] = {}
    coordinators: dict[int, list] = {}
    site = notices.site_url()
    for task, reminders in due_now:
        url = reverse("tracking:task", args=[task.pk])
        units = ([task.lead_unit] if task.lead_unit_id else []) + list(task.coordinating_units.all())
        recipients: dict[int, tuple] = {}
        for unit in units:
            for user in members.get(unit.pk, []):
                recipients.setdefault(user.pk, (user, unit))
        sent_any = False
        for due, kind in reminders:
            for user, unit in recipients.values():
                ctx = {
                    "task": task,
                    "plan": task.plan,
                    "unit": unit,
                    "role": "lead" if unit.pk == task.lead_unit_id else "coordinating",
                    "kind": kind,
                    "days": _DAYS.get(kind),
                    "late_days": (today - due).days,
                    "due": format_date(due),
                    "url": site + url,
                    "user": user,
                }
                sent_any |= notices.notify(
                    counts,
                    about=task,
                    user=user,
                    unit=unit,
                    kind=kind,
                    due=due,
                    template=TEMPLATE,
                    context=ctx,
                    url=url,
                )
            if kind == "late":
                issuer = task.plan.issuing_unit_id
                if issuer not in coordinators:
                    coordinators[issuer] = [
                        m.user
                        for m in Membership.objects.filter(
                            unit_id__in=_ancestors(issuer, ancestors),
                            role="coordinator",
                            user__is_active=True,
                        ).select_related("user")
                    ]
                for user in coordinators[issuer]:
                    if user.pk in recipients:
                        continue
                    ctx = {
                        "task": task,
                        "plan": task.plan,
                        "unit": task.lead_unit,
                        "role": "oversight",
                        "kind": kind,
                        "late_days": (today - due).days,
                        "due": format_date(due),
                        "url": site + url,
                        "user": user,
                    }
                    if notices.notify(
                        counts,
                        about=task,
                        user=user,
                        unit=task.lead_unit,
                        kind=kind,
                        due=due,
                        template=TEMPLATE,
                        context=ctx,
                        url=url,
                        channels=[Reminder.Channel.APP],
                    ):
                        counts["flags"] += 1
        if sent_any:
            counts["tasks"] += 1


def _not_reported(plans, today: dt.date) -> list[Unit]:
    """Lead units of open tasks of these plans due by the end of this quarter (or late) that have no
    report at all for this quarter."""
    period = period_of(today, "quarter")
    _start, end = period_bounds(period)
    leads = set()
    for unit_id, recurrence, deadline, first_due in Task.objects.filter(
        Task.tracked_q(), plan__in=plans, done=False, lead_unit__isnull=False
    ).values_list("lead_unit_id", "recurrence", "deadline", "first_due"):
        due = next_due(recurrence, deadline, first_due, today)
        if due is not None and due <= end:
            leads.add(unit_id)
    reported = set(
        ProgressReport.objects.filter(task__plan__in=plans, period=period, unit_id__in=leads).values_list(
            "unit_id", flat=True
        )
    )
    from chiso.core.text import vi_sort_key

    units = list(Unit.objects.filter(pk__in=leads - reported))
    units.sort(key=lambda u: vi_sort_key(u.short_name))
    return units


def digests(today: dt.date, counts: Counter) -> None:
    from chiso.accounts.scope import _subtree

    by_user: dict[int, tuple] = {}
    for m in Membership.objects.filter(role="coordinator", user__is_active=True).select_related("user"):
        user, units = by_user.setdefault(m.user_id, (m.user, set()))
        units.add(m.unit_id)
    period = period_of(today, "quarter")
    cache: dict[frozenset, tuple] = {}
    site = notices.site_url()
    url = reverse("tracking:inbox")
    for user, direct in by_user.values():
        key = frozenset(direct)
        if key not in cache:
            scope = _subtree(set(direct))
            plans = Plan.objects.filter(
                issuing_unit__in=scope, status__in=Plan.workflow().live_states, superseded=False
            )
            cache[key] = (late_tasks(plans, today), _not_reported(plans, today))
        late, silent = cache[key]
        if not late and not silent:
            continue
        ctx = {
            "late": late[:50],
            "late_count": len(late),
            "silent": silent,
            "period": period_label(period),
            "today": format_date(today),
            "user": user,
            "url": site + url,
            "notifications_url": site + reverse("notifications:list"),
        }
        if notices.notify(
            counts,
            about=None,
            user=user,
            unit=None,
            kind=Reminder.Kind.DIGEST,
            due=today,
            template="tracking/email/digest",
            context=ctx,
            url=url,
        ):
            counts["digests"] += 1
