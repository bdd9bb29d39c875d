"""The evidence package of a sheet (hồ sơ tài liệu kiểm chứng): a ZIP streamed to the browser as it is
written, never held whole in memory, for a unit's sheet or a round on the province itself (what the
province uploads to the ministry with its PAR INDEX self-assessment).

Inside one top folder: an index sheet ("00 Mục lục.xlsx": every criterion with its code, name, field,
maximum and self-score, and each piece of evidence — files with their name in the archive, SHA-256 and size,
the task products and progress reports linked to it), then one folder per criterion named by its code and a
short ASCII name ("1.1.1-ban-hanh-ke-hoach-cchc-nam"), holding the criterion's evidence files and the files
of the progress reports linked to it (the same content once per folder).

File names are made safe: NFC, no folders (a name like "../../etc/passwd" stays in its criterion's folder),
no control or reserved characters, no Windows device names, length bounded, de-duplicated per folder
ignoring case; a name that keeps nothing falls back to ASCII ("tep-3.pdf"), and ``ascii_names`` folds every
name to ASCII for old unzip tools. A file no longer on the server is listed in the index as missing.

``stream(sheet)`` reads the database at once and returns a generator of bytes: ``zipfile`` writes into a
small buffer (a non-seekable sink, so each entry carries a data descriptor) that the generator drains after
every chunk of 64 KiB it copies from storage; memory stays at a few chunks whatever the package's size.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.files.storage import Storage
from django.utils import timezone

from chiso.core.spreadsheet import safe_cells
from chiso.core.text import fold, format_number, nfc

from ..models import Score, Sheet
from .structure import Criterion, structure

__all__ = ["CHUNK", "Entry", "PackagePlan", "filename", "plan", "safe_name", "stream"]

CHUNK = 64 * 1024
#: Longest file name kept (characters, extension included): Windows paths stay well under 260.
MAX_NAME = 100
INDEX_NAME = "00 Mục lục.xlsx"
INDEX_NAME_ASCII = "00 Muc luc.xlsx"
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_RESERVED = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{i}" for i in range(1, 10)),
    *(f"lpt{i}" for i in range(1, 10)),
}
_KIND_LABELS = {
    "file": "Tệp đính kèm",
    "task": "Sản phẩm nhiệm vụ",
    "report": "Báo cáo tiến độ",
    "report_file": "Tệp của báo cáo tiến độ",
    "none": "(chưa có tài liệu kiểm chứng)",
}


# --- names ----------------------------------------------------------------------------------------


def _slug(text: str, limit: int = 40) -> str:
    """ "Ban hành kế hoạch CCHC năm" → "ban-hanh-ke-hoach-cchc-nam" (ASCII, at most ``limit`` characters,
    cut at a word's end)."""
    slug = fold(text).replace(" ", "-")
    slug = re.sub(r"[^a-z0-9.-]+", "-", slug).strip("-.")
    if len(slug) > limit:  # at a word's end
        slug = slug[: limit + 1].rsplit("-", 1)[0] if "-" in slug[: limit + 1] else slug[:limit]
    return slug.rstrip("-.")


def _ascii(text: str) -> str:
    """A file name folded to ASCII: "Biên bản số 12.pdf" → "bien-ban-so-12.pdf"."""
    stem, dot, ext = text.rpartition(".")
    if not dot:
        stem, ext = text, ""
    stem = _slug(stem, MAX_NAME - 10)
    ext = _slug(ext, 8)
    return f"{stem}.{ext}" if stem and ext else stem


def safe_name(name: str, *, ascii_names: bool = False) -> str:
    """A file name that cannot leave its folder nor trouble any system (see the module); "" when nothing
    is left of it."""
    text = unicodedata.normalize("NFC", name or "").replace("\\", "/")
    text = _UNSAFE.sub("_", text)
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"_{2,}", "_", text).strip(" ._")
    if ascii_names or not text.isprintable():
        text = _ascii(text)
    stem, dot, ext = text.rpartition(".")
    if not dot:
        stem, ext = text, ""
    if fold(stem).replace(" ", "") in _RESERVED:
        stem = f"_{stem}"
    if len(text) > MAX_NAME:
        ext = ext[:10]
        stem = stem[: MAX_NAME - len(ext) - 1].rstrip(" .")
    return f"{stem}.{ext}" if stem and ext else stem


def _unique(name: str, taken: set[str]) -> str:
    """``name`` or "name (2).ext", "name (3).ext"… not yet in ``taken`` (compared ignoring case)."""
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    candidate, n = name, 1
    while candidate.casefold() in taken:
        n += 1
        candidate = f"{stem} ({n}).{ext}" if ext else f"{stem} ({n})"
    taken.add(candidate.casefold())
    return candidate


