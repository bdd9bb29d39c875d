"""Requests to bodies outside the administration ("Đề nghị …").

A plan of a People's Committee assigns tasks to its own bodies (departments, lower-level committees); it
can only *request* the work of bodies outside the state administration: the Vietnam Fatherland Front and
the socio-political organisations, the press, the police, the tax and postal services, the courts… The
plan writes such a task "Đề nghị <body> …" apart from the assignments, and chiso tracks it (reminders,
dashboard, periodic reports) only once the body has accepted it (``Task.tracked_q``).

- ``is_outside_body(name)``: whether a lead named so is such a body (words of the name, accents ignored).
- ``request_sentence(lead, text)``: "Đề nghị Công an tỉnh tiếp tục …".
- ``answer_request(task, user, accepted)``: records the body's reply (coordinator of the plan's issuing
  unit, or a user of the task's lead unit); history keeps who and when.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from chiso.accounts.scope import covers
from chiso.concurrency import bump
from chiso.core.text import fold, nfc

from .. import permissions
from ..models import RequestStatus, Task

__all__ = ["OUTSIDE_BODY_WORDS", "RequestError", "answer_request", "is_outside_body", "request_sentence"]

#: Folded words naming a body outside the state administration (a People's Committee cannot assign it
#: work). Checked against the folded lead name; "phối hợp với Mặt trận …" in a task's text is not a lead.
OUTSIDE_BODY_WORDS = (
    "mat tran to quoc",
    "ubmttq",
    "to chuc chinh tri",
    "doan the",
    "hoi nong dan",
    "hoi lien hiep phu nu",
    "lien hiep phu nu",
    "hoi cuu chien binh",
    "doan thanh nien",
    "tinh doan",
    "lien doan lao dong",
    "cong an",
    "bo chi huy quan su",
    "bo doi bien phong",
    "cuc thue",
    "thue tinh",
    "buu dien",
    " bao ",
    "dai phat thanh",
    "dai truyen hinh",
    "co quan bao chi",
    "toa an",
    "vien kiem sat",
    "hoi dong nhan dan",
    "ngan hang nha nuoc",
    "kho bac",
    "bao hiem xa hoi",
    "hoi luat gia",
    "hoi doanh nghiep",
    "hiep hoi",
)


class RequestError(ValueError):
    """The reply cannot be recorded (Vietnamese message); nothing changed."""


def is_outside_body(name: str) -> bool:
    """Whether a lead named ``name`` is a body outside the administration ("Ủy ban Mặt trận Tổ quốc Việt
    Nam tỉnh", "Công an tỉnh", "Báo Quảng Ngãi"…). A name that also names the administration's own
    bodies as leads ("Sở Nội vụ, Công an tỉnh") is not: the assignment goes to the department."""
    f = " " + fold(nfc(name or "")).replace(",", " ").replace(";", " ") + " "
    if not f.strip():
        return False
    if any(w in f for w in (" so ", "uy ban nhan dan", "ubnd", " van phong ", "thanh tra tinh")):
        # a name starting with an administrative body: "Sở …", "UBND …"; the Front's own committee
        # ("Ủy ban Mặt trận …") is not a People's Committee
        head = f.strip()
        if not head.startswith(("uy ban mat tran", "ubmttq")) and not any(
            head.startswith(w) for w in ("cong an", "bao ", "dai ", "cuc thue", "buu dien", "hoi ", "doan ")
        ):
            return False
    return any(w in f for w in OUTSIDE_BODY_WORDS)


def request_sentence(lead: str, text: str) -> str:
    """ "Đề nghị <lead> <text>" as the plan writes a request (the text kept as written if it already
    starts with "Đề nghị")."""
    text = nfc(text or "").strip()
    if fold(text).startswith("de nghi"):
        return text
    lead = nfc(lead or "").strip()
    if not lead:
        return "Đề nghị " + (text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text)
    first = text[:1].lower() + text[1:] if text and not text[1:2].isupper() else text
    return f"Đề nghị {lead} {first}".strip()


def _may_answer(user, task: Task) -> bool:
    plan = task.plan
    if permissions.covers_plan(user, plan, permissions.EDIT_ROLES):
        return True
    return task.lead_unit_id is not None and covers(user, task.lead_unit_id, permissions.OFFICER_ROLES)


@transaction.atomic
def answer_request(task: Task, user, accepted: bool) -> Task:
    """Record the reply of the body a request is addressed to: accepted (the task is then tracked like an
    assignment) or declined. Only the coordinator of the plan's issuing unit or a user of the task's lead
    unit (PermissionDenied); only a request of a plan not yet superseded (RequestError)."""
    task = Task.objects.select_for_update().select_related("plan").get(pk=task.pk)
    if not _may_answer(user, task):
        raise PermissionDenied(
            _("Chỉ chuyên viên điều phối của cơ quan ban hành hoặc cơ quan được đề nghị ghi phản hồi.")
        )
    if not task.is_request:
        raise RequestError(_("Nhiệm vụ này là nhiệm vụ được giao, không phải nội dung đề nghị."))
    if task.plan.superseded:
        raise RequestError(_("Kế hoạch đã được thay thế; ghi phản hồi ở bản sửa đổi."))
    status = RequestStatus.ACCEPTED if accepted else RequestStatus.DECLINED
    if task.request_status == status:
        return task  # a double submit changes nothing
    task.request_status = status
    bump(task)
    task._history_user = user
    task.save(update_fields=["request_status", "revision"])
    return task
