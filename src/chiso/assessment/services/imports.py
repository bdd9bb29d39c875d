"""Scores of a round imported from a file: a wide table like the results import — a unit column (name or
code; "Đơn vị", "Mã đơn vị"…) and one column per leaf criterion, headed by its code (or one of its other
column names). ``preview_scores`` reads and checks every cell and says, per row, what would be new,
changed or unchanged, or what is wrong, and writes nothing; ``commit_scores`` checks again and writes all
of it or nothing (``ValidationError({"file": [messages]})``). Importing the same file twice changes nothing.

Stages: ``self`` (the units' self-scores, sent by file), ``appraisal`` and ``final`` (appraised and
re-appraised scores: a council's, or the ministry's in a round on the province itself), and ``survey`` —
the criteria scored from a survey (citizens', leaders'): never typed, imported with their source, and
their score counts at every stage. Who may import: ``permissions.can_import`` (and, cell by cell,
``can_import_cell``). A stage is imported only while its work is open for the sheet (a survey: until the
round closes). An empty cell changes nothing (it never clears a score); a criterion the unit marked not
applicable takes no score; a rule-scored criterion takes its score directly (the figures of that stage are
dropped, they no longer give it).

Each problem names its line and column, in Vietnamese: unknown unit, a unit that is not in the round, a
column that is no criterion of the framework, a criterion scored through its sub-criteria, a survey
criterion at another stage (or the reverse), text where a number is expected, a score out of bounds, off
its step or with too many decimals (``core.scoring.check_score``), a closed phase, a criterion the
appraiser is not assigned, a unit twice in the file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chiso.core.scoring import check_score
from chiso.core.text import format_number, nfc, parse_number
from chiso.frameworks.models import Node
from chiso.frameworks.services import scored_units
from chiso.results.importer import (
    CODE_COLUMNS,
    IGNORED_COLUMNS,
    NOTE_COLUMNS,
    UNIT_COLUMNS,
    CellChange,
    PreviewRow,
    PreviewRows,
    _key,
)
from chiso.results.reader import Table
from chiso.units.lineage import unit_valid_in
from chiso.units.models import Unit
from chiso.units.services import UnitLookupError
from chiso.validation import StateConflict

from .. import permissions
from ..models import Round, Score, ScoreImport, Sheet
from . import sheets as sheet_services
from .rounds import locked, work_open
from .structure import Criterion, Structure, structure

__all__ = ["STAGES", "ScorePreview", "commit_scores", "preview_scores"]

#: The stages a file is imported at, and how the UI names them.
STAGES = {
    "self": gettext_lazy("tự đánh giá"),
    "appraisal": gettext_lazy("thẩm định"),
    "final": gettext_lazy("thẩm định lại"),
    "survey": gettext_lazy("khảo sát"),
}
EPS = 1e-9
SOURCE_MAX = 300


@dataclass
class RowPreview(PreviewRow):
    line: int
    unit_text: str
    unit: Unit | None = None
    sheet: Sheet | None = None
    status: str = "unchanged"  # new | changed | unchanged | error
    errors: list[str] = field(default_factory=list)
    #: what was read in a way the importer should check (an ambiguous "1.000", a "%" dropped)
    warnings: list[str] = field(default_factory=list)
    cells: list[CellChange] = field(default_factory=list)


@dataclass
class ScorePreview(PreviewRows):
    round: Round
    stage: str
    file_name: str
    table: Table | None = None
    columns: list[tuple[str, str]] = field(default_factory=list)  # (header, criterion code or meaning)
    ignored: list[str] = field(default_factory=list)
    rows: list[RowPreview] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # the file as a whole
    notes: list[str] = field(default_factory=list)
    conflict: bool = False  # refused for the round's state (closed, phase not open), whatever the file
    committed: bool = False  # by commit_scores
    written: int = 0  # scores written by commit_scores
    batch: ScoreImport | None = None  # the record commit_scores keeps
    today: dt.date | None = None  # the day the phases are judged on (None: today)

    @property
    def warning_count(self) -> int:
        return sum(len(r.warnings) for r in self.rows)

    @property
    def counts(self) -> dict[str, int]:
        out = self.status_counts(("new", "changed", "unchanged", "error"))
        out["values_changed"] = sum(1 for r in self.rows for c in r.cells if c.status != "unchanged")
        return out

    def as_data(self) -> dict:
        """The preview (or the commit) as the CLI and the API give it: counts, every row with its cells
        and errors."""
        return {
            "round": self.round.pk,
            "stage": self.stage,
            "file": self.file_name,
            "ok": self.ok,
            "committed": self.committed,
            "written": self.written,
            "counts": self.counts,
            "columns": [{"column": h, "meaning": m} for h, m in self.columns],
            "ignored_columns": self.ignored,
            "errors": self.error_messages,
            "notes": self.notes,
            "rows": [
                {
                    "line": r.line,
                    "unit": r.unit.name if r.unit is not None else r.unit_text,
                    "status": r.status,
                    "errors": r.errors,
                    "warnings": r.warnings,
                    "cells": [
                        {"criterion": c.node_code, "old": c.old, "new": c.new, "status": c.status}
                        for c in r.cells
                    ],
                }
                for r in self.rows
            ],
        }


# --- columns ---------------------------------------------------------------------------------------


@dataclass
class _Column:
    header: str
    crit: Criterion | None
    problem: str = ""  # why a value in this column cannot be imported


def _node_for(header: str, st: Structure) -> Node | None:
    """The node a header names: its code (exactly, or in another case), else one of its other names."""
    text = header.strip()
    if text in st.nodes:
        return st.nodes[text]
    folded = text.casefold()
    for code, node in st.nodes.items():
        if code.casefold() == folded or folded in {str(a).strip().casefold() for a in node.aliases or []}:
            return node
    return None


def _leaves_under(node: Node, st: Structure) -> list[str]:
    by_pk = {n.pk: n for n in st.nodes.values()}
    out = []
    for crit in st.criteria:
        n: Node | None = crit.node
        while n is not None and n.pk != node.pk:
            n = by_pk.get(n.parent_id) if n.parent_id else None
        if n is not None:
            out.append(crit.code)
    return out


def _column(header: str, st: Structure, stage: str) -> _Column:
    node = _node_for(header, st)
    if node is None:
        return _Column(
            header,
            None,
            _("không có tiêu chí mã “{code}” trong bộ chỉ số {framework}.").format(
                code=header, framework=st.framework.name_vi
            ),
        )
    crit = st.by_code.get(node.code)
    if crit is None:
        leaves = _leaves_under(node, st)
        return _Column(
            header,
            None,
            _(
                "“{code}” không được chấm trực tiếp: điểm của nó cộng từ các tiêu chí thành phần ({leaves})."
            ).format(code=node.code, leaves=", ".join(leaves[:8]) + ("…" if len(leaves) > 8 else "")),
        )
    if crit.survey and stage != "survey":
        return _Column(
            header,
            crit,
            _("điểm tiêu chí {code} lấy từ kết quả khảo sát: nhập ở giai đoạn “khảo sát” (survey).").format(
                code=crit.code
            ),
        )
    if not crit.survey and stage == "survey":
        return _Column(
            header,
            crit,
            _(
                "tiêu chí {code} không chấm từ khảo sát: chỉ nhập ở giai đoạn “khảo sát” các tiêu chí khảo sát."
            ).format(code=crit.code),
        )
    return _Column(header, crit)


def _empty(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


#: "1.000" or "1,000": a thousand with a thousands separator, or one with three decimals?
_AMBIGUOUS = re.compile(r"^-?\d{1,3}[.,]\d{3}$")


def _reading_warning(raw: object, value: float, where: str) -> str:
    """A warning when a typed cell was read in a way its author may not have meant: a number whose only
    separator is followed by three digits ("1.000": read as a decimal point, 1), or a "%" dropped (the
    score is the number, not a percentage of the maximum)."""
    if not isinstance(raw, str):
        return ""
    text = raw.strip().replace("\u00a0", "").replace(" ", "")
    shown = format_number(value)
    if _AMBIGUOUS.match(text.rstrip("%")):
        return _(
            "{where}: “{raw}” được đọc là {value} (dấu “{sep}” là dấu thập phân); nếu ý là {thousand}, sửa trong tệp rồi tải lại."
        ).format(
            where=where, raw=raw, value=shown, sep=text.rstrip("%")[-4], thousand=format_number(value * 1000)
        )
    if text.endswith("%"):
        return _(
            "{where}: bỏ ký hiệu “%” của “{raw}”, điểm được nhập là {value} (không phải phần trăm của điểm tối đa)."
        ).format(where=where, raw=raw, value=shown)
    return ""


# --- rows --------------------------------------------------------------------------------------------


class _Units:
    """The unit a row names: among the round's units; a unit the index scores that is not in the round,
    and an unknown name, are told apart."""

    def __init__(self, rnd: Round, sheets: list[Sheet]):
        self.rnd = rnd
        self.sheets = {s.unit_id: s for s in sheets}
        self.units = [s.unit for s in sheets]

    def resolve(self, text: str) -> tuple[Unit, Sheet]:
        try:
            unit = unit_valid_in(text, self.rnd.year, units=self.units)
        except UnitLookupError as exc:
            wider = list(scored_units(self.rnd.framework.index)) or [self.rnd.province]
            try:
                other = unit_valid_in(text, self.rnd.year, units=wider)
            except UnitLookupError:
                raise exc from None
            raise UnitLookupError(
                text, _("{unit} không thuộc đợt đánh giá này.").format(unit=other.name)
            ) from None
        return unit, self.sheets[unit.pk]


def _unit_text(cells: list, col: int | None) -> str:
    if col is None or _empty(cells[col]):
        return ""
    text = nfc(str(cells[col]).strip())
    return text[:-2] if text.endswith(".0") and text[:-2].isdigit() else text


def _row(
    line: int,
    cells: list,
    preview: ScorePreview,
    columns: dict[int, _Column],
    unit_col: int | None,
    code_col: int | None,
    units: _Units,
    user,
    stored: dict[tuple[int, str], float | None],
    not_applicable: set[tuple[int, str]],
) -> RowPreview:
    rnd, stage = preview.round, preview.stage
    name, code = _unit_text(cells, unit_col), _unit_text(cells, code_col)
    row = RowPreview(line=line, unit_text=name or code)
    try:
        unit, sheet = units.resolve(code or name)
        if code and name and units.resolve(name)[0].pk != unit.pk:
            raise UnitLookupError(
                name,
                _("mã “{code}” ({unit}) không khớp với tên “{name}”.").format(
                    code=code, unit=unit.name, name=name
                ),
            )
        row.unit, row.sheet = unit, sheet
    except UnitLookupError as exc:
        row.errors.append(str(exc))
    if row.sheet is not None and stage != "survey" and not work_open(rnd, row.sheet, stage, preview.today):
        row.errors.append(sheet_services.closed_message(rnd, stage))
    precision = rnd.framework.precision
    for i, col in columns.items():
        raw = cells[i] if i < len(cells) else None
        if _empty(raw):
            continue
        where = _("cột “{column}”").format(column=col.header)
        if col.problem:
            try:
                if parse_number(raw) is None:  # a dash: no value
                    continue
            except ValueError:
                pass
            row.errors.append(f"{where}: {col.problem}")
            continue
        try:
            value = preview.parse_cell(raw, col.header, line)  # "1.000", a dropped "%": warned
        except ValueError:
            row.errors.append(_("{where}: “{value}” không phải là số.").format(where=where, value=raw))
            continue
        if value is None:
            continue
        assert col.crit is not None
        node = col.crit.node
        problem = check_score(
            value, maximum=node.max_score, minimum=node.min_score, step=node.step, precision=precision
        )
        if problem:
            row.errors.append(f"{where}: {problem}")
            continue
        if row.sheet is None:
            continue
        if (row.sheet.pk, col.crit.code) in not_applicable:
            row.errors.append(
                _(
                    "{where}: đơn vị đã đánh dấu tiêu chí {code} “không áp dụng”; bỏ đánh dấu trên phiếu rồi nhập lại."
                ).format(where=where, code=col.crit.code)
            )
            continue
        if not permissions.can_import_cell(user, row.sheet, stage, col.crit.code):
            row.errors.append(
                _("{where}: bạn không được phân công thẩm định tiêu chí {code} của {unit}.").format(
                    where=where, code=col.crit.code, unit=row.sheet.unit.name
                )
            )
            continue
        warning = _reading_warning(raw, value, where)
        if warning:
            row.warnings.append(warning)
        old = stored.get((row.sheet.pk, col.crit.code))
        status = "new" if old is None else "unchanged" if abs(old - value) <= EPS else "changed"
        row.cells.append(
            CellChange(col.crit.code, node.name_vi, old, value, status, node_name_en=node.name_en or "")
        )
    if row.errors:
        row.status = "error"
    elif any(c.status == "changed" for c in row.cells):
        row.status = "changed"
    elif any(c.status == "new" for c in row.cells):
        row.status = "new"
    return row


# --- the two phases ----------------------------------------------------------------------------------


def _check_stage(rnd: Round, stage: str, user) -> None:
    if stage not in STAGES:
        raise ValidationError(
            {
                "stage": _("Giai đoạn “{stage}” không có; chọn: {stages}.").format(
                    stage=stage, stages=", ".join(STAGES)
                )
            }
        )
    if not permissions.can_import(user, rnd, stage):
        if stage in permissions.APPRAISAL_WORKS:
            raise PermissionDenied(
                _(
                    "Chỉ thành viên thẩm định được phân công nhập điểm thẩm định của mình (đợt đánh giá chính tỉnh: chuyên viên điều phối nhập kết quả thẩm định của Bộ)."
                )
            )
        raise PermissionDenied(_("Chỉ chuyên viên điều phối của tỉnh nhập được điểm từ tệp."))


def preview_scores(
    rnd: Round,
    data: bytes,
    file_name: str,
    stage: str,
    *,
    user=None,
    max_bytes: int | None = None,
    today: dt.date | None = None,
) -> ScorePreview:
    """Every row and cell of the file checked against the round; nothing is written. ``user`` (None: an
    operator on the server) must be allowed to import at ``stage`` (PermissionDenied)."""
    _check_stage(rnd, stage, user)
    preview = ScorePreview(round=rnd, stage=stage, file_name=file_name, today=today)
    if not rnd.opens:
        preview.errors.append(_("Đợt đánh giá đã kết thúc: không nhập điểm được nữa."))
        preview.conflict = True
        return preview
    if stage != "survey" and rnd.opens != stage:
        preview.errors.append(sheet_services.closed_message(rnd, stage))
        preview.conflict = True
        return preview
    table = preview.read(data, file_name, max_bytes=max_bytes)
    if table is None:
        return preview
    if table.sheet:
        preview.notes.insert(0, _("Đọc trang tính “{sheet}” của tệp.").format(sheet=table.sheet))
    st = structure(rnd.framework)
    unit_col = code_col = None
    columns: dict[int, _Column] = {}
    seen: dict[str, str] = {}
    for i, header in enumerate(table.header):
        key = _key(header)
        if not key:
            continue
        if key in UNIT_COLUMNS and unit_col is None:
            unit_col = i
            preview.columns.append((header, _("tên đơn vị")))
        elif key in CODE_COLUMNS and code_col is None:
            code_col = i
            preview.columns.append((header, _("mã đơn vị")))
        elif key in IGNORED_COLUMNS or key in NOTE_COLUMNS:
            preview.ignored.append(header)
        else:
            col = _column(header, st, stage)
            columns[i] = col
            if col.crit is not None and not col.problem:
                if col.crit.code in seen:
                    preview.errors.append(
                        _("Hai cột cùng là tiêu chí {code}: “{first}” và “{second}”.").format(
                            code=col.crit.code, first=seen[col.crit.code], second=header
                        )
                    )
                seen[col.crit.code] = header
                preview.columns.append((header, col.crit.code))
    if unit_col is None and code_col is None:
        preview.errors.append(_("Thiếu cột tên đơn vị (ví dụ “Đơn vị”) hoặc cột mã đơn vị."))
    elif not preview.check_header_below(table, [i for i in (unit_col, code_col) if i is not None]):
        return preview
    if not seen and not preview.errors:
        preview.errors.append(
            _(
                "Không có cột nào là tiêu chí được nhập ở giai đoạn {stage} (tiêu đề cột là mã tiêu chí, ví dụ “1.3”)."
            ).format(stage=STAGES[stage])
        )
    if preview.errors:
        return preview
    sheets = list(rnd.sheets.select_related("unit", "round"))
    name = sheet_services.IMPORT_FIELD[stage]
    stored: dict[tuple[int, str], float | None] = {}
    not_applicable: set[tuple[int, str]] = set()
    for sheet_id, code, value, na in Score.objects.filter(sheet__round=rnd).values_list(
        "sheet_id", "node__code", name, "not_applicable"
    ):
        stored[(sheet_id, code)] = value
        if na:
            not_applicable.add((sheet_id, code))
    units = _Units(rnd, sheets)
    first_line: dict[int, int] = {}
    for line, cells in table.rows:
        row = _row(line, cells, preview, columns, unit_col, code_col, units, user, stored, not_applicable)
        if row.unit is not None:
            if row.unit.pk in first_line:
                row.errors.append(
                    _("{unit} đã có ở dòng {line}.").format(unit=row.unit.name, line=first_line[row.unit.pk])
                )
                row.status = "error"
            else:
                first_line[row.unit.pk] = line
        preview.rows.append(row)
    if not preview.rows:
        preview.errors.append(_("Tệp không có dòng dữ liệu nào."))
    preview.notes.extend(preview.number_notes())
    return preview


def default_source(stage: str, file_name: str) -> str:
    """What an imported score's source says when the importer gives none (self-scores: nothing)."""
    if stage == "self":
        return ""
    return _("Nhập từ tệp “{name}” ({stage})").format(name=file_name, stage=STAGES[stage])


