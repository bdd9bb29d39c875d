"""An :class:`~chiso.documents.model.OfficialDocument` as a PDF (reportlab platypus), from the same
content and layout as the DOCX: A4, the layout's margins, Liberation Serif (Times New Roman metrics)
embedded, the header block and the signature block as borderless two-column tables, data tables with
their header row repeated on every page, appendices on their own (landscape) pages with their own
page numbers; page numbers centred in the top margin from page 2."""

from __future__ import annotations

import io
import re
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import PageBreak as RLPageBreak
from reportlab.platypus import Paragraph as RLParagraph
from reportlab.platypus import Table as RLTable

from .fonts import SINGLE_LINE, balanced_lines, font_name, register_fonts, salutation_indents, text_width
from .model import Appendix, Heading, Layout, OfficialDocument, PageBreak, Paragraph, Table, nfc, parse_inline

_SPACES = re.compile(r" {2,}")
#: ``Paragraph.align`` → reportlab's alignment.
_ALIGN = {"justify": TA_JUSTIFY, "center": TA_CENTER, "left": TA_LEFT, "right": TA_RIGHT}


def _markup(text: str, *, bold: bool = False, italic: bool = False, upper: bool = False) -> str:
    """Light markup → reportlab paragraph markup (escaped; runs of spaces kept as no-break spaces;
    line breaks kept)."""
    out = []
    for r in parse_inline(text, bold, italic):
        t = r.text.upper() if upper else r.text
        t = escape(t)
        t = _SPACES.sub(lambda m: "\u00a0" * len(m.group(0)), t).replace("\n", "<br/>")
        if r.bold:
            t = f"<b>{t}</b>"
        if r.italic:
            t = f"<i>{t}</i>"
        out.append(t)
    return "".join(out)


class _Rule(Flowable):
    """A solid horizontal rule ``length`` points long, centred in the space it is given."""

    def __init__(self, length: float, *, thickness: float = 0.6, before: float = 4, after: float = 1.5):
        super().__init__()
        self.length = length
        self.thickness = thickness
        self.before = before
        self.after = after
        self._avail = length

    def wrap(self, avail_width, avail_height):
        self._avail = avail_width
        return avail_width, self.before + self.thickness + self.after

    def draw(self):
        length = min(self.length, self._avail)
        x0 = (self._avail - length) / 2
        y = self.after + self.thickness / 2
        self.canv.setLineWidth(self.thickness)
        self.canv.setStrokeColor(colors.black)
        self.canv.line(x0, y, x0 + length, y)


class _SectionStart(Flowable):
    """Marks the first page of a section (the document, then each appendix): page numbers restart."""

    def wrap(self, avail_width, avail_height):
        return 0, 0

    def draw(self):
        pass


class _DocTemplate(BaseDocTemplate):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.section_first_page = 1

    def afterFlowable(self, flowable):
        if isinstance(flowable, _SectionStart):
            self.section_first_page = self.page


