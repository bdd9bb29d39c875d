"""Sign-in, the dashboard of the merged Quảng Ngãi, and keyboard/accessibility basics."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from support import USERS, login

pytestmark = pytest.mark.browser


def test_anonymous_redirected_then_wrong_password_then_dashboard(page, server, screenshot, js_errors):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    screenshot(page, "sign-in")

    username, password = USERS["coordinator"]
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password + "-sai")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("alert")).to_contain_text("Tên đăng nhập hoặc mật khẩu không đúng")
    # The username is kept, the password is not.
    expect(page.get_by_label("Tên đăng nhập")).to_have_value(username)
    expect(page.get_by_label("Mật khẩu")).to_have_value("")

    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(server + "/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tổng quan")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Quảng Ngãi")
    # The merged province's predecessors each get their own PAPI card, labelled as such.
    for name in ("Kon Tum", "Quảng Ngãi"):
        heading = re.compile(rf"^PAPI \d{{4}} · {name} \(trước 01.07.2025\)$")
        card = page.locator("section.card").filter(has=page.get_by_role("heading", name=heading))
        expect(card).to_have_count(1)
        expect(card.locator(".big")).to_have_text(re.compile(r"^\d{2},\d+ / 80 điểm$"))
        expect(card).to_contain_text(re.compile(r"Xếp hạng \d+/\d+"))
        expect(card.get_by_role("link", name="Phân tích chi tiết")).to_be_visible()
    expect(page.get_by_text("hình thành từ ngày 01/07/2025 do sáp nhập")).to_be_visible()
    screenshot(page, "dashboard")
    assert js_errors == []


def test_sign_in_form_is_labelled_and_page_is_vietnamese(page):
    page.goto("/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "vi"
    username = page.get_by_label("Tên đăng nhập")
    password = page.get_by_label("Mật khẩu")
    expect(username).to_have_attribute("autocomplete", "username")
    expect(password).to_have_attribute("type", "password")
    # The form works from the keyboard alone: type, Tab, type, Enter.
    username.focus()
    page.keyboard.type(USERS["viewer"][0])
    page.keyboard.press("Tab")
    expect(password).to_be_focused()
    page.keyboard.type(USERS["viewer"][1])
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tổng quan")


def test_skip_link_is_first_focusable_on_dashboard(page):
    login(page, "coordinator")
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "vi"
    page.locator("body").focus()
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Bỏ qua, đến nội dung chính")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()  # it appears when focused
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#noi-dung$"))
    expect(page.locator("main#noi-dung")).to_be_focused()
