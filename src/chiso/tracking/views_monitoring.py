"""Views of the monitoring part: the coordinator's dashboard and the periodic reports.

Thin: the numbers come from services.monitoring, the reports from services.periodic, workflow steps
from chiso.workflows. Officers (who see only their own inbox) get 403; plans the user may not see
answer 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_POST

from chiso.concurrency import StaleEdit, show_stale
from chiso.core.schedule import period_label
from chiso.core.workflow import WorkflowError
from chiso.plans.models import Plan
from chiso.plans.permissions import plan_transitions, visible_plans
from chiso.plans.views_plans import replayed
from chiso.workflows.services import transition

from .forms_monitoring import DashboardFilterForm, PeriodForm, PeriodicReportForm, TransitionForm
from .models import PeriodicReport
from .services import monitoring, periodic


def _url(name: str, pk: int) -> str | None:
    """A page of another part of chiso.plans, when that part defines it."""
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return None


def _plan_url(pk: int) -> str | None:
    return _url("plans:detail", pk)


ROWS = 30


def dashboard(request):
    if not monitoring.can_monitor(request.user):
        raise PermissionDenied("Chỉ chuyên viên điều phối, lãnh đạo và người xem theo dõi được kế hoạch")
    form = DashboardFilterForm(request.GET or None)
    filters = monitoring.Filters()
    if form.is_bound and form.is_valid():
        cd = form.cleaned_data
        filters = monitoring.Filters(
            plan=cd["ke_hoach"], index=cd["chi_so"], year=cd["nam"], period_kind=cd["ky"] or "quarter"
        )
    show_all = request.GET.get("tat_ca") == "1"
    data = monitoring.cached_dashboard(request.user, filters, late_limit=None if show_all else 50)
    # The longest tables show the rows that need attention first (most late, least progress), ROWS of
    # them unless the user asks for everything: a province-wide page stays readable and fast.
    limit = None if show_all else ROWS
    by_plan = sorted(data["by_plan"], key=lambda r: (-r["late"], r["done_pct"], -r["year"], r["label"]))
    plans_shown, units_shown = by_plan[:limit], data["by_unit"][:limit]
    # Links of every plan row from one reverse each (not one per row).
    plan_url, report_url = _plan_url(987654321), reverse("tracking:periodic_list", args=[987654321])
    for row in plans_shown:
        key = str(row["key"])
        row["url"] = plan_url.replace("987654321", key) if plan_url else None
        row["report_url"] = report_url.replace("987654321", key)
    return render(
        request,
        "tracking/dashboard.html",
        {
            "form": form,
            "d": data,
            "late_shown": data["late_shown"],
            "late_more": len(data["late"]) - len(data["late_shown"]),
            "plans_shown": plans_shown,
            "plans_more": len(by_plan) - len(plans_shown),
            "units_shown": units_shown,
            "units_more": len(data["by_unit"]) - len(units_shown),
            "query_all": _with(request, tat_ca="1"),
        },
    )


def _with(request, **params) -> str:
    q = request.GET.copy()
    for k, v in params.items():
        q[k] = v
    return "?" + q.urlencode()


# --- periodic reports ----------------------------------------------------------------------------------


def _plan_for(request, plan_pk: int) -> Plan:
    plan = get_object_or_404(visible_plans(request.user).select_related("issuing_unit"), pk=plan_pk)
    if not periodic.can_read_reports(request.user, plan):
        raise PermissionDenied("Bạn không có quyền xem báo cáo định kỳ của kế hoạch này")
    return plan


def _report_for(request, pk: int) -> PeriodicReport:
    report = get_object_or_404(PeriodicReport.objects.select_related("plan__issuing_unit"), pk=pk)
    if not visible_plans(request.user).filter(pk=report.plan_id).exists():
        raise Http404("Không tìm thấy báo cáo")
    if not periodic.can_read_reports(request.user, report.plan):
        raise PermissionDenied("Bạn không có quyền xem báo cáo định kỳ này")
    return report


def periodic_list(request, plan_pk: int):
    plan = _plan_for(request, plan_pk)
    reports = [
        {"r": r, "status_label": r.status_label, "period_label": period_label(r.period, get_language())}
        for r in plan.periodic_reports.order_by("-period", "-pk")
    ]
    return render(
        request,
        "tracking/periodic_list.html",
        {
            "plan": plan,
            "plan_url": _plan_url(plan.pk),
            "reports": reports,
            "can_compile": periodic.can_compile(request.user, plan) and plan.is_public,
        },
    )


def periodic_new(request, plan_pk: int):
    plan = _plan_for(request, plan_pk)
    if not periodic.can_compile(request.user, plan):
        raise PermissionDenied("Chỉ chuyên viên điều phối của cơ quan ban hành lập báo cáo định kỳ")
    choices = periodic.period_choices(plan)
    form = PeriodForm(request.POST or None, choices=choices)
    error = ""
    if not plan.is_public:
        error = "Chỉ lập báo cáo định kỳ cho kế hoạch đã ban hành."
    elif request.method == "POST" and form.is_valid():
        try:
            report = periodic.compile_report(
                plan, form.cleaned_data["period"], request.user, key=form.cleaned_data.get("submit_key")
            )
        except periodic.PeriodicError as exc:
            error = str(exc)
        else:
            if replayed(request, report):
                return redirect("tracking:periodic_edit", pk=report.pk)
            messages.success(request, f"Đã tổng hợp {report.title}. Hãy rà soát, chỉnh sửa nội dung.")
            return redirect("tracking:periodic_edit", pk=report.pk)
    return render(request, "tracking/periodic_new.html", {"plan": plan, "form": form, "error": error})


def periodic_detail(request, pk: int):
    report = _report_for(request, pk)
    wf = report.workflow()
    return render(
        request,
        "tracking/periodic_detail.html",
        {
            "report": report,
            "plan": report.plan,
            "plan_url": _plan_url(report.plan_id),
            "docx_url": _url("tracking:periodic_docx", report.pk),
            "pdf_url": _url("tracking:periodic_pdf", report.pk),
            "c": report.content or {},
            "status_label": report.status_label,
            "period_label": period_label(report.period, get_language()),
            "transitions": plan_transitions(request.user, report),
            "can_edit": periodic.can_edit_report(request.user, report),
            "events": report.events.select_related("user"),
            "history": periodic.history_rows(report),
            "labels": {s.code: s.label for s in wf.states.values()},
        },
    )


def periodic_edit(request, pk: int):
    report = _report_for(request, pk)
    if not periodic.can_compile(request.user, report.plan):
        raise PermissionDenied("Chỉ chuyên viên điều phối của cơ quan ban hành sửa báo cáo định kỳ")
    if report.locked:
        messages.error(
            request,
            f"Báo cáo đang ở trạng thái «{report.status_label}», không sửa được.",
        )
        return redirect("tracking:periodic_detail", pk=report.pk)
    form = PeriodicReportForm(request.POST or None, report=report)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            periodic.update_report(
                report, form.data_for_service(), request.user, revision=form.cleaned_data.get("revision")
            )
        except StaleEdit as exc:
            show_stale(form, exc)
            error = exc.messages[0]
        except periodic.PeriodicError as exc:
            error = str(exc)
        else:
            messages.success(request, "Đã lưu báo cáo.")
            return redirect("tracking:periodic_detail", pk=report.pk)
    return render(
        request,
        "tracking/periodic_edit.html",
        {"report": report, "plan": report.plan, "form": form, "error": error, "c": report.content or {}},
    )


@require_POST
def periodic_transition(request, pk: int):
    report = _report_for(request, pk)
    available = {t.name for t in plan_transitions(request.user, report)}
    if not available and not periodic.can_compile(request.user, report.plan):
        raise PermissionDenied("Bạn không có quyền chuyển trạng thái báo cáo này")
    form = TransitionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
        return redirect("tracking:periodic_detail", pk=report.pk)
    cd = form.cleaned_data
    try:
        done = transition(
            report, cd["action"], request.user, comment=cd["comment"], number=cd["number"], date=cd["date"]
        )
    except WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Báo cáo chuyển sang «{done.status_label}».")
    return redirect("tracking:periodic_detail", pk=report.pk)
