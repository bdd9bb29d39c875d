"""Views of execution: the inbox, the task page with the progress report form, evidence download. Logic
lives in services.execution; permissions in chiso.tracking.permissions (reports) and
chiso.plans.permissions (tasks)."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chiso.concurrency import StaleEdit, show_stale
from chiso.core.schedule import period_label
from chiso.files.responses import download
from chiso.plans import permissions as plan_perms
from chiso.plans.models import Task
from chiso.plans.views_plans import replayed
from chiso.units.models import Unit
from chiso.validation import show_errors

from . import permissions
from .forms_execution import ReportForm
from .models import Evidence, ProgressReport
from .services import execution
from .services.history import report_versions


def plan_url(plan) -> str | None:
    """The plan's page (defined by the plans part), or None if it does not exist yet."""
    try:
        return reverse("plans:detail", args=[plan.pk])
    except NoReverseMatch:
        return None


def inbox(request):
    box = execution.inbox(request.user)
    return render(request, "tracking/inbox.html", {"box": box, "today": dt.date.today()})


def _visible_task(user, pk: int) -> Task:
    task = (
        plan_perms.visible_tasks(user)
        .select_related("plan", "plan__issuing_unit", "lead_unit", "origin", "origin__plan")
        .filter(pk=pk)
        .first()
    )
    if task is None:
        raise Http404(_("Không tìm thấy nhiệm vụ"))
    return task


def _report_form(request, task: Task, data=None):
    unit_ids = permissions.reporting_units(request.user, task) if task.plan.is_live else []
    if not unit_ids:
        return None
    units = list(Unit.objects.filter(pk__in=unit_ids))
    units.sort(key=lambda u: (u.pk != task.lead_unit_id, u.short_name))
    today = dt.date.today()
    periods = execution.period_choices(task.plan, today)
    if data is not None:
        return ReportForm(data, units=units, periods=periods)
    unit = units[0]
    period = execution.default_period(task, periods, today)
    initial = {"unit": unit.pk, "period": period}
    existing = ProgressReport.objects.filter(task=task, unit=unit, period=period).first()
    if existing is not None:
        initial.update(ReportForm.initial_from(existing))
    else:
        initial["revision"] = 0
        initial["state"] = ProgressReport.State.IN_PROGRESS
        initial["percent"] = task.progress if unit.pk == task.lead_unit_id else 0
    return ReportForm(initial=initial, units=units, periods=periods)


def _task_context(request, task: Task, form=None):
    user = request.user
    reports = list(
        permissions.visible_reports(user)
        .filter(task=task)
        .select_related("unit", "submitted_by")
        .prefetch_related("evidence")
        .order_by("unit__short_name", "-period", "-submitted_at")
    )
    reports.sort(key=lambda r: (r.unit_id != task.lead_unit_id, r.unit.short_name))
    by_unit: OrderedDict = OrderedDict()
    versions = report_versions(reports)  # only the reports this user may see; one query
    for r in reports:
        r.period_label = _safe_label(r.period)
        r.versions = versions.get(r.pk, [])
        by_unit.setdefault(r.unit, []).append(r)
    oversee = plan_perms.oversees(user, task.plan)
    derived = []
    if oversee:
        derived = list(
            task.derived_tasks.select_related("plan", "lead_unit").order_by("plan_id", "order", "pk")
        )
    today = dt.date.today()
    reported = execution.lead_periods([task])
    return {
        "task": task,
        "plan": task.plan,
        "plan_url": plan_url(task.plan),
        "coordinating": list(task.coordinating_units.all()),
        "due": task.due_date(today),
        "late_due": execution.task_late_due(task, today, reported),
        "reports_by_unit": by_unit,
        "derived": derived,
        "oversee": oversee,
        "origin_visible": task.origin is not None and plan_perms.can_view_task(user, task.origin),
        "form": form if form is not None else _report_form(request, task),
        "issued": task.plan.is_live,
    }


def _safe_label(period: str) -> str:
    try:
        return period_label(period, get_language())
    except ValueError:
        return period


def task_detail(request, pk: int):
    task = _visible_task(request.user, pk)
    return render(request, "tracking/task_detail.html", _task_context(request, task))


@require_POST
def report(request, pk: int):
    task = _visible_task(request.user, pk)
    permissions.require_reporting(request.user, task)
    form = _report_form(request, task, data=request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            saved = execution.save_report(
                task,
                request.user,
                data["unit"],
                data["period"],
                form.report_data(),
                files=request.FILES.getlist("evidence"),
                revision=data.get("revision"),
                key=data.get("submit_key"),
            )
        except StaleEdit as exc:
            show_stale(form, exc)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            if replayed(request, saved):
                return redirect("tracking:task", pk=task.pk)
            messages.success(
                request,
                _("Đã lưu báo cáo {period} của {unit}.").format(
                    period=_safe_label(saved.period), unit=saved.unit.short_name
                ),
            )
            return redirect("tracking:task", pk=task.pk)
    task.refresh_from_db()
    ctx = _task_context(request, task, form=form)
    return render(request, "tracking/task_detail.html", ctx, status=400)


def evidence(request, pk: int):
    ev = get_object_or_404(Evidence.objects.select_related("report"), pk=pk)
    if not permissions.can_view_report(request.user, ev.report):
        raise Http404(_("Không tìm thấy tệp"))
    return download(ev)
