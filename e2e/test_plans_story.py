"""The whole life of an improvement plan, as its users walk it in the browser.

The coordinator drafts a plan from Kon Tum's PAPI 2024 analysis, edits a task (giving it to Sở Tư pháp)
and submits it; the leader approves and issues it with a number and a date; the officer of Sở Tư pháp
finds the task in "Việc của tôi" and reports progress with a PDF evidence file (and cannot open a task
of another unit); the coordinator sees the report on the dashboard; the plan's DOCX and PDF download and
read right (the DOCX text is read, the PDF's first page rendered to PNG and checked).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import subprocess

import pytest
from playwright.sync_api import expect
from support import REPO, login, signed_in_page

pytestmark = pytest.mark.browser

DOCS_SCREENSHOTS = REPO / "docs" / "screenshots"

ISSUE_NUMBER = "2468"
ISSUE_DATE = "05/02/2025"  # day < 10 and month < 3: the date line pads both (Nghị định 30/2020)
ISSUE_DATE_WORDS = "ngày 05 tháng 02 năm 2025"
EDITED_TASK = (
    "Rà soát, công khai kết quả tiếp nhận, giải quyết phản ánh, kiến nghị của người dân về "
    "thủ tục hành chính trong lĩnh vực tư pháp (nhiệm vụ e2e)"
)
EDITED_DEADLINE = "30/09/2027"
NARRATIVE = (
    "Đã rà soát 124 thủ tục hành chính lĩnh vực tư pháp; công khai kết quả trên Cổng thông tin của Sở."
)


def _context_page(browser, server, js_errors, role: str):
    """A fresh browser context (its own cookies) signed in as ``role``; closed with the context."""
    return signed_in_page(browser, server, js_errors, role)


def _evidence_pdf(path) -> None:
    """A small valid one-page PDF (reportlab), as an officer would scan and attach."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4)
    c.setTitle("Bao cao ra soat TTHC")
    c.drawString(72, 770, "SO TU PHAP - Bao cao ket qua ra soat thu tuc hanh chinh (e2e)")
    c.showPage()
    c.save()


def _docx_text(data: bytes) -> str:
    """Every paragraph of the DOCX, including those in (nested) tables, one per line."""
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
    return "\n".join(lines)


def _status(page):
    return page.locator(".page-actions .status").first