def folder_name(crit: Criterion) -> str:
    """ "1.1.1-ban-hanh-ke-hoach-cchc-nam": the criterion's code and a short ASCII name."""
    code = re.sub(r"[^A-Za-z0-9._-]+", "-", unicodedata.normalize("NFKD", crit.code).replace("đ", "d"))
    code = code.replace("Đ", "D").strip(".-_")[:30] or "tieu-chi"
    short = _slug(crit.node.name_vi)
    return f"{code}-{short}" if short else code


def filename(sheet: Sheet) -> str:
    """The archive's name: "ho-so-minh-chung-cchc-so-2025-so-tu-phap.zip" (ASCII)."""
    rnd = sheet.round
    parts = [
        "ho-so-minh-chung",
        _slug(rnd.framework.index.code, 20),
        str(rnd.year),
        _slug(sheet.unit.short_name),
    ]
    return "-".join(p for p in parts if p) + ".zip"


# --- what goes in ---------------------------------------------------------------------------------


@dataclass
class Entry:
    """One piece of evidence of a criterion (a file, a linked task product or progress report), or the
    criterion's absence of any; ``arcname`` is where a file is in the archive (None: not a file, or no
    longer on the server)."""

    crit: Criterion
    kind: str
    label: str
    arcname: str | None = None
    storage: Storage | None = None
    path: str = ""
    size: int | None = None
    sha256: str = ""
    when: dt.datetime | None = None
    note: str = ""


@dataclass
class PackagePlan:
    sheet: Sheet
    root: str
    index_name: str = INDEX_NAME
    folders: list[str] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    scores: dict[str, Score] = field(default_factory=dict)

    @property
    def files(self) -> list[Entry]:
        return [e for e in self.entries if e.arcname is not None]


def _on_server(stored) -> bool:
    try:
        return bool(stored.file.name) and stored.file.storage.exists(stored.file.name)
    except (OSError, ValueError):
        return False


def _file_entry(crit, kind, label, stored, folder, taken, ascii_names, note="") -> Entry:
    entry = Entry(
        crit, kind, label, size=stored.size, sha256=stored.sha256, when=stored.uploaded_at, note=note
    )
    if _on_server(stored):
        name = safe_name(stored.name, ascii_names=ascii_names)
        if not name or name.startswith("."):
            ext = _ascii(stored.name).rpartition(".")[2] if "." in stored.name else ""
            name = f"tep-{len(taken) + 1}" + (f".{ext}" if ext else "")
        entry.arcname = f"{folder}/{_unique(name, taken)}"
        entry.storage, entry.path = stored.file.storage, stored.file.name
    else:
        entry.note = "; ".join(x for x in (note, "Tệp không còn trên máy chủ") if x)
    return entry


def _report_label(report) -> str:
    product = ", ".join(
        x
        for x in (
            f"số {report.product_number}" if report.product_number else "",
            f"ngày {report.product_date:%d/%m/%Y}" if report.product_date else "",
            report.product_issuer,
        )
        if x
    )
    text = f"Báo cáo kỳ {report.period} của {report.unit.short_name}: {nfc(report.task.text)}"
    return text + (f" — sản phẩm: {product}" if product else "")


def plan(sheet: Sheet, *, ascii_names: bool = False) -> PackagePlan:
    """Everything the package of ``sheet`` holds, read from the database at once."""
    rnd = sheet.round
    st = structure(rnd.framework)
    scores = {
        s.node.code: s
        for s in sheet.scores.select_related("node").prefetch_related(
            "files",
            "links__task",
            "links__report__task",
            "links__report__unit",
            "links__report__evidence",
        )
    }
    out = PackagePlan(
        sheet,
        filename(sheet).removesuffix(".zip"),
        INDEX_NAME_ASCII if ascii_names else INDEX_NAME,
        scores=scores,
    )
    for crit in st.criteria:
        folder = f"{out.root}/{folder_name(crit)}"
        out.folders.append(folder)
        score = scores.get(crit.code)
        taken: set[str] = set()
        seen: set[str] = set()  # the same content once per folder
        before = len(out.entries)
        if score is not None:
            for f in sorted(score.files.all(), key=lambda f: (f.uploaded_at, f.pk)):
                note = "Bổ sung khi giải trình" if f.stage == "explanation" else ""
                out.entries.append(
                    _file_entry(crit, "file", nfc(f.name), f, folder, taken, ascii_names, note)
                )
                seen.add(f.sha256)
            for link in sorted(score.links.all(), key=lambda x: x.pk):
                if link.report_id:
                    report = link.report
                    out.entries.append(Entry(crit, "report", _report_label(report), note=nfc(link.note)))
                    for ev in sorted(report.evidence.all(), key=lambda e: e.pk):
                        if ev.sha256 in seen:
                            continue
                        seen.add(ev.sha256)
                        out.entries.append(
                            _file_entry(crit, "report_file", nfc(ev.name), ev, folder, taken, ascii_names)
                        )
                elif link.task_id:
                    task = link.task
                    label = nfc(task.text) + (f" — sản phẩm: {nfc(task.product)}" if task.product else "")
                    out.entries.append(Entry(crit, "task", label, note=nfc(link.note)))
                else:
                    out.entries.append(Entry(crit, "task", nfc(link.label), note=nfc(link.note)))
        if len(out.entries) == before:
            out.entries.append(Entry(crit, "none", ""))
    return out


