"""Who may see and do what with plans and their tasks. Every view and API endpoint asks here (reports:
chiso.tracking.permissions).

Roles on a unit cover its subtree (chiso.accounts.scope). Coordinators (province-wide) draft and edit
plans of the units they cover, leaders approve and issue them, viewers read them; a unit officer sees
only the tasks her unit leads or coordinates, the plans they belong to, and her unit's reports (plus,
when her unit leads a task, the contributions of the coordinating units to that task). Officers see
only issued or closed plans: drafts, submitted and approved plans stay with the oversight roles.

A unit merged away holds no one's roles any more: its successor in force today holds its records
(``chiso.units.lineage``). A plan issued by such a unit (Kon Tum's plan of 2023, drafted today by the
merged Quảng Ngãi from Kon Tum's results) is the business of the roles on the unit or on its successors
(:func:`issuer_holders`, :func:`covers_plan`; the querysets: :func:`issued_by`) — here only, not in
``chiso.accounts.scope``, so a role on today's province does not reach its predecessors' other records.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from chiso.accounts.scope import OVERSIGHT_ROLES, covered, covers, roles_on
from chiso.units.lineage import units_in_force
from chiso.units.models import Unit, UnitLink
from chiso.workflows.services import available_steps

from .models import Plan, Task

EDIT_ROLES = ("coordinator",)
OFFICER_ROLES = ("officer", "coordinator")
#: Who may produce the reminder letter of an issued plan (the coordinator drafts, the leader signs).
LETTER_ROLES = ("coordinator", "leader")


def _in(field: str, scope: set[int] | None) -> Q:
    return Q() if scope is None else Q(**{f"{field}__in": scope})


def _none_if_empty(q: Q, scope: set[int] | None) -> Q | None:
    return None if scope is not None and not scope else q


def issuer_holders(unit: Unit) -> list[int]:
    """The units whose roles count for what ``unit`` issued: the unit itself, and, once it is no longer
    in force, the units that succeeded it and are in force today (they hold its records) — for a unit
    merged away without a successor of its own (a district of 2023), those holding its former parent's."""
    today = dt.date.today()
    if unit.valid_on(today):
        return [unit.pk]
    later = [u.pk for u in units_in_force(unit, today) if u.pk != unit.pk]
    if not later and unit.parent_id is not None and not unit.parent.valid_on(today):
        later = issuer_holders(unit.parent)[1:]
    return [unit.pk, *later]


def covers_plan(user, plan: Plan, roles) -> bool:
    """The user holds one of ``roles`` on the plan's issuing unit or on a unit that holds its records
    (:func:`issuer_holders`; the issuing unit is read only when the user has no role on it)."""
    if covers(user, plan.issuing_unit_id, roles):
        return True
    return any(covers(user, pk, roles) for pk in issuer_holders(plan.issuing_unit)[1:])


def issued_by(field: str, scope: set[int]) -> Q:
    """``field`` (an issuing unit) among ``scope``, or merged away into a unit of ``scope`` (one link
    back: the 2025 reorganisation), or a unit no longer in force under one merged away (its districts,
    their communes) — the queryset form of :func:`covers_plan`."""
    q = Q(**{f"{field}__in": scope})
    if not scope:
        return q
    today = dt.date.today()
    merged_away = UnitLink.objects.filter(successor_id__in=scope, predecessor__valid_to__lt=today).values(
        "predecessor_id"
    )
    below = Unit.objects.filter(valid_to__lt=today).filter(
        Q(parent__in=merged_away) | Q(parent__valid_to__lt=today, parent__parent__in=merged_away)
    )
    return q | Q(**{f"{field}__in": merged_away}) | Q(**{f"{field}__in": below.values("pk")})


def plans_q(user) -> Q:
    """Plans the user may see: every plan of the units she oversees (drafts included); as a unit officer,
    only public plans her unit issued, leads or coordinates a task of."""
    over = covered(user, (*OVERSIGHT_ROLES, "officer"))
    if over is None:
        return Q()
    oversight = covered(user, OVERSIGHT_ROLES) or set()
    own = covered(user, OFFICER_ROLES) or set()
    return issued_by("issuing_unit", oversight) | (
        Q(status__in=Plan.workflow().public_states)
        & (Q(tasks__lead_unit__in=own) | Q(tasks__coordinating_units__in=own) | Q(issuing_unit__in=own))
    )


def visible_plans(user):
    return Plan.objects.filter(plans_q(user)).distinct()


def tasks_q(user) -> Q:
    """Tasks the user may see: every task of plans she oversees, else her units' tasks of public plans
    only (a draft is not her business yet)."""
    oversight = covered(user, OVERSIGHT_ROLES)
    if oversight is None:
        return Q()
    own = covered(user, OFFICER_ROLES) or set()
    return issued_by("plan__issuing_unit", oversight) | (
        Q(plan__status__in=Plan.workflow().public_states)
        & (Q(lead_unit__in=own) | Q(coordinating_units__in=own))
    )


