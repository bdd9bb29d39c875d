"""An official document's content and its page layout, in pure Python (no Django).

The content (:class:`OfficialDocument`) is what a plan, report or công văn says; the layout
(:class:`Layout`) is how Nghị định 30/2020/NĐ-CP, Phụ lục I (thể thức văn bản hành chính) prints it:
A4, margins, Times New Roman sizes, the header block with the national motto, the signature block.
The DOCX and the PDF renderers take the same two objects, so both files say the same thing.

Layout defaults and the standard texts live in ``chiso/data/documents/layout.yaml``; a province
overrides them key by key (``load_layout``), every bad value reported in Vietnamese. The same file holds
the standard wording (``wording:``: the coordinating department, recipients, symbols, signer titles of
a People's Committee and of a department), read through :meth:`Layout.wording`.
"""

from __future__ import annotations

import copy
import datetime
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from chiso.core import safeyaml
from chiso.core.text import format_number, format_place_date

LAYOUT_FILE = Path(__file__).resolve().parent.parent / "data" / "documents" / "layout.yaml"


def nfc(text: str) -> str:
    """Unicode NFC (composed Vietnamese letters); unlike ``core.text.nfc``, line breaks and spaces are kept."""
    return unicodedata.normalize("NFC", text)


# --- content -----------------------------------------------------------------------------------


@dataclass
class Heading:
    """A numbered heading, written with its number: level 1 "I. MỤC ĐÍCH, YÊU CẦU" (bold, printed in
    capitals), level 2 "1. Mục đích" (bold), level 3 "a) …" (bold italic)."""

    text: str
    level: int = 1


@dataclass
class Paragraph:
    """A body paragraph, justified. ``text`` may carry ``**bold**`` and ``*italic*``; a bullet is a
    paragraph whose text starts with "- " (printed as written). ``align`` "center" centres it (a
    decision's "QUYẾT ĐỊNH:" and the authority that issues it), "left" or "right" aligns it."""

    text: str
    indent_first: bool = True
    bold: bool = False
    italic: bool = False
    align: str = "justify"


@dataclass
class Table:
    """A bordered table; the header row repeats on every page. ``widths`` are relative (any unit);
    ``number_columns`` (0-based) are right-aligned. A row with a single cell spans the whole table
    (a group row, printed bold)."""

    columns: list[str]
    rows: list[list[str]]
    widths: list[float] | None = None
    caption: str = ""
    number_columns: set[int] = field(default_factory=set)


@dataclass
class PageBreak:
    """Start a new page."""


Block = Heading | Paragraph | Table | PageBreak


@dataclass
class Appendix:
    """A "Phụ lục" on its own pages (landscape by default), after the signature."""

    label: str  # "Phụ lục I"
    title: str  # printed in capitals
    subtitle: str = ""  # "(Kèm theo Kế hoạch số …/KH-UBND ngày … của …)"
    blocks: list[Block] = field(default_factory=list)
    landscape: bool = True


@dataclass
class Signer:
    """Signature block: ``authority`` "TM. ỦY BAN NHÂN DÂN" (may be empty), ``title`` "CHỦ TỊCH" or
    "KT. CHỦ TỊCH\\nPHÓ CHỦ TỊCH" (one line per "\\n"), ``name`` of the person signing."""

    authority: str = ""
    title: str = ""
    name: str = ""


