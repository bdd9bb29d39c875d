"""The documents of a round, read back as a user reads them: the decision announcing the results (header of
the province's People's Committee, "Căn cứ …", Điều 1–3, "Nơi nhận", signature, and the ranking appendix in
rank order on a landscape page), with the province's own wording; a unit's score report (totals, rank and
class, by field and by criterion, with what the appraisal changed) showing the unit only what has been handed
to it; the explanation form listing the criteria the appraisal lowered. DOCX through python-docx, PDF through
poppler (text of the first page, a page rendered to an image)."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import unicodedata

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from PIL import Image, ImageStat

from chiso.assessment import documents
from chiso.assessment.services import rounds, sheets
from chiso.documents.services import save_layout
from chiso.documents.tests.conftest import need_tool

from .walk import COMMENT_13, COMMENT_21, EXPLANATION_13, walk


def flat(text: str) -> str:
    return " ".join(text.split())


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            parts.append(" | ".join(dict.fromkeys(c.text for c in row.cells)))
    return "\n".join(parts)


def docx_table(data: bytes, first_heading: str) -> list[list[str]]:
    """The rows (header first) of the DOCX table whose first column is headed ``first_heading``."""
    doc = Document(io.BytesIO(data))
    for t in doc.tables:
        rows = [[c.text for c in row.cells] for row in t.rows]
        if rows and rows[0][0] == first_heading:
            return rows
    raise AssertionError(f"no table headed {first_heading!r}")


def pdftotext(pdf: bytes, *args: str) -> str:
    tool = need_tool("pdftotext")
    return subprocess.run([tool, *args, "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def page_png(pdf: bytes, page: int) -> Image.Image:
    tool = need_tool("pdftoppm")
    out = subprocess.run(
        [tool, "-r", "40", "-png", "-f", str(page), "-l", str(page), "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout
    return Image.open(io.BytesIO(out)).convert("L")


@pytest.fixture
def closed(scene, open_round):
    return walk(scene, open_round, "closed")


# --- the decision ----------------------------------------------------------------------------------


def test_the_decision_reads_like_a_decision_of_the_provincial_committee(closed):
    data = documents.render_decision(closed, "docx")
    text = flat(docx_text(data))
    assert unicodedata.is_normalized("NFC", text)
    for expected in (
        "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Số: /QĐ-UBND",
        "Quảng Ngãi, ngày tháng năm 20",
        "QUYẾT ĐỊNH Công bố Chỉ số cải cách hành chính năm 2025 của các sở, ban, ngành thuộc tỉnh",
        "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;",
        "Theo đề nghị của Giám đốc Sở Nội vụ. QUYẾT ĐỊNH:",
        "Điều 1. Công bố Chỉ số cải cách hành chính năm 2025 của các sở, ban, ngành thuộc tỉnh (chi tiết tại Phụ lục",
        "Có 03 đơn vị được đánh giá: 02 đơn vị xếp loại Tốt, 01 đơn vị xếp loại Khá; đơn vị có Chỉ số cao nhất là "
        "Sở Tư pháp (89,80%), thấp nhất là Sở Y tế (71,80%).",
        "Điều 2. Căn cứ kết quả Chỉ số cải cách hành chính năm 2025, thủ trưởng các sở, ban, ngành thuộc tỉnh",
        "nâng cao Chỉ số trong năm 2026",
        "Điều 3. Quyết định này có hiệu lực kể từ ngày ký. Chánh Văn phòng Ủy ban nhân dân tỉnh, Giám đốc Sở Nội vụ",
        "chịu trách nhiệm thi hành Quyết định này./.",
        "Nơi nhận: - Như Điều 3; - Bộ Nội vụ (b/c);",
        "TM. ỦY BAN NHÂN DÂN CHỦ TỊCH",
        "Phụ lục KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2025 CỦA CÁC SỞ, BAN, NGÀNH THUỘC TỈNH",
        "(Kèm theo Quyết định số /QĐ-UBND ngày tháng năm",
    ):
        assert expected in text, expected
    # the authority that decides, above the legal bases: the committee, since its members sign for it
    assert "thuộc tỉnh ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI Căn cứ" in text
    rows = docx_table(data, "STT")
    assert rows[0] == ["STT", "Cơ quan, đơn vị", "Điểm tự đánh giá", "Điểm thẩm định", "Điểm cuối cùng",
                       "Chỉ số (%)", "Xếp hạng", "Xếp loại"]  # fmt: skip
    assert rows[1:] == [
        ["1", "Sở Tư pháp", "91,8", "87,8", "89,8", "89,80", "1", "Tốt"],
        ["2", "Sở Xây dựng", "81,3", "81,3", "81,3", "81,30", "2", "Tốt"],
        ["3", "Sở Y tế", "71,8", "71,8", "71,8", "71,80", "3", "Khá"],
    ]
    sections = Document(io.BytesIO(data)).sections
    assert sections[0].orientation == WD_ORIENT.PORTRAIT and sections[-1].orientation == WD_ORIENT.LANDSCAPE


def test_the_decision_pdf_has_the_header_title_and_ranking(closed):
    pdf = documents.render_decision(closed, "pdf")
    first = flat(pdftotext(pdf, "-f", "1", "-l", "1"))
    assert unicodedata.is_normalized("NFC", first)
    for expected in ("ỦY BAN NHÂN DÂN", "TỈNH QUẢNG NGÃI", "Độc lập - Tự do - Hạnh phúc", "QUYẾT ĐỊNH",
                     "Công bố Chỉ số cải cách hành chính năm 2025 của các sở, ban, ngành thuộc", "Điều 1.",
                     "Điều 3.", "TM. ỦY BAN NHÂN DÂN"):  # fmt: skip
        assert expected in first, expected
    pages = pdftotext(pdf, "-raw").split("\f")
    appendix = flat(pages[-2] if not pages[-1].strip() else pages[-1])
    assert appendix.index("Sở Tư pháp") < appendix.index("Sở Xây dựng") < appendix.index("Sở Y tế")
    assert "1 Sở Tư pháp 91,8 87,8 89,8 89,80 1 Tốt" in appendix
    cover, last = page_png(pdf, 1), page_png(pdf, len([p for p in pages if p.strip()]))
    assert cover.height > cover.width and last.width > last.height  # A4 portrait, then the landscape appendix
    top = cover.crop((0, 0, cover.width, cover.height // 6))
    left, right = (
        top.crop((0, 0, top.width // 2, top.height)),
        top.crop((top.width // 2, 0, top.width, top.height)),
    )
    assert (
        ImageStat.Stat(left).mean[0] < 250 and ImageStat.Stat(right).mean[0] < 250
    )  # issuer | national motto


def test_the_decision_uses_the_provinces_wording(closed, scene):
    save_layout(
        "decision",
        "wording:\n"
        "  decision_bases:\n"
        "    - Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025\n"
        "    - Căn cứ Quyết định số 2712/QĐ-UBND ngày 31/10/2025 của UBND tỉnh ban hành Bộ chỉ số\n"
        "  decision_recipients: [Như Điều 3, Sở Nội vụ, 'Lưu: VT, NC.']\n"
        "  committee:\n"
        "    decision_symbol: QĐ-CT\n"
        "    signer_authority: KT. CHỦ TỊCH\n"
        "    signer_title: PHÓ CHỦ TỊCH\n",
        province=scene.province,
        user=scene.coordinator,
    )
    text = flat(docx_text(documents.render_decision(closed, "docx")))
    assert "Số: /QĐ-CT" in text
    assert (
        "Căn cứ Quyết định số 2712/QĐ-UBND ngày 31/10/2025 của UBND tỉnh ban hành Bộ chỉ số; Theo đề nghị"
        in text
    )
    # signed by a vice-chairman for the chairman: the chairman decides
    assert "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI Căn cứ" in text
    assert "KT. CHỦ TỊCH PHÓ CHỦ TỊCH" in text and "- Lưu: VT, NC." in text and "Bộ Nội vụ" not in text


def test_a_round_on_the_province_itself_has_no_decision(scene):
    from chiso.assessment.services.rounds import open_round

    rnd = open_round(scene.framework, 2025, scene.province, "province", scene.coordinator)
    with pytest.raises(ValueError):
        documents.decision_document(rnd)


# --- the score report ------------------------------------------------------------------------------


def test_the_score_report_of_a_closed_round(closed, scene):
    sheet = closed.sheets.get(unit=scene.tuphap)
    data = documents.render_score_report(sheet, scene.officer_tp, "docx")
    text = flat(docx_text(data))
    for expected in (
        "UBND TỈNH QUẢNG NGÃI",
        "SỞ TƯ PHÁP",
        "Số: /BC",
        "BÁO CÁO Kết quả đánh giá, chấm điểm Chỉ số cải cách hành chính năm 2025 của Sở Tư pháp",
        "Sở Tư pháp báo cáo kết quả đánh giá, chấm điểm của đơn vị như sau:",
        "- Tổng điểm tự đánh giá: 91,8/100 điểm.",
        "- Điểm thẩm định: 87,8/100 điểm.",
        "- Điểm cuối cùng: 89,8/100 điểm.",
        "- Chỉ số: 89,80% (trên 100 điểm tối đa của các tiêu chí áp dụng với đơn vị).",
        "- Xếp hạng 1/3, xếp loại Tốt.",
        "GIÁM ĐỐC",
    ):
        assert expected in text, expected
    fields = docx_table(data, "TT")
    assert fields[0] == ["TT", "Lĩnh vực", "Điểm tối đa", "Tự đánh giá", "Thẩm định", "Điểm cuối cùng"]
    assert fields[1] == ["1", "Công tác chỉ đạo, điều hành cải cách hành chính", "15", "15", "13", "15"]
    assert fields[-1] == ["", "Tổng điểm", "100", "91,8", "87,8", "89,8"]
    detail = {row[0]: row for row in docx_table(data, "Mã")}
    assert detail["1.3"][2:6] == ["3", "3", "1", "3"]
    assert COMMENT_13 in detail["1.3"][6] and EXPLANATION_13 in detail["1.3"][6]
    assert detail["2.1"][2:6] == ["4", "4", "2", "2"] and COMMENT_21 in detail["2.1"][6]
    assert detail["LV1"][1] == "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CẢI CÁCH HÀNH CHÍNH"
    assert detail["P.1"][2] == "-3"  # a penalty prints its largest deduction
    assert detail[""][1:6] == ["TỔNG ĐIỂM", "100", "91,8", "87,8", "89,8"]


def test_the_unit_sees_the_appraisal_only_once_handed_over(scene, open_round):
    rnd = walk(scene, open_round, "appraisal")
    sheet = rnd.sheets.get(unit=scene.tuphap)
    unit_view = flat(docx_text(documents.render_score_report(sheet, scene.officer_tp, "docx")))
    assert "Tổng điểm tự đánh giá: 91,8/100 điểm" in unit_view
    assert "Điểm thẩm định" not in unit_view and COMMENT_13 not in unit_view and "Xếp hạng" not in unit_view
    coordinator_view = flat(docx_text(documents.render_score_report(sheet, scene.coordinator, "docx")))
    assert "Điểm thẩm định: 87,8/100 điểm" in coordinator_view and COMMENT_13 in coordinator_view
    assert "Xếp hạng 1/3, xếp loại Tốt (tạm tính, chưa công bố)" in coordinator_view
    rnd = rounds.advance(rnd, scene.coordinator)  # to explanation
    sheet.refresh_from_db()
    unit_view = flat(docx_text(documents.render_score_report(sheet, scene.officer_tp, "docx")))
    assert "Điểm thẩm định: 87,8/100 điểm" in unit_view and COMMENT_13 in unit_view
    assert "Điểm cuối cùng" not in unit_view and "Xếp hạng" not in unit_view


# --- the explanation form --------------------------------------------------------------------------


def test_the_explanation_form_lists_the_lowered_criteria(scene, open_round):
    rnd = walk(scene, open_round, "explanation")
    sheet = rnd.sheets.get(unit=scene.tuphap)
    data = documents.render_explanation(sheet, "docx")
    text = flat(docx_text(data))
    for expected in (
        "SỞ TƯ PHÁP",
        "Số:",
        "V/v giải trình kết quả thẩm định Chỉ số cải cách hành chính năm 2025",
        "Kính gửi: Sở Nội vụ.",
        "Sở Tư pháp giải trình đối với các tiêu chí có điểm thẩm định thấp hơn điểm tự đánh giá như sau:",
        "trước ngày 10/02/2026.",
        "Sở Tư pháp kính đề nghị Sở Nội vụ xem xét, thẩm định lại./.",
        "Nơi nhận: - Như trên; - Lưu: VT.",
    ):
        assert expected in text, expected
    rows = docx_table(data, "TT")
    assert rows[0] == ["TT", "Tiêu chí", "Điểm tối đa", "Tự đánh giá", "Thẩm định", "Ý kiến thẩm định",
                       "Nội dung giải trình của đơn vị"]  # fmt: skip
    assert [r[:6] for r in rows[1:]] == [
        ["1", "1.3. Kiểm tra công tác CCHC đối với các phòng, đơn vị trực thuộc", "3", "3", "1", COMMENT_13],
        ["2", "2.1. Tham mưu xây dựng, ban hành văn bản quy phạm pháp luật thuộc lĩnh vực quản lý", "4", "4", "2",
         COMMENT_21],
    ]  # fmt: skip
    assert [r[6].strip() for r in rows[1:]] == ["", ""]  # room to write by hand
    sheets.save(
        sheet, scene.officer_tp, "explanation", {"1.3": {"note": EXPLANATION_13}}, today=dt.date(2026, 2, 5)
    )
    rows = docx_table(documents.render_explanation(sheet, "docx"), "TT")
    assert rows[1][6] == EXPLANATION_13 and rows[2][6].strip() == ""
    # a unit whose scores the appraisal kept
    other = flat(docx_text(documents.render_explanation(rnd.sheets.get(unit=scene.yte), "docx")))
    assert "Không có tiêu chí nào có điểm thẩm định thấp hơn điểm tự đánh giá." in other


def test_the_explanation_form_pdf(scene, open_round):
    rnd = walk(scene, open_round, "explanation")
    pdf = documents.render_explanation(rnd.sheets.get(unit=scene.tuphap), "pdf")
    first = flat(pdftotext(pdf, "-f", "1", "-l", "1"))
    for expected in ("SỞ TƯ PHÁP", "V/v giải trình kết quả thẩm định", "Kính gửi: Sở Nội vụ.", COMMENT_13):
        assert expected in first, expected


def test_a_round_of_communes(scene):
    from chiso.accounts.models import Membership
    from chiso.assessment.services.rounds import open_round
    from chiso.units.models import Unit

    wards = [
        Unit.objects.create(kind="ward", code=f"QNG-X{i}", name=name, subtype="Xã", parent=scene.province)
        for i, name in enumerate(("Đăk Hà", "Ba Tơ"))
    ]
    rnd = open_round(scene.framework, 2025, scene.province, "commune", scene.coordinator, units=wards)
    Membership.objects.create(user=scene.officer_xd, unit=wards[0], role="officer")
    sheets.save(
        rnd.sheets.get(unit=wards[0]),
        scene.officer_xd,
        "self",
        {"1.3": {"score": 2}},
        today=dt.date(2026, 1, 5),
    )
    decision = flat(docx_text(documents.render_decision(rnd, "docx")))
    assert (
        "Công bố Chỉ số cải cách hành chính năm 2025 của Ủy ban nhân dân các xã, phường thuộc tỉnh"
        in decision
    )
    assert "Chủ tịch Ủy ban nhân dân các xã, phường và các cơ quan, đơn vị có liên quan" in decision
    report = flat(
        docx_text(documents.render_score_report(rnd.sheets.get(unit=wards[0]), scene.officer_xd, "docx"))
    )
    assert "ỦY BAN NHÂN DÂN XÃ ĐĂK HÀ" in report and "Đăk Hà, ngày tháng năm 20" in report
    assert (
        "Ủy ban nhân dân xã báo cáo kết quả đánh giá, chấm điểm" in report
        and "TM. ỦY BAN NHÂN DÂN CHỦ TỊCH" in report
    )