def test_plan_story_draft_issue_report_monitor_documents(
    page, browser, server, screenshot, js_errors, tmp_path
):
    # ------------------------------------------------------------------ 1. the coordinator drafts
    login(page, "coordinator")
    # The responsibility map first: access to justice services (PAPI D3.3) is Sở Tư pháp's.
    page.goto("/ke-hoach/trach-nhiem/papi/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bản đồ trách nhiệm PAPI — Tỉnh Quảng Ngãi")
    page.get_by_label("Tiếp cận dịch vụ tư pháp").select_option(label="Sở Tư pháp")
    page.get_by_label("Phối hợp — D3.3").select_option(label="Sở Nội vụ")
    page.get_by_role("button", name="Lưu bản đồ trách nhiệm").click()
    expect(page.get_by_role("status")).to_contain_text("Đã lưu bản đồ trách nhiệm (1 nội dung thay đổi).")
    expect(page.locator("#responsibility-history tbody tr").first).to_contain_text("D3.3")

    page.goto("/ket-qua/papi/2024/")
    page.get_by_role("link", name="Kon Tum", exact=True).click()
    page.wait_for_url(re.compile(r"/phan-tich/papi/\d+/2024/$"))
    page.get_by_role("link", name="Lập kế hoạch từ kết quả này").click()
    page.wait_for_url(re.compile(r"/ke-hoach/lap-tu-phan-tich/\?"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Lập kế hoạch từ kết quả phân tích")
    # The form comes filled from the analysis: PAPI, Kon Tum (now part of Quảng Ngãi), 2024.
    expect(page.get_by_role("checkbox", name="PAPI")).to_be_checked()
    expect(page.get_by_label("Kết quả của đơn vị").locator("option:checked")).to_contain_text("Kon Tum")
    expect(page.get_by_label("Năm kết quả")).to_have_value("2024")
    page.get_by_label("Mục tiêu chung").select_option(label="Tăng số bậc")
    page.get_by_label("Giá trị").fill("5")
    screenshot(page, "plan-draft-form")
    page.get_by_role("button", name="Lập dự thảo kế hoạch").click()
    page.wait_for_url(re.compile(r"/ke-hoach/\d+/$"))
    plan_url = re.search(r"/ke-hoach/\d+/$", page.url).group(0)
    plan_pk = int(plan_url.strip("/").split("/")[-1])

    expect(page.get_by_role("status")).to_contain_text("Đã lập dự thảo")
    expect(_status(page)).to_have_text("Dự thảo")
    expect(page.locator("#plan-title")).to_contain_text("Chỉ số PAPI")
    # Targets: the whole index (rise 5 places from its 2024 rank) and the weakest nodes, each with its
    # baseline and the points needed.
    targets = page.locator("section[aria-labelledby='muc-tieu'] table tbody tr")
    expect(targets.first).to_contain_text("toàn chỉ số")
    # (besides a count target on the dimensions' groups, also index-wide)
    overall = targets.filter(has_text="toàn chỉ số").filter(has_text="bậc")
    expect(overall).to_have_count(1)
    expect(overall).to_contain_text("40,3083/80")  # Kon Tum, PAPI 2024
    expect(overall).to_contain_text("60/61")
    expect(overall).to_contain_text("Thấp")
    expect(overall).to_contain_text("tăng tối thiểu 05 bậc (từ 60/61 lên 55/61)")
    expect(overall.locator("td").nth(6)).to_have_text(re.compile(r"^\d+,\d+$"))  # points needed
    assert targets.count() >= 3
    weakest = targets.filter(has_text="Trách nhiệm giải trình với người dân")
    expect(weakest).to_contain_text("3,8909/10")
    expect(weakest).to_contain_text("61/61")
    # Tasks suggested from the library, each with a lead unit; the shortcomings appendix.
    task_rows = page.locator("section[aria-labelledby='nhiem-vu'] table tbody tr")
    n_tasks = task_rows.count()
    assert n_tasks >= 5, n_tasks
    expect(page.get_by_role("status")).to_contain_text(f"{n_tasks} nhiệm vụ")
    appendix = page.locator("section[aria-labelledby='han-che']")
    expect(appendix.get_by_role("heading", level=2)).to_have_text("Phụ lục: hạn chế, điểm bị mất")
    appendix_rows = appendix.locator("tbody tr")
    assert appendix_rows.count() >= 5
    justice = appendix_rows.filter(has_text="D3.3 Tiếp cận dịch vụ tư pháp")
    expect(justice).to_have_count(1)
    expect(justice.locator("td").nth(3)).to_have_text(re.compile(r"^\d+,\d+/3,3333$"))  # achieved/max
    # the units responsible come from the responsibility map (lead and coordinating)
    expect(justice.locator("td").nth(5)).to_contain_text("Sở Tư pháp")
    expect(justice.locator("td").nth(5)).to_contain_text("Sở Nội vụ")
    screenshot(page, "plan-drafted")

    # She edits the first task: new text, lead Sở Tư pháp, a deadline.
    first = task_rows.first
    first.get_by_role("link", name="Sửa").click()
    page.wait_for_url(re.compile(rf"/ke-hoach/{plan_pk}/nhiem-vu/\d+/sua/$"))
    task_edit_url = re.search(r"/ke-hoach/\d+/nhiem-vu/\d+/sua/$", page.url).group(0)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sửa nhiệm vụ")
    page.get_by_label("Nội dung nhiệm vụ").fill(EDITED_TASK)
    page.get_by_label("Đơn vị chủ trì").select_option(label="Sở Tư pháp")
    page.get_by_label("Hoặc chủ trì theo cấp").select_option(value="")
    page.get_by_label("Chủ trì (như ghi trong kế hoạch)").fill("")
    page.get_by_label("Tần suất").select_option(label="Một lần (theo thời hạn)")
    page.get_by_label("Thời hạn (dd/mm/yyyy)").fill(EDITED_DEADLINE)
    page.get_by_label("Sản phẩm").fill("Báo cáo kết quả rà soát")
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_url(re.compile(rf"/ke-hoach/{plan_pk}/"))
    expect(page.get_by_role("status")).to_contain_text("Đã lưu nhiệm vụ.")
    edited = task_rows.filter(has_text=EDITED_TASK)
    expect(edited).to_have_count(1)
    expect(edited.locator("td").nth(3)).to_have_text("Sở Tư pháp")
    expect(edited).to_contain_text(EDITED_DEADLINE)
    expect(edited).to_contain_text("Báo cáo kết quả rà soát")
    expect(task_rows).to_have_count(n_tasks)

    # She names the signer: a plan is not issued without one.
    page.get_by_role("link", name="Sửa kế hoạch").click()
    page.get_by_label("Người ký", exact=True).fill("Nguyễn Văn An")
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_url(re.compile(rf"{plan_url}$"))

    # Submit.
    page.get_by_role("button", name="Trình phê duyệt").click()
    page.wait_for_url(re.compile(rf"{plan_url}$"))
    expect(page.get_by_role("status")).to_contain_text("«Đã trình»")
    expect(_status(page)).to_have_text("Đã trình")
    expect(page.get_by_role("button", name="Trình phê duyệt")).to_have_count(0)

    # ------------------------------------------------------------------ 2. the leader approves, issues
    leader = _context_page(browser, server, js_errors, "leader")
    leader.get_by_role("link", name="Kế hoạch", exact=True).click()
    leader.get_by_label("Trạng thái").select_option(label="Đã trình")
    leader.get_by_role("button", name="Lọc").click()
    leader.locator(f"table a[href='{plan_url}']").click()
    leader.wait_for_url(re.compile(rf"{plan_url}$"))
    expect(_status(leader)).to_have_text("Đã trình")
    expect(leader.get_by_role("link", name="Sửa kế hoạch")).to_have_count(0)  # leaders approve, not edit
    leader.get_by_role("button", name="Phê duyệt").click()
    leader.wait_for_url(re.compile(rf"{plan_url}$"))
    expect(_status(leader)).to_have_text("Đã phê duyệt")
    leader.get_by_label("Số văn bản").fill(ISSUE_NUMBER)
    leader.get_by_label("Ngày ban hành (dd/mm/yyyy)").fill(ISSUE_DATE)
    leader.get_by_role("button", name="Ban hành").click()
    leader.wait_for_url(re.compile(rf"{plan_url}$"))
    expect(leader.get_by_role("status")).to_contain_text("«Đã ban hành»")
    expect(_status(leader)).to_have_text("Đã ban hành")
    head = leader.locator(".doc-head")
    expect(head).to_contain_text(f"Số: {ISSUE_NUMBER}/KH-UBND")
    expect(head).to_contain_text(f"Quảng Ngãi, {ISSUE_DATE_WORDS}")
    timeline = leader.locator("section[aria-labelledby='qua-trinh'] li")
    expect(timeline).to_have_count(3)
    expect(timeline.last).to_contain_text("Đã phê duyệt → Đã ban hành")
    screenshot(leader, "plan-issued")
    leader.context.close()

    # Locked: the coordinator no longer sees edit buttons, and the edit page says why.
    page.goto(plan_url)
    expect(_status(page)).to_have_text("Đã ban hành")
    expect(page.get_by_role("link", name="Sửa kế hoạch")).to_have_count(0)
    expect(page.get_by_role("link", name="Thêm nhiệm vụ")).to_have_count(0)
    expect(task_rows.first.get_by_role("link", name="Sửa")).to_have_count(0)
    expect(page.get_by_role("button", name="Lập bản sửa đổi")).to_be_visible()
    response = page.goto(task_edit_url)
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Kế hoạch đã khoá")
    expect(page.get_by_role("alert")).to_contain_text("lập bản sửa đổi")

    # ------------------------------------------------------------------ 3. the officer reports
    # (a task of another unit, seen by the officer of Xã Đăk Hà, for the 404 check below)
    commune = _context_page(browser, server, js_errors, "officer_xa")
    commune.goto("/ke-hoach/viec-cua-toi/")
    foreign_task_url = commune.locator("main table a[href*='/ke-hoach/nhiem-vu/']").first.get_attribute(
        "href"
    )
    commune.context.close()
    assert re.fullmatch(r"/ke-hoach/nhiem-vu/\d+/", foreign_task_url), foreign_task_url

    officer = _context_page(browser, server, js_errors, "officer_tp")
    officer.get_by_role("link", name="Việc của tôi").click()
    officer.wait_for_url(re.compile(r"/ke-hoach/viec-cua-toi/$"))
    expect(officer.get_by_role("heading", level=1)).to_have_text("Việc của tôi")
    mine = officer.locator("main table tbody tr").filter(has_text=EDITED_TASK[:60])
    expect(mine).to_have_count(1)
    expect(mine).to_contain_text(f"{ISSUE_NUMBER}/KH-UBND")
    expect(mine).to_contain_text("Chủ trì")
    expect(mine).to_contain_text(EDITED_DEADLINE)
    expect(mine).to_contain_text("chưa báo cáo")
    screenshot(officer, "plan-inbox")
    mine.get_by_role("link").first.click()
    officer.wait_for_url(re.compile(r"/ke-hoach/nhiem-vu/\d+/$"))
    expect(officer.locator("#task-text")).to_have_text(EDITED_TASK)
    expect(officer.locator("#task-progress")).to_contain_text("0%")
    expect(officer.locator("#no-reports")).to_be_visible()

    evidence = tmp_path / "bao-cao-ra-soat-tthc.pdf"
    _evidence_pdf(evidence)
    digest = hashlib.sha256(evidence.read_bytes()).hexdigest()
    form = officer.locator("#report-form")
    expect(form.get_by_label("Đơn vị báo cáo").locator("option:checked")).to_have_text("Sở Tư pháp")
    form.get_by_label("Tình trạng").select_option(label="Đang thực hiện")
    form.get_by_label("Tiến độ (%)").fill("60")
    form.get_by_label("Kết quả thực hiện").fill(NARRATIVE)
    form.get_by_label("Tài liệu kiểm chứng").set_input_files(evidence)
    form.get_by_role("button", name="Gửi báo cáo").click()
    officer.wait_for_url(re.compile(r"/ke-hoach/nhiem-vu/\d+/$"))
    expect(officer.get_by_role("status")).to_contain_text("của Sở Tư pháp")
    expect(officer.locator("#task-progress")).to_contain_text("60%")
    report = officer.locator("section.unit-reports").filter(has_text="Sở Tư pháp")
    expect(report).to_have_count(1)
    row = report.locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Đang thực hiện")
    expect(row).to_contain_text("60%")
    expect(row).to_contain_text(NARRATIVE)
    expect(row).to_contain_text("Phạm Thị Lan")
    file_link = row.get_by_role("link", name=evidence.name)
    expect(file_link).to_be_visible()
    screenshot(officer, "plan-task-report")
    # The stored file is the one sent (same SHA-256).
    stored = officer.request.get(file_link.get_attribute("href"))
    assert stored.status == 200
    assert hashlib.sha256(stored.body()).hexdigest() == digest

    # She cannot open a task of another unit: 404, nothing shown.
    response = officer.goto(foreign_task_url)
    assert response.status == 404
    expect(officer.get_by_role("heading", level=1)).to_have_text("Không tìm thấy trang")
    officer.context.close()

    # ------------------------------------------------------------------ 4. the coordinator monitors
    page.get_by_role("link", name="Theo dõi thực hiện").click()
    page.wait_for_url(re.compile(r"/ke-hoach/theo-doi/"))
    option = page.locator("#f-plan option", has_text=f"{ISSUE_NUMBER}/KH-UBND")
    expect(option).to_have_count(1)
    page.locator("#f-plan").select_option(value=option.get_attribute("value"))
    page.get_by_role("button", name="Xem").click()
    page.wait_for_url(re.compile(r"ke_hoach="))
    expect(page.locator("#kpi-total")).to_have_text(str(n_tasks))
    expect(page.locator("#kpi-plans")).to_have_text("1")
    by_unit = page.locator("#by-unit tbody tr").filter(has=page.get_by_role("rowheader", name="Sở Tư pháp"))
    expect(by_unit).to_have_count(1)
    expect(by_unit.locator("td").nth(0)).to_have_text("1")  # leads one task
    expect(by_unit.locator(".mbar-num")).to_have_text("60%")
    by_plan = page.locator("#by-plan tbody tr").filter(has_text=f"{ISSUE_NUMBER}/KH-UBND")
    expect(by_plan).to_have_count(1)
    expect(by_plan.locator("td").nth(1)).to_have_text(str(n_tasks))
    # Late tasks are listed (deadlines of the drafted 2025 tasks that have passed); hers is not late.
    late = page.locator("#late-tasks tbody tr")
    late_count = int(page.locator("#kpi-late").inner_text().replace(".", ""))
    if late_count:
        expect(page.locator("#h-late")).to_contain_text(f"({late_count})")
        assert late.count() >= 1
    expect(late.filter(has_text=EDITED_TASK[:60])).to_have_count(0)
    screenshot(page, "plan-dashboard")

    # ------------------------------------------------------------------ 5. the documents
    page.goto(plan_url)
    docs = page.locator("section.plan-documents li").filter(has_text="Kế hoạch (thể thức")
    with page.expect_download() as info:
        docs.get_by_role("link", name="Tải DOCX").click()
    download = info.value
    assert download.suggested_filename.endswith(".docx"), download.suggested_filename
    assert ISSUE_NUMBER in download.suggested_filename
    download.save_as(tmp_path / "plan.docx")
    text = _docx_text((tmp_path / "plan.docx").read_bytes())
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert f"Số: {ISSUE_NUMBER}/KH-UBND" in text
    assert f"Quảng Ngãi, {ISSUE_DATE_WORDS}" in text
    assert "KẾ HOẠCH" in text
    assert re.search(r"nâng cao Chỉ số PAPI", text, re.IGNORECASE)
    assert "Nơi nhận" in text and "Nguyễn Văn An" in text
    assert "DỰ THẢO" not in text  # issued
    assert text.count(EDITED_TASK) == 1  # each task once (in the appendix table)
    assert "Sở Tư pháp" in text

    with page.expect_download() as info:
        docs.get_by_role("link", name="Tải PDF").click()
    pdf_path = tmp_path / "plan.pdf"
    info.value.save_as(pdf_path)
    assert pdf_path.read_bytes().startswith(b"%PDF-")
    _check_pdf_first_page(pdf_path, tmp_path)
    assert js_errors == []


def _check_pdf_first_page(pdf_path, tmp_path) -> None:
    """Render page 1 at 60 dpi; A4 portrait, not blank, the header blocks at the top left and right."""
    from PIL import Image

    prefix = tmp_path / "plan-pdf-page"
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", str(pdf_path), str(prefix)],
        check=True,
        timeout=60,
    )
    pngs = sorted(tmp_path.glob("plan-pdf-page*.png"))
    assert len(pngs) == 1, pngs
    png = pngs[0]
    if os.environ.get("CHISO_SCREENSHOTS") == "1":
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(png, DOCS_SCREENSHOTS / "plan-pdf-page1.png")
    image = Image.open(png).convert("L")
    width, height = image.size
    assert abs(height / width - 297 / 210) < 0.02, (width, height)  # A4 portrait
    pixels = image.load()

    def dark(x0: float, y0: float, x1: float, y1: float) -> int:
        return sum(
            1
            for y in range(int(y0 * height), int(y1 * height))
            for x in range(int(x0 * width), int(x1 * width))
            if pixels[x, y] < 110
        )

    total = dark(0, 0, 1, 1)
    assert total > width * height * 0.01, total  # text on the page
    assert dark(0, 0, 1, 0.03) == 0  # top margin is empty
    assert dark(0.05, 0.03, 0.45, 0.15) > 50  # issuing body, number (left block)
    assert dark(0.45, 0.03, 0.95, 0.15) > 50  # national motto, place and date (right block)


def test_demo_plan_late_tasks_on_dashboard_and_officer_forbidden(page, browser, server, js_errors):
    """The demo plan 1520/KH-UBND has late tasks, flagged to the coordinator; an officer has no dashboard."""
    login(page, "coordinator")
    page.goto("/ke-hoach/theo-doi/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Theo dõi thực hiện kế hoạch")
    option = page.locator("#f-plan option", has_text="1520/KH-UBND")
    expect(option).to_have_count(1)
    page.locator("#f-plan").select_option(value=option.get_attribute("value"))
    page.get_by_role("button", name="Xem").click()
    page.wait_for_url(re.compile(r"ke_hoach="))
    expect(page.locator("#kpi-total")).to_have_text("27")
    late_count = int(page.locator("#kpi-late").inner_text().replace(".", ""))
    assert late_count >= 3, late_count
    expect(page.locator("#h-late")).to_have_text(f"Nhiệm vụ chậm tiến độ ({late_count})")
    late = page.locator("#late-tasks tbody tr")
    expect(late).to_have_count(min(late_count, 50))
    for row in late.all():
        expect(row.locator("td").nth(0)).to_have_text("1520/KH-UBND")
        assert int(row.locator("td").nth(4).inner_text().replace(".", "")) > 0  # days late
    expect(late.filter(has_text="Sở Tư pháp")).not_to_have_count(0)
    # Done tasks and reports show in the per-unit table.
    by_unit = page.locator("#by-unit tbody tr").filter(has=page.get_by_role("rowheader", name="Sở Nội vụ"))
    expect(by_unit.locator("td").nth(1)).not_to_have_text("0")  # Sở Nội vụ has finished tasks

    officer = _context_page(browser, server, js_errors, "officer_tp")
    expect(officer.get_by_role("link", name="Theo dõi thực hiện")).to_have_count(0)
    response = officer.goto("/ke-hoach/theo-doi/")
    assert response.status == 403
    expect(officer.get_by_role("heading", level=1)).to_have_text("Không có quyền")
    expect(officer.locator("main")).not_to_contain_text("1520/KH-UBND")
    officer.context.close()
    assert js_errors == []
