"""Questionnaires: the shipped templates (``data/surveys/<code>.yaml``), creating a survey from one, reading
a version's questions, and editing them (a new version once responses exist).

- ``load_template(code)`` — the template file, checked; ValidationError on "template" when unknown or wrong;
- ``create_survey(template, province, year, user, title="")`` — a draft survey with the template's questions
  and elements, and a frame of the province's departments and communes (``frame.build_frame``);
- ``questions_of(survey, version=None)`` — the questions of a version, in order (memoised per survey object);
- ``edit_question(survey, code, user, **changes)`` — change a question's wording or required flag (any
  time before the survey closes), or its structure: kind, options, skip logic (``show_if``), element and
  whether it counts in the satisfaction index (``scale``);
- ``add_question(survey, user, code=…, text=…, kind=…, …, after=None)``, ``remove_question(survey, code,
  user)``, ``move_question(survey, code, "up"|"down", user)`` — structural edits.

Concurrent edits: every edit raises ``Survey.revision`` (as does a new version) under the survey's row
lock. The editor's forms send back the revision they were opened at (``revision=``): when someone saved the
questionnaire in between, the edit is refused with ``chiso.concurrency.StaleEdit`` (who, when) and nothing is
written — except when what the form asks for is already there (the same form sent twice by a double click):
then nothing is written and no error is raised. Without ``revision`` (the CLI, scripts) no check is made.

Versioning (the model keeps every version's questions; each response names the version it answered):
- a wording or required-flag edit when the current version has responses copies the questionnaire to a
  new version first (``new_version_if_answered``), also while the survey is collecting;
- a structural edit is refused while the survey is collecting (citizens hold forms of the current version
  open: pause it first with the workflow step “Tạm dừng để sửa phiếu”) and after it closes; in the draft it
  makes a new version when the current one has responses;
- what would change the meaning of answers already collected is refused in any version: changing the kind
  of a question that has answers, or dropping or renumbering an option value that has answers (add a new
  question with a new code instead). Relabelling an option, like rewording a question, is allowed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from chiso.concurrency import bump, check_revision
from chiso.core import safeyaml
from chiso.core.text import nfc, nfc_multiline
from chiso.units.models import Unit
from chiso.validation import Errors

from .. import permissions
from ..models import Element, Question, Response, Survey

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
    title = nfc(title).strip() or f"{data['title']} năm {year} — {province.name}"
    if Survey.objects.filter(province=province, year=year, title=title).exists():
        errors.add(
            "title",
            f"Đã có cuộc khảo sát “{title}” của {province.name} năm {year}: mở cuộc khảo sát đó, "
            "hoặc đặt một tên khác.",
        )
    errors.raise_if_any()
    survey = Survey(
        province=province,
        year=year,
        title=title,
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


def _structure_editable(survey: Survey) -> None:
    _editable(survey)
    if survey.is_live:
        raise ValidationError(
            {
                "survey": [
                    "Cuộc khảo sát đang thu phiếu: chỉ sửa được lời câu hỏi và việc bắt buộc trả lời. "
                    "Muốn thêm, bớt, đổi loại, phương án, thứ tự hay điều kiện hỏi, hãy bấm “Tạm dừng để sửa "
                    "phiếu” trước (các phiếu đã thu vẫn giữ nguyên câu hỏi họ đã trả lời)."
                ]
            }
        )


def _manager(survey: Survey, user) -> None:
    if user is not None and not permissions.can_manage(user, survey.province_id):
        raise PermissionDenied("Chỉ chuyên viên điều phối của tỉnh được sửa phiếu khảo sát.")


WHAT = "phiếu hỏi này"


def _lock(survey: Survey) -> Survey:
    return Survey.objects.select_for_update().get(pk=survey.pk)


def _touch(survey: Survey, user, reason: str) -> None:
    """One more revision of the questionnaire (the intake's cached form is read again)."""
    bump(survey)
    survey._history_user = user
    survey._change_reason = reason[:100]
    survey.save(update_fields=["revision"])
    survey.__dict__.pop("_questions", None)


@transaction.atomic
def new_version_if_answered(survey: Survey, user=None) -> Survey:
    """Copy the questionnaire to a new version when the current one has responses."""
    if not survey.responses.filter(version=survey.version).exists():
        return survey
    old = list(survey.questions.filter(version=survey.version).order_by("order"))
    survey.version += 1
    survey._history_user = user
    survey._change_reason = f"Phiếu hỏi phiên bản {survey.version} (phiên bản trước đã có phiếu trả lời)"
    survey.save(update_fields=["version"])
    for q in old:
        q.pk = None
        q.version = survey.version
    Question.objects.bulk_create(old)
    survey.__dict__.pop("_questions", None)
    return survey


# ------------------------------------------------------------------------------ checking a definition

CODE_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
#: Names the public form and the paper-entry form use for themselves: no question may take them.
RESERVED = {"t", "d", "dossier", "service_point", "sheet", "verify", "website", "csrfmiddlewaretoken", "lan"}
CHOICE_KINDS = {"single", "multiple"}
MAX_OPTIONS = 50
_OPTION_LINE = re.compile(r"^\s*(\d{1,3})\s*(?:[.)]\s+|\s*[=:]\s*)(.+)$")


def option_key(label: str) -> str:
    """An option label compared without case, diacritics (đ = d) or repeated spaces."""
    from chiso.core.text import fold

    return " ".join(fold(nfc(str(label))).split())


def parse_options(text: str) -> list[list[Any]]:
    """Options typed one per line — “1. Nam”, “2 = Nữ”, or just “Nam” (numbered after the largest so far)."""
    out: list[list[Any]] = []
    for line in nfc_multiline(text or "").splitlines():
        if not line.strip():
            continue
        m = _OPTION_LINE.match(line)
        if m:
            out.append([int(m.group(1)), m.group(2).strip()])
        else:
            out.append([max((v for v, _l in out), default=0) + 1, line.strip()])
    return out


def _clean_options(kind: str, options: Any, errors: Errors) -> list[list[Any]]:
    if kind not in CHOICE_KINDS:
        return []
    rows: list[list[Any]] = []
    if not isinstance(options, (list, tuple)):
        errors.add("options", "Phương án trả lời phải là một danh sách [số, nhãn].")
        return rows
    seen_values: set[int] = set()
    seen_labels: dict[str, str] = {}
    for item in options:
        if not isinstance(item, (list, tuple)) or len(item) != 2:
            errors.add("options", "Mỗi phương án gồm một số và một nhãn.")
            continue
        value, label = item
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 999:
            errors.add("options", f"Phương án “{str(label)[:40]}”: số phải là số nguyên từ 1 đến 999.")
            continue
        label = nfc(str(label or "")).strip()
        if not label:
            errors.add("options", f"Phương án số {value} chưa có nhãn.")
            continue
        if len(label) > 300:
            errors.add("options", f"Phương án số {value}: nhãn dài quá 300 ký tự.")
            continue
        if value in seen_values:
            errors.add("options", f"Số {value} dùng cho hai phương án.")
            continue
        key = option_key(label)
        if key in seen_labels:
            errors.add(
                "options",
                f"Hai phương án “{seen_labels[key]}” và “{label}” trùng nhau (không kể dấu, hoa thường): "
                "khi nhập tệp sẽ không phân biệt được.",
            )
            continue
        if key.isdigit():
            errors.add("options", f"Nhãn “{label}” chỉ là một con số: dễ nhầm với số của phương án.")
            continue
        seen_values.add(value)
        seen_labels[key] = label
        rows.append([value, label])
    if len(rows) < 2 and "options" not in errors:
        errors.add("options", "Câu chọn một hoặc chọn nhiều cần ít nhất hai phương án.")
    if len(rows) > MAX_OPTIONS:
        errors.add("options", f"Tối đa {MAX_OPTIONS} phương án.")
    return rows


def _values_of(q: Question) -> set[int]:
    if q.kind == "likert5":
        return {1, 2, 3, 4, 5}
    return {int(v) for v, _label in q.options}


def _check_conditions(questions: list[Question], errors: Errors) -> None:
    """Simple skip logic: one condition on an earlier single-choice or 1–5 question, values among its own."""
    earlier: dict[str, Question] = {}
    for q in questions:
        show_if = q.show_if or {}
        if not isinstance(show_if, dict) or len(show_if) > 1:
            errors.add(q.code, f"Câu {q.code}: chỉ đặt được một điều kiện hỏi (dựa trên một câu trước đó).")
        for code, values in show_if.items() if isinstance(show_if, dict) else []:
            other = earlier.get(code)
            if other is None:
                errors.add(
                    q.code, f"Câu {q.code}: điều kiện hỏi dựa trên câu {code}, câu này phải đứng trước nó."
                )
            elif other.kind not in ("single", "likert5"):
                errors.add(
                    q.code, f"Câu {q.code}: điều kiện hỏi chỉ dựa được trên câu chọn một hoặc thang 1–5."
                )
            elif (
                not isinstance(values, list)
                or not values
                or any(isinstance(v, bool) or not isinstance(v, int) for v in values)
                or not set(values) <= _values_of(other)
            ):
                allowed = ", ".join(str(v) for v in sorted(_values_of(other)))
                errors.add(
                    q.code, f"Câu {q.code}: điều kiện hỏi cần các phương án của câu {code} ({allowed})."
                )
        earlier[q.code] = q


def _check_question(survey: Survey, q: Question, errors: Errors) -> None:
    if q.kind not in KINDS:
        errors.add("kind", f"Loại câu hỏi “{q.kind}” không có.")
    if not nfc(q.text or "").strip():
        errors.add("text", "Nội dung câu hỏi không được để trống.")
    elif len(q.text) > 2000:
        errors.add("text", "Nội dung câu hỏi dài quá 2.000 ký tự.")
    q.options = _clean_options(q.kind, q.options, errors)
    if q.scale and q.kind != "likert5":
        errors.add("scale", "Chỉ câu thang 1–5 mới tính vào chỉ số hài lòng.")
    if q.element and not survey.elements.filter(code=q.element).exists():
        errors.add("element", f"Không có yếu tố “{q.element}”.")
    if q.element and not q.scale:
        q.element = ""  # an element groups 1–5 items only


def _answered_meaning(survey: Survey, q: Question, errors: Errors) -> None:
    """Refuse what would change the meaning of answers already collected under this code."""
    versions = set(Response.objects.filter(survey=survey).values_list("version", flat=True).distinct())
    if not versions:
        return
    for old in Question.objects.filter(survey=survey, code=q.code, version__in=versions):
        if old.kind != q.kind:
            errors.add(
                "kind",
                f"Câu {q.code} đã có phiếu trả lời theo loại “{old.get_kind_display()}”: không đổi loại được. "
                "Hãy thêm một câu hỏi mới với mã khác.",
            )
            return
        if q.kind in CHOICE_KINDS:
            now = {option_key(label): int(v) for v, label in q.options}
            for v, label in old.options:
                if now.get(option_key(label), int(v)) != int(v):
                    errors.add(
                        "options",
                        f"Câu {q.code} đã có phiếu trả lời: phương án “{label}” đã mang số {v} trong các phiếu "
                        "đã thu, không đổi số được.",
                    )
                    return
            kept = {int(v) for v, _l in q.options}
            lost = sorted({int(v) for v, _l in old.options} - kept)
            if lost:
                errors.add(
                    "options",
                    f"Câu {q.code} đã có phiếu trả lời: không bỏ hay đổi số của phương án "
                    f"{', '.join(map(str, lost))} được (sửa nhãn thì được). Hãy thêm câu hỏi mới với mã khác.",
                )
                return


def _finish(survey: Survey, questions: list[Question], errors: Errors) -> None:
    _check_conditions(questions, errors)
    errors.raise_if_any()


STRUCTURE = {"options", "show_if", "kind", "element", "scale"}
WORDING = {"text", "required"}


def _probe(survey: Survey, current: Question, changes: dict[str, Any], errors: Errors) -> Question:
    """``current`` with ``changes`` applied and checked (a copy: nothing saved)."""
    probe = Question(**{f.attname: getattr(current, f.attname) for f in Question._meta.concrete_fields})
    for key, value in changes.items():
        setattr(probe, key, nfc(value).strip() if key == "text" else value)
    _check_question(survey, probe, errors)
    return probe


def _already_saved(survey: Survey, current: Question | None, changes: dict[str, Any]) -> bool:
    """Whether the question already reads as ``changes`` ask (the same form sent twice)."""
    if current is None:
        return False
    probe = _probe(survey, current, changes, Errors())
    return all(getattr(probe, k) == getattr(current, k) for k in [*changes, "element"])


@transaction.atomic
def edit_question(survey: Survey, code: str, user, *, revision: int | None = None, **changes) -> Question:
    _manager(survey, user)
    _editable(survey)
    errors = Errors()
    for key in changes:
        if key not in WORDING | STRUCTURE:
            errors.add(key, f"Không sửa được “{key}” của câu hỏi.")
    if "text" in changes and not nfc(str(changes["text"] or "")).strip():
        errors.add("text", "Nội dung câu hỏi không được để trống.")
    errors.raise_if_any()
    survey = _lock(survey)
    _editable(survey)
    current = survey.questions.filter(version=survey.version, code=code).first()
    if revision is not None and survey.revision != revision:
        if current is not None and _already_saved(survey, current, changes):
            return current  # a double click: the first submission saved exactly this
        check_revision(survey, revision, WHAT)
    if current is None:
        raise ValidationError({"code": [f"Không có câu hỏi {code}."]})
    structural = {k for k in changes if k in STRUCTURE and changes[k] != getattr(current, k)}
    if structural:
        _structure_editable(survey)
    probe = _probe(survey, current, changes, errors)
    if structural:
        _answered_meaning(survey, probe, errors)
    others = [probe if q.code == code else q for q in questions_of(survey)]
    _finish(survey, others, errors)
    survey = new_version_if_answered(survey, user)
    q = survey.questions.get(version=survey.version, code=code)
    for key in changes:
        setattr(q, key, getattr(probe, key))
    q.element = probe.element
    q._history_user = user
    q.save()
    _touch(survey, user, f"Sửa câu hỏi {code}")
    return q


@transaction.atomic
def add_question(
    survey: Survey,
    user,
    *,
    code: str,
    text: str,
    kind: str,
    required: bool = False,
    options: Any = (),
    show_if: Any = None,
    element: str = "",
    scale: bool = False,
    section: str | None = None,
    after: str | None = None,
    revision: int | None = None,
) -> Question:
    """A new question after ``after`` (a code of the current version; at the end when empty)."""
    _manager(survey, user)
    _structure_editable(survey)
    survey = _lock(survey)
    _structure_editable(survey)
    errors = Errors()
    code = nfc(code or "").strip().lower()
    if revision is not None and survey.revision != revision:
        there = survey.questions.filter(version=survey.version, code=code).first()
        asked = {"text": text, "kind": kind, "required": bool(required), "options": list(options or [])}
        if there is not None and _already_saved(survey, there, asked):
            return there  # a double click: the first submission added exactly this
        check_revision(survey, revision, WHAT)
    survey.__dict__.pop("_questions", None)
    questions = list(questions_of(survey))
    if not CODE_RE.match(code):
        errors.add(
            "code",
            "Mã câu hỏi gồm chữ thường không dấu, chữ số và dấu gạch dưới, bắt đầu bằng một chữ, tối đa 40 ký tự "
            "(ví dụ q10_thoi_gian).",
        )
    elif code in RESERVED:
        errors.add("code", f"Mã “{code}” đã được biểu mẫu dùng riêng: hãy chọn mã khác.")
    elif any(q.code == code for q in questions):
        errors.add("code", f"Đã có câu hỏi mã {code} trong phiếu.")
    position = len(questions)
    if after:
        found = [i for i, q in enumerate(questions) if q.code == after]
        if not found:
            errors.add("after", f"Không có câu hỏi {after}.")
        else:
            position = found[0] + 1
    neighbour = questions[position - 1] if position and questions else None
    q = Question(
        survey=survey,
        version=survey.version,
        code=code,
        text=nfc(text or "").strip(),
        kind=kind,
        required=bool(required),
        options=list(options or []),
        show_if=show_if or {},
        element=element or "",
        scale=bool(scale),
        section=section if section is not None else (neighbour.section if neighbour else ""),
    )
    _check_question(survey, q, errors)
    if "code" not in errors and "kind" not in errors:
        _answered_meaning(survey, q, errors)  # a code removed earlier comes back with its old meaning
    _finish(survey, [*questions[:position], q, *questions[position:]], errors)
    survey = new_version_if_answered(survey, user)
    rows = list(survey.questions.filter(version=survey.version).order_by("order"))
    rows.insert(position, q)
    q.version = survey.version
    q._history_user = user
    q.save()
    _renumber(rows, user)
    _touch(survey, user, f"Thêm câu hỏi {code}")
    return q


def _renumber(rows: list[Question], user) -> None:
    for i, row in enumerate(rows, start=1):
        if row.order != i:
            row.order = i
            row._history_user = user
            row.save(update_fields=["order"])


@transaction.atomic
def remove_question(survey: Survey, code: str, user, *, revision: int | None = None) -> None:
    _manager(survey, user)
    _structure_editable(survey)
    survey = _lock(survey)
    _structure_editable(survey)
    survey.__dict__.pop("_questions", None)
    questions = list(questions_of(survey))
    if revision is not None and survey.revision != revision:
        if not any(q.code == code for q in questions):
            return  # a double click: the first submission removed it
        check_revision(survey, revision, WHAT)
    if not any(q.code == code for q in questions):
        raise ValidationError({"code": [f"Không có câu hỏi {code}."]})
    errors = Errors()
    for q in questions:
        if code in (q.show_if or {}):
            errors.add(code, f"Câu {q.code} chỉ được hỏi tùy theo câu {code}: bỏ điều kiện đó trước.")
    if len(questions) == 1:
        errors.add(code, "Phiếu phải còn ít nhất một câu hỏi.")
    errors.raise_if_any()
    survey = new_version_if_answered(survey, user)
    q = survey.questions.get(version=survey.version, code=code)
    q._history_user = user
    q.delete()
    _renumber(list(survey.questions.filter(version=survey.version).order_by("order")), user)
    _touch(survey, user, f"Bỏ câu hỏi {code}")


@transaction.atomic
def move_question(survey: Survey, code: str, direction: str, user, *, revision: int | None = None) -> None:
    _manager(survey, user)
    _structure_editable(survey)
    survey = _lock(survey)
    _structure_editable(survey)
    check_revision(survey, revision, WHAT)  # moving twice is not the same as once: a stale form is refused
    survey.__dict__.pop("_questions", None)
    questions = list(questions_of(survey))
    found = [i for i, q in enumerate(questions) if q.code == code]
    if not found or direction not in ("up", "down"):
        raise ValidationError({"code": [f"Không có câu hỏi {code}."]})
    i = found[0]
    j = i - 1 if direction == "up" else i + 1
    if not 0 <= j < len(questions):
        raise ValidationError({code: ["Câu hỏi đã ở đầu hoặc cuối phiếu."]})
    moved = list(questions)
    moved[i], moved[j] = moved[j], moved[i]
    errors = Errors()
    _finish(survey, moved, errors)
    survey = new_version_if_answered(survey, user)
    rows = {q.code: q for q in survey.questions.filter(version=survey.version)}
    _renumber([rows[q.code] for q in moved], user)
    _touch(survey, user, f"Chuyển câu hỏi {code}")
