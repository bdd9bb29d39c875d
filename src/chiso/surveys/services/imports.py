"""Importing responses collected by other tools (Kobo/ODK exports, a typed spreadsheet): CSV/XLSX/XLS/ODS,
one response per row, a column per question code — all or nothing, after a preview.

- ``preview_responses(survey, data, file_name)`` → ``ResponsePreview``: the file read by
  ``results.reader.read_table`` (its limits: size, decompression bombs, legacy encodings, NFC), the columns
  matched to question codes (a group prefix is dropped: Kobo's ``grp/q9_sat_24``, ODK Central's
  ``grp-q9_sat_24``; Kobo/ODK metadata columns such as ``_id``, ``_uuid``, ``start``, ``end`` are
  ignored), the service point (column ``service_point``
  or ``diem``) and dossier (``dossier`` or ``ma_ho_so``); every row checked as a response would be
  (``answers.clean_answers``), a dossier code used twice (in the file or already in the survey) is an
  error. A choice may be written as the option's number or its label (Kobo/ODK "labels" exports): a label
  is matched in NFC without case, diacritics (đ = d) or repeated spaces; several choices of a multiple
  choice question are separated by “,”, “;” or spaces (``choice_value``).
- ``commit_responses(survey, data, file_name, user)`` — checks everything again and writes every row in one
  transaction, or nothing (``ImportRefused`` with the messages). The same file committed again by the same
  person (a double click on "write", a resent form) writes nothing and returns None: its SHA-256 is claimed
  once per survey (``chiso.idempotency``); ``already_imported`` asks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from chiso.core.text import nfc
from chiso.results.importer import ImportRefused, PreviewRow, PreviewRows
from chiso.results.reader import Table, read_table

from .. import permissions
from ..models import Response, Survey
from .answers import LIKERT, _int, clean_answers
from .intake import find_point, new_receipt
from .questionnaire import questions_of
from .screening import has_text

POINT_COLUMNS = {"service_point", "diem", "điểm", "diem_phuc_vu", "ma_diem"}
DOSSIER_COLUMNS = {"dossier", "ma_ho_so", "mã_hồ_sơ", "ma_hs"}
METADATA = {"start", "end", "today", "deviceid", "username", "instanceid", "meta/instanceid", "__version__"}


@dataclass
class ResponseRow(PreviewRow):
    line: int
    status: str
    answers: dict[str, Any] = field(default_factory=dict)
    scores: str = ""
    point_id: int | None = None
    point_name: str = ""
    dossier: str = ""
    errors: list[str] = field(default_factory=list)


@dataclass
class ResponsePreview(PreviewRows):
    errors: list[str] = field(default_factory=list)
    rows: list = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    table: Table | None = None
    columns: list[tuple[str, str]] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return self.status_counts(("new", "error"))


def _column_key(header: str) -> str:
    return nfc(header).split("/")[-1].strip().lower()


def _column_keys(header: str) -> list[str]:
    """What a header may name: the name after a Kobo group prefix (``grp/q9_sat_24``), then the name
    after ODK Central's ``-`` or Kobo's ``.`` group separator (``grp-q9_sat_24``; codes have neither)."""
    key = _column_key(header)
    return [key, re.split(r"[-.]", key)[-1]]


def _split_multiple(value: Any) -> Any:
    if isinstance(value, str) and re.search(r"[\s,;]", value.strip()):
        return [v for v in re.split(r"[\s,;]+", value.strip()) if v]
    return value


class NotAnOption(ValueError):
    pass


def _labels(q) -> dict[str, int]:
    from .questionnaire import option_key

    pairs = LIKERT if q.kind == "likert5" else q.options
    return {option_key(label): int(v) for v, label in pairs}


def _one(token: Any, labels: dict[str, int]) -> Any:
    from .questionnaire import option_key

    if not isinstance(token, str) or _int(token) is not None:
        return token
    key = option_key(token)
    if key in labels:
        return labels[key]
    raise NotAnOption(token)


def _greedy(text: str, labels: dict[str, int]) -> list[int]:
    """Labels written one after another with spaces (Kobo's labels export of a multiple choice)."""
    from .questionnaire import option_key

    words = option_key(text).split()
    out: list[int] = []
    i = 0
    while i < len(words):
        for j in range(len(words), i, -1):
            key = " ".join(words[i:j])
            if key in labels:
                out.append(labels[key])
                i = j
                break
        else:
            raise NotAnOption(text)
    return out


def choice_value(q, value: Any, labels: dict[str, int] | None = None) -> tuple[Any, bool]:
    """A cell of a choice question (1–5, single, multiple) as option numbers → (value, whether a label was
    read). ``NotAnOption`` names a piece that is neither an option's number nor its label. ``labels``: the
    question's ``_labels`` when the caller has them (a file's rows: folded once per question, not per
    cell — folding them was nine tenths of a preview's time)."""
    if q.kind not in ("likert5", "single", "multiple"):
        return value, False
    if labels is None:
        labels = _labels(q)
    if q.kind != "multiple":
        got = _one(value.strip() if isinstance(value, str) else value, labels)
        return got, got is not value and not (isinstance(value, str) and got == value.strip())
    if not isinstance(value, str):
        return value, False
    text = value.strip()
    tokens = [t for t in re.split(r"[\s,;]+", text) if t]
    if tokens and all(_int(t) is not None for t in tokens):
        return (tokens if len(tokens) > 1 else text), False
    out: list[Any] = []
    for part in (p.strip() for p in re.split(r"[,;|\n]+", text)):
        if not part:
            continue
        try:
            out.append(_one(part, labels))
        except NotAnOption:
            out.extend(_greedy(part, labels))
    return out, True


def _option_list(q) -> str:
    pairs = LIKERT if q.kind == "likert5" else q.options
    return "; ".join(f"{v}. {label}" for v, label in pairs)


def preview_responses(
    survey: Survey, data: bytes, file_name: str, *, max_bytes: int | None = None
) -> ResponsePreview:
    preview = ResponsePreview()
    try:
        table = read_table(data, file_name, max_bytes=max_bytes)
    except Exception as exc:  # TableError and the reader's own refusals: a message for the user
        preview.errors.append(str(exc))
        return preview
    preview.table = table
    preview.notes.extend(table.notes)
    questions = questions_of(survey)
    by_code = {q.code.lower(): q for q in questions}
    mapping: dict[int, str] = {}
    point_col = dossier_col = None
    known = by_code.keys() | POINT_COLUMNS | DOSSIER_COLUMNS
    for i, header in enumerate(table.header):
        key = next((k for k in _column_keys(header) if k in known), "")
        if key in by_code:
            mapping[i] = by_code[key].code
            preview.columns.append((header, by_code[key].code))
        elif key in POINT_COLUMNS:
            point_col = i
            preview.columns.append((header, "service_point"))
        elif key in DOSSIER_COLUMNS:
            dossier_col = i
            preview.columns.append((header, "dossier"))
        elif header:
            preview.ignored.append(header)
    if not mapping:
        preview.errors.append(
            "Không có cột nào mang mã câu hỏi của phiếu (ví dụ q9_sat_24): hãy xuất tệp với tiêu đề là mã câu hỏi."
        )
        return preview
    if survey.locked or not survey.collecting:
        preview.errors.append(f"Cuộc khảo sát hiện không nhận phiếu ({survey.status_label}).")
    kinds = {q.code: q.kind for q in questions}
    by_exact = {q.code: q for q in questions}
    labels = {q.code: _labels(q) for q in questions if q.kind in ("likert5", "single", "multiple")}
    from_labels = 0
    seen: dict[str, int] = {}
    existing = set(
        Response.objects.filter(survey=survey).exclude(dossier="").values_list("dossier", flat=True)
    )
    for line, cells in table.rows:
        row = ResponseRow(line=line, status="new")
        raw: dict[str, Any] = {}
        unreadable: set[str] = set()
        for i, code in mapping.items():
            value = cells[i] if i < len(cells) else None
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            try:
                value, was_label = choice_value(by_exact[code], value, labels.get(code))
            except NotAnOption as exc:
                unreadable.add(code)
                row.errors.append(
                    f"{code}: “{str(exc)[:60]}” không phải số hay nhãn của một phương án "
                    f"({_option_list(by_exact[code])[:300]})"
                )
                continue
            from_labels += was_label
            raw[code] = _split_multiple(value) if kinds[code] == "multiple" else value
        try:
            row.answers, row.scores = clean_answers(questions, raw)
        except ValidationError as exc:
            row.errors.extend(
                f"{c}: {m}" for c, msgs in exc.message_dict.items() if c not in unreadable for m in msgs
            )
        if point_col is not None:
            code = nfc(str(cells[point_col] or "")) if point_col < len(cells) else ""
            if code:
                point = find_point(survey, code)
                if point is None:
                    row.errors.append(f"không có điểm phục vụ mã “{code[:40]}”")
                else:
                    row.point_id, row.point_name = point.pk, point.name
        if dossier_col is not None and dossier_col < len(cells):
            row.dossier = nfc(str(cells[dossier_col] or ""))
            if isinstance(cells[dossier_col], float) and cells[dossier_col].is_integer():
                row.dossier = str(int(cells[dossier_col]))
            if len(row.dossier) > 60:
                row.errors.append("mã hồ sơ dài quá 60 ký tự")
            elif row.dossier in existing:
                row.errors.append(f"hồ sơ “{row.dossier}” đã có phiếu trong cuộc khảo sát")
            elif row.dossier and row.dossier in seen:
                row.errors.append(f"hồ sơ “{row.dossier}” đã có ở dòng {seen[row.dossier]}")
            elif row.dossier:
                seen[row.dossier] = line
        if row.errors:
            row.status = "error"
        preview.rows.append(row)
    if not preview.rows:
        preview.errors.append("Tệp không có dòng phiếu nào.")
    if from_labels:
        preview.notes.append(
            f"{from_labels} câu trả lời ghi bằng nhãn phương án (ví dụ “Hài lòng”) đã được đọc thành số của "
            "phương án (không phân biệt dấu, hoa thường)."
        )
    return preview


def _scope(survey: Survey) -> str:
    return f"survey-import:survey={survey.pk}"


def already_imported(survey: Survey, digest: str, user) -> bool:
    """Whether ``user`` has committed the file of this SHA-256 to the survey."""
    from chiso.idempotency.models import Submission

    if not getattr(user, "is_authenticated", False):
        return False
    return Submission.objects.filter(user=user, scope=_scope(survey), key=digest).exists()


def commit_responses(
    survey: Survey, data: bytes, file_name: str, user, *, max_bytes: int | None = None
) -> int | None:
    import hashlib

    from chiso.idempotency import services as idempotency

    if user is not None and not permissions.can_manage(user, survey.province_id):
        raise PermissionDenied("Chỉ chuyên viên điều phối của tỉnh được nhập phiếu từ tệp.")
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        claim = idempotency.claim(user, hashlib.sha256(data).hexdigest(), _scope(survey))
        if claim.existing is not None:
            return None  # this person already wrote this file into this survey
        preview = preview_responses(survey, data, file_name, max_bytes=max_bytes)
        if not preview.ok:
            raise ImportRefused(preview.error_messages)
        questions = questions_of(survey)
        Response.objects.bulk_create(
            Response(
                survey=survey,
                version=survey.version,
                point_id=r.point_id,
                dossier=r.dossier,
                receipt=new_receipt(),
                mode=Response.Mode.IMPORT,
                answers=r.answers,
                scores=r.scores,
                sheet=f"{file_name[:30]}:{r.line}",
                entered_by=user,
                text_state="pending" if has_text(questions, r.answers) else "",
            )
            for r in preview.rows
        )
        claim.done(survey)
    return len(preview.rows)
