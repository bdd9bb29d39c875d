"""Who may see and write progress reports. Every view and API endpoint of chiso.tracking asks here;
plans and tasks are chiso.plans.permissions'."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from chiso.accounts.scope import OVERSIGHT_ROLES, covered
from chiso.plans.models import Task
from chiso.plans.permissions import OFFICER_ROLES, issued_by

from .models import ProgressReport


def reports_q(user) -> Q:
    """Progress reports the user may see: her units' own, those on tasks her unit leads, and all of the
    plans she oversees."""
    oversight = covered(user, OVERSIGHT_ROLES)
    if oversight is None:
        return Q()
    own = covered(user, OFFICER_ROLES) or set()
    return issued_by("task__plan__issuing_unit", oversight) | Q(unit__in=own) | Q(task__lead_unit__in=own)


def visible_reports(user):
    return ProgressReport.objects.filter(reports_q(user)).distinct()


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
    """Units report only on tasks of live plans (issued), for a unit of the task they handle."""
    if not task.plan.is_live:
        return False
    return unit_id in reporting_units(user, task)


def can_view_report(user, report: ProgressReport) -> bool:
    return visible_reports(user).filter(pk=report.pk).exists()


def require_reporting(user, task: Task) -> None:
    """PermissionDenied with the reason unless the user may report on the task now (for some unit)."""
    if not reporting_units(user, task):
        raise PermissionDenied(
            _("Bạn không báo cáo được cho nhiệm vụ này (chỉ cán bộ của đơn vị chủ trì hoặc phối hợp).")
        )
    if not task.plan.is_live:
        raise PermissionDenied(
            _(
                "Kế hoạch đang ở trạng thái «{status}»: chỉ báo cáo tiến độ cho nhiệm vụ của kế hoạch đã ban hành."
            ).format(status=task.plan.status_label)
        )


def require_report_for(user, task: Task, unit) -> None:
    """PermissionDenied unless the user may report on the task for this unit (one of the task's)."""
    if not can_report(user, task, unit.pk):
        raise PermissionDenied(_("Bạn không báo cáo được thay cho “{unit}”.").format(unit=unit.name))


def require_evidence(user, report: ProgressReport) -> None:
    """PermissionDenied unless the user may add evidence to the report: as for reporting on its task
    for its unit."""
    task = report.task
    if can_report(user, task, report.unit_id):
        return
    if not task.plan.is_live:
        raise PermissionDenied(
            _(
                "Kế hoạch đang ở trạng thái «{status}»: chỉ bổ sung minh chứng cho nhiệm vụ của kế hoạch đã ban hành."
            ).format(status=task.plan.status_label)
        )
    raise PermissionDenied(
        _("Bạn không báo cáo được thay cho “{unit}” nên không tải minh chứng lên được.").format(
            unit=report.unit.name
        )
    )