def visible_tasks(user):
    return Task.objects.filter(tasks_q(user)).distinct()


def oversees(user, plan: Plan) -> bool:
    return covers_plan(user, plan, OVERSIGHT_ROLES)


def can_view_plan(user, plan: Plan) -> bool:
    """Same rule as plans_q: oversight roles see every plan of their units; officers only public plans
    of their unit or with a task of their unit."""
    if oversees(user, plan):
        return True
    own = covered(user, OFFICER_ROLES)
    if own is None:
        return True
    if not plan.is_public:
        return False
    if plan.issuing_unit_id in own:
        return True
    return plan.tasks.filter(Q(lead_unit__in=own) | Q(coordinating_units__in=own)).exists()


def can_edit_plan(user, plan: Plan) -> bool:
    """Coordinators of the issuing unit edit a plan while its workflow state is not locked."""
    return covers_plan(user, plan, EDIT_ROLES) and not plan.locked


def can_create_plan(user, issuing_unit_id: int | None) -> bool:
    """The user coordinates the unit a new plan is issued by (a plan is entered by hand for a unit in
    force; one of a unit merged away comes from drafting its results, ``drafting.plan_issuer``)."""
    return covers(user, issuing_unit_id, EDIT_ROLES)


def may_create_plans(user) -> bool:
    """The user coordinates some unit, so may open the form of a new plan."""
    return covered(user, EDIT_ROLES) != set()


def require_plan_creator(user) -> None:
    """PermissionDenied unless the user coordinates some unit."""
    if not may_create_plans(user):
        raise PermissionDenied(_("Chỉ người điều phối mới lập được kế hoạch."))


def require_create_plan(user, unit) -> None:
    """PermissionDenied unless the user may issue plans for ``unit`` (a Unit or None)."""
    if unit is None:
        raise PermissionDenied(_("Bạn không phải chuyên viên điều phối của cơ quan ban hành này."))
    if not can_create_plan(user, unit.pk):
        raise PermissionDenied(
            _("Bạn không phải người điều phối của “{unit}” nên không lập kế hoạch cho đơn vị này.").format(
                unit=unit.name
            )
        )


def edit_refusal(user, plan: Plan) -> str | None:
    """Why the user may not change the plan now (None if she may)."""
    if can_edit_plan(user, plan):
        return None
    if plan.superseded:
        return _("Kế hoạch này đã được thay thế bởi bản sửa đổi; không sửa được nữa.")
    if plan.locked and covers_plan(user, plan, EDIT_ROLES):
        return _(
            "Kế hoạch đang ở trạng thái «{status}» nên đã bị khóa; muốn thay đổi hãy lập bản sửa đổi."
        ).format(status=plan.status_label)
    return _("Bạn không có quyền sửa kế hoạch này (chỉ người điều phối của cơ quan ban hành).")


def require_edit(user, plan: Plan) -> None:
    """PermissionDenied with the reason when the user may not change the plan (or its parts)."""
    reason = edit_refusal(user, plan)
    if reason is not None:
        raise PermissionDenied(reason)


def require_cascade(user, plan: Plan) -> None:
    """PermissionDenied unless the user coordinates the plan's issuing unit (who cascades a plan)."""
    if not covers_plan(user, plan, EDIT_ROLES):
        raise PermissionDenied(_("Chỉ chuyên viên điều phối của cơ quan ban hành được triển khai kế hoạch."))


def covers_issuer(user, plan: Plan) -> bool:
    """The user coordinates the plan's issuing unit (records the replies to its requests, cascades it)."""
    return covers_plan(user, plan, EDIT_ROLES)


def takes_steps(user, plan: Plan) -> bool:
    """The user has a role on the issuing unit that some workflow step of the plan needs."""
    roles = {role for t in plan.workflow().transitions for role in t.roles}
    return bool(roles_on(user, plan.workflow_unit_id) & roles)


def can_amend_plan(user, plan: Plan) -> bool:
    return covers_plan(user, plan, EDIT_ROLES) and plan.is_live and not plan.superseded


def plan_transitions(user, obj) -> list:
    """Workflow steps this user may take now on a plan or periodic report."""
    return available_steps(user, obj)


def can_view_task(user, task: Task) -> bool:
    return visible_tasks(user).filter(pk=task.pk).exists()


def can_manage_library(user) -> bool:
    return covered(user, EDIT_ROLES) != set()


def can_edit_responsibility(user, province_id: int) -> bool:
    return covers(user, province_id, EDIT_ROLES)
