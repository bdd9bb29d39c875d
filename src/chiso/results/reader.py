"""Reading a table (CSV, XLSX, XLS, ODS) safely: type, size, encoding, legacy fonts, merged cells."""

from __future__ import annotations

import csv
import hashlib
import io
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chiso.core.spreadsheet import (
    Limits,
    SpreadsheetRefused,
    check_archive,
    uncsv_cell,
    xlsx_hidden_rows,
    xlsx_sheets,
)
from chiso.core.text import looks_like_tcvn3, looks_like_vni, nfc, parse_number

ALLOWED_EXTENSIONS = {"csv", "xlsx", "xls", "ods"}
MAGIC = {"xlsx": b"PK\x03\x04", "ods": b"PK\x03\x04", "xls": b"\xd0\xcf\x11\xe0"}


class TableError(ValueError):
    """A file-level problem; the message (in the active language) says what to do."""


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, list[object]]]  # (1-based line in the file, cells)
    file_name: str
    file_hash: str
    file_size: int
    sheet: str = ""
    notes: list[str] = field(default_factory=list)
    header_line: int = 1  # 1-based line of the header row


def extension_of(file_name: str) -> str:
    return file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""


def read_table(data: bytes, file_name: str, *, max_bytes: int | None = None, header_hint=None) -> Table:
    """Read the first sheet (or the CSV) into a header and rows. ``header_hint(cells) -> bool``
    says whether a row is the header row (the first such row wins; default: the first row)."""
    ext = extension_of(file_name)
    if ext not in ALLOWED_EXTENSIONS:
        raise TableError(
            _("Tệp “{name}” không đúng định dạng: chỉ nhận CSV, XLSX, XLS hoặc ODS.").format(name=file_name)
        )
    if not data:
        raise TableError(_("Tệp “{name}” rỗng.").format(name=file_name))
    if max_bytes is not None and len(data) > max_bytes:
        raise TableError(
            _("Tệp “{name}” quá lớn ({size} MB); giới hạn là {limit} MB.").format(
                name=file_name,
                size=f"{len(data) / 1048576:.1f}".replace(".", ","),
                limit=f"{max_bytes / 1048576:.0f}",
            )
        )
    if ext in MAGIC and not data.startswith(MAGIC[ext]):
        raise TableError(
            _("Nội dung tệp “{name}” không phải là tệp {format} hợp lệ (có thể bị đổi đuôi).").format(
                name=file_name, format=ext.upper()
            )
        )
    digest = hashlib.sha256(data).hexdigest()
    notes: list[str] = []
    sheet_name = ""
    if ext == "csv":
        grid = _read_csv(data, file_name, notes)
    else:
        grid, sheet_name = _read_spreadsheet(data, file_name, ext, notes)
    # Text cells: NFC, and refuse legacy Vietnamese font encodings instead of importing mojibake.
    nfd_seen = False
    for r, row in enumerate(grid):
        for c, cell in enumerate(row):
            if isinstance(cell, str):
                fixed = nfc(cell)
                if fixed != cell.strip() and not nfd_seen and any(ord(ch) > 127 for ch in cell):
                    nfd_seen = True
                row[c] = fixed
                if looks_like_tcvn3(fixed) or looks_like_vni(fixed):
                    kind = "TCVN3 (ABC)" if looks_like_tcvn3(fixed) else "VNI"
                    raise TableError(
                        _(
                            "Dòng {line} có chữ gõ bằng bảng mã cũ {encoding} (“{text}”). "
                            "Hãy chuyển tệp sang Unicode (ví dụ bằng Unikey: Công cụ chuyển mã) rồi nhập lại."
                        ).format(line=r + 1, encoding=kind, text=fixed[:40])
                    )
    if nfd_seen:
        notes.append(_("Chữ tiếng Việt dạng tổ hợp (NFD) đã được chuẩn hoá về dạng dựng sẵn (NFC)."))
    header_index = 0
    if header_hint is not None:
        for i, row in enumerate(grid[:30]):
            if header_hint(row):
                header_index = i
                break
        else:
            raise TableError(
                _("Không tìm thấy dòng tiêu đề trong tệp “{name}” (cần có cột tên hoặc mã đơn vị).").format(
                    name=file_name
                )
            )
    if not grid:
        raise TableError(_("Tệp “{name}” không có dữ liệu.").format(name=file_name))
    _note_rows_above_header(grid, header_index, notes)
    header = [str(c).strip() if c is not None else "" for c in grid[header_index]]
    rows = []
    for i, row in enumerate(grid[header_index + 1 :], start=header_index + 2):
        cells = list(row) + [""] * (len(header) - len(row))
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        rows.append((i, cells))
    return Table(header, rows, file_name, digest, len(data), sheet_name, notes, header_index + 1)


