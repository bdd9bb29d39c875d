"""Reading a questionnaire's answers from a posted form (the public form and officers' paper entry): the
raw values by question code, typed later by ``services.answers.clean_answers``."""

from __future__ import annotations

import re
from typing import Any


def answers_from_post(questions, data) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    for q in questions:
        if q.kind == "multiple":
            # checkboxes send one value each; a paper-entry box "1, 3" several
            values = [v for item in data.getlist(q.code) for v in re.split(r"[,;\s]+", item) if v.strip()]
            if values:
                raw[q.code] = values
        else:
            value = data.get(q.code, "")
            if value.strip():
                raw[q.code] = value
    return raw


def rows(questions, answers: dict[str, Any], errors: dict[str, list[str]]):
    """The questions with what the template needs: the section heading where a section starts, the
    chosen value(s), the error and the condition of a question asked only sometimes."""
    by_code = {q.code: q for q in questions}
    section = None
    for q in questions:
        chosen = answers.get(q.code)
        condition = ""
        for code, values in (q.show_if or {}).items():
            other = by_code.get(code)
            if other is not None:
                labels = [label for v, label in other.options if v in values]
                condition = f"{other.text} — {', '.join(labels)}"
        yield {
            "q": q,
            "heading": q.section if q.section != section else "",
            "chosen": [str(v) for v in chosen]
            if isinstance(chosen, list)
            else ("" if chosen is None else str(chosen)),
            "value": ", ".join(str(v) for v in chosen)
            if isinstance(chosen, list)
            else ("" if chosen is None else str(chosen)),
            "errors": errors.get(q.code, []),
            "condition": condition,
            "show_if": next(iter((q.show_if or {}).items()), None),
        }
        section = q.section


def question_from_post(data) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """A question's definition from the questionnaire editor's form: wording, required, kind, options (one
    per line), 1–5 index item and element, and the skip logic (an earlier question and its values)."""
    from .services.questionnaire import parse_options

    errors: dict[str, list[str]] = {}
    kind = data.get("kind", "")
    changes: dict[str, Any] = {
        "text": data.get("text", ""),
        "required": data.get("required") == "1",
        "kind": kind,
        "options": parse_options(data.get("options", "")) if kind in ("single", "multiple") else [],
        "scale": data.get("scale") == "1",
        "element": data.get("element", "") if data.get("scale") == "1" else "",
    }
    show_if: dict[str, list[int]] = {}
    on = data.get("if_code", "").strip()
    if on:
        tokens = [t for t in re.split(r"[,;\s]+", data.get("if_values", "")) if t]
        if not tokens or not all(t.isdigit() and len(t) <= 3 for t in tokens):
            errors["show_if"] = [
                "Điều kiện hỏi: ghi số của các phương án của câu đã chọn, cách nhau bằng dấu phẩy (ví dụ 1, 2)."
            ]
        else:
            show_if = {on: sorted({int(t) for t in tokens})}
    changes["show_if"] = show_if
    return changes, errors
