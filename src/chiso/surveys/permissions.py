"""Who may do what with surveys: the province's coordinators manage them (questionnaire, frame, workflow,
imports); officers enter paper forms for the service points of their unit (subtree); coordinators,
leaders and viewers of the province read quotas and estimates. Citizens answer without an account."""

from __future__ import annotations

from chiso.accounts.scope import covered, covers

MANAGE_ROLES = ("coordinator",)
ENTRY_ROLES = ("officer", "coordinator")
READ_ROLES = ("coordinator", "leader", "viewer")


def can_manage(user, province_id: int | None) -> bool:
    return covers(user, province_id, MANAGE_ROLES)


def can_read(user, province_id: int | None) -> bool:
    return covers(user, province_id, READ_ROLES)


def can_enter(user, unit_id: int | None) -> bool:
    """Officers of the unit (or above it) and coordinators covering it type its paper forms."""
    return covers(user, unit_id, ENTRY_ROLES)


def entry_points(user, survey):
    """The service points of the survey whose paper forms the user may type."""
    scope = covered(user, ENTRY_ROLES)
    points = survey.points.select_related("unit")
    return points if scope is None else points.filter(unit_id__in=scope)


def sees_survey(user, survey) -> bool:
    return can_read(user, survey.province_id) or entry_points(user, survey).exists()
