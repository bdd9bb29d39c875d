"""The ministry's appraisal of a province's PAR INDEX self-assessment, imported from a file (issue 8, point 7):
the two phases of every chiso import — ``preview_ministry`` reads and checks every line and says what would
be new, changed or unchanged, or what is wrong, writing nothing; ``commit_ministry`` checks again and records
all of it or nothing through ``province.import_ministry_appraisal`` (``ValidationError({"file": [messages]})``).

The file is a long table, one line per criterion, as the ministry's system lists it: a criterion column
("Mã tiêu chí", "Tiêu chí", "Mã"…), a score column ("Điểm thẩm định", "Điểm"…) and, optionally, a comment
column ("Ý kiến thẩm định", "Nhận xét", "Ghi chú"…); other columns (the criterion's name, its maximum, the
self-score, the order number) are ignored. The stage is the one the round is in (appraisal, or re-appraisal:
``final``). Each problem names its line in Vietnamese: no such criterion, a criterion scored through its
sub-criteria, a survey or socio-economic part (the ministry's own measurement, not appraised here), text
where a number is expected, a score out of bounds or off its step, a criterion twice, a closed phase.
Importing the same file twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chiso.core.scoring import check_score
from chiso.core.text import fold, nfc, parse_number
from chiso.results.importer import PreviewRow, PreviewRows
from chiso.results.reader import Table, TableError, read_table

from .. import permissions
from ..models import Round, Score
from . import province
from .imports import _node_for, checked_again, record_batch, source_or
from .rounds import work_open
from .sheets import closed_message
from .structure import structure

__all__ = ["MinistryPreview", "commit_ministry", "preview_ministry"]

EPS = 1e-9


def _key(text: object) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(str(text or "")))


CRITERION_COLUMNS = {_key(x) for x in ("mã tiêu chí", "tiêu chí", "mã", "mã chỉ số", "criterion", "code")}
SCORE_COLUMNS = {
    _key(x)
    for x in ("điểm thẩm định", "điểm thẩm định lại", "điểm bộ thẩm định", "điểm", "score", "appraised")
}
COMMENT_COLUMNS = {
    _key(x) for x in ("ý kiến thẩm định", "ý kiến", "nhận xét", "ghi chú", "lý do", "comment", "note")
}


@dataclass
class MinistryRow(PreviewRow):
    line: int
    code: str
    name: str = ""
    old: float | None = None
    new: float | None = None
    comment: str = ""
    status: str = "unchanged"  # new | changed | unchanged | error
    errors: list[str] = field(default_factory=list)


@dataclass
class MinistryPreview(PreviewRows):
    round: Round
    stage: str
    file_name: str
    table: Table | None = None
    rows: list[MinistryRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    conflict: bool = False  # refused for the round's state (no appraisal open), whatever the file
    committed: bool = False
    written: int = 0

    @property
    def counts(self) -> dict[str, int]:
        return self.status_counts(("new", "changed", "unchanged", "error"))

    def entries(self) -> dict[str, dict]:
        """What is recorded: the new and changed lines (an unchanged line writes nothing)."""
        out = {}
        for r in self.rows:
            if r.status in ("new", "changed"):
                out[r.code] = {"score": r.new, "note": r.comment} if r.comment else {"score": r.new}
        return out

    def as_data(self) -> dict:
        return {
            "round": self.round.pk,
            "stage": self.stage,
            "file": self.file_name,
            "ok": self.ok,
            "committed": self.committed,
            "written": self.written,
            "counts": self.counts,
            "errors": self.error_messages,
            "notes": self.notes,
            "rows": [
                {
                    "line": r.line,
                    "criterion": r.code,
                    "name": r.name,
                    "old": r.old,
                    "new": r.new,
                    "comment": r.comment,
                    "status": r.status,
                    "errors": r.errors,
                }
                for r in self.rows
            ],
        }


def _is_header(cells: list) -> bool:
    keys = {_key(c) for c in cells}
    return bool(keys & CRITERION_COLUMNS) and bool(keys & SCORE_COLUMNS)


def _stage(rnd: Round) -> str:
    return rnd.opens if rnd.opens in permissions.APPRAISAL_WORKS else "appraisal"


def _cell(cells: list, i: int | None) -> object:
    return cells[i] if i is not None and i < len(cells) else None


def preview_ministry(
    rnd: Round,
    data: bytes,
    file_name: str,
    *,
    user,
    max_bytes: int | None = None,
    today: dt.date | None = None,
) -> MinistryPreview:
    """Every line of the file checked against the province's round; nothing is written. PermissionDenied
    unless ``user`` records the ministry's appraisal of this round (its coordinators)."""
    sheet = province._province_round(rnd)
    if not permissions.imports_ministry_appraisal(user, rnd):
        raise PermissionDenied(_("Chỉ chuyên viên điều phối của tỉnh nhập kết quả thẩm định của Bộ Nội vụ."))
    stage = _stage(rnd)
    preview = MinistryPreview(round=rnd, stage=stage, file_name=file_name)
    if rnd.opens not in permissions.APPRAISAL_WORKS:
        preview.errors.append(
            _(
                "Đợt đánh giá đang ở giai đoạn «{state}»: chỉ nhập kết quả thẩm định của Bộ ở giai đoạn thẩm định hoặc thẩm định lại."
            ).format(state=rnd.status_label)
        )
        preview.conflict = True
        return preview
    if not work_open(rnd, sheet, stage, today):
        preview.errors.append(closed_message(rnd, stage))
        preview.conflict = True
        return preview
    try:
        table = read_table(data, file_name, max_bytes=max_bytes)
    except TableError as exc:
        preview.errors.append(str(exc))
        return preview
    # the header: the first line naming a criterion column and a score column (a title may stand above it)
    if not _is_header(table.header):
        for i, (_line, cells) in enumerate(table.rows[:30]):
            if _is_header(cells):
                table.header = [str(c or "").strip() for c in cells]
                table.rows = table.rows[i + 1 :]
                break
    preview.table = table
    preview.notes.extend(table.notes)
    crit_col = score_col = comment_col = None
    for i, header in enumerate(table.header):
        key = _key(header)
        if key in CRITERION_COLUMNS and crit_col is None:
            crit_col = i
        elif key in SCORE_COLUMNS and score_col is None:
            score_col = i
        elif key in COMMENT_COLUMNS and comment_col is None:
            comment_col = i
    if crit_col is None or score_col is None:
        preview.errors.append(
            _(
                "Thiếu cột mã tiêu chí (ví dụ “Mã tiêu chí”) hoặc cột điểm (ví dụ “Điểm thẩm định”) ở dòng tiêu đề."
            )
        )
        return preview
    st = structure(rnd.framework)
    appraised = {c.code for c in province.appraisal_criteria(st)}
    field_name = "final_score" if stage == "final" else "appraised_score"
    comment_name = "final_comment" if stage == "final" else "appraisal_comment"
    stored = {
        code: (value, text)
        for code, value, text in Score.objects.filter(sheet=sheet).values_list(
            "node__code", field_name, comment_name
        )
    }
    na = set(Score.objects.filter(sheet=sheet, not_applicable=True).values_list("node__code", flat=True))
    seen: dict[str, int] = {}
    for line, cells in table.rows:
        raw_code = _cell(cells, crit_col)
        text = nfc(str(raw_code).strip()) if raw_code is not None else ""
        if text.endswith(".0") and text[:-2].isdigit():
            text = text[:-2]
        raw_score, raw_comment = _cell(cells, score_col), _cell(cells, comment_col)
        comment = nfc(str(raw_comment).strip()) if raw_comment is not None else ""
        if not text and (raw_score is None or not str(raw_score).strip()):
            continue  # an empty line
        row = MinistryRow(line=line, code=text, comment=comment)
        preview.rows.append(row)
        node = _node_for(text, st) if text else None
        crit = st.by_code.get(node.code) if node is not None else None
        if not text:
            row.errors.append(_("thiếu mã tiêu chí."))
        elif node is None:
            row.errors.append(
                _("không có tiêu chí mã “{code}” trong bộ chỉ số {framework}.").format(
                    code=text, framework=st.framework.name_vi
                )
            )
        elif crit is None:
            row.errors.append(
                _("“{code}” không được chấm trực tiếp: điểm của nó cộng từ các tiêu chí thành phần.").format(
                    code=node.code
                )
            )
        elif crit.code not in appraised:
            row.errors.append(
                _(
                    "“{code}” là phần Bộ Nội vụ tự đo (khảo sát, tác động kinh tế – xã hội), không thuộc phần thẩm định."
                ).format(code=crit.code)
            )
        if crit is not None:
            row.code, row.name = crit.code, crit.node.name_vi
            if crit.code in seen:
                row.errors.append(
                    _("tiêu chí {code} đã có ở dòng {line}.").format(code=crit.code, line=seen[crit.code])
                )
            else:
                seen[crit.code] = line
            if crit.code in na:
                row.errors.append(
                    _("tiêu chí {code} đã được đánh dấu “không áp dụng” trên phiếu của tỉnh.").format(
                        code=crit.code
                    )
                )
        try:
            value = parse_number(raw_score)
        except ValueError:
            row.errors.append(_("“{value}” không phải là số.").format(value=raw_score))
            value = None
        else:
            if value is None:
                row.errors.append(_("thiếu điểm thẩm định."))
        if value is not None and crit is not None:
            problem = check_score(
                value,
                maximum=crit.node.max_score,
                minimum=crit.node.min_score,
                step=crit.node.step,
                precision=rnd.framework.precision,
            )
            if problem:
                row.errors.append(problem)
        row.new = value
        if row.errors:
            row.status = "error"
            continue
        row.old, old_comment = stored.get(row.code, (None, ""))
        if row.old is None:
            row.status = "new"
        elif abs(row.old - (value or 0.0)) > EPS or (comment and comment != old_comment):
            row.status = "changed"
    if not preview.rows and not preview.errors:
        preview.errors.append(_("Tệp không có dòng dữ liệu nào."))
    return preview


def commit_ministry(
    rnd: Round,
    data: bytes,
    file_name: str,
    user,
    source: str = "",
    *,
    max_bytes: int | None = None,
    today: dt.date | None = None,
) -> MinistryPreview:
    """Check the file again and record the ministry's appraisal of every line, or nothing:
    ValidationError({"file": [every problem]}) or PermissionDenied. ``source`` (the ministry's document or
    system and its date) is kept on every score; none given: the file's name."""
    with transaction.atomic():
        rnd, preview = checked_again(
            rnd, lambda r: preview_ministry(r, data, file_name, user=user, max_bytes=max_bytes, today=today)
        )
        source = source_or(source, _("Bộ Nội vụ, tệp “{name}”").format(name=file_name))
        entries = preview.entries()
        try:
            written = entries and province.import_ministry_appraisal(
                rnd, user, entries, source=source, stage=preview.stage, today=today
            )
        except ValidationError as exc:
            raise ValidationError({"file": exc.messages}) from exc
        preview.written = len(written or [])
        preview.committed = True
        sha256 = preview.table.file_hash if preview.table is not None else ""
        record_batch(rnd, preview, user, preview.stage, sha256, source, ministry=True)
    return preview
