"""Taking a workflow step on any :class:`~chiso.workflows.models.WorkflowDocument`.

`transition(obj, action, user, comment=..., number=..., date=...)` checks the user's roles on the
document's unit (StepNotAllowed, which is also a PermissionDenied: 403 in the API), then the step
against the document's workflow, records a WorkflowEvent and the object's history,
sends :data:`transitioned` (apps react there, e.g. plans supersede the version an amendment replaces)
and returns the object. WorkflowError (Vietnamese message) when the step is not allowed; nothing is
changed then. ``user=None`` is an operator's command run on the server (e.g. ``chiso assessment advance``
without ``--user``): it holds every role of the step. A step marked ``needs_number`` needs a document with ``number``, ``date`` and
``issued_at`` (an official document gets its number and date when issued).
"""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone, translation

from chiso.accounts.scope import roles_on
from chiso.core.text import nfc
from chiso.core.workflow import StepConflict, Transition, WorkflowError

from .models import WorkflowDocument, WorkflowEvent

__all__ = ["StepNotAllowed", "WorkflowError", "available_steps", "transition", "transitioned"]

#: Sent after a step, inside its transaction: sender=model class, obj, step (Transition), before, user.
transitioned = Signal()

D = TypeVar("D", bound=WorkflowDocument)


class StepNotAllowed(WorkflowError, PermissionDenied):
    """The user has no role for this step on the document's unit (message in Vietnamese)."""


def available_steps(user, obj: WorkflowDocument) -> list[Transition]:
    """The steps this user may take now on this document."""
    if obj.workflow_blocked():
        return []
    return obj.workflow().available(obj.status, roles_on(user, obj.workflow_unit_id))


@transaction.atomic
def transition(
    obj: D,
    action: str,
    user,
    *,
    comment: str = "",
    number: str = "",
    date: dt.date | None = None,
) -> D:
    model = type(obj)
    obj = model.objects.select_for_update().get(pk=obj.pk)
    step = obj.workflow().transition(action)
    roles = set(step.roles) if user is None else roles_on(user, obj.workflow_unit_id)
    if not roles & set(step.roles):
        with translation.override("vi"):  # the messages of this module are Vietnamese
            noun = str(model._meta.verbose_name)
        raise StepNotAllowed(f"Bạn không có quyền «{step.label}» {noun} này.")
    blocked = obj.workflow_blocked()
    if blocked:
        raise StepConflict(blocked)
    step = obj.workflow().check(obj.status, action, roles)
    refused = obj.step_blocked(step)
    if refused:
        raise StepConflict(refused)
    comment = nfc(comment or "").strip()
    if step.needs_comment and not comment:
        raise WorkflowError(f"Bước «{step.label}» cần ghi rõ lý do")
    if step.needs_number:
        number = nfc(number or obj.number or "").strip()
        date = date or obj.date
        if not number:
            raise WorkflowError("Cần số văn bản để ban hành (ví dụ: 3993)")
        if date is None:
            raise WorkflowError("Cần ngày ban hành (dd/mm/yyyy)")
        missing = obj.issue_blocked(date)
        if missing:
            raise StepConflict(missing)
        obj.number = number
        obj.date = date
        obj.issued_at = timezone.now()
    before = obj.status
    obj.status = step.target
    obj._history_user = user
    obj._change_reason = f"{step.label}" + (f": {comment}" if comment else "")
    obj.save()
    WorkflowEvent.objects.create(
        subject=obj,
        action=action,
        from_status=before,
        to_status=obj.status,
        comment=comment,
        user=user if user is not None and user.is_authenticated else None,
    )
    transitioned.send(sender=model, obj=obj, step=step, before=before, user=user)
    return obj
