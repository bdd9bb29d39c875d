"""Template helpers of the document downloads of a plan's page: {% load tracking_documents %}."""

from __future__ import annotations

from django import template

from chiso.plans import permissions

register = template.Library()


@register.simple_tag
def plan_document_rights(user, plan) -> dict:
    """What the user may download for this plan: the reminder letter (coordinators and leaders, live plans) and the periodic
    reports (all for those who oversee the plan, issued ones for everyone who sees it)."""
    letter = plan.is_live and permissions.covers_plan(user, plan, permissions.LETTER_ROLES)
    reports = list(plan.periodic_reports.order_by("-created_at"))
    if not permissions.oversees(user, plan):
        reports = [r for r in reports if r.is_public]
    return {"letter": letter, "reports": reports}
