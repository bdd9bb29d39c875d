"""Workflow steps on plans and periodic reports (the shipped workflow, chiso/data/workflow/plan.yaml).

`transition(obj, action, user, comment=..., number=..., date=...)` checks the step against the workflow
and the user's roles on the issuing unit, records a WorkflowEvent and the object's history, and returns
the object. WorkflowError (Vietnamese message) when the step is not allowed; nothing is changed then.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from chiso.accounts.scope import roles_on
from chiso.core.text import nfc
from chiso.core.workflow import WorkflowError, shipped_workflow

from ..models import PeriodicReport, Plan, WorkflowEvent

__all__ = ["WorkflowError", "transition"]


def _unit_id(obj) -> int:
    return obj.issuing_unit_id if isinstance(obj, Plan) else obj.plan.issuing_unit_id


@transaction.atomic
def transition(
    obj: Plan | PeriodicReport,
    action: str,
    user,
    *,
    comment: str = "",
    number: str = "",
    date: dt.date | None = None,
) -> Plan | PeriodicReport:
    wf = shipped_workflow()
    obj = type(obj).objects.select_for_update().get(pk=obj.pk)
    if isinstance(obj, Plan) and obj.superseded:
        raise WorkflowError("Kế hoạch này đã được thay thế bởi bản sửa đổi; không thể chuyển trạng thái")
    step = wf.check(obj.status, action, roles_on(user, _unit_id(obj)))
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
        obj.number = number
        obj.date = date
        obj.issued_at = timezone.now()
    before = obj.status
    obj.status = step.target
    obj._history_user = user
    obj._change_reason = f"{step.label}" + (f": {comment}" if comment else "")
    obj.save()
    WorkflowEvent.objects.create(
        plan=obj if isinstance(obj, Plan) else None,
        report=obj if isinstance(obj, PeriodicReport) else None,
        action=action,
        from_status=before,
        to_status=obj.status,
        comment=comment,
        user=user if user is not None and user.is_authenticated else None,
    )
    if isinstance(obj, Plan) and obj.status == "issued" and obj.amends_id:
        # Issuing an amendment supersedes the version it amends (kept, read-only, linked).
        old = Plan.objects.get(pk=obj.amends_id)
        old.superseded = True
        old._history_user = user
        old._change_reason = f"Được thay thế bởi bản sửa đổi lần {obj.version}"
        old.save()
    return obj