@dataclass
class OfficialDocument:
    """The content of one official document (văn bản hành chính)."""

    kind_label: str = ""  # "KẾ HOẠCH", "BÁO CÁO"; "" for a công văn
    parent_body: str = ""  # cơ quan chủ quản above the issuer, e.g. "UBND TỈNH KON TUM"; may be ""
    issuer: str = ""  # "ỦY BAN NHÂN DÂN TỈNH KON TUM" ("\n" forces a line break)
    number_symbol: str = ""  # "3993/KH-UBND"; "/KH-UBND" when the number is not given yet
    place: str = ""
    date: datetime.date | None = None
    title: str = ""  # trích yếu, under kind_label
    subject: str = ""  # công văn: "V/v …", under the number
    salutation: str = ""  # công văn: "Kính gửi: …" (the label is added when missing)
    blocks: list[Block] = field(default_factory=list)
    appendices: list[Appendix] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    signer: Signer = field(default_factory=Signer)
    #: "DỰ THẢO" on a document not issued yet: printed bold at the top right of its first page.
    draft_mark: str = ""

    def number_text(self, label: str = "Số:") -> str:
        """ "Số: 3993/KH-UBND"; "Số:      /KH-UBND" when the number is empty; a number below 10 gets a
        leading zero ("Số: 05/KH-UBND"), as the decree requires."""
        symbol = nfc(self.number_symbol.strip())
        number, slash, rest = symbol.partition("/")
        number = number.strip()
        if not number:
            return f"{label}      {slash}{rest}".rstrip() if slash else f"{label}      "
        if number.isdigit() and len(number) == 1:
            number = "0" + number
        return f"{label} {number}{slash}{rest}"

    def place_date_text(self) -> str:
        """ "Kon Tum, ngày 05 tháng 02 năm 2025"; blanks to fill in by hand when there is no date."""
        if self.date is not None:
            return format_place_date(self.place, self.date)
        place = nfc(self.place).strip()
        blank = "ngày      tháng      năm 20    "
        return f"{place}, {blank}" if place else blank

    def salutation_text(self, label: str = "Kính gửi:") -> str:
        text = nfc(self.salutation).strip()
        if not text or text.lower().startswith(label.rstrip(":").lower()):
            return text
        return f"{label} {text}"

    def recipient_lines(self) -> list[str]:
        """ "- X;" per recipient; the last one ends with "." (the decree's "- Lưu: VT, …."). Punctuation
        the author wrote is kept."""
        items = [nfc(r).strip() for r in self.recipients if r and r.strip()]
        out = []
        for i, item in enumerate(items):
            if not item.startswith(("-", "–")):
                item = "- " + item
            last = i == len(items) - 1
            if item[-1] not in ";.:,":
                item += "." if last else ";"
            out.append(item)
        return out


# --- inline markup -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False


_INLINE = re.compile(
    r"\*\*\*(?=\S)(.+?)(?<=\S)\*\*\*"  # ***bold italic***
    r"|\*\*(?=\S)(.+?)(?<=\S)\*\*"  # **bold**
    r"|\*(?=[^\s*])(.+?)(?<=[^\s*])\*",  # *italic*
    re.S,
)
_ESCAPED_STAR = "\ue000"


def parse_inline(text: str, bold: bool = False, italic: bool = False) -> list[Run]:
    """Split light markup into runs: ``**bold**``, ``*italic*``, ``***both***``, nested
    (``**bold *and italic* bold**``); ``\\*`` is a literal star; an unmatched star stays as written."""
    text = nfc(text).replace("\\*", _ESCAPED_STAR)
    runs = _parse(text, bold, italic)
    merged: list[Run] = []
    for r in runs:
        r = Run(r.text.replace(_ESCAPED_STAR, "*"), r.bold, r.italic)
        if merged and (merged[-1].bold, merged[-1].italic) == (r.bold, r.italic):
            merged[-1] = Run(merged[-1].text + r.text, r.bold, r.italic)
        elif r.text:
            merged.append(r)
    return merged


def _parse(text: str, bold: bool, italic: bool) -> list[Run]:
    out: list[Run] = []
    pos = 0
    for m in _INLINE.finditer(text):
        if m.start() > pos:
            out.append(Run(text[pos : m.start()], bold, italic))
        if m.group(1) is not None:
            out.extend(_parse(m.group(1), True, True))
        elif m.group(2) is not None:
            out.extend(_parse(m.group(2), True, italic))
        else:
            out.extend(_parse(m.group(3), bold, True))
        pos = m.end()
    if pos < len(text):
        out.append(Run(text[pos:], bold, italic))
    return out


def plain_text(text: str) -> str:
    """The text of light markup without its stars."""
    return "".join(r.text for r in parse_inline(text))


_HEADING_LINE = re.compile(r"^(#{1,3})\s+(.+)$")
_BULLET_LINE = re.compile(r"^([-–+•])\s+")


def blocks_from_text(text: str) -> list[Block]:
    """Rich text as a user types it → blocks.

    Paragraphs are separated by blank lines (the lines of one paragraph are joined); a line starting
    with "- " (or "+ ", "• ") is a bullet paragraph of its own, printed as written, and the lines
    after it up to the next bullet or blank line continue it; "# ", "## ", "### " lines are headings
    of level 1–3; ``**bold**`` and ``*italic*`` are kept for the renderers.
    """
    text = nfc(text or "").replace("\r\n", "\n").replace("\r", "\n")
    blocks: list[Block] = []
    for chunk in re.split(r"\n[ \t]*\n", text.strip()):
        current: list[str] = []

        def flush(current: list[str] = current) -> None:
            if current:
                blocks.append(Paragraph(" ".join(current)))
                current.clear()

        for raw in chunk.split("\n"):
            line = raw.strip()
            if not line:
                continue
            heading = _HEADING_LINE.match(line)
            if heading:
                flush()
                blocks.append(Heading(heading.group(2).strip(), len(heading.group(1))))
            elif _BULLET_LINE.match(line):
                flush()
                current.append(line)
            else:
                current.append(line)
        flush()
    return blocks


