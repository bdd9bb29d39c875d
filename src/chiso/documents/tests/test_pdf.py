"""The PDF of the same 100-task plan, read back with poppler: the text reads right with all its
diacritics (pdftotext); the font is embedded; pages are A4, the appendix pages landscape, each with
the task table's header row again, and all 100 tasks are there; page numbers start on page 2 and again
on the appendix's second page; page 1 rendered at 50 dpi has A4 proportions, is not blank and has ink
in both halves of the header band (issuer on the left, national motto on the right); the province's
left margin moves the text."""

from __future__ import annotations

import io
import re
import subprocess
import unicodedata

import pytest
from PIL import Image, ImageStat

from chiso.documents.model import OfficialDocument, Paragraph, Signer, load_layout
from chiso.documents.pdf_render import render_pdf
from chiso.documents.samples import PLAN_TITLE

from .conftest import need_tool


def flat(text: str) -> str:
    return " ".join(text.split())


def pdftotext(pdf: bytes, *args: str) -> str:
    tool = need_tool("pdftotext")
    return subprocess.run([tool, *args, "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def page_png(pdf: bytes, page: int = 1, dpi: int = 50) -> Image.Image:
    tool = need_tool("pdftoppm")
    out = subprocess.run(
        [tool, "-r", str(dpi), "-png", "-f", str(page), "-l", str(page), "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout
    return Image.open(io.BytesIO(out)).convert("L")


@pytest.fixture(scope="module")
def text(plan_pdf) -> str:
    return pdftotext(plan_pdf)


@pytest.fixture(scope="module")
def pages(plan_pdf) -> list[str]:
    return pdftotext(plan_pdf, "-raw").split("\f")


def test_is_a_pdf(plan_pdf):
    assert plan_pdf.startswith(b"%PDF-") and plan_pdf.rstrip().endswith(b"%%EOF")


def test_text_reads_right_with_diacritics(text):
    assert unicodedata.is_normalized("NFC", text)
    t = flat(text)
    for expected in (
        "ỦY BAN NHÂN DÂN",
        "TỈNH KON TUM",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 3993/KH-UBND",
        "Kon Tum, ngày 12 tháng 10 năm 2024",
        "KẾ HOẠCH",
        flat(PLAN_TITLE),
        "I. MỤC ĐÍCH, YÊU CẦU",
        "1. Mục đích",
        "II. NHIỆM VỤ, GIẢI PHÁP TRỌNG TÂM",
        "III. KINH PHÍ",
        "IV. TỔ CHỨC THỰC HIỆN",
        "Nơi nhận:",
        "- Thường trực Tỉnh ủy (b/c);",
        "TM. ỦY BAN NHÂN DÂN",
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
        "Nguyễn Văn A",
        "Phụ lục I",
        "(Kèm theo Kế hoạch số 3993/KH-UBND ngày 12/10/2024 của Ủy ban nhân dân tỉnh Kon Tum)",
        # every Vietnamese letter form survives: horn, breve, circumflex, đ, the five tones
        "Phát huy ưu điểm và khắc phục tồn tại, hạn chế",
        "nâng cao chất lượng công tác tham mưu",
        "Chỉ số Hiệu quả quản trị và hành chính công",
    ):
        assert expected in t, expected


def test_embedded_font_and_metadata(plan_pdf):
    assert b"LiberationSerif-Bold" in plan_pdf and b"LiberationSerif-Italic" in plan_pdf
    assert b"FontFile2" in plan_pdf  # TrueType embedded (subset)


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    tool = need_tool("pdfinfo")
    out = subprocess.run(
        [tool, "-f", "1", "-l", "999", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", out)]


def test_a4_portrait_then_landscape_appendix(plan_pdf, pages):
    sizes = page_sizes(plan_pdf)
    assert len(sizes) >= 12
    first_appendix = next(i for i, p in enumerate(pages) if "Phụ lục I\n" in p)
    a4 = (595.28, 841.89)
    for i, (w, h) in enumerate(sizes):
        if i < first_appendix:
            assert (w, h) == pytest.approx(a4, abs=0.1)
        else:
            assert (w, h) == pytest.approx(a4[::-1], abs=0.1)
    assert first_appendix >= 8  # about ten pages of text before the appendix


def test_appendix_header_row_on_every_page_and_all_tasks(plan, pages):
    appendix_pages = [p for p in pages if "Cơ quan chủ trì" in p]
    first = next(i for i, p in enumerate(pages) if "Phụ lục I\n" in p)
    assert len(appendix_pages) == len([p for p in pages[first:] if p.strip()]) >= 3
    body = flat(" ".join(pages[first:]))
    rows = [r for r in plan.appendices[0].blocks[0].rows if len(r) > 1]
    assert len(rows) == 100
    for row in rows:
        assert flat(row[1]) in body, row[1][:60]
    for group in ("Nhiệm vụ cải thiện PAR INDEX", "Nhiệm vụ cải thiện PAPI", "Nhiệm vụ chung"):
        assert group in body


def test_page_numbers(plan_pdf, pages):
    laid_out = pdftotext(plan_pdf, "-layout").split("\f")

    def number_line(page: str) -> str:
        return page.strip().split("\n", 1)[0].strip()

    assert not number_line(laid_out[0]).isdigit()  # none on page 1
    assert number_line(laid_out[1]) == "2" and number_line(laid_out[2]) == "3"
    first = next(i for i, p in enumerate(pages) if "Phụ lục I\n" in p)
    assert number_line(laid_out[first]) == "Phụ lục I"  # none on the appendix's first page
    assert number_line(laid_out[first + 1]) == "2"
    assert number_line(laid_out[first - 1]) == str(first)


def test_page_one_looks_like_an_administrative_document(plan_pdf):
    img = page_png(plan_pdf, 1, dpi=50)
    w, h = img.size
    assert h / w == pytest.approx(297 / 210, rel=0.01)
    dark = img.point(lambda v: 255 if v < 128 else 0)
    assert dark.getbbox() is not None
    ink = ImageStat.Stat(dark).mean[0] / 255
    assert 0.01 < ink < 0.5  # text, not blank and not black
    # header band: between the top margin and about 45 mm down, ink on both halves of the text block
    top, bottom = int(h * 18 / 297), int(h * 45 / 297)
    left_margin, right_edge = int(w * 30 / 210), int(w * 195 / 210)
    mid = left_margin + int((right_edge - left_margin) * 65 / 165)
    left_half = dark.crop((left_margin, top, mid, bottom))
    right_half = dark.crop((mid, top, right_edge, bottom))
    assert left_half.getbbox() is not None, "issuer block missing"
    assert right_half.getbbox() is not None, "national motto missing"
    # nothing printed in the left margin
    assert dark.crop((0, 0, left_margin - 2, h)).getbbox() is None


def leftmost_ink_mm(pdf: bytes) -> float:
    img = page_png(pdf, 1, dpi=100)
    dark = img.point(lambda v: 255 if v < 128 else 0)
    return dark.getbbox()[0] * 25.4 / 100


def test_province_margin_moves_the_text():
    doc = OfficialDocument(
        kind_label="BÁO CÁO",
        issuer="SỞ NỘI VỤ",
        number_symbol="12/BC-SNV",
        place="Kon Tum",
        title="Thử lề",
        blocks=[Paragraph("Nội dung " * 80, indent_first=False)],
        signer=Signer("", "GIÁM ĐỐC", "Lê Văn C"),
    )
    default = leftmost_ink_mm(render_pdf(doc, load_layout()))
    wider = leftmost_ink_mm(render_pdf(doc, load_layout({"margins_mm": {"left": 35}})))
    assert default == pytest.approx(30, abs=0.6)
    assert wider == pytest.approx(35, abs=0.6)


def test_nfd_input_comes_out_nfc():
    nfd = unicodedata.normalize("NFD", "Ủy ban nhân dân tỉnh Kon Tum: cải thiện, nâng cao chỉ số")
    doc = OfficialDocument(
        issuer=nfd,
        place="Kon Tum",
        blocks=[Paragraph(nfd)],
        recipients=[nfd],
        signer=Signer("", "CHỦ TỊCH", "Nguyễn Văn A"),
    )
    t = flat(pdftotext(render_pdf(doc, load_layout())))
    assert "Ủy ban nhân dân tỉnh Kon Tum: cải thiện, nâng cao chỉ số" in t
    assert unicodedata.is_normalized("NFC", t)


def test_letter_and_report(letter, report, layout):
    t = flat(pdftotext(render_pdf(letter, layout)))
    assert "Số: 512/SNV-CCHC" in t and "V/v đôn đốc báo cáo kết quả" in t
    assert "Kính gửi:" in t and "- Các sở, ban, ngành thuộc tỉnh;" in t
    assert "Kon Tum, ngày 05 tháng 6 năm 2025" in t
    assert "KẾ HOẠCH" not in t
    t = flat(pdftotext(render_pdf(report, layout), "-raw"))
    assert "UBND TỈNH KON TUM" in t and "SỞ NỘI VỤ" in t and "BÁO CÁO" in t
    assert re.search(r"Số:\s+/BC-SNV", t)  # the blank number
    assert "KT. GIÁM ĐỐC" in t and "Trần Thị B" in t