# --- the index sheet -------------------------------------------------------------------------------


def _self_score(score: Score | None) -> str:
    if score is None:
        return ""
    if score.not_applicable:
        return "Không áp dụng"
    return "" if score.self_score is None else format_number(score.self_score)


def index_xlsx(p: PackagePlan) -> bytes:
    """The index sheet of a package (see the module)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    rnd, unit = p.sheet.round, p.sheet.unit
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Mục lục")
    widths = [10, 48, 28, 10, 12, 22, 48, 48, 66, 14, 30]
    for i, width in enumerate(widths):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    bold = Font(bold=True)

    def strong(value: str):
        cell = WriteOnlyCell(ws, value=value)
        cell.font = bold
        return cell

    ws.append([strong(f"HỒ SƠ TÀI LIỆU KIỂM CHỨNG — {nfc(unit.name)}")])
    title = f"{nfc(rnd.title)} ({nfc(rnd.framework.index.label or rnd.framework.index.code)}, năm {rnd.year})"
    ws.append(safe_cells(ws, [title]))
    ws.append([f"Lập lúc {timezone.localtime():%H:%M %d/%m/%Y}; mã SHA-256 là mã được tính khi tải tệp lên."])
    ws.append([])
    heads = ["Mã tiêu chí", "Tiêu chí", "Lĩnh vực", "Điểm tối đa", "Điểm tự đánh giá", "Loại tài liệu",
             "Tài liệu", "Tệp trong hồ sơ", "SHA-256", "Dung lượng (byte)", "Ghi chú"]  # fmt: skip
    header = []
    for h in heads:
        cell = strong(h)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        header.append(cell)
    ws.append(header)
    prefix = len(p.root) + 1
    for e in p.entries:
        node, score = e.crit.node, p.scores.get(e.crit.code)
        ws.append(  # names, labels and notes are users' text: never a live formula (issue 10, item 12)
            safe_cells(
                ws,
                [
                    e.crit.code,
                    nfc(node.name_vi),
                    nfc(e.crit.field.name_vi) if e.crit.field is not None else "",
                    node.max_score,
                    _self_score(score),
                    _KIND_LABELS[e.kind],
                    e.label,
                    e.arcname[prefix:] if e.arcname else "",
                    e.sha256,
                    e.size,
                    e.note,
                ],
            )
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- the stream -----------------------------------------------------------------------------------


class _Sink:
    """Where ``zipfile`` writes: a buffer the generator empties (no ``tell``/``seek``: zipfile then
    streams, with a data descriptor after each entry)."""

    def __init__(self) -> None:
        self._buf = bytearray()

    def write(self, data) -> int:
        self._buf += data
        return len(data)

    def flush(self) -> None:
        pass

    @property
    def pending(self) -> int:
        return len(self._buf)

    def drain(self) -> bytes:
        out = bytes(self._buf)
        self._buf.clear()
        return out


def _info(name: str, when: dt.datetime | None) -> zipfile.ZipInfo:
    moment = timezone.localtime(when) if when is not None else timezone.localtime()
    info = zipfile.ZipInfo(name, date_time=max(moment.timetuple()[:6], (1980, 1, 1, 0, 0, 0)))
    info.compress_type = zipfile.ZIP_DEFLATED
    info._compresslevel = 1  # evidence is mostly PDF and images, compressed already: spend little CPU
    info.external_attr = 0o644 << 16
    return info


def _generate(p: PackagePlan) -> Iterator[bytes]:
    sink = _Sink()
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        zf.writestr(_info(f"{p.root}/{p.index_name}", None), index_xlsx(p))
        yield sink.drain()
        for folder in p.folders:
            zf.mkdir(folder)
        yield sink.drain()
        for e in p.files:
            try:
                assert e.storage is not None
                src = e.storage.open(e.path, "rb")
            except OSError:  # gone since the plan was made: the index says what was meant
                continue
            with src:
                info = _info(e.arcname or "", e.when)
                info.file_size = e.size or 0  # zipfile picks ZIP64 headers from it
                with zf.open(info, mode="w") as dest:
                    while chunk := src.read(CHUNK):
                        dest.write(chunk)
                        if sink.pending >= CHUNK:
                            yield sink.drain()
            yield sink.drain()
    yield sink.drain()


def stream(sheet: Sheet, *, ascii_names: bool = False) -> Iterator[bytes]:
    """The package of ``sheet`` as a generator of ZIP bytes (the database is read now, the files as the
    generator is consumed)."""
    return _generate(plan(sheet, ascii_names=ascii_names))
