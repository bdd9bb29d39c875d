"""Cascading an issued plan to subordinate units: the derived plan of a department or commune with the
tasks it leads or coordinates, and the tasks addressed to a class of units given to each of them.
Logic in services.cascade; only the coordinators of the issuing unit may do it."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chiso.units.models import Unit

from . import permissions
from .forms_cascade import CascadeForm
from .models import Task
from .services import cascade as cascade_service


def plan_url(plan) -> str | None:
    try:
        return reverse("plans:detail", args=[plan.pk])
    except NoReverseMatch:
        return None


def _cascade_plan(request, pk: int):
    plan = get_object_or_404(permissions.visible_plans(request.user), pk=pk)
    permissions.require_cascade(request.user, plan)
    return plan


def cascade(request, pk: int):
    plan = _cascade_plan(request, pk)
    units = cascade_service.candidate_units(plan)
    form = CascadeForm(request.POST or None, units=units)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            unit = Unit.objects.get(pk=form.cleaned_data["unit"])
            try:
                existed = plan.derived_plans.filter(issuing_unit=unit, superseded=False).exists()
                derived = cascade_service.derive_plan(plan, unit, request.user)
            except cascade_service.CascadeError as exc:
                form.add_error(None, str(exc))
            else:
                if existed:
                    messages.info(
                        request, _("{unit} đã có kế hoạch triển khai.").format(unit=unit.short_name)
                    )
                else:
                    messages.success(
                        request,
                        _("Đã tạo dự thảo kế hoạch triển khai của {unit} ({n} nhiệm vụ).").format(
                            unit=unit.short_name, n=derived.tasks.count()
                        ),
                    )
                return redirect(plan_url(derived) or reverse("plans:cascade", args=[plan.pk]))
        status = 400
    derived_plans = list(
        plan.derived_plans.select_related("issuing_unit").order_by("issuing_unit__short_name")
    )
    for d in derived_plans:
        d.url = plan_url(d)
    class_tasks = list(plan.tasks.filter(lead_unit__isnull=True).exclude(lead_class=""))
    instances = Task.objects.filter(plan=plan, origin__in=class_tasks).count()
    class_status = cascade_service.class_task_status(plan)
    return render(
        request,
        "plans/cascade_plan.html",
        {
            "plan": plan,
            "plan_url": plan_url(plan),
            "form": form,
            "units": units,
            "derived_plans": derived_plans,
            "class_tasks": class_tasks,
            "instances": instances,
            "class_status": class_status,
            "issued": plan.is_live and not plan.superseded,
        },
        status=status,
    )


@require_POST
def instantiate(request, pk: int):
    plan = _cascade_plan(request, pk)
    try:
        n = cascade_service.instantiate_class_tasks(plan, request.user)
    except cascade_service.CascadeError as exc:
        messages.error(request, str(exc))
    else:
        status = cascade_service.class_task_status(plan)
        if n:
            messages.success(request, _("Đã giao {n} nhiệm vụ cho từng đơn vị.").format(n=n))
        elif not status:
            messages.info(request, _("Kế hoạch không có nhiệm vụ giao theo cấp."))
        elif all(row["units"] and not row["copies_missing"] for row in status):
            messages.info(request, _("Không có nhiệm vụ mới: mọi đơn vị đã được giao."))
        for row in status:
            if not row["units"]:
                messages.warning(
                    request,
                    _(
                        "Năm {year} không có đơn vị nào thuộc “{label}”: {n} nhiệm vụ giao cho cấp này "
                        "chưa được giao; hãy chọn đơn vị chủ trì cho các nhiệm vụ đó."
                    ).format(year=plan.year, label=row["label"], n=row["tasks"]),
                )
    return redirect("plans:cascade", pk=plan.pk)


@require_POST
def office_add(request, pk: int):
    """A new office of the unit issuing a derived plan (from the plan's page), to lead its tasks."""
    plan = get_object_or_404(permissions.visible_plans(request.user), pk=pk)
    try:
        office = cascade_service.add_office(plan, request.POST.get("name", ""), request.user)
    except cascade_service.CascadeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Đã thêm «{office}» vào {unit}: chọn được làm đơn vị chủ trì các nhiệm vụ.").format(
                office=office.name, unit=plan.issuing_unit.short_name
            ),
        )
    return redirect(reverse("plans:detail", args=[plan.pk]) + "#phong-ban")
