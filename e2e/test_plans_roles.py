"""Who may open which page of the plans, through the real server with each demo user's session.

Read-only (GET requests): each role signs in once in its own browser context and asks every page; the
answer codes are the contract (200 shown, 302 to the sign-in page, 403 forbidden, 404 not visible). The
officers of Sở Tư pháp and Xã Đăk Hà each see their own unit's task and not the other's.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from support import login

pytestmark = pytest.mark.browser

ROLES = ["anonymous", "coordinator", "leader", "viewer", "officer_tp", "officer_xa", "admin"]

# page key → expected status per role, in the order of ROLES
MATRIX = {
    "list": (302, 200, 200, 200, 200, 200, 200),
    "issued": (302, 200, 200, 200, 200, 200, 200),
    "draft_plan": (302, 200, 200, 200, 404, 404, 200),
    "drafting": (302, 200, 403, 403, 403, 403, 200),
    "edit_draft": (302, 200, 403, 403, 404, 404, 200),
    "edit_issued": (302, 403, 403, 403, 403, 403, 403),
    "history": (302, 200, 200, 200, 403, 403, 200),
    "inbox": (302, 200, 200, 200, 200, 200, 200),
    "task_tp": (302, 200, 200, 200, 200, 404, 200),
    "task_xa": (302, 200, 200, 200, 404, 200, 200),
    "dashboard": (302, 200, 200, 200, 403, 403, 200),
    "issued_docx": (302, 200, 200, 200, 200, 200, 200),
    "draft_docx": (302, 200, 200, 200, 404, 404, 200),
    "letter_docx": (302, 200, 200, 403, 403, 403, 200),
    "notifications": (302, 200, 200, 200, 200, 200, 200),
    "library": (302, 200, 200, 200, 200, 200, 200),
    "responsibility": (302, 200, 200, 200, 403, 403, 200),
    "periodic": (302, 200, 200, 200, 403, 403, 200),
}


def _new_page(browser, server, role: str):
    context = browser.new_context(base_url=server, locale="vi-VN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    if role != "anonymous":
        login(page, role)
    return page


def _first_task_link(page) -> str:
    page.goto("/ke-hoach/viec-cua-toi/")
    href = page.locator("main table a[href*='/ke-hoach/nhiem-vu/']").first.get_attribute("href")
    assert re.fullmatch(r"/ke-hoach/nhiem-vu/\d+/", href), href
    return href


@pytest.fixture(scope="module")
def urls(browser, server) -> dict[str, str]:
    """The pages of the demo data: the issued plan 1520/KH-UBND, the SIPAS draft, one task of each officer."""
    page = _new_page(browser, server, "coordinator")
    page.goto("/ke-hoach/")
    issued = page.locator("table tbody tr").filter(has_text="1520/KH-UBND").get_by_role("link").first
    issued_url = issued.get_attribute("href")
    draft = page.locator("table tbody tr").filter(has_text="(SIPAS) tỉnh Quảng Ngãi năm 2026")
    draft_url = draft.get_by_role("link").first.get_attribute("href")
    page.context.close()
    tp = _new_page(browser, server, "officer_tp")
    task_tp = _first_task_link(tp)
    tp.context.close()
    xa = _new_page(browser, server, "officer_xa")
    task_xa = _first_task_link(xa)
    xa.context.close()
    return {
        "list": "/ke-hoach/",
        "issued": issued_url,
        "draft_plan": draft_url,
        "drafting": "/ke-hoach/lap-tu-phan-tich/",
        "edit_draft": f"{draft_url}sua/",
        "edit_issued": f"{issued_url}sua/",
        "history": f"{issued_url}lich-su/",
        "inbox": "/ke-hoach/viec-cua-toi/",
        "task_tp": task_tp,
        "task_xa": task_xa,
        "dashboard": "/ke-hoach/theo-doi/",
        "issued_docx": f"{issued_url}ke-hoach.docx",
        "draft_docx": f"{draft_url}ke-hoach.docx",
        "letter_docx": f"{issued_url}cong-van-don-doc.docx",
        "notifications": "/ke-hoach/thong-bao/",
        "library": "/ke-hoach/thu-vien/",
        "responsibility": "/ke-hoach/trach-nhiem/papi/",
        "periodic": "/ke-hoach/bao-cao-dinh-ky/ke-hoach/{}/".format(issued_url.strip("/").split("/")[-1]),
    }


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(browser, server, urls, role):
    page = _new_page(browser, server, role)
    column = ROLES.index(role)
    try:
        got = {key: page.request.get(urls[key], max_redirects=0).status for key in MATRIX}
    finally:
        page.context.close()
    expected = {key: codes[column] for key, codes in MATRIX.items()}
    wrong = {
        key: f"{got[key]} (expected {expected[key]}) {urls[key]}"
        for key in MATRIX
        if got[key] != expected[key]
    }
    assert not wrong, f"{role}: {wrong}"


def test_officer_sees_only_her_units_tasks_on_the_plan(browser, server, urls):
    """On the issued plan an officer sees her unit's tasks only, no edit or workflow buttons."""
    page = _new_page(browser, server, "officer_tp")
    try:
        page.goto(urls["issued"])
        expect(
            page.get_by_text("Chỉ hiện các nhiệm vụ đơn vị của bạn chủ trì hoặc phối hợp.")
        ).to_be_visible()
        rows = page.locator("section[aria-labelledby='nhiem-vu'] tbody tr")
        assert rows.count() >= 1
        for row in rows.all():
            cells = row.locator("td")
            assert "Sở Tư pháp" in cells.nth(3).inner_text() + cells.nth(4).inner_text(), row.inner_text()
        expect(page.get_by_role("link", name="Sửa kế hoạch")).to_have_count(0)
        expect(page.get_by_role("heading", name="Xử lý văn bản")).to_have_count(0)
        expect(page.get_by_role("button", name="Lập bản sửa đổi")).to_have_count(0)
    finally:
        page.context.close()
