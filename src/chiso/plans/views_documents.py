"""Download of a plan as an official document (DOCX or PDF): anyone who may view the plan; a plan the
user may not see is 404. Periodic reports and reminder letters: chiso.tracking.views_documents."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from chiso.documents.responses import document_response
from chiso.documents.wording import document_filename

from . import documents, permissions
from .models import Plan


def visible_plan(user, pk: int) -> Plan:
    plan = get_object_or_404(Plan.objects.select_related("issuing_unit", "issuing_unit__parent"), pk=pk)
    if not permissions.can_view_plan(user, plan):
        raise Http404
    return plan


@require_GET
def plan_file(request, pk: int, fmt: str):
    plan = visible_plan(request.user, pk)
    data = documents.render_plan(plan, fmt)
    name = document_filename("ke-hoach", plan.number_symbol if plan.number else "du-thao", plan.title, fmt)
    return document_response(data, fmt, name)
