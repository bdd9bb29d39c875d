"""Two-phase import of published results: ``preview`` validates every row and says what would
change; ``commit`` writes all of it or nothing. Importing the same file twice changes nothing.

Accepted layout: one row per unit (and year), a unit column (name or GSO code), optionally a year
column, and one column per framework node, matched by the node's code, its aliases or its name.
Optional columns: rank, rank_of, group, source/source_url, note. Values can be given at any level.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from chiso.core.text import fold, format_change, format_full, number_flags, parse_number
from chiso.frameworks.models import Framework, Index, Node
from chiso.frameworks.permissions import refuse_unless_can_edit
from chiso.frameworks.services import IndexUnknown, framework_for, framework_tree, get_index, scored_units
from chiso.units.models import Unit
from chiso.units.services import UnitLookupError, UnitResolver

from .bulkwrite import create_results, delete_results, insert_changes, update_results, write_history
from .models import ImportBatch, Result, ResultChange
from .reader import Table, TableError, filled, is_number, read_table
from .version import bump_data_version, current_data_version  # noqa: F401  (re-exported)


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(str(text or "")))


UNIT_COLUMNS = {
    _key(x)
    for x in [
        "province",
        "province_vi",
        "tỉnh",
        "tỉnh, thành phố",
        "tỉnh/thành phố",
        "đơn vị",
        "tên đơn vị",
        "unit",
        "unit_name",
        "địa phương",
        "cơ quan, đơn vị, địa phương",
    ]
}
CODE_COLUMNS = {
    _key(x) for x in ["gso_code", "mã", "mã tỉnh", "mã đơn vị", "province_code", "unit_code", "code"]
}
YEAR_COLUMNS = {_key(x) for x in ["year", "năm", "năm đánh giá"]}
RANK_COLUMNS = {_key(x) for x in ["rank", "xếp hạng", "thứ hạng", "hạng"]}
RANK_OF_COLUMNS = {
    _key(x) for x in ["rank_of", "trên tổng số", "số đơn vị xếp hạng", "tổng số", "trên", "out of"]
}
GROUP_COLUMNS = {_key(x) for x in ["group", "nhóm", "xếp nhóm"]}
# chiso's own results export (results/views.py, Vietnamese and English headers): the total, where each
# rank and group came from, and figures chiso computes. A computed rank or group is never imported as
# published, and a computed percentage is never imported at all.
TOTAL_COLUMNS = {_key(x) for x in ["điểm", "score", "tổng điểm", "total"]}
RANK_SOURCE_COLUMNS = {_key(x) for x in ["nguồn xếp hạng", "rank source"]}
GROUP_SOURCE_COLUMNS = {_key(x) for x in ["nguồn nhóm", "group source"]}
COMPUTED_COLUMNS = {_key(x) for x in ["% tối đa", "% of max", "tỷ lệ so với điểm tối đa", "percent"]}
COMPUTED_WORDS = {_key(x) for x in ["tính toán", "computed"]}
SOURCE_COLUMNS = {_key(x) for x in ["source", "source_url", "nguồn"]}
NOTE_COLUMNS = {_key(x) for x in ["note", "ghi chú"]}
IGNORED_COLUMNS = {_key(x) for x in ["province_en", "src_code", "n_subdims", "stt", "tt", "số thứ tự"]}
# A "complete" column set to false says the row's total is a partial sum of the parts that exist,
# not a published figure: that total is not imported (the unit is shown, never ranked or averaged).
COMPLETE_COLUMNS = {_key(x) for x in ["complete", "đầy đủ", "du lieu day du"]}
FALSE_WORDS = {"false", "0", "khong", "no", "sai"}

EPS = 1e-9
ROLE_LABELS = {  # lazy: translated when shown
    "unit": gettext_lazy("tên đơn vị"),
    "code": gettext_lazy("mã đơn vị"),
    "year": gettext_lazy("năm đánh giá"),
    "rank": gettext_lazy("xếp hạng công bố"),
    "rank_of": gettext_lazy("tổng số đơn vị xếp hạng"),
    "group": gettext_lazy("nhóm công bố"),
    "source": gettext_lazy("nguồn"),
    "note": gettext_lazy("ghi chú"),
    "complete": gettext_lazy("đủ thành phần (tổng của dòng không đủ thì không nhập)"),
    "rank_source": gettext_lazy("nguồn xếp hạng (hạng “tính toán” không nhập)"),
    "group_source": gettext_lazy("nguồn nhóm (nhóm “tính toán” không nhập)"),
    "computed": gettext_lazy("số chiso tính, không nhập"),
    "ignore": gettext_lazy("bỏ qua"),
}


def row_status_label(status: str) -> str:
    """How a preview names a row's status (every two-phase import: results, assessment scores)."""
    return {
        "new": pgettext("import row status", "Mới"),
        "changed": pgettext("import row status", "Thay đổi"),
        "unchanged": pgettext("import row status", "Không đổi"),
        "error": pgettext("import row status", "Lỗi"),
        "skipped": pgettext("import row status", "Bỏ qua"),
    }[status]


class PreviewRow:
    """A row of an import's preview: its ``status`` (new, changed, unchanged, error, skipped)."""

    status: str

    @property
    def status_label(self) -> str:
        return row_status_label(self.status)


