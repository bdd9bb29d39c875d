"""Downloads of official documents: a plan, a periodic report, a reminder letter (DOCX or PDF).

Anyone who may view the plan downloads the plan; a periodic report is downloaded by those who oversee
the plan (and, once issued, by anyone who may view the plan); the reminder letter is for coordinators
of the issuing unit. A plan the user may not see is 404; a step she may not take is 403.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from chiso.accounts.scope import covers

from . import documents, permissions
from .models import PeriodicReport, Plan

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def _file(data: bytes, fmt: str, name: str) -> HttpResponse:
    resp = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    resp["Content-Disposition"] = f'attachment; filename="{name}"'
    resp["Content-Length"] = str(len(data))
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


def _visible_plan(user, pk: int) -> Plan:
    plan = get_object_or_404(Plan.objects.select_related("issuing_unit", "issuing_unit__parent"), pk=pk)
    if not permissions.can_view_plan(user, plan):
        raise Http404
    return plan


@require_GET
def plan_file(request, pk: int, fmt: str):
    plan = _visible_plan(request.user, pk)
    data = documents.render_plan(plan, fmt)
    name = documents.document_filename(
        "ke-hoach", plan.number_symbol if plan.number else "du-thao", plan.title, fmt
    )
    return _file(data, fmt, name)


@require_GET
def periodic_file(request, pk: int, fmt: str):
    report = get_object_or_404(
        PeriodicReport.objects.select_related("plan", "plan__issuing_unit", "plan__issuing_unit__parent"),
        pk=pk,
    )
    plan = report.plan
    if not permissions.can_view_plan(request.user, plan):
        raise Http404
    if not permissions.oversees(request.user, plan) and report.status not in ("issued", "closed"):
        raise PermissionDenied
    data = documents.render_periodic(report, fmt)
    name = documents.document_filename(
        "bao-cao", report.number_symbol if report.number else "du-thao", report.title, fmt
    )
    return _file(data, fmt, name)


@require_GET
def letter_file(request, pk: int, fmt: str):
    plan = _visible_plan(request.user, pk)
    if not covers(request.user, plan.issuing_unit_id, permissions.LETTER_ROLES):
        raise PermissionDenied(
            _("Công văn đôn đốc do chuyên viên điều phối hoặc lãnh đạo của cơ quan ban hành lập.")
        )
    if plan.status != "issued":
        raise PermissionDenied(_("Chỉ đôn đốc thực hiện kế hoạch đã ban hành (và chưa kết thúc)."))
    data = documents.render_letter(plan, fmt, user=request.user, today=dt.date.today())
    name = documents.document_filename("cong-van-don-doc", plan.number or "", plan.title, fmt)
    return _file(data, fmt, name)
