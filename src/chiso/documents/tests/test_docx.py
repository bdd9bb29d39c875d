"""The DOCX of a 100-task Kon Tum plan is laid out as Nghị định 30/2020 requires, read back with
python-docx: A4 and the layout's margins; Times New Roman named for every script (Word substitutes
nothing) at the layout's sizes; the borderless header block with the national motto, "Số: …" and the
italic place-date line; the sections; the appendix in a landscape section whose task table repeats its
header row and lists all 100 tasks; "Nơi nhận:" and the signature; page numbers from page 2 with the
appendix numbered on its own. A công văn carries its "V/v" subject under the number; a report without
number or date leaves them blank; a province's layout reaches the file."""

from __future__ import annotations

import io

import docx
import pytest
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from chiso.documents.docx_render import render_docx
from chiso.documents.model import OfficialDocument, Signer, load_layout
from chiso.documents.samples import PLAN_TITLE, TASK_COLUMNS

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def d(plan_docx):
    return docx.Document(io.BytesIO(plan_docx))


def cell_text(cell) -> str:
    return "\n".join(p.text for p in cell.paragraphs)


def runs_with(container, text: str):
    return [r for p in container.paragraphs for r in p.runs if text in r.text]


def test_is_a_docx_file(plan_docx):
    assert plan_docx[:4] == b"PK\x03\x04"


def test_a4_and_margins(d, layout):
    sec = d.sections[0]
    assert sec.orientation == WD_ORIENT.PORTRAIT
    assert sec.page_width.mm == pytest.approx(210, abs=0.1)
    assert sec.page_height.mm == pytest.approx(297, abs=0.1)
    assert sec.top_margin.mm == pytest.approx(20, abs=0.1)
    assert sec.bottom_margin.mm == pytest.approx(20, abs=0.1)
    assert sec.left_margin.mm == pytest.approx(30, abs=0.1)
    assert sec.right_margin.mm == pytest.approx(15, abs=0.1)


def test_times_new_roman_for_every_script(d):
    normal = d.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    assert normal.font.size == Pt(14)
    rfonts = normal.element.rPr.find(qn("w:rFonts"))
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        assert rfonts.get(qn(f"w:{attr}")) == "Times New Roman"
    defaults = d.styles.element.find(qn("w:docDefaults")).find(f"{W}rPrDefault/{W}rPr/{W}rFonts")
    assert defaults.get(qn("w:asciiTheme")) is None  # theme fonts would override the names
    assert defaults.get(qn("w:ascii")) == "Times New Roman"
    assert normal.element.rPr.find(qn("w:lang")).get(qn("w:val")) == "vi-VN"
    assert normal.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert normal.paragraph_format.space_after == Pt(6)


def test_header_block(d):
    header = d.tables[0]
    assert len(header.columns) == 2
    left, right = cell_text(header.cell(0, 0)), cell_text(header.cell(0, 1))
    assert left == "ỦY BAN NHÂN DÂN\nTỈNH KON TUM\n"  # balanced over two lines, then the rule
    assert right.startswith("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc")
    assert cell_text(header.cell(1, 0)) == "Số: 3993/KH-UBND"
    assert cell_text(header.cell(1, 1)) == "Kon Tum, ngày 12 tháng 10 năm 2024"
    # sizes and styles of the decree
    (issuer,) = runs_with(header.cell(0, 0), "ỦY BAN NHÂN DÂN")
    assert issuer.bold and issuer.font.size == Pt(13)
    (motto1,) = runs_with(header.cell(0, 1), "CỘNG HÒA")
    (motto2,) = runs_with(header.cell(0, 1), "Độc lập")
    assert motto1.bold and motto1.font.size == Pt(13)
    assert motto2.bold and motto2.font.size == Pt(14)
    (date,) = runs_with(header.cell(1, 1), "Kon Tum")
    assert date.italic and date.font.size == Pt(14)
    (number,) = runs_with(header.cell(1, 0), "Số:")
    assert number.font.size == Pt(13) and not number.bold
    # borderless, and the rules under the issuer and the motto are paragraph borders
    borders = header._tbl.tblPr.find(qn("w:tblBorders"))
    assert {b.get(qn("w:val")) for b in borders} == {"nil"}
    rules = [
        p
        for cell in (header.cell(0, 0), header.cell(0, 1))
        for p in cell.paragraphs
        if p._p.pPr is not None and p._p.pPr.find(qn("w:pBdr")) is not None
    ]
    assert len(rules) == 2