class _Writer:
    def __init__(self, doc: OfficialDocument, layout: Layout):
        register_fonts()
        self.doc = doc
        self.layout = layout
        self.width = layout.text_width_mm * mm
        self.styles: dict[str, ParagraphStyle] = {}

    # --- styles --------------------------------------------------------------------------------

    def style(
        self,
        size: float,
        *,
        align: int = TA_CENTER,
        indent: bool = False,
        before: float = 0,
        after: float = 0,
        line: float = 1.0,
        keep: bool = False,
    ) -> ParagraphStyle:
        key = (size, align, indent, before, after, line, keep)
        st = self.styles.get(key)
        if st is None:
            st = ParagraphStyle(
                f"s{len(self.styles)}",
                fontName=font_name(),
                fontSize=size,
                leading=size * SINGLE_LINE * line,
                alignment=align,
                firstLineIndent=self.layout.first_line_indent_mm * mm if indent else 0,
                spaceBefore=before,
                spaceAfter=after,
                keepWithNext=int(keep),
                allowWidows=0,
                allowOrphans=0,
            )
            self.styles[key] = st
        return st

    def p(self, text: str, size: float, *, bold=False, italic=False, upper=False, **style) -> RLParagraph:
        return RLParagraph(_markup(text, bold=bold, italic=italic, upper=upper), self.style(size, **style))

    def body_style(self, *, indent: bool, keep: bool = False, align: int = TA_JUSTIFY) -> ParagraphStyle:
        lay = self.layout
        return self.style(
            lay.body_size,
            align=align,
            indent=indent,
            after=lay.paragraph_spacing_pt,
            line=lay.line_spacing,
            keep=keep,
        )

    # --- parts ---------------------------------------------------------------------------------

    def header_block(self) -> list:
        lay, doc = self.layout, self.doc
        left, right = (w * mm for w in lay.header_columns_mm())
        pad = 0.5 * mm
        left_cell: list = []
        if doc.parent_body.strip():
            for line in balanced_lines(nfc(doc.parent_body).upper(), lay.parent_body_size, left - 2 * pad):
                left_cell.append(self.p(line, lay.parent_body_size))
        issuer_lines = balanced_lines(nfc(doc.issuer).upper(), lay.issuer_size, left - 2 * pad, bold=True)
        for line in issuer_lines:
            left_cell.append(self.p(line, lay.issuer_size, bold=True))
        if issuer_lines:
            widest = max(text_width(x, lay.issuer_size, True) for x in issuer_lines)
            left_cell.append(_Rule(widest * lay.issuer_rule_ratio))
        right_cell = [
            self.p(lay.motto_line1, lay.motto_line1_size, bold=True),
            self.p(lay.motto_line2, lay.motto_line2_size, bold=True),
            _Rule(text_width(nfc(lay.motto_line2), lay.motto_line2_size, True)),
        ]
        number_cell: list = [self.p(doc.number_text(lay.number_label), lay.number_size, before=6)]
        if doc.subject.strip():
            number_cell.append(self.p(doc.subject, lay.subject_size, before=4))
        date_cell = [self.p(doc.place_date_text(), lay.place_date_size, italic=True, before=6)]
        t = RLTable(
            [[left_cell, right_cell], [number_cell, date_cell]],
            colWidths=[left, right],
            hAlign="LEFT",
        )
        t.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), pad),
                    ("RIGHTPADDING", (0, 0), (-1, -1), pad),
                    ("TOPPADDING", (0, 0), (-1, -1), 0),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                ]
            )
        )
        return [t]

    def title_block(self) -> list:
        lay, doc = self.layout, self.doc
        out: list = []
        if doc.kind_label.strip():
            out.append(
                self.p(doc.kind_label, lay.kind_label_size, bold=True, upper=True, before=18, keep=True)
            )
        if doc.title.strip():
            out.append(
                self.p(
                    doc.title,
                    lay.title_size,
                    bold=True,
                    before=0 if doc.kind_label.strip() else 18,
                    keep=True,
                )
            )
            longest = min(text_width(nfc(doc.title), lay.title_size, True), self.width)
            out.append(_Rule(longest * lay.title_rule_ratio, after=12))
        elif doc.kind_label.strip():
            out.append(Spacer(1, 6))
        salutation = doc.salutation_text(lay.salutation_label)
        if salutation:
            lines = [x.strip() for x in salutation.split("\n") if x.strip()]
            top = 18 if not doc.title.strip() else 0
            if len(lines) == 1:
                out.append(self.p(lines[0], lay.salutation_size, before=top, after=12))
            else:
                # "Kính gửi:" from the salutation indent, the addressees one per line aligned after it
                label_indent, list_indent = salutation_indents(lines[0], lay.salutation_size)
                base = self.style(lay.salutation_size, align=TA_LEFT)
                first = ParagraphStyle("salutation", parent=base, leftIndent=label_indent, spaceBefore=top)
                rest = ParagraphStyle("salutation-list", parent=base, leftIndent=list_indent)
                last = ParagraphStyle("salutation-last", parent=rest, spaceAfter=12)
                out.append(RLParagraph(_markup(lines[0]), first))
                for i, line in enumerate(lines[1:], start=1):
                    out.append(RLParagraph(_markup(line), last if i == len(lines) - 1 else rest))
        return out

    def blocks(self, blocks, width: float) -> list:
        out: list = []
        for b in blocks:
            if isinstance(b, Heading):
                level = max(1, min(3, b.level))
                out.append(
                    RLParagraph(
                        _markup(b.text, bold=True, italic=level == 3, upper=level == 1),
                        self.body_style(indent=True, keep=True),
                    )
                )
            elif isinstance(b, Paragraph):
                out.append(
                    RLParagraph(
                        _markup(b.text, bold=b.bold, italic=b.italic),
                        self.body_style(indent=b.indent_first, align=_ALIGN.get(b.align, TA_JUSTIFY)),
                    )
                )
            elif isinstance(b, Table):
                out.extend(self.data_table(b, width))
            elif isinstance(b, PageBreak):
                out.append(RLPageBreak())
            else:  # pragma: no cover - the Block union is closed
                raise TypeError(f"unknown block {b!r}")
        return out

    def data_table(self, b: Table, width: float) -> list:
        lay = self.layout
        n = len(b.columns)
        rel = list(b.widths) if b.widths and len(b.widths) == n else [1.0] * n
        total = sum(rel) or 1.0
        widths = [width * w / total for w in rel]
        size = lay.table_size
        head = self.style(size, align=TA_CENTER)
        cell_styles = {
            "left": self.style(size, align=TA_LEFT),
            "right": self.style(size, align=TA_RIGHT),
        }
        data: list[list] = [[RLParagraph(_markup(c, bold=True), head) for c in b.columns]]
        commands: list = [
            ("FONTNAME", (0, 0), (-1, -1), font_name()),
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
            ("VALIGN", (0, 1), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 1.2 * mm),
            ("RIGHTPADDING", (0, 0), (-1, -1), 1.2 * mm),
            ("TOPPADDING", (0, 0), (-1, -1), 1.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ]
        for i, row in enumerate(b.rows, start=1):
            if len(row) == 1 and n > 1:
                data.append([RLParagraph(_markup(row[0], bold=True), cell_styles["left"])] + [""] * (n - 1))
                commands.append(("SPAN", (0, i), (-1, i)))
                continue
            cells = []
            for j in range(n):
                text = str(row[j]) if j < len(row) else ""
                st = cell_styles["right" if j in b.number_columns else "left"]
                cells.append(RLParagraph(_markup(text), st) if text else "")
            data.append(cells)
        t = RLTable(data, colWidths=widths, repeatRows=1, hAlign="CENTER")
        t.setStyle(TableStyle(commands))
        out: list = []
        if b.caption.strip():
            out.append(self.p(b.caption, lay.body_size, bold=True, before=6, after=6, keep=True))
        out.append(t)
        out.append(Spacer(1, lay.paragraph_spacing_pt))
        return out

    def signature_block(self) -> list:
        lay, doc = self.layout, self.doc
        left, right = (w * mm for w in lay.header_columns_mm())
        left_cell: list = []
        lines = doc.recipient_lines()
        if lines:
            left_cell.append(
                self.p(lay.recipients_label, lay.recipients_label_size, bold=True, italic=True, align=TA_LEFT)
            )
            st = self.style(lay.recipients_size, align=TA_LEFT)
            left_cell.extend(RLParagraph(_markup(x), st) for x in lines)
        right_cell: list = []
        signer = doc.signer
        for line in nfc(signer.authority).split("\n") + nfc(signer.title).split("\n"):
            if line.strip():
                right_cell.append(self.p(line.strip(), lay.signer_size, bold=True, upper=True))
        right_cell.append(Spacer(1, lay.signature_blank_lines * lay.signer_size * SINGLE_LINE))
        if signer.name.strip():
            right_cell.append(self.p(signer.name, lay.signer_name_size, bold=True))
        t = RLTable([[left_cell, right_cell]], colWidths=[left, right], hAlign="LEFT")
        t.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0.5 * mm),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0.5 * mm),
                    ("TOPPADDING", (0, 0), (-1, -1), 6),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                ]
            )
        )
        return [t]

    def appendix(self, app: Appendix) -> list:
        lay = self.layout
        width = (lay.landscape_text_width_mm if app.landscape else lay.text_width_mm) * mm
        out: list = [
            NextPageTemplate("landscape" if app.landscape else "portrait"),
            RLPageBreak(),
            _SectionStart(),
            self.p(app.label, lay.appendix_label_size, bold=True, keep=True),
        ]
        if app.title.strip():
            out.append(self.p(app.title, lay.appendix_title_size, bold=True, upper=True, keep=True))
        if app.subtitle.strip():
            out.append(self.p(app.subtitle, lay.body_size, italic=True, keep=True))
        title_w = min(text_width(nfc(app.title), lay.appendix_title_size, True), width)
        out.append(_Rule(title_w * 0.4, after=10))
        out.extend(self.blocks(app.blocks, width))
        return out

    # --- pages ---------------------------------------------------------------------------------

    def _page_number(self, canvas, doc) -> None:
        lay = self.layout
        if not lay.page_numbers:
            return
        number = doc.page - doc.section_first_page + 1
        if number <= 1:
            return
        canvas.saveState()
        canvas.setFont(font_name(), lay.page_number_size)
        page_w, page_h = canvas._pagesize
        canvas.drawCentredString(
            lay.margin_left_mm * mm + (page_w - (lay.margin_left_mm + lay.margin_right_mm) * mm) / 2,
            page_h - lay.margin_top_mm * mm / 2 - lay.page_number_size / 3,
            str(number),
        )
        canvas.restoreState()

    def render(self) -> bytes:
        lay, doc = self.layout, self.doc
        buf = io.BytesIO()
        portrait = (lay.page_width_mm * mm, lay.page_height_mm * mm)
        landscape = (portrait[1], portrait[0])

        def frame(size, fid):
            return Frame(
                lay.margin_left_mm * mm,
                lay.margin_bottom_mm * mm,
                size[0] - (lay.margin_left_mm + lay.margin_right_mm) * mm,
                size[1] - (lay.margin_top_mm + lay.margin_bottom_mm) * mm,
                leftPadding=0,
                rightPadding=0,
                topPadding=0,
                bottomPadding=0,
                id=fid,
            )

        template = _DocTemplate(
            buf,
            pagesize=portrait,
            leftMargin=lay.margin_left_mm * mm,
            rightMargin=lay.margin_right_mm * mm,
            topMargin=lay.margin_top_mm * mm,
            bottomMargin=lay.margin_bottom_mm * mm,
            title=nfc(" ".join(x for x in (doc.kind_label, doc.title or doc.subject) if x)),
            author=nfc(doc.issuer.replace("\n", " ")),
            subject=nfc(doc.number_text(lay.number_label)),
            creator="chiso",
            lang="vi-VN",
        )
        template.addPageTemplates(
            [
                PageTemplate(
                    "portrait", [frame(portrait, "p")], onPageEnd=self._page_number, pagesize=portrait
                ),
                PageTemplate(
                    "landscape", [frame(landscape, "l")], onPageEnd=self._page_number, pagesize=landscape
                ),
            ]
        )
        story: list = [_SectionStart()]
        if doc.draft_mark.strip():
            story.append(
                self.p(
                    doc.draft_mark.strip(), lay.number_size, bold=True, upper=True, align=TA_RIGHT, after=4
                )
            )
        story += self.header_block()
        story += self.title_block()
        story += self.blocks(doc.blocks, self.width)
        # the signature and "Nơi nhận" never open a page on their own: the last body paragraph goes
        # with them
        keep = [story.pop()] if len(story) > 1 and isinstance(story[-1], RLParagraph) and doc.blocks else []
        story.append(KeepTogether([*keep, *self.signature_block()]))
        for app in doc.appendices:
            story += self.appendix(app)
        template.build(story)
        return buf.getvalue()


def render_pdf(doc: OfficialDocument, layout: Layout) -> bytes:
    """The document as PDF bytes."""
    return _Writer(doc, layout).render()