#: The history's reason of an imported score ("Nhập điểm khảo sát từ tệp “sipas.csv”, SHA-256 3f2a…"):
#: with the record's user and time, which file a score came from (``import_record`` reads it back).
REASON_MAX = 100


def import_reason(stage: str, file_name: str, sha256: str) -> str:
    """The reason written in the history of every score (and sheet) an import changes: the stage, the
    file's name (shortened to fit) and the start of its SHA-256."""
    tail = _("”, SHA-256 {digest}…").format(digest=sha256[:12]) if sha256 else "”"
    head = _("Nhập điểm {stage} từ tệp “").format(stage=STAGES[stage])
    room = REASON_MAX - len(head) - len(tail)
    name = file_name if len(file_name) <= room else file_name[: max(room - 1, 1)] + "…"
    return (head + name + tail)[:REASON_MAX]


P = TypeVar("P", bound=PreviewRows)


def checked_again(rnd: Round, check: Callable[[Round], P]) -> tuple[Round, P]:
    """The start of a commit, inside its transaction: the round's row locked and read again, and the file
    checked again on it (``check``); ValidationError({"file": [every problem]}) when it is not clean, a
    StateConflict when the round's state refuses any file (``preview.conflict``)."""
    rnd = locked(rnd)
    preview = check(rnd)
    if not preview.ok:
        kind = StateConflict if preview.conflict else ValidationError
        raise kind({"file": preview.error_messages})
    return rnd, preview


