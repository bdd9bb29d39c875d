"""The PAPI 2023 results table (search, export) and Kon Tum's analysis page (KPIs, gap, what-if, charts)."""

from __future__ import annotations

import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from support import login

pytestmark = pytest.mark.browser


def number(text: str) -> float:
    """'39,9613' → 39.9613 (Vietnamese decimal comma, dot as thousands separator)."""
    return float(text.strip().replace(".", "").replace(",", ".").replace("−", "-"))


def kon_tum_analysis_url(page) -> str:
    page.goto("/ket-qua/papi/2023/")
    link = page.get_by_role("link", name="Kon Tum", exact=True)
    expect(link).to_have_count(1)
    href = link.get_attribute("href")
    assert re.fullmatch(r"/phan-tich/papi/\d+/2023/", href), href
    return href


def test_results_table_search_and_xlsx_export(page, screenshot, js_errors, tmp_path):
    login(page, "coordinator")
    page.goto("/ket-qua/papi/2023/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kết quả công bố PAPI năm 2023")
    rows = page.locator("#rows table tbody tr")
    expect(rows).to_have_count(61)
    screenshot(page, "results")

    # Accent-free search, typed as a user types; htmx swaps the rows and pushes the URL.
    page.get_by_label("Tìm đơn vị (không cần dấu)").press_sequentially("kon tum", delay=30)
    expect(rows).to_have_count(1)
    expect(rows.first.get_by_role("link", name="Kon Tum")).to_be_visible()
    expect(rows.first).to_contain_text("39,9613")
    expect(rows.first).to_contain_text("56/61")
    expect(page).to_have_url(re.compile(r"[?&]q=kon(\+|%20)tum(&|$)"))
    expect(page.get_by_text("(1 dòng đang hiển thị)")).to_be_visible()

    # The XLSX export of what is shown.
    with page.expect_download() as info:
        page.get_by_role("link", name="Xuất XLSX").click()
    download = info.value
    assert download.suggested_filename == "ket-qua-papi-2023.xlsx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    ws = load_workbook(path, read_only=True).active
    values = list(ws.iter_rows(values_only=True))
    header = values[0]
    assert header[:5] == ("Đơn vị", "Mã", "Điểm", "% tối đa", "Xếp hạng")
    assert any(str(h).startswith("D1 ") for h in header)
    assert len(values) == 2, values
    assert values[1][0] == "Kon Tum"
    assert values[1][2] == pytest.approx(39.9613, abs=1e-4)
    assert values[1][4] == 56
    assert js_errors == []


def test_analysis_page_kpis_gap_whatif_and_charts(page, screenshot, js_errors):
    login(page, "coordinator")
    url = kon_tum_analysis_url(page)
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"^Phân tích PAPI năm 2023 — .*Kon Tum$")
    )
    expect(page.locator("#kpi-total")).to_have_text("39,9613")
    expect(page.locator("#kpi-rank")).to_have_text("56/61")
    expect(page.locator("#kpi-group")).to_have_text("Thấp")
    expect(page.locator("#opening")).to_contain_text("39,9613 điểm")

    # Charts: every SVG image loads (HTTP 200, image/svg+xml) and renders with a width.
    imgs = page.locator(".chart img")
    expect(imgs).to_have_count(3)
    for i in range(imgs.count()):
        img = imgs.nth(i)
        img.scroll_into_view_if_needed()
        src = img.get_attribute("src")
        resp = page.request.get(src)
        assert resp.status == 200, (src, resp.status)
        assert resp.headers["content-type"].startswith("image/svg+xml")
        assert resp.text().lstrip().startswith(("<?xml", "<svg"))
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=img.element_handle())

    # Gap to a target of five places up.
    expect(page.get_by_label("Mục tiêu")).to_have_value("places")
    page.get_by_label("Giá trị (số bậc, tên nhóm, K hoặc điểm)").fill("5")
    page.get_by_role("button", name="Tính", exact=True).click()
    answer = page.locator("#gap-answer")
    expect(answer).to_contain_text("cần tăng tối thiểu")
    needed = number(answer.locator("strong").first.inner_text())
    assert needed > 0
    expect(answer).to_contain_text("lên hạng 51")

    # What-if: raise D8.3 to its maximum; htmx recomputes total and rank as one types.
    d83 = page.locator('input[data-code="D8.3"]')
    expect(d83).to_have_count(1)
    d83.scroll_into_view_if_needed()
    d83.press_sequentially("3,3", delay=30)
    whatif = page.locator("#whatif-answer")
    expect(whatif).to_contain_text("Tổng mới")
    total = number(whatif.locator("strong").nth(0).inner_text())
    rank_text = whatif.locator("strong").nth(1).inner_text()
    rank, rank_of = (int(x) for x in rank_text.split("/"))
    assert total > 39.9613
    assert rank_of == 61
    assert rank < 56, rank_text
    screenshot(page, "analysis")
    assert js_errors == []


def test_analysis_whatif_above_maximum_shows_an_error_instead_of_a_stale_answer(page):
    """A what-if score above the maximum must be answered visibly:
    the server returns its error partial (HTTP 400) and the page must show it, not keep the
    previous answer as if it still held."""
    login(page, "coordinator")
    page.goto(kon_tum_analysis_url(page))

    d83 = page.locator('input[data-code="D8.3"]')
    d83.fill("3")
    d83.dispatch_event("input")
    expect(page.locator("#whatif-answer")).to_contain_text("Tổng mới")
    with page.expect_response(lambda r: "/gia-dinh/" in r.url) as info:
        d83.fill("9")
        d83.dispatch_event("input")
    resp = info.value
    assert resp.status == 400
    assert 'class="alert alert-error"' in resp.text()  # announced by the live region it lands in
    expect(page.locator("#whatif .alert-error")).to_be_visible()
    expect(page.locator("#whatif-answer")).to_have_count(0)


def test_analysis_gap_to_an_unknown_group_shows_an_error(page):
    login(page, "coordinator")
    page.goto(kon_tum_analysis_url(page))
    page.get_by_label("Mục tiêu").select_option(label="Vào nhóm")
    page.get_by_label("Giá trị (số bậc, tên nhóm, K hoặc điểm)").fill("Nhóm không có")
    with page.expect_response(lambda r: "/khoang-cach/" in r.url) as info:
        page.get_by_role("button", name="Tính", exact=True).click()
    assert info.value.status == 400
    expect(page.locator("#gap .alert-error")).to_be_visible()


def test_region_comparisons_can_be_told_apart(page):
    """Kon Tum belongs to the socio-economic region Tây Nguyên and to a peer group of the same
    provinces; a user must be able to tell the two apart in the results filter and on the analysis page."""
    login(page, "coordinator")
    url = kon_tum_analysis_url(page)
    problems = []
    options = page.locator("#region option").all_inner_texts()
    if len(options) != len(set(options)):
        problems.append(f"bộ lọc “Vùng / nhóm so sánh” có tên trùng: {options}")
    page.goto(url)
    expect(page.get_by_role("heading", name="So sánh trong vùng")).to_be_visible()
    lines = page.locator("h2:has-text('So sánh trong vùng') ~ p:has(> strong:first-child)")
    labels = [t.split(":")[0] for t in lines.all_inner_texts() if "xếp thứ" in t]
    assert labels, "không có dòng so sánh trong vùng"
    if len(labels) != len(set(labels)):
        problems.append(f"các dòng “So sánh trong vùng” trùng tên: {labels}")
    assert not problems, "\n".join(problems)
