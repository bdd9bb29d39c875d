"""Free text answers are screened before anyone reads them in chiso.

At intake (``mask``): what looks like personal data — e-mail addresses, phone numbers, identity card and
other long digit runs — is replaced by "[đã ẩn]" before the answer is stored, so it is never kept. Then a
response with free text waits (``text_state = "pending"``) until a coordinator of the province shows or
hides it (``decide``); only shown texts appear on the estimates page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction

from .. import permissions
from ..models import Response, Survey

HIDDEN = "[đã ẩn]"
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# 8+ digits, possibly split by spaces, dots or dashes: phone numbers (0905 123 456, +84 ...) and ID cards
_DIGITS = re.compile(r"\+?\d(?:[\s.\-]?\d){7,}")


def mask(text: str) -> str:
    return _DIGITS.sub(HIDDEN, _EMAIL.sub(HIDDEN, text))


def has_text(questions, answers: dict) -> bool:
    return any(q.kind == "text" and answers.get(q.code) for q in questions)


@transaction.atomic
def decide(survey: Survey, response_ids: Iterable[int], show: bool, user) -> int:
    if user is not None and not permissions.can_manage(user, survey.province_id):
        raise PermissionDenied("Chỉ chuyên viên điều phối của tỉnh duyệt ý kiến của người dân.")
    return (
        Response.objects.filter(survey=survey, pk__in=list(response_ids))
        .exclude(text_state="")
        .update(text_state="shown" if show else "hidden")
    )


def texts(survey: Survey, state: str, limit: int = 200) -> list[tuple[int, str]]:
    """(response id, the text answers joined) of the responses in ``state``, newest first."""
    from .questionnaire import questions_of

    codes = [q.code for q in questions_of(survey) if q.kind == "text"]
    out = []
    for pk, answers in (
        Response.objects.filter(survey=survey, text_state=state)
        .order_by("-pk")
        .values_list("pk", "answers")[:limit]
    ):
        out.append((pk, " · ".join(str(answers[c]) for c in codes if answers.get(c))))
    return out
