"""Looking inside a spreadsheet file before reading it: pure Python (zipfile + XML), no Django.

* :func:`check_archive` refuses a decompression bomb *before* anything is parsed: an XLSX/ODS is a ZIP
  archive, and a file of 1,7 MB may expand to gigabytes; the sizes declared in the archive's directory
  are checked (total, ratio, number of entries) and the worksheet's declared dimension too.
* :func:`xlsx_sheets` says which sheet a person sees when she opens an XLSX: the active tab if it is
  visible, else the first visible one, and which sheets are hidden.
* :func:`xlsx_hidden_rows` counts the rows hidden in a worksheet (streamed, bounded).

Messages are Vietnamese; callers turn :class:`SpreadsheetRefused` into their own error type.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import iterparse

__all__ = [
    "FORMULA_STARTS",
    "Limits",
    "csv_cell",
    "safe_append",
    "uncsv_cell",
    "SheetInfo",
    "SpreadsheetRefused",
    "check_archive",
    "xlsx_hidden_rows",
    "xlsx_sheets",
]

_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}


class SpreadsheetRefused(ValueError):
    """The file is refused before it is read (Vietnamese message)."""


@dataclass(frozen=True)
class Limits:
    """What a spreadsheet may expand to: bytes once decompressed, compression ratio, archive entries,
    rows and cells of a worksheet."""

    max_uncompressed: int = 200 * 1024 * 1024
    max_ratio: float = 200.0
    max_entries: int = 2_000
    max_rows: int = 250_000
    max_cells: int = 5_000_000


def _n(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _mb(n: float) -> str:
    return f"{n / 1048576:.0f}".replace(".", ",")


def check_archive(data: bytes, limits: Limits = Limits()) -> None:
    """Refuse an archive that would expand beyond the limits (sizes as the archive declares them; the
    reader never decompresses more than declared: zipfile checks each entry's size as it reads)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise SpreadsheetRefused(
            "Tệp không phải tệp nén XLSX/ODS hợp lệ (tệp hỏng hoặc bị đổi đuôi)."
        ) from exc
    with zf:
        infos = zf.infolist()
        if len(infos) > limits.max_entries:
            raise SpreadsheetRefused(
                f"Tệp chứa {len(infos)} thành phần nén (tối đa {limits.max_entries}): không phải bảng tính thông thường."
            )
        total = sum(i.file_size for i in infos)
        if total > limits.max_uncompressed:
            raise SpreadsheetRefused(
                f"Tệp khi giải nén lên tới {_mb(total)} MB (tối đa {_mb(limits.max_uncompressed)} MB): quá lớn để nhập. "
                "Hãy chia tệp hoặc bỏ các trang tính, định dạng không cần thiết."
            )
        packed = max(len(data), 1)
        if total / packed > limits.max_ratio and total > 10 * 1024 * 1024:
            raise SpreadsheetRefused(
                f"Tệp nén bất thường: {_mb(packed)} MB giải nén thành {_mb(total)} MB. Tệp bị từ chối để bảo vệ máy chủ."
            )
        for info in infos:
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                _check_dimension(zf, info.filename, limits)


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def _check_dimension(zf: zipfile.ZipFile, name: str, limits: Limits) -> None:
    with zf.open(name) as fh:
        head = fh.read(4096)
    m = _DIMENSION.search(head)
    if not m or not m.group(3):
        return
    rows = int(m.group(4)) - int(m.group(2)) + 1
    cols = _column_number(m.group(3)) - _column_number(m.group(1)) + 1
    if rows > limits.max_rows or rows * cols > limits.max_cells:
        raise SpreadsheetRefused(
            f"Trang tính có {_n(rows)} dòng × {_n(cols)} cột (tối đa {_n(limits.max_rows)} dòng, "
            f"{_n(limits.max_cells)} ô): quá lớn để nhập."
        )


@dataclass
class SheetInfo:
    """The sheet to read (0-based position among all sheets, its name and its part in the archive) and
    the names of the sheets that are hidden."""

    index: int
    name: str
    part: str
    hidden: list[str] = field(default_factory=list)
    active_was_hidden: bool = False


