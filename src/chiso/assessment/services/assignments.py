"""Appraisers of a round (Assignment): who appraises which units and which criteria. The only place
that writes them.

``save_assignment(round, user, appraiser, units=…, criteria=…, assignment=None)`` adds an appraiser (or
changes one's units and criteria: none listed = all of them); ``delete_assignment(assignment, user)``
removes one. Only the province's coordinators, until the round closes. The appraiser holds a role on the
province (appraiser, or coordinator, leader, viewer); the units are the round's; the criteria are codes
of criteria the appraisers score (leaves of the framework, not the survey ones). Every change is in the
history.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chiso.accounts.scope import covers
from chiso.units.models import Unit
from chiso.validation import Errors, StateConflict

from .. import permissions
from ..models import Assignment, Round
from .structure import structure

__all__ = ["delete_assignment", "save_assignment"]


def _check_run(rnd: Round, user) -> None:
    if not permissions.can_run(user, rnd):
        raise PermissionDenied(_("Chỉ chuyên viên điều phối của tỉnh phân công thẩm định."))
    if not rnd.opens:
        raise StateConflict({"__all__": _("Đợt đánh giá đã kết thúc: không phân công được nữa.")})


@transaction.atomic
def save_assignment(
    rnd: Round,
    user,
    appraiser,
    *,
    units: Iterable[Unit] = (),
    criteria: Iterable[str] = (),
    assignment: Assignment | None = None,
) -> Assignment:
    """A new assignment (``assignment=None``) or a change to one; ValidationError per field, or
    PermissionDenied; nothing changes when it refuses."""
    _check_run(rnd, user)
    errors = Errors()
    if assignment is not None and assignment.round_id != rnd.pk:
        raise ValidationError({"__all__": _("Phân công này thuộc đợt đánh giá khác.")})
    if appraiser is None:
        errors.add("user", _("Chọn người thẩm định."))
    elif not covers(appraiser, rnd.province_id, permissions.APPRAISER_ROLES):
        errors.add(
            "user",
            _("{user} chưa có vai trò thẩm định (hoặc điều phối, lãnh đạo, xem) tại {province}.").format(
                user=appraiser.get_username(), province=rnd.province.name
            ),
        )
    elif (
        Assignment.objects.filter(round=rnd, user=appraiser)
        .exclude(pk=getattr(assignment, "pk", None))
        .exists()
    ):
        errors.add(
            "user",
            _("{user} đã được phân công trong đợt này.").format(user=appraiser.get_username()),
            conflict=True,
        )
    chosen = list(units)
    in_round = set(rnd.sheets.values_list("unit_id", flat=True))
    foreign = [u.name for u in chosen if u.pk not in in_round]
    if foreign:
        errors.add("units", _("Không thuộc đợt đánh giá: {units}.").format(units=", ".join(foreign)))
    st = structure(rnd.framework)
    codes = list(dict.fromkeys(str(c).strip() for c in criteria if str(c).strip()))
    wrong = [c for c in codes if c not in st.by_code or st.by_code[c].survey]
    if wrong:
        errors.add(
            "criteria",
            _("Không phải tiêu chí được thẩm định của bộ chỉ số: {codes}.").format(codes=", ".join(wrong)),
        )
    errors.raise_if_any()
    a = assignment or Assignment(round=rnd)
    a.user = appraiser
    a.criteria = codes
    a._history_user = user
    a.save()
    a.units.set(chosen)
    return a


@transaction.atomic
def delete_assignment(assignment: Assignment, user) -> None:
    _check_run(assignment.round, user)
    assignment._history_user = user
    assignment.delete()
