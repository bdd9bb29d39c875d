"""Issue 10, item 13, in the real Chromium: under the Content-Security-Policy (no inline script) the
pages still work — the library's index filter submits by itself, the revert of an import asks first,
Swagger UI renders — and the browser reports no blocked script or style."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from support import login

pytestmark = pytest.mark.browser


def test_pages_work_under_the_csp(page, server, js_errors):
    login(page, "coordinator")
    response = page.goto("/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "no-store" in response.headers["cache-control"]

    # The task library: choosing an index submits the filter (forms.js, not an inline onchange).
    page.goto("/ke-hoach/thu-vien/")
    select = page.get_by_label("Chỉ số", exact=True)
    value = select.locator("option").nth(1).get_attribute("value")
    select.select_option(value)
    expect(page).to_have_url(re.compile(rf"index={value}"))

    # The import log: reverting asks first; dismissing keeps the import.
    page.goto("/ket-qua/nhap/")
    revert = page.get_by_role("button", name="Hoàn tác").first
    if revert.count():
        questions = []
        page.once("dialog", lambda d: (questions.append(d.message), d.dismiss()))
        revert.click()
        assert questions == ["Hoàn tác toàn bộ lần nhập này?"]
        expect(page).to_have_url(re.compile(r"/ket-qua/nhap/$"))

    # Swagger UI: its start-up script is a separate response, and the operations render.
    page.goto("/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("chiso API")
    expect(page.locator(".opblock").first).to_be_visible()
    assert js_errors == []