class PreviewRows:
    """What the preview of every two-phase import has (results, assessment scores): problems of the file
    as a whole (``errors``) and rows with their own (``rows``, each with ``line``, ``status`` and
    ``errors``). Nothing can be written unless it is ``ok``."""

    errors: list[str]
    rows: list
    notes: list[str]
    table: Table | None
    #: Refused for the state of what it imports into (a closed round…), whatever the file: a commit then is
    #: a StateConflict (409 in the API), not a ValidationError.
    conflict: bool = False

    def read(self, data: bytes, file_name: str, *, max_bytes: int | None) -> Table | None:
        """The file's table (``reader.read_table`` and its checks; the header is the row naming the unit
        column), or None with the reason among the preview's errors."""
        try:
            table = read_table(data, file_name, max_bytes=max_bytes, header_hint=_is_header)
        except TableError as exc:
            self.errors.append(str(exc))
            return None
        self.table = table
        self.notes.extend(table.notes)
        return table

    def parse_cell(self, raw: object, column: str, line: int) -> float | None:
        """A number from a cell (``parse_number``; ValueError when it is not one), remembering what was
        decided silently — "1.000" read as 1, a "%" dropped — for :meth:`number_notes`."""
        value = parse_number(raw)
        if value is not None:
            flagged = self.__dict__.setdefault("_number_flags", {})
            for flag in number_flags(raw):
                flagged.setdefault((flag, column), []).append((line, str(raw).strip(), value))
        return value

    def number_notes(self) -> list[str]:
        """One warning per column and kind for the numbers read in a way the file may not have meant."""
        out = []
        for (flag, column), cells in self.__dict__.get("_number_flags", {}).items():
            line, raw, value = cells[0]
            lines = ", ".join(str(c[0]) for c in cells[:5]) + ("…" if len(cells) > 5 else "")
            if flag == "ambiguous":
                text = ngettext(
                    "Cột “{column}”: {n} ô như “{raw}” (dòng {lines}) có một dấu chấm hoặc phẩy và đúng ba "
                    "chữ số sau: chiso đọc là {value} (dấu thập phân). Nếu đó là số hàng nghìn, hãy sửa tệp.",
                    "Cột “{column}”: {n} ô như “{raw}” (dòng {lines}) có một dấu chấm hoặc phẩy và đúng ba "
                    "chữ số sau: chiso đọc là {value} (dấu thập phân). Nếu đó là số hàng nghìn, hãy sửa tệp.",
                    len(cells),
                )
            else:
                text = ngettext(
                    "Cột “{column}”: {n} ô có dấu “%” (ví dụ “{raw}”, dòng {lines}): chiso bỏ dấu % và đọc là "
                    "{value}; hãy kiểm tra cột này ghi điểm chứ không phải tỷ lệ.",
                    "Cột “{column}”: {n} ô có dấu “%” (ví dụ “{raw}”, dòng {lines}): chiso bỏ dấu % và đọc là "
                    "{value}; hãy kiểm tra cột này ghi điểm chứ không phải tỷ lệ.",
                    len(cells),
                )
            out.append(text.format(column=column, n=len(cells), raw=raw, lines=lines, value=_fmt(value)))
        return out

    def check_header_below(self, table: Table, unit_columns: list[int]) -> bool:
        """A header spread over two rows: the row right below the header has no unit but labels most
        other columns, and no number. Said as an error (read as data it would be a row of nonsense);
        False then."""
        if not table.rows or table.rows[0][0] != table.header_line + 1:
            return True
        line, cells = table.rows[0]
        if any(i < len(cells) and filled([cells[i]]) for i in unit_columns):
            return True
        labels = filled(cells)
        if len(labels) < max(2, len(filled(table.header)) // 2) or any(is_number(c) for c in labels):
            return True
        self.errors.append(
            _(
                "Tệp có vẻ có tiêu đề hai dòng (dòng {first} và {second}: “{sample}”). chiso chỉ đọc một dòng "
                "tiêu đề: hãy gộp thành một dòng (mỗi cột một tên, ví dụ mã nội dung) rồi nhập lại."
            ).format(first=line - 1, second=line, sample=", ".join(str(c) for c in labels[:3]))
        )
        return False

    @property
    def ok(self) -> bool:
        return not self.errors and not any(r.status == "error" for r in self.rows)

    @property
    def error_messages(self) -> list[str]:
        out = list(self.errors)
        for r in self.rows:
            out.extend(_("Dòng {line}: {error}").format(line=r.line, error=e) for e in r.errors)
        return out

    def status_counts(self, statuses: tuple[str, ...]) -> dict[str, int]:
        out = dict.fromkeys(statuses, 0)
        for r in self.rows:
            out[r.status] += 1
        return out


@dataclass
class CellChange:
    node_code: str
    node_name: str
    old: float | None
    new: float | None
    status: str  # new | changed | unchanged
    computed: bool = False  # equal to what chiso derives from the stored parts: never stored
    node_name_en: str = ""

    def label_for(self, language: str | None) -> str:
        """The node's name in the reader's language (the ``in_language`` filter)."""
        from chiso.frameworks.labels import name_in_language

        return name_in_language(self.node_name, self.node_name_en, language)

    @property
    def change_texts(self) -> tuple[str, str]:
        """(old, new) with enough decimals to see the change: "0,8309 → 0,83094"."""
        if self.old is None or self.new is None:
            return (format_full(self.old), format_full(self.new))  # a new value: all its digits
        return format_change(self.old, self.new)


@dataclass
class RowPreview(PreviewRow):
    line: int
    unit_text: str
    year: int | None
    unit: Unit | None = None
    status: str = "unchanged"  # new | changed | unchanged | error | skipped
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    cells: list[CellChange] = field(default_factory=list)
    meta: dict = field(default_factory=dict)  # published rank / rank_of / group / source / note
    meta_changes: list[str] = field(default_factory=list)


@dataclass
class ImportPreview(PreviewRows):
    index: Index
    year: int | None
    table: Table | None
    columns: list[tuple[str, str]] = field(default_factory=list)  # (header, meaning)
    ignored: list[str] = field(default_factory=list)
    rows: list[RowPreview] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    frameworks: dict[int, Framework] = field(default_factory=dict)
    own_export: bool = False  # the file is chiso's own results export (it says where ranks came from)
    computed: dict[str, int] = field(default_factory=dict)  # what was recognised as computed, not imported

    @property
    def counts(self) -> dict[str, int]:
        out = self.status_counts(("new", "changed", "unchanged", "error", "skipped"))
        out["values_changed"] = sum(1 for r in self.rows for c in r.cells if c.status != "unchanged") + sum(
            len(r.meta_changes) for r in self.rows
        )
        return out


def _fmt(x: float) -> str:
    from chiso.core.text import format_number

    return format_number(x)


class _NodeMatcher:
    def __init__(self, framework: Framework):
        self.framework = framework
        self.nodes = list(framework.nodes.all().order_by("order"))
        self.by_key: dict[str, Node] = {}
        for node in self.nodes:
            for label in [node.code, *(node.aliases or [])]:
                self.by_key.setdefault(_key(label), node)
        for node in self.nodes:  # names after codes and aliases: they are less specific
            for label in [node.name_vi, node.name_en]:
                if label:
                    self.by_key.setdefault(_key(label), node)
        self.root = next(n for n in self.nodes if n.parent_id is None)
        for k in TOTAL_COLUMNS:  # "Điểm" of chiso's export: the total
            self.by_key.setdefault(k, self.root)
        self.tree = framework_tree(framework)[0]

    def match(self, header: str) -> Node | None:
        found = self.by_key.get(_key(header))
        if found is None:  # "D1 Tham gia của người dân ở cấp cơ sở": code, then the node's name
            code, _sep, name = str(header or "").strip().partition(" ")
            node = self.by_key.get(_key(code))
            if (
                node is not None
                and node.code == code.strip()
                and _key(name)
                in {
                    _key(node.name_vi),
                    _key(node.name_en or ""),
                }
            ):
                found = node
        return found


def _is_header(row: list) -> bool:
    keys = {_key(c) for c in row if isinstance(c, str)}
    return bool(keys & (UNIT_COLUMNS | CODE_COLUMNS))


def _no_progress(phase: str, done: int, total: int) -> None:
    """A progress hook (``jobs.Progress``): phase "read", "check" or "write", done out of total rows
    (values while writing). It may raise ``ImportCancelled`` to stop: nothing is then written."""


class ImportCancelled(Exception):
    """Raised by a progress hook when the user cancelled the import (the transaction rolls back)."""


def preview_import(
    data: bytes,
    file_name: str,
    *,
    index_code: str,
    year: int | None = None,
    max_bytes: int | None = None,
    progress=_no_progress,
) -> ImportPreview:
    try:
        index = get_index(index_code)
    except IndexUnknown as exc:
        raise TableError(str(exc)) from None
    preview = ImportPreview(index=index, year=year, table=None)
    table = preview.read(data, file_name, max_bytes=max_bytes)
    if table is None:
        return preview
    progress("read", len(table.rows), len(table.rows))

    # Classify columns.
    roles: dict[int, str] = {}
    for i, header in enumerate(table.header):
        k = _key(header)
        if not k:
            continue
        for role, keys in (
            ("unit", UNIT_COLUMNS),
            ("code", CODE_COLUMNS),
            ("year", YEAR_COLUMNS),
            ("rank", RANK_COLUMNS),
            ("rank_of", RANK_OF_COLUMNS),
            ("group", GROUP_COLUMNS),
            ("source", SOURCE_COLUMNS),
            ("note", NOTE_COLUMNS),
            ("complete", COMPLETE_COLUMNS),
            ("rank_source", RANK_SOURCE_COLUMNS),
            ("group_source", GROUP_SOURCE_COLUMNS),
            ("computed", COMPUTED_COLUMNS),
            ("ignore", IGNORED_COLUMNS),
        ):
            if k in keys and role not in roles.values():
                roles[i] = role
                break
    if "unit" not in roles.values() and "code" not in roles.values():
        preview.errors.append(_("Thiếu cột tên đơn vị (ví dụ “Tỉnh”, “Đơn vị”) hoặc cột mã đơn vị."))
        return preview
    if not preview.check_header_below(table, [i for i, r in roles.items() if r in ("unit", "code")]):
        return preview
    year_col = next((i for i, r in roles.items() if r == "year"), None)
    if year is None and year_col is None:
        preview.errors.append(_("Chưa rõ năm đánh giá: chọn năm hoặc thêm cột “Năm” vào tệp."))
        return preview

    # Rows → years → frameworks.
    def row_year(cells) -> int | None:
        if year_col is None:
            return year
        try:
            value = parse_number(cells[year_col])
        except ValueError:
            return None
        return int(value) if value is not None else None

    years = sorted(
        {y for _, cells in table.rows if (y := row_year(cells)) is not None and (year is None or y == year)}
    )
    matchers: dict[int, _NodeMatcher] = {}
    for y in years:
        fw = framework_for(index.code, y)
        if fw is None:
            preview.errors.append(
                _("Chưa có bộ chỉ số {index} áp dụng cho năm {year}.").format(index=index.short_name, year=y)
            )
            continue
        if fw.pk not in {m.framework.pk for m in matchers.values()}:
            preview.frameworks[fw.pk] = fw
        matchers[y] = next((m for m in matchers.values() if m.framework.pk == fw.pk), None) or _NodeMatcher(
            fw
        )
    if preview.errors:
        return preview
    if not years:
        preview.errors.append(
            _("Tệp không có dòng nào của năm {year}.").format(year=year)
            if year
            else _("Tệp không có dòng dữ liệu nào.")
        )
        return preview

    # Value columns: matched against the framework of the first year (all years share headers).
    value_cols: dict[int, str] = {}  # column → header
    for i, header in enumerate(table.header):
        if i in roles or not header.strip():
            continue
        if any(m.match(header) for m in matchers.values()):
            value_cols[i] = header
        else:
            preview.ignored.append(header)
    preview.own_export = "rank_source" in roles.values()
    for i, role in sorted(roles.items()):
        preview.columns.append((table.header[i], str(ROLE_LABELS[role])))
    for header in value_cols.values():
        node = next(m.match(header) for m in matchers.values() if m.match(header))
        preview.columns.append((header, f"{node.code} – {node.name_vi}"))
    if not value_cols and "rank" not in roles.values():
        preview.errors.append(
            _("Không có cột điểm nào khớp với bộ chỉ số (mã, tên hoặc tên cột khác của các nút).")
        )
        return preview

    resolver = UnitResolver(units=scored_units(index))
    unit_col = next((i for i, r in roles.items() if r == "unit"), None)
    code_col = next((i for i, r in roles.items() if r == "code"), None)
    col_of = {r: i for i, r in roles.items()}

    rows: list[RowPreview] = []
    for n_row, (line, cells) in enumerate(table.rows):
        if n_row % 500 == 0:
            progress("check", n_row, len(table.rows))
        y = row_year(cells)
        unit_text = (
            str(cells[unit_col]).strip() if unit_col is not None and cells[unit_col] is not None else ""
        )
        code_text = (
            str(cells[code_col]).strip() if code_col is not None and cells[code_col] is not None else ""
        )
        if code_text.endswith(".0"):
            code_text = code_text[:-2]
        rp = RowPreview(line=line, unit_text=unit_text or code_text, year=y)
        if year_col is not None and y is None:
            rp.status = "error"
            rp.errors.append(_("năm “{year}” không hợp lệ.").format(year=cells[year_col]))
            rows.append(rp)
            continue
        if year is not None and y != year:
            rp.status = "skipped"
            rows.append(rp)
            continue
        if code_text == "999" or _key(unit_text) in {"highest", "diemcaonhat", "highestdiemcaonhat"}:
            rp.status = "skipped"
            rp.warnings.append(_("dòng “điểm cao nhất” không phải một đơn vị."))
            rows.append(rp)
            continue
        try:
            unit = resolver.resolve(code_text if code_text else unit_text, y)
            if code_text and unit_text:
                try:
                    by_name = resolver.resolve(unit_text, y)
                except UnitLookupError as exc:
                    # a name shared by several units (Xã Ba Tô and Xã Ba Tơ: names are matched without
                    # diacritics) agrees with the code when the code's unit is one of them
                    if unit.pk not in {u.pk for u in exc.candidates}:
                        raise
                    by_name = unit
                if by_name.pk != unit.pk:
                    raise UnitLookupError(
                        unit_text,
                        _("mã “{code}” ({unit}) không khớp với tên “{name}”.").format(
                            code=code_text, unit=unit.name, name=unit_text
                        ),
                    )
            rp.unit = unit
        except UnitLookupError as exc:
            rp.status = "error"
            rp.errors.append(str(exc))
        matcher = matchers[y]
        partial_row = "complete" in col_of and _key(cells[col_of["complete"]]) in FALSE_WORDS
        for i, header in value_cols.items():
            node = matcher.match(header)
            if node is None:
                if cells[i] not in (None, ""):
                    rp.warnings.append(
                        _("cột “{column}” không thuộc bộ chỉ số năm {year}, bỏ qua.").format(
                            column=header, year=y
                        )
                    )
                continue
            if partial_row and node.parent_id is None:
                if cells[i] not in (None, ""):
                    rp.warnings.append(
                        _(
                            "cột “{column}”: dòng không đủ thành phần nên tổng {total} chỉ là tổng một phần, không nhập."
                        ).format(column=header, total=cells[i])
                    )
                continue
            try:
                value = preview.parse_cell(cells[i], header, line)
            except ValueError:
                rp.status = "error"
                rp.errors.append(
                    _("cột “{column}”: “{value}” không phải là số.").format(column=header, value=cells[i])
                )
                continue
            if value is None:
                continue
            if node.max_score is not None and value > node.max_score + EPS:
                rp.status = "error"
                rp.errors.append(
                    _("cột “{column}”: {value} vượt điểm tối đa {max} của “{node}”.").format(
                        column=header, value=_fmt(value), max=_fmt(node.max_score), node=node.name_vi
                    )
                )
                continue
            lower = node.min_score if node.min_score is not None else 0.0
            # A published score may sit a rounding step under the scale's nominal floor (PAPI 2020
            # Phú Yên D8.1 = 0,3317 with a floor of 1/3): below it by more than the tolerance is an error.
            if value < lower - max(EPS, matcher.framework.tolerance or 0.0):
                rp.status = "error"
                rp.errors.append(
                    _("cột “{column}”: {value} thấp hơn điểm tối thiểu {min}.").format(
                        column=header, value=_fmt(value), min=_fmt(lower)
                    )
                )
                continue
            rp.cells.append(
                CellChange(node.code, node.name_vi, None, value, "new", node_name_en=node.name_en or "")
            )
        for role in ("rank", "rank_of"):
            if role in col_of:
                try:
                    v = parse_number(cells[col_of[role]])
                except ValueError:
                    rp.status = "error"
                    rp.errors.append(
                        _("thứ hạng “{rank}” không phải là số nguyên.").format(rank=cells[col_of[role]])
                    )
                    continue
                if v is not None:
                    if v != int(v) or v < 1:
                        rp.status = "error"
                        rp.errors.append(
                            _("thứ hạng “{rank}” không hợp lệ.").format(rank=cells[col_of[role]])
                        )
                    else:
                        rp.meta[role] = int(v)
        for role in ("group", "source", "note"):
            if role in col_of and cells[col_of[role]] not in (None, ""):
                rp.meta[role] = str(cells[col_of[role]]).strip()
        _drop_computed_meta(rp, cells, col_of, preview)
        if rp.meta.get("rank") and rp.meta.get("rank_of") and rp.meta["rank"] > rp.meta["rank_of"]:
            rp.status = "error"
            rp.errors.append(
                _("thứ hạng {rank} lớn hơn tổng số {rank_of}.").format(
                    rank=rp.meta["rank"], rank_of=rp.meta["rank_of"]
                )
            )
        if not rp.cells and not rp.meta.get("rank") and not rp.meta.get("group") and rp.status != "error":
            rp.status = "skipped"
            rp.warnings.append(_("không có giá trị nào."))
        rows.append(rp)

    # Duplicates: the same unit twice in one year.
    seen: dict[tuple[int, int], int] = {}
    for rp in rows:
        if rp.unit is None or rp.status == "skipped":
            continue
        k = (rp.unit.pk, rp.year)
        if k in seen:
            rp.status = "error"
            rp.errors.append(
                _("trùng đơn vị {unit} năm {year} với dòng {line}.").format(
                    unit=rp.unit.short_name, year=rp.year, line=seen[k]
                )
            )
        else:
            seen[k] = rp.line

    _compare_with_database(rows, matchers, preview)
    preview.rows = rows
    preview.notes.extend(preview.number_notes())
    preview.notes.extend(_computed_notes(preview, table, roles))
    progress("check", len(table.rows), len(table.rows))
    return preview


def _drop_computed_meta(rp: RowPreview, cells: list, col_of: dict[str, int], preview: ImportPreview) -> None:
    """A rank or group chiso computed (its export says "tính toán") is not a published one: dropped.
    An export without a group-source column cannot say where its groups came from: dropped too."""
    if "rank_source" in col_of and _key(cells[col_of["rank_source"]]) in COMPUTED_WORDS:
        if rp.meta.pop("rank", None) is not None:
            preview.computed["rank"] = preview.computed.get("rank", 0) + 1
        rp.meta.pop("rank_of", None)
    if "group" in rp.meta and (
        ("group_source" in col_of and _key(cells[col_of["group_source"]]) in COMPUTED_WORDS)
        or ("group_source" not in col_of and "rank_source" in col_of)
    ):
        rp.meta.pop("group")
        preview.computed["group"] = preview.computed.get("group", 0) + 1


def _computed_notes(preview: ImportPreview, table: Table, roles: dict[int, str]) -> list[str]:
    """What the preview recognised as computed by chiso and did not import, said once per kind."""
    out = []
    computed_columns = [table.header[i] for i, r in roles.items() if r == "computed"]
    if computed_columns:
        out.append(
            _("Cột {columns}: số chiso tự tính, không nhập.").format(
                columns=", ".join(f"“{c}”" for c in computed_columns)
            )
        )
    if preview.computed.get("rank"):
        n = preview.computed["rank"]
        out.append(
            ngettext(
                "{n} xếp hạng do chiso tính (“tính toán”), không phải số công bố: không nhập.",
                "{n} xếp hạng do chiso tính (“tính toán”), không phải số công bố: không nhập.",
                n,
            ).format(n=n)
        )
    if preview.computed.get("group"):
        n = preview.computed["group"]
        out.append(
            ngettext(
                "{n} nhóm do chiso tính (hoặc không rõ nguồn), không phải nhóm công bố: không nhập.",
                "{n} nhóm do chiso tính (hoặc không rõ nguồn), không phải nhóm công bố: không nhập.",
                n,
            ).format(n=n)
        )
    if preview.computed.get("values"):
        n = preview.computed["values"]
        out.append(
            ngettext(
                "{n} giá trị bằng đúng số chiso tính từ các điểm thành phần (tổng, điểm nội dung): là số tính "
                "toán, không lưu thành số công bố.",
                "{n} giá trị bằng đúng số chiso tính từ các điểm thành phần (tổng, điểm nội dung): là số tính "
                "toán, không lưu thành số công bố.",
                n,
            ).format(n=n)
        )
    if preview.computed.get("parents"):
        n = preview.computed["parents"]
        out.append(
            ngettext(
                "{n} điểm công bố của nội dung cấp trên sẽ khác tổng các thành phần sau khi nhập (xem từng "
                "dòng): hãy nhập cả điểm cấp trên mới hoặc kiểm tra lại.",
                "{n} điểm công bố của nội dung cấp trên sẽ khác tổng các thành phần sau khi nhập (xem từng "
                "dòng): hãy nhập cả điểm cấp trên mới hoặc kiểm tra lại.",
                n,
            ).format(n=n)
        )
    return out


class _Stored(NamedTuple):
    """What the preview compares of a stored result."""

    value: float | None
    published_rank: int | None
    published_rank_of: int | None
    published_group: str


def _compare_with_database(
    rows: list[RowPreview], matchers: dict[int, _NodeMatcher], preview: ImportPreview | None = None
) -> None:
    by_year: dict[int, list[RowPreview]] = defaultdict(list)
    for rp in rows:
        if rp.unit is not None and rp.status != "skipped" and rp.year is not None:
            by_year[rp.year].append(rp)
    for y, year_rows in by_year.items():
        matcher = matchers[y]
        existing: dict[tuple[int, str], _Stored] = {}
        for unit_id, code, *stored_fields in Result.objects.filter(
            framework=matcher.framework, year=y, unit_id__in=[rp.unit.pk for rp in year_rows]
        ).values_list("unit_id", "node__code", *_Stored._fields):  # tuples: 28,000 rows load in a blink
            existing[(unit_id, code)] = _Stored(*stored_fields)
        by_unit: dict[int, dict[str, _Stored]] = defaultdict(dict)  # the unit's stored values, found at once
        for (uid, code), r in existing.items():
            by_unit[uid][code] = r
        root = matcher.root.code
        for rp in year_rows:
            stored = {code: r.value for code, r in by_unit[rp.unit.pk].items() if r.value is not None}
            _mark_computed(rp, stored, matcher, preview)
            any_new = any_changed = False
            for cell in rp.cells:
                if cell.computed:
                    continue
                old = existing.get((rp.unit.pk, cell.node_code))
                cell.old = old.value if old else None
                if old is None or old.value is None:
                    cell.status = "new"
                    any_new = True
                elif abs(old.value - cell.new) <= EPS:
                    cell.status = "unchanged"
                else:
                    cell.status = "changed"
                    any_changed = True
            old_root = existing.get((rp.unit.pk, root))
            for role, attr in (
                ("rank", "published_rank"),
                ("rank_of", "published_rank_of"),
                ("group", "published_group"),
            ):
                if role in rp.meta:
                    before = getattr(old_root, attr) if old_root else None
                    if (before or None) != rp.meta[role]:
                        rp.meta_changes.append(role)
            if rp.meta_changes:
                any_changed = any_changed or old_root is not None
                any_new = any_new or old_root is None
            if rp.status != "error":
                rp.status = "changed" if any_changed else "new" if any_new else "unchanged"
            # A published total that disagrees with the sum of its parts is flagged, not replaced.
            values = dict(stored)
            values.update({c.node_code: c.new for c in rp.cells if not c.computed})
            derived = matcher.tree.aggregate(values, tolerance=matcher.framework.tolerance)
            for code, nv in derived.items():
                if nv.mismatch is not None and code in {c.node_code for c in rp.cells}:
                    rp.warnings.append(
                        _(
                            "{code}: số công bố {published} khác tổng các thành phần {sum} "
                            "(chênh {difference}) — giữ cả hai và đánh dấu."
                        ).format(
                            code=code,
                            published=_fmt(nv.published),
                            sum=_fmt(nv.value),
                            difference=_fmt(nv.mismatch),
                        )
                    )
            _warn_parents(rp, stored, derived, matcher, preview)


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= EPS * max(1.0, abs(a), abs(b))


def _mark_computed(
    rp: RowPreview, stored: dict[str, float], matcher: _NodeMatcher, preview: ImportPreview | None
) -> None:
    """A value equal to what chiso derives from the stored parts (a total, a dimension's score — as
    chiso's own export writes them) is a computed figure: it is never stored as a published one (the
    published value, when there is one, is kept). In chiso's own export the parts in the same file count
    too (an export after edits carries the new parts and their new sums)."""
    base = dict(stored)
    if preview is not None and preview.own_export:
        base.update({c.node_code: c.new for c in rp.cells})
    derived = matcher.tree.aggregate(base, tolerance=matcher.framework.tolerance)
    for cell in rp.cells:
        nv = derived.get(cell.node_code)
        if nv is None or not nv.derived or nv.value is None or cell.new is None:
            continue
        old = stored.get(cell.node_code)
        if _close(nv.value, cell.new) and (old is None or abs(old - cell.new) > EPS):
            cell.computed, cell.status, cell.old = True, "unchanged", old
            if preview is not None:
                preview.computed["values"] = preview.computed.get("values", 0) + 1


def _warn_parents(
    rp: RowPreview,
    stored: dict[str, float],
    after: dict,
    matcher: _NodeMatcher,
    preview: ImportPreview | None,
) -> None:
    """Importing only a part (a sub-dimension) leaves its parents' published values in disagreement
    with the sum of their parts: said on the row (and counted for the preview)."""
    in_file = {c.node_code for c in rp.cells if not c.computed}
    changed = [c.node_code for c in rp.cells if c.status != "unchanged" and not c.computed]
    if not changed:
        return
    before = matcher.tree.aggregate(stored, tolerance=matcher.framework.tolerance)
    for code, nv in after.items():
        if code in in_file or nv.mismatch is None or before[code].mismatch is not None:
            continue
        rp.warnings.append(
            _(
                "{code}: điểm công bố {published} sẽ khác tổng các thành phần {sum} sau khi nhập {parts}; "
                "hãy nhập cả điểm {code} mới hoặc kiểm tra lại."
            ).format(code=code, published=_fmt(nv.published), sum=_fmt(nv.value), parts=", ".join(changed))
        )
        if preview is not None:
            preview.computed["parents"] = preview.computed.get("parents", 0) + 1


def _state(result: Result | None) -> dict | None:
    if result is None:
        return None
    return {
        "value": result.value,
        "rank": result.published_rank,
        "rank_of": result.published_rank_of,
        "group": result.published_group,
        "source": result.source,
        "note": result.note,
    }


class ImportRefused(Exception):
    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = messages


# What an import (and its revert) writes on a result.
RESULT_FIELDS = ["value", "published_rank", "published_rank_of", "published_group", "source", "note", "batch"]


@transaction.atomic
def commit_import(
    data: bytes,
    file_name: str,
    *,
    index_code: str,
    year: int | None = None,
    user=None,
    max_bytes: int | None = None,
    progress=_no_progress,
) -> ImportBatch:
    """Validate again and write everything, or nothing. Returns the batch (rows_changed may be 0)."""
    preview = preview_import(
        data, file_name, index_code=index_code, year=year, max_bytes=max_bytes, progress=progress
    )
    if user is not None and getattr(user, "is_authenticated", False) and preview.index is not None:
        refuse_unless_can_edit(user, preview.index)  # national data: administrators; a province's: its own
    if not preview.ok:
        raise ImportRefused(preview.error_messages)
    assert preview.table is not None
    counts = preview.counts
    batch = ImportBatch.objects.create(
        index=preview.index,
        year=year,
        file_name=file_name,
        file_hash=preview.table.file_hash,
        file_size=preview.table.file_size,
        status=ImportBatch.Status.COMMITTED,
        summary={k: v for k, v in counts.items()},
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    to_create: list[Result] = []
    to_update: list[Result] = []
    changes: list[tuple] = []  # rows of ResultChange, in the order of bulkwrite.CHANGE_COLUMNS
    for y in sorted(
        {rp.year for rp in preview.rows if rp.unit is not None and rp.status in ("new", "changed")}
    ):
        fw = framework_for(preview.index.code, y)
        nodes = {n.code: n for n in fw.nodes.all()}
        root = next(n for n in nodes.values() if n.parent_id is None)
        year_rows = [rp for rp in preview.rows if rp.year == y and rp.status in ("new", "changed")]
        existing = {
            (r.unit_id, r.node_id): r
            for r in Result.objects.filter(framework=fw, year=y, unit_id__in=[rp.unit.pk for rp in year_rows])
        }
        for rp in year_rows:
            touched: dict[int, tuple[Result, dict | None]] = {}

            def get(node: Node, rp=rp, touched=touched, existing=existing, fw=fw, y=y) -> Result:
                if node.pk in touched:
                    return touched[node.pk][0]
                result = existing.get((rp.unit.pk, node.pk))
                before = _state(result)
                if result is None:
                    result = Result(framework=fw, node=node, unit=rp.unit, year=y)
                touched[node.pk] = (result, before)
                return result

            for cell in rp.cells:
                if cell.status != "unchanged":
                    get(nodes[cell.node_code]).value = cell.new
            if rp.meta_changes:
                r = get(root)
                r.published_rank = rp.meta.get("rank", r.published_rank)
                r.published_rank_of = rp.meta.get("rank_of", r.published_rank_of)
                r.published_group = rp.meta.get("group", r.published_group) or ""
            for result, before in touched.values():
                if "source" in rp.meta:
                    result.source = rp.meta["source"]
                if "note" in rp.meta and result.node_id == root.pk:
                    result.note = rp.meta["note"]
                result.batch = batch
                (to_update if result.pk else to_create).append(result)
                changes.append((batch.pk, result.node_id, rp.unit.pk, y, before, _state(result)))
    # Bulk writes (bulkwrite.py): the same results, history rows and change rows as one save each.
    reason = f"Nhập tệp {file_name}"
    total = len(changes)
    progress("write", 0, total)
    create_results(to_create, user=batch.created_by, reason=reason)
    progress("write", len(to_create), total)
    update_results(to_update, RESULT_FIELDS)
    write_history(to_update, "~", user=batch.created_by, reason=reason)
    progress("write", total, total)
    insert_changes(changes)
    batch.rows_changed = len(changes)
    batch.save(update_fields=["rows_changed"])
    if changes:
        bump_data_version()
    return batch


def _previous_batches(batch: ImportBatch, changes: list[ResultChange]) -> dict[tuple[int, int, int], int]:
    """For each result a reverted import touched, the committed import that wrote it before (the latest
    still committed, older than this one); absent when none did (e.g. seeded data)."""
    out: dict[tuple[int, int, int], int] = {}
    earlier = (
        ResultChange.objects.filter(
            batch__status=ImportBatch.Status.COMMITTED,
            batch__created_at__lte=batch.created_at,
            node_id__in={c.node_id for c in changes},
            unit_id__in={c.unit_id for c in changes},
        )
        .exclude(batch=batch)
        .order_by("batch__created_at", "batch_id")
        .values_list("node_id", "unit_id", "year", "batch_id")
    )
    for node_id, unit_id, year, batch_id in earlier:
        out[(node_id, unit_id, year)] = batch_id  # ordered: the latest wins
    return out


class RevertRefused(Exception):
    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = messages


@transaction.atomic
def revert_import(batch: ImportBatch, *, user=None) -> int:
    """Undo a committed import as a whole — refused if a later change touched the same results."""
    batch = ImportBatch.objects.select_for_update().select_related("index").get(pk=batch.pk)
    if user is not None:
        refuse_unless_can_edit(user, batch.index)
    if batch.status != ImportBatch.Status.COMMITTED:
        raise RevertRefused(
            [
                _("Lần nhập “{name}” không ở trạng thái đã ghi nên không thể hoàn tác.").format(
                    name=batch.file_name
                )
            ]
        )
    changes = list(batch.changes.all())  # node and unit names are read only for a refusal
    current = {
        (r.node_id, r.unit_id, r.year): r
        for r in Result.objects.filter(
            node_id__in={c.node_id for c in changes}, unit_id__in={c.unit_id for c in changes}
        )
    }
    conflicting = [c for c in changes if _state(current.get((c.node_id, c.unit_id, c.year))) != c.after]
    if conflicting:
        units = Unit.objects.in_bulk({c.unit_id for c in conflicting[:20]})
        nodes = Node.objects.in_bulk({c.node_id for c in conflicting[:20]})
        conflicts = [
            _(
                "{unit} – {node} năm {year} đã bị thay đổi sau lần nhập này; hãy hoàn tác lần nhập sau trước."
            ).format(unit=units[c.unit_id].short_name, node=nodes[c.node_id].code, year=c.year)
            for c in conflicting[:20]
        ]
        more = len(conflicting) - 20
        raise RevertRefused(
            conflicts[:20]
            + (
                [ngettext("… và {n} giá trị khác.", "… và {n} giá trị khác.", more).format(n=more)]
                if more > 0
                else []
            )
        )
    reason = f"Hoàn tác lần nhập {batch.file_name}"
    previous = _previous_batches(batch, changes)
    history_user = user if getattr(user, "is_authenticated", False) else None
    to_delete: list[Result] = []
    to_update: list[Result] = []
    for c in changes:
        r = current[(c.node_id, c.unit_id, c.year)]
        if c.before is None:
            to_delete.append(r)
        else:
            r.value = c.before["value"]
            r.published_rank = c.before["rank"]
            r.published_rank_of = c.before["rank_of"]
            r.published_group = c.before["group"] or ""
            r.source = c.before["source"] or ""
            r.note = c.before["note"] or ""
            r.batch_id = previous.get((c.node_id, c.unit_id, c.year))  # not the reverted batch
            to_update.append(r)
    # Written in bulk, with the history rows a save (~) or a delete (-) of each would have made.
    now = timezone.now()
    write_history(to_delete, "-", user=history_user, reason=reason, date=now)
    delete_results([r.pk for r in to_delete])
    update_results(to_update, RESULT_FIELDS)
    write_history(to_update, "~", user=history_user, reason=reason, date=now)
    batch.status = ImportBatch.Status.REVERTED
    batch.reverted_at = timezone.now()
    batch.reverted_by = user if getattr(user, "is_authenticated", False) else None
    batch.save(update_fields=["status", "reverted_at", "reverted_by"])
    bump_data_version()
    return len(changes)
