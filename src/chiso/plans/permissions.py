"""Who may see and do what with plans, tasks and reports. Every view and API endpoint asks here.

Roles on a unit cover its subtree (chiso.accounts.scope). Coordinators (province-wide) draft and edit
plans of the units they cover, leaders approve and issue them, viewers read them; a unit officer sees
only the tasks her unit leads or coordinates, the plans they belong to, and her unit's reports (plus,
when her unit leads a task, the contributions of the coordinating units to that task). Officers see
only issued or closed plans: drafts, submitted and approved plans stay with the oversight roles.
"""

from __future__ import annotations

from django.db.models import Q

from chiso.accounts.scope import OVERSIGHT_ROLES, covered, covers, roles_on
from chiso.core.workflow import shipped_workflow

from .models import Plan, ProgressReport, Task

EDIT_ROLES = ("coordinator",)
OFFICER_ROLES = ("officer", "coordinator")
# Plans a unit officer may see (and whose tasks may be late): issued or closed, never a draft.
LIVE_STATUSES = ("issued", "closed")
#: Who may produce the reminder letter of an issued plan (the coordinator drafts, the leader signs).
LETTER_ROLES = ("coordinator", "leader")


def _in(field: str, scope: set[int] | None) -> Q:
    return Q() if scope is None else Q(**{f"{field}__in": scope})


def _none_if_empty(q: Q, scope: set[int] | None) -> Q | None:
    return None if scope is not None and not scope else q


def plans_q(user) -> Q:
    """Plans the user may see: every plan of the units she oversees (drafts included); as a unit officer,
    only issued or closed plans her unit issued, leads or coordinates a task of."""
    over = covered(user, (*OVERSIGHT_ROLES, "officer"))
    if over is None:
        return Q()
    oversight = covered(user, OVERSIGHT_ROLES) or set()
    own = covered(user, OFFICER_ROLES) or set()
    return Q(issuing_unit__in=oversight) | (
        Q(status__in=LIVE_STATUSES)
        & (Q(tasks__lead_unit__in=own) | Q(tasks__coordinating_units__in=own) | Q(issuing_unit__in=own))
    )


def visible_plans(user):
    return Plan.objects.filter(plans_q(user)).distinct()


def tasks_q(user) -> Q:
    """Tasks the user may see: every task of plans she oversees, else her units' tasks of issued or
    closed plans only (a draft is not her business yet)."""
    oversight = covered(user, OVERSIGHT_ROLES)
    if oversight is None:
        return Q()
    own = covered(user, OFFICER_ROLES) or set()
    return Q(plan__issuing_unit__in=oversight) | (
        Q(plan__status__in=LIVE_STATUSES) & (Q(lead_unit__in=own) | Q(coordinating_units__in=own))
    )


def visible_tasks(user):
    return Task.objects.filter(tasks_q(user)).distinct()


def reports_q(user) -> Q:
    """Progress reports the user may see: her units' own, those on tasks her unit leads, and all of the
    plans she oversees."""
    oversight = covered(user, OVERSIGHT_ROLES)
    if oversight is None:
        return Q()
    own = covered(user, OFFICER_ROLES) or set()
    return Q(task__plan__issuing_unit__in=oversight) | Q(unit__in=own) | Q(task__lead_unit__in=own)


def visible_reports(user):
    return ProgressReport.objects.filter(reports_q(user)).distinct()


def oversees(user, plan: Plan) -> bool:
    return covers(user, plan.issuing_unit_id, (*OVERSIGHT_ROLES,))


def can_view_plan(user, plan: Plan) -> bool:
    """Same rule as plans_q: oversight roles see every plan of their units; officers only issued or
    closed plans of their unit or with a task of their unit."""
    if oversees(user, plan):
        return True
    own = covered(user, OFFICER_ROLES)
    if own is None:
        return True
    if plan.status not in LIVE_STATUSES:
        return False
    if plan.issuing_unit_id in own:
        return True
    return plan.tasks.filter(Q(lead_unit__in=own) | Q(coordinating_units__in=own)).exists()


def can_edit_plan(user, plan: Plan) -> bool:
    """Coordinators of the issuing unit edit a plan while its workflow state is not locked."""
    return covers(user, plan.issuing_unit_id, EDIT_ROLES) and not plan.locked


def can_create_plan(user, issuing_unit_id: int | None) -> bool:
    return covers(user, issuing_unit_id, EDIT_ROLES)


def can_amend_plan(user, plan: Plan) -> bool:
    return covers(user, plan.issuing_unit_id, EDIT_ROLES) and plan.status == "issued" and not plan.superseded


def plan_transitions(user, obj) -> list:
    """Workflow steps this user may take now on a plan or periodic report."""
    unit_id = obj.issuing_unit_id if isinstance(obj, Plan) else obj.plan.issuing_unit_id
    if isinstance(obj, Plan) and obj.superseded:
        return []
    return shipped_workflow().available(obj.status, roles_on(user, unit_id))


def can_view_task(user, task: Task) -> bool:
    return visible_tasks(user).filter(pk=task.pk).exists()


def task_units(task: Task) -> set[int]:
    units = set(task.coordinating_units.values_list("pk", flat=True))
    if task.lead_unit_id:
        units.add(task.lead_unit_id)
    return units


def reporting_units(user, task: Task) -> list[int]:
    """Units of this task (lead or coordinating) the user may report for."""
    own = covered(user, OFFICER_ROLES)
    units = task_units(task)
    if own is None:
        return sorted(units)
    return sorted(units & own)


def can_report(user, task: Task, unit_id: int) -> bool:
    if task.plan.status != "issued":
        return False
    return unit_id in reporting_units(user, task)


def can_view_report(user, report: ProgressReport) -> bool:
    return visible_reports(user).filter(pk=report.pk).exists()


def can_manage_library(user) -> bool:
    return covered(user, EDIT_ROLES) != set()


def can_edit_responsibility(user, province_id: int) -> bool:
    return covers(user, province_id, EDIT_ROLES)
