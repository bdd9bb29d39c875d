"""A provincial plan covering several indices, issued, then implemented by a ward with its own plan — and
that plan's DOCX read as the official who signs it would read it.

The coordinator of Quảng Ngãi drafts from Kon Tum's 2023 results (merged into Quảng Ngãi) one 2025 plan for PAPI, PAR INDEX and SIPAS, gives a
task to Phường Cẩm Thành, names the signer and submits it; the province's leader approves and issues it.
The coordinator derives the ward's plan ("Triển khai"), gives its task to a new office of the ward typed
in the task form, names the ward's chairwoman as signer and submits it; she approves and issues it. The
ward plan's DOCX: the ward as issuing body and place, its chairwoman's signature, the province's plan
cited, the province's targets of each index stated as what the ward contributes to (not as its own), the
ward's office as lead, and the reporting chain (offices → the ward's office → Sở Nội vụ).
"""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import expect
from support import login, signed_in_page

pytestmark = pytest.mark.browser

PROVINCE_NUMBER = "3579"
PROVINCE_DATE = "05/09/2025"
WARD = "Phường Cẩm Thành"
WARD_NUMBER = "27"
WARD_DATE = "22/09/2025"
WARD_SIGNER = "Trần Thị Thu"
OFFICE = "Phòng Kinh tế, Hạ tầng và Đô thị"


def _docx_lines(data: bytes) -> list[str]:
    """Every paragraph of the DOCX, tables included (a cell's paragraphs in order)."""
    import docx

    document = docx.Document(io.BytesIO(data))
    lines: list[str] = []

    def walk(container) -> None:
        lines.extend(p.text for p in container.paragraphs)
        for table in container.tables:
            for row in table.rows:
                for cell in row.cells:
                    walk(cell)

    walk(document)
    return lines


def _take_step(page, button: str, url: str, status: str, number: str = "", date: str = "") -> None:
    form = page.locator("form").filter(has=page.get_by_role("button", name=button))
    if number:
        form.get_by_label("Số văn bản").fill(number)
        form.get_by_label("Ngày ban hành (dd/mm/yyyy)").fill(date)
    form.get_by_role("button", name=button).click()
    page.wait_for_url(re.compile(rf"{url}$"))
    expect(page.locator(".page-actions .status").first).to_have_text(status)


def _name_signer(page, url: str, name: str, deadlines: str = "") -> None:
    page.get_by_role("link", name="Sửa kế hoạch").click()
    page.get_by_label("Người ký", exact=True).fill(name)
    if deadlines:  # a reporting date before the issue date is refused when issuing
        page.get_by_label("Hạn báo cáo (mỗi dòng một ngày dd/mm/yyyy)").fill(deadlines)
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_url(re.compile(rf"{url}$"))


