"""Downloads of the documents of a plan's execution (DOCX or PDF): a periodic report is downloaded by
those who oversee the plan (and, once public, by anyone who may view the plan); the reminder letter is
for coordinators and leaders of the issuing unit, on a live plan. A plan the user may not see is 404; a
step she may not take is 403."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from chiso.documents.responses import document_response
from chiso.documents.wording import document_filename
from chiso.plans import permissions
from chiso.plans.views_documents import visible_plan

from . import documents
from .models import PeriodicReport


@require_GET
def periodic_file(request, pk: int, fmt: str):
    report = get_object_or_404(
        PeriodicReport.objects.select_related("plan", "plan__issuing_unit", "plan__issuing_unit__parent"),
        pk=pk,
    )
    plan = report.plan
    if not permissions.can_view_plan(request.user, plan):
        raise Http404
    if not permissions.oversees(request.user, plan) and not report.is_public:
        raise PermissionDenied
    data = documents.render_periodic(report, fmt)
    name = document_filename(
        "bao-cao", report.number_symbol if report.number else "du-thao", report.title, fmt
    )
    return document_response(data, fmt, name)


@require_GET
def letter_file(request, pk: int, fmt: str):
    plan = visible_plan(request.user, pk)
    if not permissions.covers_plan(request.user, plan, permissions.LETTER_ROLES):
        raise PermissionDenied(
            _("Công văn đôn đốc do chuyên viên điều phối hoặc lãnh đạo của cơ quan ban hành lập.")
        )
    if not plan.is_live:
        raise PermissionDenied(_("Chỉ đôn đốc thực hiện kế hoạch đã ban hành (và chưa kết thúc)."))
    data = documents.render_letter(plan, fmt, user=request.user, today=dt.date.today())
    name = document_filename("cong-van-don-doc", plan.number or "", plan.title, fmt)
    return document_response(data, fmt, name)