def xlsx_sheets(data: bytes) -> SheetInfo | None:
    """The sheet a person sees on opening the workbook: the active tab when visible, else the first
    visible sheet. None when the file is not a readable XLSX (let the reader say why)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            book = zf.read("xl/workbook.xml")
            rels = zf.read("xl/_rels/workbook.xml.rels")
    except (zipfile.BadZipFile, KeyError):
        return None
    from xml.etree.ElementTree import fromstring

    try:
        root, rel_root = fromstring(book), fromstring(rels)
    except Exception:  # noqa: BLE001 — a malformed part: the reader reports the file as broken
        return None
    targets = {r.get("Id"): r.get("Target", "") for r in rel_root.findall("rel:Relationship", _NS)}
    sheets = []
    for s in root.findall("m:sheets/m:sheet", _NS):
        rid = s.get(f"{{{_NS['r']}}}id")
        target = targets.get(rid, "")
        part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        sheets.append((s.get("name", ""), s.get("state", "visible"), part))
    if not sheets:
        return None
    view = root.find("m:bookViews/m:workbookView", _NS)
    active = (
        int(view.get("activeTab", "0")) if view is not None and view.get("activeTab", "0").isdigit() else 0
    )
    active = min(active, len(sheets) - 1)
    hidden = [name for name, state, _part in sheets if state != "visible"]
    chosen = active
    if sheets[active][1] != "visible":
        visible = [i for i, (_n, state, _p) in enumerate(sheets) if state == "visible"]
        if not visible:
            return SheetInfo(active, sheets[active][0], sheets[active][2], hidden, True)
        chosen = visible[0]
    name, _state, part = sheets[chosen]
    return SheetInfo(chosen, name, part, hidden, chosen != active)


def _rows(zf: zipfile.ZipFile, part: str) -> Iterator[tuple[int, bool]]:
    with zf.open(part) as fh:
        for _event, elem in iterparse(fh, events=("end",)):
            if elem.tag.endswith("}row"):
                yield int(elem.get("r", "0") or 0), elem.get("hidden") in ("1", "true")
                elem.clear()


def xlsx_hidden_rows(data: bytes, part: str, limit: int = 50) -> list[int]:
    """1-based numbers of the hidden rows of a worksheet (at most ``limit`` of them)."""
    out: list[int] = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for number, hidden in _rows(zf, part):
                if hidden:
                    out.append(number)
                    if len(out) >= limit:
                        break
    except (zipfile.BadZipFile, KeyError, SyntaxError):
        return out
    return out


# --- writing exports -------------------------------------------------------------------------------

#: A text cell starting with one of these is read as a formula by spreadsheet programs ("CSV injection":
#: a unit named =HYPERLINK(…) would come back as a live link in the coordinator's Excel).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """A value for a CSV export: text that a spreadsheet would run as a formula gets a leading apostrophe
    (shown as text, and removed again by :func:`uncsv_cell` when chiso reads its own export)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def uncsv_cell(value: object) -> object:
    """The inverse of :func:`csv_cell` for a cell read back from a CSV."""
    if (
        isinstance(value, str)
        and value.startswith("'")
        and value[1:2]
        and value[1:].startswith(FORMULA_STARTS)
    ):
        return value[1:]
    return value


def safe_append(ws: Any, row: list[object]) -> None:
    """Append a row to an openpyxl worksheet with every text cell stored as text, never as a formula."""
    ws.append(row)
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str) and cell.data_type == "f":
            cell.data_type = "s"


def safe_cells(ws: Any, row: list[Any]) -> list[Any]:
    """The row for a *write-only* openpyxl worksheet (``ws.append(safe_cells(ws, row))``), with every text
    that openpyxl would store as a formula ("=…") stored as text instead."""
    from openpyxl.cell import WriteOnlyCell

    out: list[Any] = []
    for value in row:
        if isinstance(value, str) and value.startswith("="):
            cell = WriteOnlyCell(ws, value=value)
            cell.data_type = "s"
            out.append(cell)
        else:
            out.append(value)
    return out