def test_kind_label_title_and_sections(d):
    texts = [p.text for p in d.paragraphs]
    i = texts.index("KẾ HOẠCH")
    assert texts[i + 1] == PLAN_TITLE
    kind = d.paragraphs[i]
    assert kind.alignment == WD_ALIGN_PARAGRAPH.CENTER and all(r.bold for r in kind.runs)
    assert all(r.bold for r in d.paragraphs[i + 1].runs)
    for heading in (
        "I. MỤC ĐÍCH, YÊU CẦU",
        "II. NHIỆM VỤ, GIẢI PHÁP TRỌNG TÂM",
        "III. KINH PHÍ",
        "IV. TỔ CHỨC THỰC HIỆN",
    ):
        p = d.paragraphs[texts.index(heading)]
        assert all(r.bold for r in p.runs) and p.paragraph_format.keep_with_next
    assert "1. Mục đích" in texts and "2. Yêu cầu" in texts
    body = next(p for p in d.paragraphs if p.text.startswith("Phát huy ưu điểm và khắc phục"))
    assert body.paragraph_format.first_line_indent.mm == pytest.approx(10, abs=0.05)
    # **bold** of the text is bold in the file
    results = next(p for p in d.paragraphs if p.text.startswith("Kết quả năm 2023"))
    assert [r.text for r in results.runs if r.bold] == ["86,14 điểm", "82,10%", "39,9613 điểm"]


def test_appendix_landscape_section_with_all_tasks(d, plan):
    assert len(d.sections) == 2
    sec = d.sections[1]
    assert sec.orientation == WD_ORIENT.LANDSCAPE
    assert sec.page_width.mm == pytest.approx(297, abs=0.1) and sec.page_height.mm == pytest.approx(
        210, abs=0.1
    )
    assert sec.left_margin.mm == pytest.approx(30, abs=0.1)
    table = d.tables[-1]
    header = table.rows[0]
    assert [c.text for c in header.cells] == TASK_COLUMNS
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated on every page
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))
    assert {b.get(qn("w:val")) for b in borders} == {"single"}
    expected = plan.appendices[0].blocks[0].rows
    assert len(table.rows) == 1 + len(expected)
    numbered = []
    for tr, row in zip(table._tbl.tr_lst[1:], expected, strict=True):
        texts = ["".join(t.text for t in tc.iter(qn("w:t"))) for tc in tr.tc_lst]
        if len(row) == 1:  # group row spanning the table
            assert texts == row
            assert tr.tc_lst[0].tcPr.find(qn("w:gridSpan")).get(qn("w:val")) == str(len(TASK_COLUMNS))
            continue
        assert texts == row
        numbered.append(int(texts[0]))
        jc = tr.tc_lst[0].find(f"{W}p/{W}pPr/{W}jc")
        assert jc.get(qn("w:val")) == "right"  # the number column
    assert numbered == list(range(1, 101))
    # the appendix heading
    texts = [p.text for p in d.paragraphs]
    assert "Phụ lục I" in texts
    assert any(t.startswith("DANH MỤC NHIỆM VỤ CẢI THIỆN") for t in texts)
    assert "(Kèm theo Kế hoạch số 3993/KH-UBND ngày 12/10/2024 của Ủy ban nhân dân tỉnh Kon Tum)" in texts


def test_table_text_size(d):
    style = d.styles["Chiso Table Text"]
    assert style.font.size == Pt(12)


def test_recipients_and_signature(d):
    sig = d.tables[-2]
    left, right = cell_text(sig.cell(0, 0)).split("\n"), cell_text(sig.cell(0, 1)).split("\n")
    assert left[0] == "Nơi nhận:"
    assert left[1] == "- Thường trực Tỉnh ủy (b/c);"
    assert left[-1] == "- Lưu: VT, TTPVHCC, HCQT, NC.TTTT, TTHG."
    (label,) = runs_with(sig.cell(0, 0), "Nơi nhận:")
    assert label.bold and label.italic and label.font.size == Pt(12)
    (line,) = runs_with(sig.cell(0, 0), "UBND các huyện")
    assert line.font.size == Pt(11) and not line.bold
    assert right[:3] == ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    assert right[-1] == "Nguyễn Văn A"
    assert right[3:-1] == [""] * 4  # room for the signature and the seal
    (name,) = runs_with(sig.cell(0, 1), "Nguyễn Văn A")
    assert name.bold and name.font.size == Pt(14)
    (authority,) = runs_with(sig.cell(0, 1), "TM. ỦY BAN")
    assert authority.bold


