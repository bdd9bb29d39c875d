"""The framework browser, and what a viewer (lãnh đạo) may and may not do."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from support import login

pytestmark = pytest.mark.browser


def test_framework_browser_lists_papi_and_par(page, screenshot, js_errors):
    login(page, "coordinator")
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Bộ chỉ số").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bộ chỉ số")
    rows = page.locator("table tbody tr")
    papi = rows.filter(has=page.locator("td:first-child", has_text=re.compile(r"^PAPI$")))
    par = rows.filter(has=page.locator("td:first-child", has_text=re.compile(r"^PAR INDEX$")))
    expect(papi).to_have_count(5)
    expect(par).to_have_count(4)
    for row in papi.all():
        expect(row.locator("td").nth(4)).to_have_text("Đầy đủ")
    par_2022 = par.filter(has=page.locator("td:nth-child(3)", has_text=re.compile(r"^từ 2022$")))
    expect(par_2022).to_have_count(1)
    expect(par_2022.locator("td").nth(4)).to_have_text("Chưa đầy đủ")
    expect(par_2022.locator("td").nth(5)).to_have_text("Đang dùng")
    # The coordinator may import frameworks.
    expect(page.get_by_role("link", name="Nhập bộ chỉ số từ tệp mẫu")).to_be_visible()
    screenshot(page, "frameworks")

    # Opening a framework shows its tree.
    par_2022.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/bo-chi-so/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("PAR")
    assert js_errors == []


def test_viewer_sees_no_import_buttons_and_is_refused_import(page):
    login(page, "viewer")
    # The import log is the coordinators': no menu entry, and the page is refused.
    expect(page.get_by_role("link", name="Nhập kết quả")).to_have_count(0)
    response = page.goto("/ket-qua/nhap/")
    assert response.status == 403
    expect(page.get_by_role("button", name="Hoàn tác")).to_have_count(0)

    page.goto("/bo-chi-so/")
    expect(page.get_by_role("link", name="Nhập bộ chỉ số từ tệp mẫu")).to_have_count(0)

    response = page.goto("/ket-qua/nhap/moi/")
    assert response.status == 403
    expect(page.locator("body")).not_to_contain_text("Nhập tệp kết quả")
    response = page.goto("/bo-chi-so/nhap/")
    assert response.status == 403

    # Reading still works: the dashboard and the analysis.
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tổng quan")
    expect(page.get_by_role("link", name="Phân tích chi tiết").first).to_be_visible()
