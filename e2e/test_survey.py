"""The satisfaction survey as its users meet it, on the demo survey (synthetic responses).

A citizen scans the QR code of Sở Tư pháp's counter on a phone-sized screen and answers without JavaScript
(a form sent too soon is refused, then kept), and another with JavaScript (the questions on complaints
appear only when she says she made one; a missing answer is listed at the top and linked to its question);
the officer of Sở Tư pháp types a paper form with the keyboard; the coordinator sees the quotas of the
service points and the estimates, weighted and not.
"""

from __future__ import annotations

import re

import axe
import pytest
from playwright.sync_api import expect
from support import signed_in_page

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
ITEMS = [f"q9_sat_{i}" for i in range(24, 37)]
MIN_FILL = 8.5  # the demo survey's minimum fill time, and a little more


def _survey_id(browser, server, js_errors) -> int:
    page = signed_in_page(browser, server, js_errors, "coordinator")
    page.goto("/khao-sat/")
    href = page.get_by_role("link", name=re.compile("mô phỏng")).first.get_attribute("href")
    page.context.close()
    return int(re.search(r"/khao-sat/(\d+)/", href).group(1))


def _phone(browser, server, js: bool):
    context = browser.new_context(
        base_url=server,
        viewport=PHONE,
        locale="vi-VN",
        java_script_enabled=js,
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(15_000)
    return context.new_page()


def _answer(page, level: int = 4) -> None:
    for code in ITEMS:
        page.locator(f"input[name={code}][value='{level}']").check()


def test_a_citizen_answers_by_the_qr_link_without_javascript(browser, server, js_errors):
    sid = _survey_id(browser, server, js_errors)
    page = _phone(browser, server, js=False)
    page.goto(f"/phieu/{sid}/?d=QNG-STP")
    expect(page.get_by_text("Sở Tư pháp").first).to_be_visible()
    expect(page.get_by_text("Nghị định số 13/2023/NĐ-CP", exact=False)).to_be_visible()
    # no horizontal scrolling on a phone
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("group", name=re.compile("phản ánh, kiến nghị với chính quyền")).get_by_label(
        "Không"
    ).check()
    _answer(page, 5)
    page.get_by_role("button", name="Gửi phiếu").click()
    expect(page.get_by_role("alert")).to_contain_text("quá nhanh")
    assert page.locator("input[name=q9_sat_24][value='5']").is_checked()  # nothing lost
    page.wait_for_timeout(MIN_FILL * 1000)
    page.get_by_role("button", name="Gửi phiếu").click()
    expect(page.get_by_role("heading", name=re.compile("Cảm ơn"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"KS-[A-Z2-9]{5}-[A-Z2-9]{5}"))).to_be_visible()
    page.context.close()


def test_a_citizen_answers_with_javascript(browser, server, js_errors):
    sid = _survey_id(browser, server, js_errors)
    page = _phone(browser, server, js=True)
    page.on("pageerror", lambda exc: js_errors.append(str(exc)))
    page.goto(f"/phieu/{sid}/?d=QNG-STP")
    complaints = page.locator("#q-q9_sat_37")
    expect(complaints).to_be_hidden()
    page.get_by_role("group", name=re.compile("phản ánh, kiến nghị với chính quyền")).get_by_label(
        "Có"
    ).check()
    expect(complaints).to_be_visible()
    _answer(page, 4)
    for code in ("q9_sat_37", "q9_sat_38"):
        page.locator(f"input[name={code}][value='3']").check()
    expect(page.get_by_role("group", name="Giới tính")).to_be_visible()  # there, and optional
    page.wait_for_timeout(MIN_FILL * 1000)
    page.get_by_role("button", name="Gửi phiếu").click()
    alert = page.get_by_role("alert")
    expect(alert).to_be_focused()
    link = alert.get_by_role("link").first
    expect(link).to_have_attribute("href", "#q-q9_sat_39")
    link.click()
    page.locator("input[name=q9_sat_39][value='2']").check()
    page.wait_for_timeout(MIN_FILL * 1000)
    page.get_by_role("button", name="Gửi phiếu").click()
    expect(page.get_by_text(re.compile(r"KS-[A-Z2-9]{5}-[A-Z2-9]{5}"))).to_be_visible()
    assert js_errors == []
    page.context.close()


def test_an_officer_types_a_paper_form(browser, server, js_errors):
    sid = _survey_id(browser, server, js_errors)
    page = signed_in_page(browser, server, js_errors, "officer_tp")
    page.goto(f"/khao-sat/{sid}/phieu-giay/")
    page.get_by_label("Số phiếu").fill("TP-E2E-1")
    page.locator("#i-q8_7").fill("2")
    page.locator("#i-q8_7").press("Tab")
    for code in ITEMS:
        page.keyboard.type("4")
        page.keyboard.press("Tab")
        assert page.locator(f"#i-{code}").input_value() == "4"
    page.locator("#i-other_feedback").fill("Phiếu giấy nhập thử")
    page.get_by_role("button", name="Lưu phiếu").click()
    expect(page.get_by_text(re.compile("Đã lưu phiếu giấy TP-E2E-1"))).to_be_visible()
    assert js_errors == []
    page.context.close()


def test_the_coordinator_sees_quotas_and_estimates(browser, server, js_errors):
    sid = _survey_id(browser, server, js_errors)
    page = signed_in_page(browser, server, js_errors, "coordinator")
    page.goto(f"/khao-sat/{sid}/")
    row = page.locator("#quotas tbody tr", has_text="Sở Tư pháp")
    expect(row).to_have_count(1)
    cells = row.locator("td")
    target, collected, remaining = (int(cells.nth(i).inner_text().replace(".", "")) for i in (1, 2, 3))
    assert target > 0 and remaining == max(0, target - collected)
    page.get_by_role("link", name="Kết quả ước lượng").click()
    expect(page.locator("#overall")).to_contain_text("Tỷ lệ hài lòng")
    expect(page.locator("#items tbody tr")).to_have_count(16)
    page.get_by_role("link", name="Xem có gia quyền").click()
    expect(page.locator("#overall")).to_contain_text("không gia quyền")
    assert js_errors == []
    page.context.close()


def _accessible(page) -> None:
    found = axe.violations(page)
    assert found == [], axe.report(page.url, found)


def test_the_coordinator_creates_a_survey_and_edits_its_questionnaire(browser, server, js_errors):
    """Create from the template on the web; add a question asked only after a given answer, move it, see
    a bad code refused; open and close the survey; the republish page says what would change."""
    import time

    page = signed_in_page(browser, server, js_errors, "coordinator")
    page.goto("/khao-sat/")
    page.get_by_role("link", name="Tạo cuộc khảo sát").click()
    _accessible(page)
    title = f"Khảo sát thử trên trình duyệt {time.time_ns()}"
    page.get_by_label("Năm khảo sát").fill("2027")
    page.get_by_label("Tên cuộc khảo sát").fill(title)
    page.get_by_role("button", name="Tạo cuộc khảo sát").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator("#status")).to_have_text("Dự thảo")
    page.get_by_role("link", name="Phiếu hỏi").click()
    add = page.locator("#add-form")
    add.get_by_label("Mã câu hỏi").fill("Câu mới")
    add.get_by_label("Nội dung câu hỏi").fill("Ông/Bà nộp hồ sơ bằng cách nào?")
    add.get_by_role("button", name="Thêm câu hỏi").click()
    expect(page.get_by_role("alert")).to_contain_text("chữ thường không dấu")
    add = page.locator("#add-form")
    add.get_by_label("Mã câu hỏi").fill("q_kenh")
    add.get_by_label("Loại câu hỏi").select_option("single")
    add.get_by_label("Phương án trả lời").fill("1. Trực tiếp\n2. Trực tuyến")
    add.get_by_label("Đặt sau câu").select_option("q8_7")
    add.get_by_role("button", name="Thêm câu hỏi").click()
    expect(page.locator("#q-q_kenh")).to_contain_text("Chọn một")
    add = page.locator("#add-form")
    add.get_by_label("Mã câu hỏi").fill("q_cong")
    add.get_by_label("Nội dung câu hỏi").fill("Cổng dịch vụ công có dễ dùng không?")
    add.get_by_label("Loại câu hỏi").select_option("likert5")
    add.get_by_label("Chỉ hỏi khi câu").select_option("q_kenh")
    add.get_by_label("được trả lời là").fill("2")
    add.get_by_label("Đặt sau câu").select_option("q_kenh")
    add.get_by_role("button", name="Thêm câu hỏi").click()
    expect(page.locator("#q-q_cong")).to_contain_text("Chỉ trả lời nếu")
    # q_cong cannot go above the question it depends on
    page.locator("#q-q_cong").get_by_role("button", name="Lên").click()
    expect(page.locator("#q-q_cong [role=alert]")).to_contain_text("phải đứng trước")
    _accessible(page)
    page.get_by_role("link", name=title).click()
    page.get_by_role("button", name="Mở thu phiếu").click()
    expect(page.locator("#status")).to_have_text("Đang thu phiếu")
    page.get_by_role("link", name="Phiếu hỏi").click()
    expect(page.locator("#live-note")).to_be_visible()
    expect(page.locator("#add-form")).to_have_count(0)
    page.get_by_role("link", name=title).click()
    page.get_by_role("button", name="Kết thúc thu phiếu").click()
    expect(page.locator("#status")).to_have_text("Đã kết thúc")
    page.get_by_role("link", name="Công bố lại kết quả").click()
    expect(page.locator("#nothing")).to_contain_text("Chưa có đơn vị nào đủ mẫu")
    _accessible(page)
    assert js_errors == []
    page.context.close()