def test_page_numbers_from_page_two_and_per_appendix(d):
    first, appendix = d.sections
    assert first.different_first_page_header_footer and appendix.different_first_page_header_footer
    instr = "".join(t.text for t in first.header._element.iter(qn("w:instrText")))
    assert instr.strip() == "PAGE"
    assert first.first_page_header.is_linked_to_previous or not first.first_page_header.paragraphs[0].text
    pg = appendix._sectPr.find(qn("w:pgNumType"))
    assert pg is not None and pg.get(qn("w:start")) == "1"


def test_letter_subject_salutation_and_no_kind_label(letter, layout):
    d = docx.Document(io.BytesIO(render_docx(letter, layout)))
    header = d.tables[0]
    assert cell_text(header.cell(0, 0)).startswith("UBND TỈNH KON TUM\nSỞ NỘI VỤ")
    number_cell = cell_text(header.cell(1, 0)).split("\n")
    assert number_cell[0] == "Số: 512/SNV-CCHC"
    assert " ".join(number_cell[1:]).startswith("V/v đôn đốc báo cáo")
    (subject,) = runs_with(header.cell(1, 0), "V/v")
    assert subject.font.size == Pt(12)
    (parent,) = runs_with(header.cell(0, 0), "UBND TỈNH KON TUM")
    assert not parent.bold
    assert cell_text(header.cell(1, 1)) == "Kon Tum, ngày 05 tháng 6 năm 2025"
    texts = [p.text for p in d.paragraphs]
    assert "KẾ HOẠCH" not in texts
    i = texts.index("Kính gửi:")
    assert texts[i + 1 : i + 3] == [
        "- Các sở, ban, ngành thuộc tỉnh;",
        "- Ủy ban nhân dân các huyện, thành phố.",
    ]
    assert d.paragraphs[i + 1].paragraph_format.left_indent > d.paragraphs[i].paragraph_format.left_indent
    assert len(d.sections) == 1


def test_report_without_number_or_date_leaves_blanks(report, layout):
    d = docx.Document(io.BytesIO(render_docx(report, layout)))
    header = d.tables[0]
    assert cell_text(header.cell(1, 0)) == "Số:      /BC-SNV"
    assert cell_text(header.cell(1, 1)).startswith("Kon Tum, ngày      tháng      năm")
    assert d.sections[1].orientation == WD_ORIENT.PORTRAIT  # this appendix asked for portrait


def test_province_layout_reaches_the_file():
    layout = load_layout(
        {
            "margins_mm": {"left": 35, "top": 25},
            "sizes_pt": {"body": 13, "table": 11},
            "texts": {"recipients_label": "Nơi nhận :"},
        }
    )
    doc = OfficialDocument(
        kind_label="BÁO CÁO",
        issuer="SỞ NỘI VỤ",
        number_symbol="1/BC-SNV",
        place="Kon Tum",
        title="Thử",
        recipients=["Lưu: VT"],
        signer=Signer("", "GIÁM ĐỐC", "Lê Văn C"),
    )
    d = docx.Document(io.BytesIO(render_docx(doc, layout)))
    sec = d.sections[0]
    assert sec.left_margin.mm == pytest.approx(35, abs=0.1) and sec.top_margin.mm == pytest.approx(
        25, abs=0.1
    )
    assert d.styles["Normal"].font.size == Pt(13)
    assert d.styles["Chiso Table Text"].font.size == Pt(11)
    assert cell_text(d.tables[0].cell(1, 0)) == "Số: 01/BC-SNV"
    assert cell_text(d.tables[-1].cell(0, 0)).startswith("Nơi nhận :")


def test_vietnamese_text_is_nfc_in_the_file(layout):
    import unicodedata

    nfd = unicodedata.normalize("NFD", "Ủy ban nhân dân tỉnh Kon Tum")
    doc = OfficialDocument(issuer=nfd, place="Kon Tum", blocks=[], signer=Signer("", "CHỦ TỊCH", nfd))
    d = docx.Document(io.BytesIO(render_docx(doc, layout)))
    all_text = "".join(t.text or "" for t in d.element.body.iter(qn("w:t")))
    assert unicodedata.is_normalized("NFC", all_text)
    assert "ỦY BAN NHÂN DÂN TỈNH KON TUM" in all_text.replace("\n", " ") or "ỦY BAN NHÂN DÂN" in all_text
