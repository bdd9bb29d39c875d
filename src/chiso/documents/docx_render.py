"""An :class:`~chiso.documents.model.OfficialDocument` as a DOCX file (python-docx), in the layout of
Nghị định 30/2020/NĐ-CP, Phụ lục I: A4, the layout's margins, Times New Roman (names set for the
ASCII, high-ANSI, East-Asian and complex scripts, so Word never substitutes), the header block as a
borderless two-column table, appendices in their own (landscape) sections with their own page numbers,
the "Nơi nhận" / signature block as a borderless two-column table. Page numbers are centred in the top
margin from page 2."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import _Cell

from .fonts import balanced_lines, salutation_indents, text_width
from .model import Appendix, Heading, Layout, OfficialDocument, PageBreak, Paragraph, Table, nfc, parse_inline

MM_PT = 72 / 25.4
TWIPS_PER_PT = 20

_TBLPR_ORDER = (
    "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW jc tblCellSpacing "
    "tblInd tblBorders shd tblLayout tblCellMar tblLook tblCaption tblDescription"
).split()
_TRPR_ORDER = (
    "cnfStyle divId gridBefore gridAfter wBefore wAfter cantSplit trHeight tblHeader tblCellSpacing jc hidden"
).split()
_TCPR_ORDER = (
    "cnfStyle tcW gridSpan hMerge vMerge tcBorders shd noWrap tcMar textDirection tcFitText vAlign hideMark"
).split()
_PPR_ORDER = (
    "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr shd tabs "
    "suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi "
    "adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc textDirection "
    "textAlignment textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange"
).split()
_SECTPR_ORDER = (
    "headerReference footerReference footnotePr endnotePr type pgSz pgMar paperSrc pgBorders lnNumType "
    "pgNumType cols formProt vAlign noEndnote titlePg textDirection bidi rtlGutter docGrid printerSettings"
).split()


def _put(parent, child, order: list[str]):
    """Insert ``child`` into ``parent`` at its schema position (Word rejects misordered elements),
    replacing an element of the same tag."""
    tag = child.tag.split("}")[1]
    old = parent.find(qn(f"w:{tag}"))
    if old is not None:
        parent.replace(old, child)
        return child
    later = set(order[order.index(tag) + 1 :])
    for i, existing in enumerate(parent):
        if existing.tag.split("}")[-1] in later:
            parent.insert(i, child)
            return child
    parent.append(child)
    return child


def _el(tag: str, **attrs) -> OxmlElement:
    el = OxmlElement(f"w:{tag}")
    for key, value in attrs.items():
        el.set(qn(f"w:{key}"), str(value))
    return el


#: ``Paragraph.align`` → Word's alignment ("justify", the Normal style's, needs none).
_ALIGN = {
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
}


def _twips(mm: float) -> int:
    return round(mm * MM_PT * TWIPS_PER_PT)


class _Writer:
    def __init__(self, doc: OfficialDocument, layout: Layout):
        self.doc = doc
        self.layout = layout
        self.d = Document()
        self.width_mm = layout.text_width_mm
        self.style_ids: dict[str, str] = {}

    # --- set-up --------------------------------------------------------------------------------

    def setup(self) -> None:
        lay = self.layout
        styles = self.d.styles
        # Document defaults and Normal: explicit font names for every script (the template's theme
        # fonts would otherwise win), Vietnamese language, the body size.
        rpr_default = styles.element.find(qn("w:docDefaults"))
        if rpr_default is not None:
            rpr = rpr_default.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
            if rpr is not None:
                self._fonts(rpr)
        normal = styles["Normal"]
        normal.font.name = lay.font_family
        normal.font.size = Pt(lay.body_size)
        rpr = normal.element.get_or_add_rPr()
        self._fonts(rpr)
        szcs = rpr.find(qn("w:szCs"))
        if szcs is None:
            szcs = OxmlElement("w:szCs")
            rpr.append(szcs)
        szcs.set(qn("w:val"), str(round(lay.body_size * 2)))
        pf = normal.paragraph_format
        pf.space_before = Pt(0)
        pf.space_after = Pt(lay.paragraph_spacing_pt)
        pf.line_spacing = lay.line_spacing
        pf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        pf.widow_control = True

        def single_spaced(name: str, space: float, align):
            """A paragraph style on Normal: single line spacing, no indent, ``space`` pt above and below."""
            style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = normal
            f = style.paragraph_format
            f.space_before = Pt(space)
            f.space_after = Pt(space)
            f.line_spacing = 1.0
            f.first_line_indent = Pt(0)
            f.alignment = align
            return style

        table_style = single_spaced("Chiso Table Text", 1, WD_ALIGN_PARAGRAPH.LEFT)
        table_style.font.size = Pt(lay.table_size)
        compact = single_spaced("Chiso Compact", 0, WD_ALIGN_PARAGRAPH.CENTER)

        self.style_ids = {s.name: s.style_id for s in (table_style, compact)}

        for name in ("Header", "Footer"):
            if name in [s.name for s in styles]:
                styles[name].font.size = Pt(lay.page_number_size)

        props = self.d.core_properties
        props.title = nfc(
            " ".join(x for x in (self.doc.kind_label, self.doc.title or self.doc.subject) if x)
        )[:250]
        props.author = nfc(self.doc.issuer.replace("\n", " "))[:250]
        props.language = "vi-VN"
        props.comments = "chiso — Nghị định 30/2020/NĐ-CP"

        sec = self.d.sections[0]
        self._page(sec, landscape=False)

    def _fonts(self, rpr) -> None:
        fam = self.layout.font_family
        rfonts = rpr.find(qn("w:rFonts"))
        if rfonts is None:
            rfonts = OxmlElement("w:rFonts")
            rpr.insert(0, rfonts)
        for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
            rfonts.attrib.pop(qn(f"w:{attr}"), None)
        for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
            rfonts.set(qn(f"w:{attr}"), fam)
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            rpr.append(lang)
        lang.set(qn("w:val"), "vi-VN")
        lang.set(qn("w:eastAsia"), "vi-VN")

    def _page(self, sec, *, landscape: bool) -> None:
        lay = self.layout
        w, h = Mm(lay.page_width_mm), Mm(lay.page_height_mm)
        sec.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        sec.page_width, sec.page_height = (h, w) if landscape else (w, h)
        sec.top_margin = Mm(lay.margin_top_mm)
        sec.bottom_margin = Mm(lay.margin_bottom_mm)
        sec.left_margin = Mm(lay.margin_left_mm)
        sec.right_margin = Mm(lay.margin_right_mm)
        sec.header_distance = Mm(max(5.0, lay.margin_top_mm / 2 - 3))
        sec.footer_distance = Mm(10)
        sec.gutter = Mm(0)
        self.width_mm = lay.landscape_text_width_mm if landscape else lay.text_width_mm

    def page_numbers(self) -> None:
        """Page number centred in the top margin, not on the first page; each appendix restarts at 1."""
        if not self.layout.page_numbers:
            return
        for i, sec in enumerate(self.d.sections):
            sec.different_first_page_header_footer = True
            if i:
                _put(sec._sectPr, _el("pgNumType", start=1), _SECTPR_ORDER)
        sec = self.d.sections[0]
        p = sec.header.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "2"), ("end", None)):
            run = p.add_run()
            run.font.size = Pt(self.layout.page_number_size)
            if kind:
                run._r.append(_el("fldChar", fldCharType=kind))
            elif text == " PAGE ":
                instr = OxmlElement("w:instrText")
                instr.set(qn("xml:space"), "preserve")
                instr.text = text
                run._r.append(instr)
            else:
                run.text = text

    # --- paragraphs ----------------------------------------------------------------------------

    def para(
        self,
        container,
        text: str = "",
        *,
        size: float | None = None,
        bold: bool = False,
        italic: bool = False,
        upper: bool = False,
        align=None,
        style: str | None = None,
        first_indent: bool = False,
        space_before: float | None = None,
        space_after: float | None = None,
        keep_next: bool = False,
        reuse: bool = False,
    ):
        """A paragraph of light-markup text; ``reuse`` fills a table cell's empty first paragraph."""
        if reuse and container.paragraphs and not container.paragraphs[0].runs:
            p = container.paragraphs[0]
        else:
            p = container.add_paragraph()
        if style:
            # by id: python-docx's lookup by name scans every style for each paragraph
            p._p.get_or_add_pPr().get_or_add_pStyle().val = self.style_ids[style]
        pf = p.paragraph_format
        if align is not None:
            pf.alignment = align
        if first_indent:
            pf.first_line_indent = Mm(self.layout.first_line_indent_mm)
        if space_before is not None:
            pf.space_before = Pt(space_before)
        if space_after is not None:
            pf.space_after = Pt(space_after)
        if keep_next:
            pf.keep_with_next = True
        for r in parse_inline(text, bold, italic):
            chunk = r.text.upper() if upper else r.text
            lines = chunk.split("\n")
            for j, line in enumerate(lines):
                run = p.add_run(line)
                if r.bold:
                    run.bold = True
                if r.italic:
                    run.italic = True
                if size is not None:
                    run.font.size = Pt(size)
                if j < len(lines) - 1:
                    run.add_break()
        return p

    def rule(self, container, length_pt: float, avail_pt: float, *, space_after: float = 0) -> None:
        """A solid horizontal rule ``length_pt`` long, centred in ``avail_pt``: an empty 1-pt paragraph
        with a bottom border and equal left and right indents."""
        length_pt = min(length_pt, avail_pt)
        indent = max(0.0, (avail_pt - length_pt) / 2)
        p = container.add_paragraph()
        ppr = p._p.get_or_add_pPr()
        ppr.get_or_add_pStyle().val = self.style_ids["Chiso Compact"]
        bdr = _el("pBdr")
        bdr.append(_el("bottom", val="single", sz=6, space=1, color="000000"))
        _put(ppr, bdr, _PPR_ORDER)
        pf = p.paragraph_format
        pf.left_indent = Pt(indent)
        pf.right_indent = Pt(indent)
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(1)
        pf.space_before = Pt(2)
        pf.space_after = Pt(space_after)
        mark = _el("rPr")
        mark.append(_el("sz", val=2))
        _put(ppr, mark, _PPR_ORDER)

    # --- tables --------------------------------------------------------------------------------

    def table(self, widths_mm: list[float], rows: int, *, borders: bool, cell_margin_mm: float = 0):
        """A fixed-layout table with exact column widths, all borders or none."""
        t = self.d.add_table(rows=rows, cols=len(widths_mm))
        tbl = t._tbl
        tblpr = tbl.tblPr
        total = sum(widths_mm)
        _put(tblpr, _el("tblW", w=_twips(total), type="dxa"), _TBLPR_ORDER)
        _put(tblpr, _el("tblInd", w=0, type="dxa"), _TBLPR_ORDER)
        border_el = _el("tblBorders")
        for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
            if borders:
                border_el.append(_el(side, val="single", sz=4, space=0, color="000000"))
            else:
                border_el.append(_el(side, val="nil"))
        _put(tblpr, border_el, _TBLPR_ORDER)
        _put(tblpr, _el("tblLayout", type="fixed"), _TBLPR_ORDER)
        mar = _el("tblCellMar")
        for side in ("top", "left", "bottom", "right"):  # schema order
            mar.append(_el(side, w=_twips(cell_margin_mm) if side in ("left", "right") else 0, type="dxa"))
        _put(tblpr, mar, _TBLPR_ORDER)
        for grid_col, w in zip(tbl.tblGrid.gridCol_lst, widths_mm, strict=True):
            grid_col.set(qn("w:w"), str(_twips(w)))
        for tr in tbl.tr_lst:
            for tc, w in zip(tr.tc_lst, widths_mm, strict=True):
                tc.get_or_add_tcPr().get_or_add_tcW().set(qn("w:w"), str(_twips(w)))
                tc.tcPr.tcW.set(qn("w:type"), "dxa")
        return t

    @staticmethod
    def cells(t, row: int) -> list[_Cell]:
        tr = t._tbl.tr_lst[row]
        return [_Cell(tc, t) for tc in tr.tc_lst]

    @staticmethod
    def row_flags(t, row: int, *, header: bool = False, cant_split: bool = False) -> None:
        trpr = t._tbl.tr_lst[row].get_or_add_trPr()
        if cant_split:
            _put(trpr, _el("cantSplit"), _TRPR_ORDER)
        if header:
            _put(trpr, _el("tblHeader"), _TRPR_ORDER)

    # --- document parts ------------------------------------------------------------------------

    def header_block(self) -> None:
        lay, doc = self.layout, self.doc
        left, right = lay.header_columns_mm()
        t = self.table([left, right], 2, borders=False, cell_margin_mm=0.5)
        (l1, r1), (l2, r2) = self.cells(t, 0), self.cells(t, 1)
        left_pt, right_pt = (left - 1) * MM_PT, (right - 1) * MM_PT
        center = WD_ALIGN_PARAGRAPH.CENTER
        first = True
        widest = 0.0
        if doc.parent_body.strip():
            for line in balanced_lines(nfc(doc.parent_body).upper(), lay.parent_body_size, left_pt):
                self.para(l1, line, size=lay.parent_body_size, style="Chiso Compact", reuse=first)
                first = False
        issuer_lines = balanced_lines(nfc(doc.issuer).upper(), lay.issuer_size, left_pt, bold=True)
        for line in issuer_lines:
            self.para(l1, line, size=lay.issuer_size, bold=True, style="Chiso Compact", reuse=first)
            first = False
            widest = max(widest, text_width(line, lay.issuer_size, True))
        if issuer_lines:
            self.rule(l1, widest * lay.issuer_rule_ratio, left_pt)

        self.para(
            r1, lay.motto_line1, size=lay.motto_line1_size, bold=True, style="Chiso Compact", reuse=True
        )
        self.para(r1, lay.motto_line2, size=lay.motto_line2_size, bold=True, style="Chiso Compact")
        self.rule(r1, text_width(nfc(lay.motto_line2), lay.motto_line2_size, True), right_pt)

        self.para(
            l2,
            doc.number_text(lay.number_label),
            size=lay.number_size,
            style="Chiso Compact",
            space_before=6,
            reuse=True,
        )
        if doc.subject.strip():
            self.para(l2, doc.subject, size=lay.subject_size, style="Chiso Compact", space_before=4)
        self.para(
            r2,
            doc.place_date_text(),
            size=lay.place_date_size,
            italic=True,
            style="Chiso Compact",
            space_before=6,
            align=center,
            reuse=True,
        )

    def title_block(self) -> None:
        lay, doc = self.layout, self.doc
        center = WD_ALIGN_PARAGRAPH.CENTER
        if doc.kind_label.strip():
            self.para(
                self.d,
                doc.kind_label,
                size=lay.kind_label_size,
                bold=True,
                upper=True,
                style="Chiso Compact",
                align=center,
                space_before=18,
                keep_next=True,
            )
        if doc.title.strip():
            self.para(
                self.d,
                doc.title,
                size=lay.title_size,
                bold=True,
                style="Chiso Compact",
                align=center,
                space_before=0 if doc.kind_label.strip() else 18,
                keep_next=True,
            )
            avail = self.width_mm * MM_PT
            longest = min(text_width(nfc(doc.title), lay.title_size, True), avail)
            self.rule(self.d, longest * lay.title_rule_ratio, avail, space_after=12)
        elif doc.kind_label.strip():
            self.para(self.d, "", style="Chiso Compact", space_after=6)
        salutation = doc.salutation_text(lay.salutation_label)
        if salutation:
            lines = [x.strip() for x in salutation.split("\n") if x.strip()]
            top = 18 if not doc.title.strip() else 0
            if len(lines) == 1:
                self.para(
                    self.d,
                    lines[0],
                    size=lay.salutation_size,
                    style="Chiso Compact",
                    align=WD_ALIGN_PARAGRAPH.CENTER,
                    space_before=top,
                    space_after=12,
                )
                return
            # "Kính gửi:" from the salutation indent, the addressees one per line aligned after it
            label_indent, list_indent = salutation_indents(lines[0], lay.salutation_size)
            for i, line in enumerate(lines):
                p = self.para(
                    self.d,
                    line,
                    size=lay.salutation_size,
                    style="Chiso Compact",
                    align=WD_ALIGN_PARAGRAPH.LEFT,
                    space_before=top if i == 0 else 0,
                    space_after=12 if i == len(lines) - 1 else 0,
                )
                p.paragraph_format.left_indent = Pt(label_indent if i == 0 else list_indent)

    def blocks(self, blocks) -> None:
        for b in blocks:
            if isinstance(b, Heading):
                level = max(1, min(3, b.level))
                self.para(
                    self.d,
                    b.text,
                    bold=True,
                    italic=level == 3,
                    upper=level == 1,
                    first_indent=True,
                    keep_next=True,
                )
            elif isinstance(b, Paragraph):
                self.para(
                    self.d,
                    b.text,
                    bold=b.bold,
                    italic=b.italic,
                    first_indent=b.indent_first,
                    align=_ALIGN.get(b.align),
                )
            elif isinstance(b, Table):
                self.data_table(b)
            elif isinstance(b, PageBreak):
                self.d.add_page_break()
            else:  # pragma: no cover - the Block union is closed
                raise TypeError(f"unknown block {b!r}")

    def data_table(self, b: Table) -> None:
        lay = self.layout
        n = len(b.columns)
        rel = list(b.widths) if b.widths and len(b.widths) == n else [1.0] * n
        total = sum(rel) or 1.0
        widths = [self.width_mm * w / total for w in rel]
        if b.caption.strip():
            self.para(
                self.d,
                b.caption,
                bold=True,
                align=WD_ALIGN_PARAGRAPH.CENTER,
                space_before=6,
                space_after=6,
                keep_next=True,
            )
        t = self.table(widths, 1 + len(b.rows), borders=True, cell_margin_mm=1.2)
        center, right, left = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT, WD_ALIGN_PARAGRAPH.LEFT
        self.row_flags(t, 0, header=True, cant_split=True)
        for cell, text in zip(self.cells(t, 0), b.columns, strict=True):
            self.para(cell, text, bold=True, style="Chiso Table Text", align=center, reuse=True)
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        trs = t._tbl.tr_lst
        for i, row in enumerate(b.rows, start=1):
            self.row_flags(t, i, cant_split=True)
            tr = trs[i]
            if len(row) == 1 and n > 1:  # group row across the table
                tcs = tr.tc_lst
                for tc in tcs[1:]:
                    tr.remove(tc)
                tcpr = tcs[0].get_or_add_tcPr()
                tcpr.get_or_add_tcW().set(qn("w:w"), str(_twips(sum(widths))))
                _put(tcpr, _el("gridSpan", val=n), _TCPR_ORDER)
                self.para(_Cell(tcs[0], t), row[0], bold=True, style="Chiso Table Text", reuse=True)
                continue
            for j, cell in enumerate(self.cells(t, i)):
                text = row[j] if j < len(row) else ""
                align = right if j in b.number_columns else left
                self.para(cell, str(text), style="Chiso Table Text", align=align, reuse=True)
        # a little room after the table
        self.para(self.d, "", style="Chiso Compact", space_after=lay.paragraph_spacing_pt)

    def signature_block(self) -> None:
        lay, doc = self.layout, self.doc
        left, right = lay.header_columns_mm()
        t = self.table([left, right], 1, borders=False, cell_margin_mm=0.5)
        self.row_flags(t, 0, cant_split=True)
        lcell, rcell = self.cells(t, 0)
        lines = doc.recipient_lines()
        if lines:
            self.para(
                lcell,
                lay.recipients_label,
                size=lay.recipients_label_size,
                bold=True,
                italic=True,
                style="Chiso Compact",
                align=WD_ALIGN_PARAGRAPH.LEFT,
                space_before=6,
                reuse=True,
            )
            for line in lines:
                self.para(
                    lcell,
                    line,
                    size=lay.recipients_size,
                    style="Chiso Compact",
                    align=WD_ALIGN_PARAGRAPH.LEFT,
                )
        signer = doc.signer
        first = True
        for line in [x for x in nfc(signer.authority).split("\n") if x.strip()] + [
            x for x in nfc(signer.title).split("\n") if x.strip()
        ]:
            self.para(
                rcell,
                line.strip(),
                size=lay.signer_size,
                bold=True,
                upper=True,
                style="Chiso Compact",
                space_before=6 if first else 0,
                reuse=first,
            )
            first = False
        for _ in range(lay.signature_blank_lines):
            self.para(rcell, "", size=lay.signer_size, style="Chiso Compact", reuse=first)
            first = False
        if signer.name.strip():
            self.para(rcell, signer.name, size=lay.signer_name_size, bold=True, style="Chiso Compact")

    def appendix(self, app: Appendix) -> None:
        lay = self.layout
        sec = self.d.add_section(WD_SECTION.NEW_PAGE)
        self._page(sec, landscape=app.landscape)

        def heading(text: str, size: float, **emphasis: bool) -> None:
            self.para(
                self.d,
                text,
                size=size,
                style="Chiso Compact",
                align=WD_ALIGN_PARAGRAPH.CENTER,
                keep_next=True,
                **emphasis,
            )

        heading(app.label, lay.appendix_label_size, bold=True)
        if app.title.strip():
            heading(app.title, lay.appendix_title_size, bold=True, upper=True)
        if app.subtitle.strip():
            heading(app.subtitle, lay.body_size, italic=True)
        avail = self.width_mm * MM_PT
        self.rule(self.d, min(text_width(nfc(app.title), lay.appendix_title_size, True), avail) * 0.4, avail)
        self.para(self.d, "", style="Chiso Compact", space_after=6)
        self.blocks(app.blocks)

    def render(self) -> bytes:
        self.setup()
        if self.doc.draft_mark.strip():
            self.para(
                self.d,
                self.doc.draft_mark.strip(),
                size=self.layout.number_size,
                bold=True,
                upper=True,
                align=WD_ALIGN_PARAGRAPH.RIGHT,
                style="Chiso Compact",
                space_after=4,
            )
        self.header_block()
        self.title_block()
        self.blocks(self.doc.blocks)
        # the signature and "Nơi nhận" never open a page on their own: the last body paragraph goes
        # with them (its row cannot split either)
        if self.d.paragraphs and self.doc.blocks:
            last = self.d.element.body[-1]
            if last.tag == qn("w:p"):
                self.d.paragraphs[-1].paragraph_format.keep_with_next = True
                self.d.paragraphs[-1].paragraph_format.keep_together = True
        self.signature_block()
        for app in self.doc.appendices:
            self.appendix(app)
        self.page_numbers()
        buf = io.BytesIO()
        self.d.save(buf)
        return buf.getvalue()


def render_docx(doc: OfficialDocument, layout: Layout) -> bytes:
    """The document as DOCX bytes."""
    return _Writer(doc, layout).render()
