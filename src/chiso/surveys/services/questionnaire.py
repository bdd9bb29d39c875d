"""Questionnaires: the shipped templates (``data/surveys/<code>.yaml``), creating a survey from one, reading
a version's questions, and editing them (a new version once responses exist).

- ``load_template(code)`` — the template file, checked; ValidationError on "template" when unknown or wrong;
- ``create_survey(template, province, year, user, title="")`` — a draft survey with the template's questions
  and elements, and a frame of the province's departments and communes (``frame.build_frame``);
- ``questions_of(survey, version=None)`` — the questions of a version, in order (memoised per survey object);
- ``edit_question(survey, code, user, **changes)`` — change a question's text, required flag or options;
  when responses exist on the current version, the questionnaire is copied to a new version first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from chiso.core import safeyaml
from chiso.core.text import nfc
from chiso.units.models import Unit
from chiso.validation import Errors

from .. import permissions
from ..models import Element, Question, Survey

KINDS = {k for k, _label in Question.Kind.choices}


def _templates_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "data" / "surveys"


def template_codes() -> list[str]:
    return sorted(p.stem for p in _templates_dir().glob("*.yaml"))


def load_template(code: str) -> dict[str, Any]:
    code = (code or "").strip().lower()
    path = _templates_dir() / f"{code}.yaml"
    if not code or not code.replace("-", "").replace("_", "").isalnum() or not path.is_file():
        known = ", ".join(template_codes())
        raise ValidationError({"template": [f"Không có mẫu phiếu “{code}”. Các mẫu có: {known}."]})
    data = safeyaml.load(path.read_text(encoding="utf-8"))
    errors = Errors()
    seen: set[str] = set()
    elements = {e["code"] for e in data.get("elements", [])}
    for section in data.get("sections", []):
        for q in section.get("questions", []):
            if q.get("kind") not in KINDS:
                errors.add("template", f"Câu {q.get('code')}: loại “{q.get('kind')}” không có.")
            if q["code"] in seen:
                errors.add("template", f"Mã câu hỏi {q['code']} lặp lại.")
            for cond in q.get("show_if") or {}:
                if cond not in seen:
                    errors.add(
                        "template", f"Câu {q['code']}: điều kiện hỏi dựa trên câu {cond} chưa có trước đó."
                    )
            if q.get("element") and q["element"] not in elements:
                errors.add("template", f"Câu {q['code']}: yếu tố {q['element']} không có.")
            seen.add(q["code"])
    errors.raise_if_any()
    return data


def questions_of(survey: Survey, version: int | None = None) -> list[Question]:
    version = survey.version if version is None else version
    memo = survey.__dict__.setdefault("_questions", {})
    if version not in memo:
        memo[version] = list(survey.questions.filter(version=version).order_by("order"))
    return memo[version]


def scale_codes(survey: Survey, version: int | None = None) -> list[str]:
    return [q.code for q in questions_of(survey, version) if q.scale]


@transaction.atomic
def create_survey(template: str, province: Unit, year: int, user, title: str = "") -> Survey:
    if user is not None and not permissions.can_manage(user, province.pk):
        raise PermissionDenied("Chỉ chuyên viên điều phối của tỉnh được tạo cuộc khảo sát.")
    data = load_template(template)
    errors = Errors()
    if province.kind != Unit.Kind.PROVINCE:
        errors.add("province", f"{province.name} không phải là tỉnh, thành phố.")
    if not 2000 <= int(year) <= 2100:
        errors.add("year", f"Năm {year} không hợp lệ.")
    errors.raise_if_any()
    survey = Survey(
        province=province,
        year=year,
        title=nfc(title).strip() or f"{data['title']} năm {year} — {province.name}",
        intro=data.get("intro", ""),
        template=data["code"],
        created_by=user,
    )
    survey._history_user = user
    survey.save()
    Element.objects.bulk_create(
        Element(survey=survey, code=e["code"], label=e["label"], order=i)
        for i, e in enumerate(data.get("elements", []))
    )
    order = 0
    rows = []
    for section in data.get("sections", []):
        for q in section.get("questions", []):
            order += 1
            rows.append(
                Question(
                    survey=survey,
                    version=1,
                    order=order,
                    code=q["code"],
                    section=section.get("title", ""),
                    element=q.get("element", ""),
                    text=nfc(q["text"]),
                    kind=q["kind"],
                    required=bool(q.get("required", False)),
                    scale=bool(q.get("scale", False)),
                    options=[[int(v), nfc(str(label))] for v, label in q.get("options", [])],
                    show_if={k: list(v) for k, v in (q.get("show_if") or {}).items()},
                )
            )
    Question.objects.bulk_create(rows)
    from .frame import build_frame

    build_frame(survey, user)
    return survey


def _editable(survey: Survey) -> None:
    if survey.locked:
        raise ValidationError({"survey": ["Cuộc khảo sát đã kết thúc: không sửa phiếu được nữa."]})


@transaction.atomic
def new_version_if_answered(survey: Survey) -> Survey:
    """Copy the questionnaire to a new version when the current one has responses."""
    if not survey.responses.filter(version=survey.version).exists():
        return survey
    old = list(survey.questions.filter(version=survey.version).order_by("order"))
    survey.version += 1
    survey.save(update_fields=["version"])
    for q in old:
        q.pk = None
        q.version = survey.version
    Question.objects.bulk_create(old)
    survey.__dict__.pop("_questions", None)
    return survey


@transaction.atomic
def edit_question(survey: Survey, code: str, user, **changes) -> Question:
    if user is not None and not permissions.can_manage(user, survey.province_id):
        raise PermissionDenied("Chỉ chuyên viên điều phối của tỉnh được sửa phiếu khảo sát.")
    _editable(survey)
    errors = Errors()
    allowed = {"text", "required", "options", "show_if"}
    for key in changes:
        if key not in allowed:
            errors.add(key, f"Không sửa được “{key}” của câu hỏi.")
    if "text" in changes and not nfc(str(changes["text"] or "")).strip():
        errors.add("text", "Nội dung câu hỏi không được để trống.")
    errors.raise_if_any()
    if not survey.questions.filter(version=survey.version, code=code).exists():
        raise ValidationError({"code": [f"Không có câu hỏi {code}."]})
    survey = new_version_if_answered(survey)
    q = survey.questions.get(version=survey.version, code=code)
    for key, value in changes.items():
        setattr(q, key, nfc(value).strip() if key == "text" else value)
    q._history_user = user
    q.save()
    survey.__dict__.pop("_questions", None)
    return q