# --- layout --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """Page layout of an official document (Nghị định 30/2020/NĐ-CP, Phụ lục I). Sizes in pt,
    lengths in mm. Defaults = the shipped ``layout.yaml``."""

    page_width_mm: float = 210
    page_height_mm: float = 297
    page_numbers: bool = True
    margin_top_mm: float = 20
    margin_bottom_mm: float = 20
    margin_left_mm: float = 30
    margin_right_mm: float = 15
    font_family: str = "Times New Roman"
    body_size: float = 14
    parent_body_size: float = 13
    issuer_size: float = 13
    motto_line1_size: float = 13
    motto_line2_size: float = 14
    number_size: float = 13
    subject_size: float = 12
    place_date_size: float = 14
    kind_label_size: float = 14
    title_size: float = 14
    salutation_size: float = 14
    recipients_label_size: float = 12
    recipients_size: float = 11
    signer_size: float = 14
    signer_name_size: float = 14
    table_size: float = 12
    appendix_label_size: float = 14
    appendix_title_size: float = 14
    page_number_size: float = 13
    line_spacing: float = 1.15
    paragraph_spacing_pt: float = 6
    first_line_indent_mm: float = 10
    header_left_width_mm: float = 65
    issuer_rule_ratio: float = 0.4
    title_rule_ratio: float = 0.4
    signature_blank_lines: int = 4
    plan_tasks_in_appendix: bool = True
    plan_point_decimals: int = 2
    motto_line1: str = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    motto_line2: str = "Độc lập - Tự do - Hạnh phúc"
    number_label: str = "Số:"
    salutation_label: str = "Kính gửi:"
    recipients_label: str = "Nơi nhận:"
    coordinating_agency: str = "Sở Nội vụ"
    filing_line: str = "Lưu: VT."
    decision_bases: tuple[str, ...] = (
        "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025",
        "Căn cứ Nghị quyết số 76/NQ-CP ngày 15 tháng 7 năm 2021 của Chính phủ ban hành Chương trình tổng thể "
        "cải cách hành chính nhà nước giai đoạn 2021 - 2030",
    )
    decision_recipients: tuple[str, ...] = (
        "Như Điều 3",
        "Bộ Nội vụ (b/c)",
        "Thường trực Tỉnh ủy (b/c)",
        "Thường trực HĐND tỉnh (b/c)",
        "Chủ tịch, các Phó Chủ tịch UBND tỉnh",
        "Lưu: VT",
    )
    plan_recipients: tuple[str, ...] = (
        "Bộ Nội vụ (b/c)",
        "Thường trực Tỉnh ủy (b/c)",
        "Thường trực HĐND tỉnh (b/c)",
        "Chủ tịch, các Phó Chủ tịch UBND tỉnh",
        "Các sở, ban, ngành thuộc tỉnh",
        "UBND các xã, phường",
        "Lưu: VT",
    )
    letter_recipients: tuple[str, ...] = ("Như trên", "Sở Nội vụ (theo dõi)", "Lưu: VT.")
    committee_name: str = "ỦY BAN NHÂN DÂN"
    committee_short_name: str = "UBND"
    committee_plan_symbol: str = "KH-UBND"
    committee_report_symbol: str = "BC-UBND"
    committee_letter_symbol: str = "UBND-NC"
    committee_decision_symbol: str = "QĐ-UBND"
    committee_signer_authority: str = "TM. ỦY BAN NHÂN DÂN"
    committee_signer_title: str = "CHỦ TỊCH"
    committee_letter_signer_authority: str = "KT. CHỦ TỊCH"
    committee_letter_signer_title: str = "PHÓ CHỦ TỊCH"
    department_plan_symbol: str = "KH"
    department_report_symbol: str = "BC"
    department_letter_symbol: str = "NV"
    department_decision_symbol: str = "QĐ"
    department_signer_authority: str = ""
    department_signer_title: str = "GIÁM ĐỐC"
    department_letter_signer_authority: str = "KT. GIÁM ĐỐC"
    department_letter_signer_title: str = "PHÓ GIÁM ĐỐC"

    def wording(self, committee: bool) -> Wording:
        """The standard wording for documents issued by a People's Committee (``committee``: a province,
        district or commune) or by a department or agency."""
        prefix = "committee_" if committee else "department_"
        return Wording(
            coordinating_agency=self.coordinating_agency,
            filing_line=self.filing_line,
            plan_recipients=self.plan_recipients,
            letter_recipients=self.letter_recipients,
            decision_bases=self.decision_bases,
            decision_recipients=self.decision_recipients,
            committee_name=self.committee_name,
            committee_short_name=self.committee_short_name,
            **{key: getattr(self, prefix + key) for key in ISSUER_WORDING},
        )

    @property
    def text_width_mm(self) -> float:
        return self.page_width_mm - self.margin_left_mm - self.margin_right_mm

    @property
    def landscape_text_width_mm(self) -> float:
        return self.page_height_mm - self.margin_left_mm - self.margin_right_mm

    def header_columns_mm(self) -> tuple[float, float]:
        """Widths of the header's two columns (and of the signature block's): the left one as set
        (``header.left_width_mm``), narrowed when the right one would not hold the national motto on
        one line."""
        from .fonts import text_width  # reportlab metrics; Liberation Serif = Times New Roman widths

        need = 2 + max(
            text_width(nfc(self.motto_line1), self.motto_line1_size, True),
            text_width(nfc(self.motto_line2), self.motto_line2_size, True),
        ) / (72 / 25.4)
        left = min(self.header_left_width_mm, self.text_width_mm - need)
        return left, self.text_width_mm - left

    def validate(self) -> list[str]:
        """Every value outside the decree's range, as Vietnamese sentences (empty: valid)."""
        errors: list[str] = []
        for spec in FIELDS:
            errors.extend(_check(spec, getattr(self, spec.attr)))
        if not errors:
            left, right = self.header_columns_mm()
            if left < 40:
                errors.append(
                    f"Quốc hiệu, Tiêu ngữ cần {_num(round(right, 1))} mm, chỉ còn {_num(round(left, 1))} mm cho "
                    "tên cơ quan (cần ít nhất 40 mm): giảm cỡ chữ Quốc hiệu hoặc lề trái, lề phải"
                )
        return errors