def source_or(source: str, default: str) -> str:
    """The source recorded on the scores an import writes: the importer's (NFC, trimmed), else ``default``."""
    return (nfc(source or "").strip() or default)[:SOURCE_MAX]


def commit_scores(
    rnd: Round,
    data: bytes,
    file_name: str,
    stage: str,
    user,
    source: str = "",
    *,
    max_bytes: int | None = None,
    today: dt.date | None = None,
) -> ScorePreview:
    """Check the file again and write every new or changed score, or nothing: ValidationError({"file":
    [every problem]}) or PermissionDenied. ``source`` (e.g. "Kết quả khảo sát SIPAS 2025 của tỉnh") is
    recorded on every score written (default: the file's name and the stage; self-scores: none)."""
    with transaction.atomic():
        rnd, preview = checked_again(
            rnd,
            lambda r: preview_scores(r, data, file_name, stage, user=user, max_bytes=max_bytes, today=today),
        )
        source = source_or(source, default_source(stage, file_name))
        sha256 = preview.table.file_hash if preview.table is not None else ""
        reason = import_reason(stage, file_name, sha256)
        for row in preview.rows:
            values = {c.node_code: c.new for c in row.cells if c.status != "unchanged" and c.new is not None}
            if row.sheet is None or not values:
                continue
            written = sheet_services.import_scores(
                row.sheet, user, stage, values, source=source, reason=reason
            )
            preview.written += len(written)
        preview.committed = True
        preview.batch = record_batch(rnd, preview, user, stage, sha256, source)
    return preview


def record_batch(rnd: Round, preview, user, stage: str, sha256: str, source: str, *, ministry=False):
    """Keep the committed file as a ScoreImport of the round: file, SHA-256, stage, source, who, when, its
    rows and the scores written (``user`` None: an operator's command on the server)."""
    return ScoreImport.objects.create(
        round=rnd,
        file_name=(preview.file_name or "")[:300],
        sha256=sha256,
        stage=stage,
        ministry=ministry,
        source=source[:SOURCE_MAX],
        rows=len(preview.rows),
        written=preview.written,
        imported_by=user if getattr(user, "is_authenticated", False) else None,
    )
