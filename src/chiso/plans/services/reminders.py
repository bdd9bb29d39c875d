"""Reminders: 7, 3 and 1 days before a task is due and when it is late, by e-mail and in the app, to the
officers of the lead and coordinating units; late tasks are also flagged to the coordinators of the
plan's issuing unit; coordinators get a daily digest (late tasks, units that have not reported this
quarter). Every reminder sent is a Reminder row; its unique constraint means none is ever sent twice,
so `send_due` can run as often as one likes (the `chiso remind --loop` command).

E-mail links use the setting CHISO_SITE_URL (e.g. ``https://chiso.example.gov.vn``) when set.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter, defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from chiso.accounts.models import Membership
from chiso.core.schedule import next_due, period_bounds, period_label, period_of, reminder_kind
from chiso.core.text import format_date
from chiso.units.models import Unit

from ..models import Plan, ProgressReport, Reminder, Status, Task
from .execution import late_tasks, lead_periods, period_kind, task_late_due

__all__ = ["mark_read", "owed", "send_due", "unread_count"]

log = logging.getLogger(__name__)
RECIPIENT_ROLES = ("officer", "coordinator")
_DAYS = {"d7": 7, "d3": 3, "d1": 1}


def unread_count(user) -> int:
    """How many in-app reminders the user has not read (for the badge in the top bar)."""
    if not user.is_authenticated:
        return 0
    return Reminder.objects.filter(user=user, channel=Reminder.Channel.APP, read_at__isnull=True).count()


def mark_read(user, ids=None) -> int:
    """Mark the user's in-app reminders read (all, or those whose ids are given)."""
    qs = Reminder.objects.filter(user=user, channel=Reminder.Channel.APP, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


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


def _site() -> str:
    return (getattr(settings, "CHISO_SITE_URL", "") or "").rstrip("/")


def _record(counts: Counter, *, task, user, unit, kind, channel, due, subject, body, url) -> bool:
    """Record (and, for e-mail, send) one reminder unless it was already sent; True if sent now."""
    try:
        with transaction.atomic():
            _, created = Reminder.objects.get_or_create(
                task=task,
                user=user,
                kind=kind,
                channel=channel,
                due=due,
                defaults={"unit": unit, "subject": subject[:300], "body": body, "url": url[:300]},
            )
            if created and channel == Reminder.Channel.EMAIL:
                send_mail(subject, body, None, [user.email])
    except IntegrityError:
        return False
    except Exception:  # a mail server error: nothing recorded, the next pass retries
        log.exception("Không gửi được thư nhắc việc đến %s", user.email)
        counts["errors"] += 1
        return False
    if created:
        counts[channel] += 1
    return created


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


def _message(template: str, context: dict) -> tuple[str, str]:
    subject = " ".join(render_to_string(f"plans/email/{template}_subject.txt", context).split())
    body = render_to_string(f"plans/email/{template}_body.txt", context).strip() + "\n"
    return subject, body


def send_due(today: dt.date | None = None) -> dict[str, int]:
    """Send every reminder owed today (idempotent). Returns counts: app, email (reminders recorded per
    channel), tasks (tasks reminded about), flags (late tasks flagged to coordinators), digests,
    errors."""
    today = today or timezone.localdate()
    counts: Counter = Counter()
    with translation.override("vi"):
        _task_reminders(today, counts)
        _digests(today, counts)
    return {k: counts.get(k, 0) for k in ("app", "email", "tasks", "flags", "digests", "errors")}


def _task_reminders(today: dt.date, counts: Counter) -> None:
    tasks = list(
        Task.objects.filter(plan__status=Status.ISSUED, plan__superseded=False, done=False)
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
    site = _site()
    for task, reminders in due_now:
        url = reverse("plans:task", args=[task.pk])
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
                subject, body = _message("reminder", ctx)
                channels = [Reminder.Channel.APP] + ([Reminder.Channel.EMAIL] if user.email else [])
                for channel in channels:
                    sent_any |= _record(
                        counts,
                        task=task,
                        user=user,
                        unit=unit,
                        kind=kind,
                        channel=channel,
                        due=due,
                        subject=subject,
                        body=body,
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
                    subject, body = _message("reminder", ctx)
                    if _record(
                        counts,
                        task=task,
                        user=user,
                        unit=task.lead_unit,
                        kind=kind,
                        channel=Reminder.Channel.APP,
                        due=due,
                        subject=subject,
                        body=body,
                        url=url,
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
        plan__in=plans, done=False, lead_unit__isnull=False
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


def _digests(today: dt.date, counts: Counter) -> None:
    from chiso.accounts.scope import _subtree

    by_user: dict[int, tuple] = {}
    for m in Membership.objects.filter(role="coordinator", user__is_active=True).select_related("user"):
        user, units = by_user.setdefault(m.user_id, (m.user, set()))
        units.add(m.unit_id)
    period = period_of(today, "quarter")
    cache: dict[frozenset, tuple] = {}
    site = _site()
    url = reverse("plans:inbox")
    for user, direct in by_user.values():
        key = frozenset(direct)
        if key not in cache:
            scope = _subtree(set(direct))
            plans = Plan.objects.filter(issuing_unit__in=scope, status=Status.ISSUED, superseded=False)
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
            "notifications_url": site + reverse("plans:notifications"),
        }
        subject, body = _message("digest", ctx)
        channels = [Reminder.Channel.APP] + ([Reminder.Channel.EMAIL] if user.email else [])
        sent = False
        for channel in channels:
            sent |= _record(
                counts,
                task=None,
                user=user,
                unit=None,
                kind=Reminder.Kind.DIGEST,
                channel=channel,
                due=today,
                subject=subject,
                body=body,
                url=url,
            )
        if sent:
            counts["digests"] += 1