#: The wording a People's Committee and a department each have their own of (``wording.committee.*``,
#: ``wording.department.*``): key → (label, may be empty).
ISSUER_WORDING: dict[str, tuple[str, bool]] = {
    "plan_symbol": ("Ký hiệu kế hoạch", False),
    "report_symbol": ("Ký hiệu báo cáo", False),
    "letter_symbol": ("Ký hiệu công văn đôn đốc", False),
    "decision_symbol": ("Ký hiệu quyết định", False),
    "signer_authority": ("Thẩm quyền ký kế hoạch, báo cáo", True),
    "signer_title": ("Chức vụ người ký kế hoạch, báo cáo", False),
    "letter_signer_authority": ("Thẩm quyền ký công văn đôn đốc", True),
    "letter_signer_title": ("Chức vụ người ký công văn đôn đốc", False),
}


@dataclass(frozen=True)
class Wording:
    """The standard wording of the documents of one issuing unit (``Layout.wording``): who coordinates
    and receives reports, the recipients, the legal bases ("Căn cứ …") of a decision, the name of a
    People's Committee in the header, and the symbols and signer of this unit's plans, reports,
    reminder letters and decisions."""

    coordinating_agency: str
    filing_line: str
    plan_recipients: tuple[str, ...]
    letter_recipients: tuple[str, ...]
    decision_bases: tuple[str, ...]
    decision_recipients: tuple[str, ...]
    committee_name: str
    committee_short_name: str
    plan_symbol: str
    report_symbol: str
    letter_symbol: str
    decision_symbol: str
    signer_authority: str
    signer_title: str
    letter_signer_authority: str
    letter_signer_title: str

    def issue_fields(self, kind: str) -> dict[str, str]:
        """The symbol and signer a new plan (``kind`` "plan") or report ("report") starts with."""
        symbol = {"plan": self.plan_symbol, "report": self.report_symbol}[kind]
        return {
            "symbol": symbol,
            "signer_authority": self.signer_authority,
            "signer_title": self.signer_title,
        }


