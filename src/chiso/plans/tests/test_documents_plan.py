"""The plan as an official document: the DOCX reads like the seeds' plans, the PDF renders page 1 on A4."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess

import pytest
from docx import Document

from chiso.plans import documents
from chiso.plans.models import Shortcoming

pytestmark = pytest.mark.django_db


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts: list[str] = []

    def walk_tables(tables):
        for t in tables:
            for row in t.rows:
                cells = []
                for cell in row.cells:
                    cells.append(cell.text)
                    walk_tables(cell.tables)
                parts.append(" | ".join(cells))

    parts.extend(p.text for p in doc.paragraphs)
    walk_tables(doc.tables)
    for section in doc.sections:
        parts.extend(p.text for p in section.header.paragraphs)
    return "\n".join(parts)


def flat(text: str) -> str:
    """The text with every run of whitespace as one space (the header block breaks its lines)."""
    return " ".join(text.split())


@pytest.fixture
def full_plan(world, make_plan):
    plan = make_plan(
        status="issued",
        title="Kế hoạch cải thiện, nâng cao Chỉ số PAPI năm 2025",
        purpose="Phát huy ưu điểm, khắc phục hạn chế của Chỉ số PAPI năm 2024.\n\n- Nâng cao trách nhiệm người đứng đầu.",
        requirements="Triển khai đồng bộ ở các cấp chính quyền.",
        body="Sở Nội vụ chủ trì theo dõi, đôn đốc việc thực hiện Kế hoạch.",
        report_deadlines=["2025-06-15", "2025-12-15"],
        recipients=["Thường trực Tỉnh ủy (b/c)", "Các sở, ban, ngành"],
        signer_name="Nguyễn Văn A",
        tasks=[
            dict(
                text="Công khai ngân sách cấp xã tại trụ sở UBND xã",
                nodes=["D2", "D2.3"],
                lead_unit=world.xa1,
                coordinating=[world.noivu],
                product="Báo cáo công khai",
                deadline=dt.date(2025, 9, 30),
            ),
            dict(
                text="Rà soát, đơn giản hóa thủ tục hành chính",
                nodes=["D5"],
                lead_unit=world.tuphap,
                deadline=dt.date(2025, 6, 30),
            ),
            dict(
                text="Tuyên truyền kết quả Chỉ số PAPI",
                index="",
                lead_unit=world.noivu,
                recurrence="quarterly",
                first_due=dt.date(2025, 3, 31),
            ),
        ],
        targets=[
            dict(
                index="papi",
                kind="places",
                value="5",
                label="Phấn đấu Chỉ số PAPI năm 2025 tăng tối thiểu 05 bậc (từ 38/61 lên 33/61)",
            ),
            dict(
                index="papi",
                node_code="D2",
                node_name="Công khai, minh bạch",
                kind="score",
                value="6",
                label="Phấn đấu nội dung Công khai, minh bạch (Chỉ số PAPI) năm 2025 đạt tối thiểu 6 điểm "
                "(năm 2024 đạt 5,43/10 điểm, xếp hạng 26/61)",
            ),
        ],
    )
    s = Shortcoming.objects.create(
        plan=plan,
        index="papi",
        node_code="D2.3",
        node_name="Công khai, minh bạch ngân sách cấp xã",
        achieved=1.325,
        maximum=2.5,
        lost=1.175,
        order=1,
    )
    s.responsible_units.set([world.xa1])
    return plan


def test_plan_docx_reads_like_the_seeds(full_plan):
    text = flat(docx_text(documents.render_plan(full_plan, "docx")))
    # Header block: issuer, national motto, number, place and date.
    assert "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "Số: 123/KH-UBND" in text
    assert "Quảng Ngãi, ngày 15 tháng 3 năm 2025" in text
    assert "KẾ HOẠCH" in text
    assert "Cải thiện, nâng cao Chỉ số PAPI năm 2025" in text
    # Sections I–IV in order.
    positions = [
        text.index(h)
        for h in ("I. MỤC ĐÍCH, YÊU CẦU", "II. MỤC TIÊU", "III. NHIỆM VỤ, GIẢI PHÁP", "IV. TỔ CHỨC THỰC HIỆN")
    ]
    assert positions == sorted(positions)
    assert "1. Mục đích" in text and "2. Yêu cầu" in text
    assert "- Nâng cao trách nhiệm người đứng đầu." in text
    assert "tăng tối thiểu 05 bậc (từ 38/61 lên 33/61)" in text
    assert "năm 2024 đạt 5,43/10 điểm, xếp hạng 26/61" in text
    # Tasks are written once, in the appendix table (the default layout); section III names the
    # contents they improve and points to the table.
    assert "tập trung vào các nội dung: “Công khai, minh bạch trong việc ra quyết định ở địa phương”" in text
    assert "tại Phụ lục I kèm theo Kế hoạch này" in text
    assert text.count("Công khai ngân sách cấp xã tại trụ sở UBND xã") == 1
    assert "Cơ quan chủ trì: Xã Đăk Hà" not in text
    # Section IV is numbered, and says when to report exactly once.
    assert "1. Trách nhiệm thực hiện" in text and "2. Chế độ báo cáo" in text
    assert "- Sở Nội vụ chủ trì theo dõi, đôn đốc việc thực hiện Kế hoạch." in text
    assert (
        "báo cáo kết quả thực hiện Kế hoạch này về Sở Nội vụ trước ngày 15/06/2025 và ngày 15/12/2025" in text
    )
    # Recipients and signature.
    assert "Nơi nhận:" in text
    assert "Thường trực Tỉnh ủy (b/c);" in text
    assert "Lưu: VT." in text
    assert "TM. ỦY BAN NHÂN DÂN" in text and "CHỦ TỊCH" in text and "Nguyễn Văn A" in text
    # Appendix I: the tasks table; appendix II: the points lost.
    assert "Phụ lục I" in text and "DANH MỤC NHIỆM VỤ" in text
    assert (
        "(Kèm theo Kế hoạch số 123/KH-UBND ngày 15 tháng 3 năm 2025 của Ủy ban nhân dân tỉnh Quảng Ngãi)"
        in text
    )
    assert "STT | Nhiệm vụ | Cơ quan chủ trì | Cơ quan phối hợp | Sản phẩm | Thời hạn hoàn thành" in text
    assert (
        "Công khai ngân sách cấp xã tại trụ sở UBND xã | Xã Đăk Hà | Sở Nội vụ | Báo cáo công khai | 30/09/2025"
        in text
    )
    assert "Rà soát, đơn giản hóa thủ tục hành chính | Sở Tư pháp |" in text
    assert "Phụ lục II" in text and "TỔNG HỢP CÁC NỘI DUNG BỊ MẤT ĐIỂM" in text
    assert "STT | Nội dung | Điểm đạt/tối đa | Điểm bị mất | Đơn vị chịu trách nhiệm" in text
    assert "Công khai, minh bạch ngân sách cấp xã | 1,33/2,5 | 1,18 | Xã Đăk Hà" in text


def test_draft_plan_leaves_number_and_date_blank(make_plan):
    plan = make_plan(status="draft")
    text = docx_text(documents.render_plan(plan, "docx"))
    assert "/KH-UBND" in text and "Số: 123" not in text
    assert "Quảng Ngãi, ngày" in text
    assert "III. NHIỆM VỤ, GIẢI PHÁP" in text


def test_department_plan_prints_its_superior(world, make_plan):
    plan = make_plan(
        status="issued",
        issuing_unit=world.tuphap,
        symbol="KH-STP",
        signer_authority="KT. GIÁM ĐỐC",
        signer_title="PHÓ GIÁM ĐỐC",
    )
    doc = documents.plan_document(plan)
    assert doc.parent_body == "UBND TỈNH QUẢNG NGÃI"
    assert doc.issuer == "SỞ TƯ PHÁP"
    assert doc.number_symbol == "123/KH-STP"
    commune = make_plan(status="issued", issuing_unit=world.xa1, symbol="KH-UBND")
    assert documents.plan_document(commune).issuer == "ỦY BAN NHÂN DÂN XÃ ĐĂK HÀ"


def test_user_markup_in_task_text_is_printed_as_written(world, make_plan):
    plan = make_plan(status="issued", tasks=[dict(text="Giảm 5*3 thủ tục **rườm rà**", lead_unit=world.yte)])
    text = docx_text(documents.render_plan(plan, "docx"))
    assert "Giảm 5*3 thủ tục **rườm rà**" in text


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils missing")
def test_plan_pdf_reads_right_and_renders_on_a4(full_plan, tmp_path):
    data = documents.render_plan(full_plan, "pdf")
    assert data.startswith(b"%PDF")
    pdf = tmp_path / "ke-hoach.pdf"
    pdf.write_bytes(data)
    text = flat(
        subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    )
    assert "Cải thiện, nâng cao Chỉ số PAPI năm 2025" in text
    assert "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI" in text
    assert "Quảng Ngãi, ngày 15 tháng 3 năm 2025" in text
    assert "DANH MỤC NHIỆM VỤ" in text
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")], check=True
    )
    png = next(tmp_path.glob("p*.png"))
    from PIL import Image

    with Image.open(png) as img:
        w, h = img.size
        assert abs(h / w - 297 / 210) < 0.01  # portrait A4
        gray = img.convert("L")
        dark = sum(gray.histogram()[:128])
        assert dark > 0.003 * w * h  # text, not a blank page