def filled(row: list[object]) -> list[object]:
    return [c for c in row if c is not None and not (isinstance(c, str) and c.strip() in ("", "-", "–", "—"))]


def is_number(cell: object) -> bool:
    try:
        return parse_number(cell) is not None
    except ValueError:
        return False


def _note_rows_above_header(grid: list[list[object]], header_index: int, notes: list[str]) -> None:
    """Several labels right above the header row (group headings of a two-row header) are said: only
    the row naming the columns is read as the header. (A sub-heading row *below* it is caught by the
    import, which knows the unit column: see ``PreviewRows.check_header_below``.)"""
    if header_index > 0 and len(filled(grid[header_index - 1])) >= 2:
        notes.append(
            _(
                "Dòng {line} phía trên dòng tiêu đề có nhiều ô (có thể là tiêu đề hai dòng): chiso chỉ dùng "
                "dòng {header} làm tiêu đề và bỏ qua các dòng phía trên; hãy kiểm tra các cột bên dưới."
            ).format(line=header_index, header=header_index + 1)
        )


def _read_csv(data: bytes, file_name: str, notes: list[str]) -> list[list[object]]:
    if b"\x00" in data[:4096]:
        raise TableError(
            _("Tệp “{name}” không phải tệp văn bản CSV (có byte nhị phân; có thể là UTF-16).").format(
                name=file_name
            )
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        try:
            decoded = data.decode("cp1252")
        except UnicodeDecodeError:
            decoded = ""
        if _is_cp1258_vietnamese(data):
            raise TableError(
                _(
                    "Tệp “{name}” được lưu bằng bảng mã Windows-1258 (CP1258), không phải Unicode UTF-8. "
                    "Hãy mở tệp và lưu lại dưới dạng “CSV UTF-8” (hoặc chuyển mã bằng Unikey) rồi nhập lại."
                ).format(name=file_name)
            ) from exc
        if decoded and (looks_like_tcvn3(decoded) or looks_like_vni(decoded)):
            raise TableError(
                _(
                    "Tệp “{name}” được gõ bằng bảng mã cũ (TCVN3/VNI), không phải Unicode. "
                    "Hãy chuyển mã sang Unicode UTF-8 rồi nhập lại."
                ).format(name=file_name)
            ) from exc
        raise TableError(
            _(
                "Tệp “{name}” không được mã hoá UTF-8 (byte lỗi ở vị trí {position}). "
                "Hãy lưu lại dưới dạng “CSV UTF-8” rồi nhập lại."
            ).format(name=file_name, position=exc.start)
        ) from exc
    return [
        [uncsv_cell(c) for c in r] for r in csv.reader(io.StringIO(text), delimiter=_guess_delimiter(text))
    ]


def _guess_delimiter(text: str) -> str:
    """The delimiter that splits the header into several columns and the first lines into as many,
    the most columns winning. (csv.Sniffer picks "," for "Tỉnh, thành phố;Năm;Điểm" with one data
    line: a header that Vietnamese files really have, with ';' and decimal commas.)"""
    best, best_score = ",", (False, False, 0.0, 0)
    for delimiter in (",", ";", "\t"):
        try:
            counts = [
                len(r)
                for r, _ in zip(csv.reader(io.StringIO(text), delimiter=delimiter), range(50), strict=False)
                if r
            ]
        except csv.Error:
            continue
        if not counts:
            continue
        multi = counts[0] > 1
        share = sum(1 for c in counts if c == counts[0]) / len(counts)
        score = (multi and share == 1, multi, share, counts[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best


_VIETNAMESE_MARKS = set("\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b")


def _is_cp1258_vietnamese(data: bytes) -> bool:
    """Whether the bytes read as Windows-1258 give Vietnamese text and nothing else (TCVN3 and VNI
    bytes read as Windows-1258 give symbols such as § ¾ µ ø)."""
    try:
        text = unicodedata.normalize("NFC", data.decode("cp1258"))
    except UnicodeDecodeError:
        return False
    seen = False
    for ch in text:
        if ch.isascii():
            continue
        if ch in "đĐ":
            seen = True
            continue
        base, *marks = unicodedata.normalize("NFD", ch)
        if not (base.isascii() and base.isalpha() and marks and set(marks) <= _VIETNAMESE_MARKS):
            return False
        seen = True
    return seen


def limits() -> Limits:
    """How big a spreadsheet may get once decompressed (settings CHISO_MAX_SHEET_ROWS etc.)."""
    from django.conf import settings

    return Limits(
        max_uncompressed=int(getattr(settings, "CHISO_MAX_UNCOMPRESSED_BYTES", Limits.max_uncompressed)),
        max_rows=int(getattr(settings, "CHISO_MAX_SHEET_ROWS", Limits.max_rows)),
        max_cells=int(getattr(settings, "CHISO_MAX_SHEET_CELLS", Limits.max_cells)),
    )


def _sheet_to_read(workbook, data: bytes, ext: str, notes: list[str]) -> int:
    """The sheet a person sees when she opens the file (the active tab if visible, else the first visible
    one), never a hidden one; what was left aside is said in the notes."""
    if ext == "xlsx":
        info = xlsx_sheets(data)
        if info is not None:
            if info.active_was_hidden:
                notes.append(
                    _(
                        "Trang tính đang chọn khi lưu tệp bị ẩn: chiso đọc trang hiện đầu tiên “{sheet}”."
                    ).format(sheet=info.name)
                )
            if info.hidden:
                notes.append(
                    _("Tệp có trang tính ẩn không được đọc: {sheets}.").format(sheets=", ".join(info.hidden))
                )
            hidden_rows = xlsx_hidden_rows(data, info.part, limit=limits().max_rows)
            if hidden_rows:
                shown = ", ".join(str(n) for n in hidden_rows[:10]) + ("…" if len(hidden_rows) > 10 else "")
                notes.append(
                    ngettext(
                        "Trang “{sheet}” có {n} dòng bị ẩn ({rows}): các dòng này VẪN được đọc; hãy kiểm tra.",
                        "Trang “{sheet}” có {n} dòng bị ẩn ({rows}): các dòng này VẪN được đọc; hãy kiểm tra.",
                        len(hidden_rows),
                    ).format(sheet=info.name, n=len(hidden_rows), rows=shown)
                )
            return info.index
    from python_calamine import SheetVisibleEnum

    try:
        metadata = workbook.sheets_metadata
    except Exception:  # noqa: BLE001 — formats without metadata: the first sheet
        return 0
    visible = [i for i, m in enumerate(metadata) if m.visible == SheetVisibleEnum.Visible]
    hidden = [m.name for m in metadata if m.visible != SheetVisibleEnum.Visible]
    if hidden:
        notes.append(_("Tệp có trang tính ẩn không được đọc: {sheets}.").format(sheets=", ".join(hidden)))
    return visible[0] if visible else 0


def _read_spreadsheet(
    data: bytes, file_name: str, ext: str, notes: list[str]
) -> tuple[list[list[object]], str]:
    from python_calamine import CalamineWorkbook

    if ext in ("xlsx", "ods"):
        try:
            check_archive(data, limits())
        except SpreadsheetRefused as exc:
            raise TableError(
                _("Không nhập tệp “{name}”: {reason}").format(name=file_name, reason=exc)
            ) from exc
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = workbook.get_sheet_by_index(_sheet_to_read(workbook, data, ext, notes))
        if sheet.total_height > limits().max_rows:
            raise TableError(
                _("Trang tính “{sheet}” có {rows} dòng, quá giới hạn {limit} dòng.").format(
                    sheet=sheet.name, rows=sheet.total_height, limit=limits().max_rows
                )
            )
        grid = [list(r) for r in sheet.to_python(skip_empty_area=False)]
    except TableError:
        raise
    except Exception as exc:  # calamine raises its own error types for every broken file
        raise TableError(
            _("Không đọc được tệp “{name}”: tệp hỏng hoặc không phải {format} ({error}).").format(
                name=file_name, format=ext.upper(), error=exc
            )
        ) from exc
    merged = []
    try:
        merged = sheet.merged_cell_ranges or []
    except Exception:  # older formats may not expose merged ranges
        merged = []
    for (r1, c1), (r2, c2) in merged:
        if r2 > r1:  # a merge across rows hides values from every row but the first
            from openpyxl.utils import get_column_letter

            ref = f"{get_column_letter(c1 + 1)}{r1 + 1}:{get_column_letter(c2 + 1)}{r2 + 1}"
            raise TableError(
                _(
                    "Trang tính “{sheet}” có ô gộp {cells} trải trên nhiều dòng. "
                    "Hãy bỏ gộp ô (Unmerge) và điền giá trị cho từng dòng rồi nhập lại."
                ).format(sheet=sheet.name, cells=ref)
            )
    return grid, sheet.name