@dataclass(frozen=True)
class FieldSpec:
    path: tuple[str, ...]  # (section, key) or (section, group, key) in the YAML file
    attr: str
    label: str
    kind: str  # "number", "int", "text", "optional_text", "lines", "bool", "a4"
    low: float | None = None
    high: float | None = None
    unit: str = ""

    @property
    def key(self) -> str:
        return ".".join(self.path)

    def label_for(self, language: str | None) -> str:
        """The field's name in ``language`` ("en…": English, for the layout page of the English UI;
        error messages and documents stay Vietnamese)."""
        if (language or "").startswith("en"):
            return LABELS_EN.get(self.key, self.label)
        return self.label


def _size(key: str, attr: str, label: str, low: float, high: float) -> FieldSpec:
    return FieldSpec(("sizes_pt", key), attr, f"Cỡ chữ {label}", "number", low, high, "pt")


#: Every layout field: its place in the YAML, its Vietnamese name and the range the decree allows.
FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(("page", "width_mm"), "page_width_mm", "Chiều rộng trang", "a4", 210, 210, "mm"),
    FieldSpec(("page", "height_mm"), "page_height_mm", "Chiều cao trang", "a4", 297, 297, "mm"),
    FieldSpec(("page", "page_numbers"), "page_numbers", "Đánh số trang", "bool"),
    FieldSpec(("margins_mm", "top"), "margin_top_mm", "Lề trên", "number", 20, 25, "mm"),
    FieldSpec(("margins_mm", "bottom"), "margin_bottom_mm", "Lề dưới", "number", 20, 25, "mm"),
    FieldSpec(("margins_mm", "left"), "margin_left_mm", "Lề trái", "number", 30, 35, "mm"),
    FieldSpec(("margins_mm", "right"), "margin_right_mm", "Lề phải", "number", 15, 20, "mm"),
    FieldSpec(("font", "family"), "font_family", "Phông chữ", "text"),
    _size("body", "body_size", "nội dung", 13, 14),
    _size("parent_body", "parent_body_size", "tên cơ quan chủ quản", 12, 13),
    _size("issuer", "issuer_size", "tên cơ quan ban hành", 12, 13),
    _size("motto_line1", "motto_line1_size", "Quốc hiệu", 12, 13),
    _size("motto_line2", "motto_line2_size", "Tiêu ngữ", 13, 14),
    _size("number", "number_size", "số, ký hiệu", 13, 13),
    _size("subject", "subject_size", "trích yếu công văn", 12, 13),
    _size("place_date", "place_date_size", "địa danh, thời gian", 13, 14),
    _size("kind_label", "kind_label_size", "tên loại văn bản", 13, 14),
    _size("title", "title_size", "trích yếu", 13, 14),
    _size("salutation", "salutation_size", "“Kính gửi”", 13, 14),
    _size("recipients_label", "recipients_label_size", "“Nơi nhận”", 12, 12),
    _size("recipients", "recipients_size", "danh sách nơi nhận", 11, 11),
    _size("signer", "signer_size", "quyền hạn, chức vụ người ký", 13, 14),
    _size("signer_name", "signer_name_size", "họ tên người ký", 13, 14),
    _size("table", "table_size", "trong bảng", 10, 14),
    _size("appendix_label", "appendix_label_size", "“Phụ lục”", 13, 14),
    _size("appendix_title", "appendix_title_size", "tên phụ lục", 13, 14),
    _size("page_number", "page_number_size", "số trang", 13, 14),
    FieldSpec(("spacing", "line"), "line_spacing", "Khoảng cách dòng", "number", 1, 1.5, "dòng"),
    FieldSpec(("spacing", "paragraph_pt"), "paragraph_spacing_pt", "Khoảng cách đoạn", "number", 6, 12, "pt"),
    FieldSpec(
        ("spacing", "first_line_indent_mm"), "first_line_indent_mm", "Lùi đầu dòng", "number", 10, 12.7, "mm"
    ),
    FieldSpec(
        ("header", "left_width_mm"),
        "header_left_width_mm",
        "Cột trái phần đầu văn bản",
        "number",
        50,
        90,
        "mm",
    ),
    FieldSpec(
        ("header", "issuer_rule_ratio"),
        "issuer_rule_ratio",
        "Độ dài đường kẻ dưới tên cơ quan (so với dòng chữ)",
        "number",
        0.33,
        0.5,
    ),
    FieldSpec(
        ("header", "title_rule_ratio"),
        "title_rule_ratio",
        "Độ dài đường kẻ dưới trích yếu (so với dòng chữ)",
        "number",
        0.33,
        0.5,
    ),
    FieldSpec(
        ("signature", "blank_lines"), "signature_blank_lines", "Số dòng trống để ký", "int", 2, 8, "dòng"
    ),
    FieldSpec(
        ("plan", "tasks_in_appendix"),
        "plan_tasks_in_appendix",
        "Nhiệm vụ của kế hoạch trình bày ở bảng phụ lục (không: trong nội dung)",
        "bool",
    ),
    FieldSpec(
        ("plan", "point_decimals"),
        "plan_point_decimals",
        "Số chữ số thập phân của điểm",
        "int",
        0,
        4,
        "chữ số",
    ),
    FieldSpec(("texts", "motto_line1"), "motto_line1", "Quốc hiệu", "text"),
    FieldSpec(("texts", "motto_line2"), "motto_line2", "Tiêu ngữ", "text"),
    FieldSpec(("texts", "number_label"), "number_label", "Chữ “Số:”", "text"),
    FieldSpec(("texts", "salutation_label"), "salutation_label", "Chữ “Kính gửi:”", "text"),
    FieldSpec(("texts", "recipients_label"), "recipients_label", "Chữ “Nơi nhận:”", "text"),
    FieldSpec(
        ("wording", "coordinating_agency"),
        "coordinating_agency",
        "Cơ quan thường trực (nhận báo cáo, theo dõi, đôn đốc)",
        "text",
    ),
    FieldSpec(("wording", "filing_line"), "filing_line", "Dòng “Lưu” cuối nơi nhận", "text"),
    FieldSpec(("wording", "plan_recipients"), "plan_recipients", "Nơi nhận của kế hoạch", "lines"),
    FieldSpec(
        ("wording", "letter_recipients"), "letter_recipients", "Nơi nhận của công văn đôn đốc", "lines"
    ),
    FieldSpec(
        ("wording", "decision_bases"),
        "decision_bases",
        "Căn cứ ban hành quyết định công bố kết quả đánh giá (mỗi dòng một căn cứ)",
        "lines",
    ),
    FieldSpec(
        ("wording", "decision_recipients"),
        "decision_recipients",
        "Nơi nhận của quyết định công bố kết quả đánh giá",
        "lines",
    ),
    FieldSpec(("wording", "committee", "name"), "committee_name", "Tên Ủy ban nhân dân trên văn bản", "text"),
    FieldSpec(
        ("wording", "committee", "short_name"),
        "committee_short_name",
        "Tên viết tắt Ủy ban nhân dân (cơ quan chủ quản của sở)",
        "text",
    ),
    *(
        FieldSpec(
            ("wording", group, key),
            f"{group}_{key}",
            f"{label} {whose}",
            "optional_text" if may_be_empty else "text",
        )
        for group, whose in (("committee", "của Ủy ban nhân dân"), ("department", "của sở, ban, ngành"))
        for key, (label, may_be_empty) in ISSUER_WORDING.items()
    ),
)