def test_a_ward_implements_a_multi_index_provincial_plan_with_its_own_document(
    page, browser, server, js_errors, tmp_path
):
    # ------------------------------------------------------------------ 1. the provincial plan
    login(page, "coordinator")
    page.goto("/ke-hoach/lap-tu-phan-tich/")
    for index in ("PAPI", "PAR INDEX", "SIPAS"):
        page.get_by_role("checkbox", name=index, exact=True).check()
    unit = page.get_by_label("Kết quả của đơn vị")
    # Kon Tum (merged into Quảng Ngãi in 2025) has published results of all three indices for 2023
    unit.select_option(label="Kon Tum (tỉnh cũ, trước 01/07/2025)")
    page.get_by_label("Năm kết quả").fill("2023")
    page.get_by_label("Năm thực hiện kế hoạch").fill("2025")
    page.get_by_label("Mục tiêu chung").select_option(label="Tăng số bậc")
    page.get_by_label("Giá trị").fill("3")
    page.get_by_role("button", name="Lập dự thảo kế hoạch").click()
    page.wait_for_url(re.compile(r"/ke-hoach/\d+/$"))
    plan_url = re.search(r"/ke-hoach/\d+/$", page.url).group(0)
    expect(page.get_by_role("status")).to_contain_text("Đã lập dự thảo")
    targets = page.locator("section[aria-labelledby='muc-tieu'] tbody tr")
    for code in ("PAPI", "PAR", "SIPAS"):  # a target of each index
        expect(targets.filter(has_text=re.compile(rf"^\s*{code} · "))).not_to_have_count(0)

    # a task for the ward
    rows = page.locator("section[aria-labelledby='nhiem-vu'] table tbody tr")
    task_text = rows.first.locator("td").nth(1).inner_text().strip()
    rows.first.get_by_role("link", name="Sửa").click()
    page.get_by_label("Đơn vị chủ trì").select_option(label=WARD)
    page.get_by_label("Hoặc chủ trì theo cấp").select_option(value="")
    page.get_by_label("Chủ trì (như ghi trong kế hoạch)").fill("")
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_url(re.compile(rf"{plan_url}#nhiem-vu$"))
    expect(rows.filter(has_text=task_text[:60]).locator("td").nth(3)).to_have_text(WARD)

    _name_signer(page, plan_url, "Nguyễn Văn An", deadlines="15/11/2025")
    _take_step(page, "Trình phê duyệt", plan_url, "Đã trình")
    leader = signed_in_page(browser, server, js_errors, "leader")
    leader.goto(plan_url)
    _take_step(leader, "Phê duyệt", plan_url, "Đã phê duyệt")
    _take_step(leader, "Ban hành", plan_url, "Đã ban hành", PROVINCE_NUMBER, PROVINCE_DATE)
    leader.context.close()

    # ------------------------------------------------------------------ 2. the ward's own plan
    page.goto(plan_url)
    page.get_by_role("link", name="Triển khai xuống đơn vị cấp dưới").click()
    page.get_by_label("Đơn vị triển khai").select_option(label=WARD)
    page.get_by_role("button", name="Tạo kế hoạch triển khai").click()
    page.wait_for_url(re.compile(r"/ke-hoach/\d+/$"))
    ward_url = re.search(r"/ke-hoach/\d+/$", page.url).group(0)
    assert ward_url != plan_url
    expect(page.get_by_role("status")).to_contain_text("Đã tạo dự thảo kế hoạch triển khai")
    expect(page.locator(".doc-head")).to_contain_text("PHƯỜNG CẨM THÀNH")
    # its task goes to an office of the ward, added from the task form itself
    # (the task given to the ward, and those given to every commune)
    ward_task = page.locator("section[aria-labelledby='nhiem-vu'] table tbody tr").filter(
        has_text=task_text[:60]
    )
    expect(ward_task).to_have_count(1)
    ward_task.get_by_role("link", name="Sửa").click()
    lead = page.get_by_label("Đơn vị chủ trì")
    expect(lead.locator("option", has_text="Sở Tư pháp")).to_have_count(0)  # only the ward and its offices
    page.get_by_label("Hoặc thêm phòng, ban mới làm đơn vị chủ trì").fill(OFFICE)
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_url(re.compile(rf"{ward_url}#nhiem-vu$"))
    expect(ward_task.locator("td").nth(3)).to_have_text(OFFICE)
    expect(page.locator("section[aria-labelledby='phong-ban']")).to_contain_text(OFFICE)

    _name_signer(page, ward_url, WARD_SIGNER)
    _take_step(page, "Trình phê duyệt", ward_url, "Đã trình")
    chair = signed_in_page(browser, server, js_errors, "leader_camthanh")
    chair.goto(ward_url)
    _take_step(chair, "Phê duyệt", ward_url, "Đã phê duyệt")
    _take_step(chair, "Ban hành", ward_url, "Đã ban hành", WARD_NUMBER, WARD_DATE)

    # ------------------------------------------------------------------ 3. the ward plan's DOCX
    docs = chair.locator("section.plan-documents li").filter(has_text="Kế hoạch (thể thức")
    with chair.expect_download() as info:
        docs.get_by_role("link", name="Tải DOCX").click()
    info.value.save_as(tmp_path / "ward.docx")
    chair.context.close()
    lines = [line.strip() for line in _docx_lines((tmp_path / "ward.docx").read_bytes())]
    text = "\n".join(lines)
    # its own issuing body, number, place and date, signer
    assert "ỦY BAN NHÂN DÂN\nPHƯỜNG CẨM THÀNH" in text.upper()
    assert f"Số: {WARD_NUMBER}/KH-UBND" in text
    assert "Cẩm Thành, ngày 22 tháng 9 năm 2025" in text
    assert "TM. ỦY BAN NHÂN DÂN" in text and WARD_SIGNER in text
    assert "DỰ THẢO" not in text
    # the province's plan cited in the opening
    cite = (
        f"Thực hiện Kế hoạch số {PROVINCE_NUMBER}/KH-UBND ngày 05 tháng 9 năm 2025 của Ủy ban nhân dân "
        "tỉnh Quảng Ngãi"
    )
    assert any(line.startswith(cite) for line in lines), [line for line in lines if "Thực hiện" in line]
    # the province's targets as the ward's contribution, one of each index, not as the ward's own
    start = next(i for i, line in enumerate(lines) if line.startswith("Góp phần cùng UBND tỉnh Quảng Ngãi"))
    contribution = []
    for line in lines[start + 1 :]:
        if not line.startswith("- "):
            break
        contribution.append(line)
    for name in ("PAPI", "PAR INDEX", "SIPAS"):
        assert any(name in line for line in contribution), (name, contribution)
    # section II: no figures of the ward's own, the tasks done on time as its part of the province's targets
    goal = lines[lines.index("II. MỤC TIÊU") + 1]
    assert goal.startswith("Hoàn thành đầy đủ, đúng thời hạn các nhiệm vụ"), goal
    assert f"Kế hoạch số {PROVINCE_NUMBER}/KH-UBND" in goal
    assert "Mục tiêu chung" not in lines and "Mục tiêu cụ thể" not in lines
    # the task, once, led by the ward's office
    assert text.count(task_text[:60]) == 1
    assert OFFICE in text
    # the reporting chain: the ward's officials → its office → the province's Sở Nội vụ
    own = next(line for line in lines if line.startswith("- Các bộ phận, công chức chuyên môn thuộc Ủy ban"))
    assert "báo cáo kết quả về Văn phòng Hội đồng nhân dân và Ủy ban nhân dân" in own
    up = next(
        line for line in lines if line.startswith("- Văn phòng Hội đồng nhân dân và Ủy ban nhân dân theo dõi")
    )
    assert "tham mưu Ủy ban nhân dân phường báo cáo kết quả về Sở Nội vụ" in up
    assert "UBND tỉnh Quảng Ngãi" in up
    assert js_errors == []
