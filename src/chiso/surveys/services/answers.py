"""Checking one respondent's answers against a version of the questionnaire.

``clean_answers(questions, raw)`` → ``(answers, scores)``: the answers by code, typed (a 1–5 item and a
single choice: an int; a multiple choice: a sorted list of ints; a number: a float or int, never negative;
a text: NFC, at most 2,000 characters) and the 1–5 items as one character each in questionnaire order
("-" when not answered). Answers to a question that does not apply (the question of its ``show_if`` was
answered otherwise) are dropped, so a form without JavaScript can show every question; when that question
was not answered at all, the question is optional and its answer kept. Every problem at once as
ValidationError({code: [msg]}).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError

from chiso.core.text import nfc_multiline, parse_number
from chiso.validation import Errors

MAX_TEXT = 2000
#: The labels of the 1–5 satisfaction scale (the public form, paper entry, and imports by label).
LIKERT = [
    (1, "Rất không hài lòng"),
    (2, "Không hài lòng"),
    (3, "Bình thường"),
    (4, "Hài lòng"),
    (5, "Rất hài lòng"),
]


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or (isinstance(value, str) and not value.strip())


def applies(question, answers: Mapping[str, Any]) -> bool | None:
    """Whether ``question`` is asked given the (checked) answers before it: False when the question of its
    condition was answered otherwise, None when that question was not answered — then the question is
    optional (a respondent who skipped the filter may still answer it; the answer is kept)."""
    asked: bool | None = True
    for code, values in (question.show_if or {}).items():
        got = answers.get(code)
        if got is None:
            asked = None
        elif got not in values:
            return False
    return asked


def clean_answers(questions: Sequence, raw: Any) -> tuple[dict[str, Any], str]:
    errors = Errors()
    if not isinstance(raw, Mapping):
        raise ValidationError({"answers": ["“answers” phải là một bảng {mã câu hỏi: câu trả lời}."]})
    known = {q.code for q in questions}
    for code in raw:
        if code not in known:
            errors.add(str(code)[:40], f"Không có câu hỏi mã “{str(code)[:40]}” trong phiếu.")
    answers: dict[str, Any] = {}
    scores: list[str] = []
    for q in questions:
        value = raw.get(q.code)
        asked = applies(q, answers)
        if asked is False:
            if q.scale:
                scores.append("-")
            continue
        if _empty(value):
            if q.required and asked:
                errors.add(q.code, f"Câu “{_short(q.text)}” cần được trả lời.")
            if q.scale:
                scores.append("-")
            continue
        cleaned = _clean_one(q, value, errors)
        if cleaned is not None:
            answers[q.code] = cleaned
        if q.scale:
            scores.append(str(cleaned) if cleaned is not None else "-")
    errors.raise_if_any()
    return answers, "".join(scores)


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57].rstrip() + "…"


def _clean_one(q, value: Any, errors: Errors) -> Any:
    kind = q.kind
    if kind == "likert5":
        n = _int(value)
        if n is None or not 1 <= n <= 5:
            errors.add(q.code, f"Câu “{_short(q.text)}”: chọn một mức từ 1 đến 5.")
            return None
        return n
    if kind == "single":
        allowed = {int(v) for v, _label in q.options}
        n = _int(value)
        if n is None or n not in allowed:
            errors.add(q.code, f"Câu “{_short(q.text)}”: chọn một trong các phương án đã cho.")
            return None
        return n
    if kind == "multiple":
        allowed = {int(v) for v, _label in q.options}
        items = value if isinstance(value, list) else [value]
        picked = [_int(v) for v in items]
        if not picked or any(v is None or v not in allowed for v in picked):
            errors.add(q.code, f"Câu “{_short(q.text)}”: chỉ chọn trong các phương án đã cho.")
            return None
        return sorted(set(picked))  # type: ignore[type-var]
    if kind == "number":
        if isinstance(value, bool):
            number = None
        elif isinstance(value, (int, float)):
            number = float(value)
        else:
            try:
                number = parse_number(str(value), fractions=True)
            except ValueError:
                number = None
        if number is None or number != number or abs(number) > 1e12:
            errors.add(q.code, f"Câu “{_short(q.text)}”: cần một con số (ví dụ 3 hoặc 2,5).")
            return None
        if number < 0:  # an age, a count of visits, minutes waited: never below zero
            errors.add(q.code, f"Câu “{_short(q.text)}”: cần một số không âm (ví dụ 0, 3 hoặc 2,5).")
            return None
        return int(number) if number.is_integer() else number
    if kind == "text":
        if not isinstance(value, str):
            errors.add(q.code, f"Câu “{_short(q.text)}”: cần một đoạn chữ.")
            return None
        text = nfc_multiline(value).strip()
        if len(text) > MAX_TEXT:
            errors.add(q.code, f"Câu “{_short(q.text)}”: tối đa {MAX_TEXT} ký tự.")
            return None
        from .screening import mask

        return mask(text)
    errors.add(q.code, "Loại câu hỏi không được hỗ trợ.")
    return None