_SIZES_EN = {
    "body": "body text",
    "parent_body": "name of the parent body",
    "issuer": "name of the issuing body",
    "motto_line1": "national title",
    "motto_line2": "motto",
    "number": "number and symbol",
    "subject": "subject line of a letter",
    "place_date": "place and date",
    "kind_label": "document type",
    "title": "title",
    "salutation": "“Kính gửi” (to)",
    "recipients_label": "“Nơi nhận” (recipients)",
    "recipients": "list of recipients",
    "signer": "signing authority and title",
    "signer_name": "signer's name",
    "table": "tables",
    "appendix_label": "“Phụ lục” (appendix)",
    "appendix_title": "appendix title",
    "page_number": "page numbers",
}
_ISSUER_WORDING_EN = {
    "plan_symbol": "Symbol of plans",
    "report_symbol": "Symbol of reports",
    "letter_symbol": "Symbol of reminder letters",
    "decision_symbol": "Symbol of decisions",
    "signer_authority": "Signing authority of plans and reports",
    "signer_title": "Signer's title on plans and reports",
    "letter_signer_authority": "Signing authority of reminder letters",
    "letter_signer_title": "Signer's title on reminder letters",
}
#: The fields' names in English (the layout page of the English UI), by YAML key.
LABELS_EN: dict[str, str] = {
    "page.width_mm": "Page width",
    "page.height_mm": "Page height",
    "page.page_numbers": "Page numbers",
    "margins_mm.top": "Top margin",
    "margins_mm.bottom": "Bottom margin",
    "margins_mm.left": "Left margin",
    "margins_mm.right": "Right margin",
    "font.family": "Font",
    **{f"sizes_pt.{key}": f"Font size: {label}" for key, label in _SIZES_EN.items()},
    "spacing.line": "Line spacing",
    "spacing.paragraph_pt": "Paragraph spacing",
    "spacing.first_line_indent_mm": "First-line indent",
    "header.left_width_mm": "Left column of the header",
    "header.issuer_rule_ratio": "Length of the rule under the issuing body (relative to the text)",
    "header.title_rule_ratio": "Length of the rule under the title (relative to the text)",
    "signature.blank_lines": "Blank lines for the signature",
    "plan.tasks_in_appendix": "Plan tasks in an appendix table (no: in the body)",
    "plan.point_decimals": "Decimals of points",
    "texts.motto_line1": "National title",
    "texts.motto_line2": "Motto",
    "texts.number_label": "The word “Số:” (number)",
    "texts.salutation_label": "The words “Kính gửi:” (to)",
    "texts.recipients_label": "The words “Nơi nhận:” (recipients)",
    "wording.coordinating_agency": "Coordinating agency (receives reports, follows up, reminds)",
    "wording.filing_line": "The “Lưu” (filed) line at the end of the recipients",
    "wording.plan_recipients": "Recipients of a plan",
    "wording.letter_recipients": "Recipients of a reminder letter",
    "wording.decision_bases": "Legal bases of the decision announcing assessment results (one per line)",
    "wording.decision_recipients": "Recipients of the decision announcing assessment results",
    "wording.committee.name": "Name of the People's Committee on documents",
    "wording.committee.short_name": "Short name of the People's Committee (parent body of a department)",
    **{
        f"wording.{group}.{key}": f"{label} {whose}"
        for group, whose in (("committee", "of the People's Committee"), ("department", "of a department"))
        for key, label in _ISSUER_WORDING_EN.items()
    },
}