def test_the_comparison_with_sipas_on_the_web(browser, server, js_errors):
    sid = _survey_id(browser, server, js_errors)
    page = signed_in_page(browser, server, js_errors, "viewer")
    page.goto(f"/khao-sat/{sid}/uoc-luong/")
    page.get_by_role("link", name="So sánh theo từng yếu tố và qua các năm").click()
    expect(page.get_by_role("heading", name="So sánh với SIPAS chính thức")).to_be_visible()
    expect(page.locator("#method-note")).to_contain_text("lựa chọn của tỉnh")
    if page.locator("#compare").count():
        expect(page.locator("#compare tbody tr")).to_have_count(6)  # overall and five elements
    else:
        expect(page.locator("#no-official")).to_be_visible()
    _accessible(page)
    assert js_errors == []
    page.context.close()


def test_the_coordinator_monitors_collection(browser, server, js_errors):
    sid = _survey_id(browser, server, js_errors)
    page = signed_in_page(browser, server, js_errors, "coordinator")
    page.goto(f"/khao-sat/{sid}/")
    page.get_by_role("link", name="Theo dõi thu phiếu").click()
    expect(page.locator("#summary")).to_contain_text("phiếu theo chỉ tiêu")
    chart = page.get_by_role("img", name=re.compile("số phiếu thu được mỗi ngày"))
    expect(chart).to_be_visible()
    page.wait_for_load_state("load")  # images included
    assert page.evaluate("document.querySelector('figure img').naturalWidth") > 0  # the SVG was drawn
    expect(page.locator("#points tbody tr").first).to_contain_text("Bộ phận một cửa")
    page.get_by_text("Bảng số phiếu theo ngày").click()
    expect(page.locator("#days tbody tr").first).to_contain_text(re.compile(r"\d{2}/\d{2}/\d{4}"))
    _accessible(page)
    assert js_errors == []
    page.context.close()