#: The YAML shape: section → key → spec, or section → group → key → spec.
SECTIONS: dict[str, dict[str, Any]] = {}
for _spec in FIELDS:
    _node = SECTIONS
    for _part in _spec.path[:-1]:
        _node = _node.setdefault(_part, {})
    _node[_spec.path[-1]] = _spec


class LayoutError(ValueError):
    """A layout that cannot be used; ``errors`` lists every problem, in Vietnamese."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__("; ".join(self.errors))


def _num(x: float) -> str:
    return format_number(float(x))


def _check(spec: FieldSpec, value: Any) -> list[str]:
    where = f" ({spec.key})"
    if spec.kind == "bool":
        if not isinstance(value, bool):
            return [f"{spec.label} phải là true (có) hoặc false (không), nhận “{value}”{where}"]
        return []
    if spec.kind == "text":
        if not isinstance(value, str) or not value.strip():
            return [f"{spec.label} không được để trống{where}"]
        return []
    if spec.kind == "optional_text":
        if value is not None and not isinstance(value, str):
            return [f"{spec.label} phải là một dòng chữ (có thể để trống), nhận “{value}”{where}"]
        return []
    if spec.kind == "lines":
        if not isinstance(value, list | tuple) or not all(isinstance(x, str) and x.strip() for x in value):
            return [f"{spec.label} phải là danh sách các dòng chữ không trống (mỗi dòng bắt đầu “- ”){where}"]
        return []
    if isinstance(value, bool) or not isinstance(value, int | float):
        return [f"{spec.label} phải là một số, nhận “{value}”{where}"]
    if spec.kind == "int" and value != int(value):
        return [f"{spec.label} phải là một số nguyên, nhận {_num(value)}{where}"]
    unit = f" {spec.unit}" if spec.unit else ""
    if spec.kind == "a4":
        if value != spec.low:
            return [f"{spec.label} phải là {_num(spec.low)}{unit} (khổ A4), nhận {_num(value)}{where}"]
        return []
    assert spec.low is not None and spec.high is not None
    if not spec.low <= value <= spec.high:
        if spec.low == spec.high:
            return [f"{spec.label} phải là {_num(spec.low)}{unit}, nhận {_num(value)}{where}"]
        return [
            f"{spec.label} phải từ {_num(spec.low)} đến {_num(spec.high)}{unit}, nhận {_num(value)}{where}"
        ]
    return []


def merge_mappings(base: Mapping, override: Mapping | None) -> dict:
    """``override`` over ``base``, key by key (nested mappings merged, other values replaced)."""
    out = copy.deepcopy(dict(base))
    for key, value in (override or {}).items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge_mappings(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def shipped_layout_mapping() -> dict:
    """The shipped ``layout.yaml`` as a nested dict."""
    data = yaml.safe_load(LAYOUT_FILE.read_text(encoding="utf-8"))
    return data or {}


def shipped_layout_text() -> str:
    return LAYOUT_FILE.read_text(encoding="utf-8")


def layout_errors(mapping: Any) -> list[str]:
    """Problems of a (partial) layout mapping by itself: unknown keys, wrong shapes, bad values."""
    if mapping is None:
        return []
    if not isinstance(mapping, Mapping):
        return [
            "Thể thức phải là các nhóm khóa dạng “khóa: giá trị” (YAML), không phải một danh sách hay chữ"
        ]
    return _group_errors("", mapping, SECTIONS)


def _group_errors(group: str, values: Any, specs: Mapping[str, Any]) -> list[str]:
    """Problems of one group of keys (``group`` its dotted path, "" for the whole layout) against its
    specs."""
    if not isinstance(values, Mapping):
        return [f"Nhóm “{group}” phải gồm các khóa dạng “khóa: giá trị”, nhận “{values}”"]
    errors: list[str] = []
    for key, value in values.items():
        spec = specs.get(str(key))
        path = f"{group}.{key}" if group else str(key)
        if spec is None:
            known = ", ".join(specs)
            errors.append(
                f"Khóa “{path}” không có trong mẫu thể thức (nhóm {group} có: {known})"
                if group
                else f"Nhóm “{key}” không có trong mẫu thể thức (các nhóm có: {known})"
            )
        elif isinstance(spec, FieldSpec):
            errors.extend(_check(spec, value))
        else:
            errors.extend(_group_errors(path, value, spec))
    return errors


def _lookup(mapping: Mapping, path: tuple[str, ...]) -> tuple[bool, Any]:
    """(found, value) of a key path in a nested mapping."""
    node: Any = mapping
    for part in path:
        if not isinstance(node, Mapping) or part not in node:
            return False, None
        node = node[part]
    return True, node


def _value(spec: FieldSpec, value: Any) -> Any:
    """A checked YAML value as the Layout holds it: NFC text, tuples for lists, whole numbers as int."""
    if spec.kind == "lines":
        return tuple(nfc(x).strip() for x in value)
    if spec.kind == "optional_text":
        return nfc(value or "").strip()
    if spec.kind == "int":
        return int(value)
    return nfc(value) if isinstance(value, str) else value


def load_layout(mapping: Mapping | None = None, *, base: Mapping | None = None) -> Layout:
    """A validated :class:`Layout` from a (nested, YAML-shaped) mapping laid over ``base`` (default:
    the shipped ``layout.yaml``), key by key. Raises :class:`LayoutError` listing every problem."""
    errors = layout_errors(mapping)
    base_map = shipped_layout_mapping() if base is None else base
    if errors:
        raise LayoutError(errors)
    merged = merge_mappings(base_map, mapping or {})
    errors = layout_errors(merged)
    values: dict[str, Any] = {}
    for spec in FIELDS:
        found, value = _lookup(merged, spec.path)
        if not found:
            errors.append(f"Thiếu khóa “{spec.key}” ({spec.label})")
            continue
        values[spec.attr] = value
    if errors:
        raise LayoutError(errors)
    layout = Layout(**{spec.attr: _value(spec, values[spec.attr]) for spec in FIELDS})
    errors = layout.validate()
    if errors:
        raise LayoutError(errors)
    return layout


def layout_to_mapping(layout: Layout) -> dict:
    """The nested (YAML-shaped) mapping of a layout."""
    out: dict[str, Any] = {}
    for spec in FIELDS:
        node = out
        for part in spec.path[:-1]:
            node = node.setdefault(part, {})
        value = getattr(layout, spec.attr)
        node[spec.path[-1]] = list(value) if isinstance(value, tuple) else value
    return out


def parse_layout_yaml(text: str) -> tuple[dict | None, list[str]]:
    """YAML text of a layout override → (mapping, errors). Empty text is an empty override."""
    try:
        data = safeyaml.load(text or "", max_bytes=64 * 1024)
    except safeyaml.YamlRefused as exc:
        return None, [str(exc)]
    if data is None:
        return {}, []
    errors = layout_errors(data)
    return (data if not errors else None), errors
