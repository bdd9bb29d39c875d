"""Accessibility of every page a user can reach: axe-core (WCAG 2.1 A and AA rules) runs in the real
Chromium on each page found by following the links a coordinator, a unit officer and an appraiser
see, from the dashboard outwards, and on the sign-in page. A serious or critical violation, a broken
link (4xx/5xx) or a JavaScript error fails the test, with the page and the elements named.

Pages of the same shape (``/ke-hoach/12/`` and ``/ke-hoach/13/``) are checked once; downloads, the
JSON API and Django's own admin (``/quan-tri/``) are not pages of chiso's and are left out."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import axe
from playwright.sync_api import expect
from support import signed_in_page

SKIP_PREFIXES = ("/api/", "/quan-tri/", "/static/", "/media/", "/i18n/", "/accounts/logout")
SKIP_SUFFIXES = (
    ".docx",
    ".pdf",
    ".zip",
    ".xlsx",
    ".xls",
    ".csv",
    ".svg",
    ".txt",
    ".json",
    ".yaml",
    ".png",
    ".ods",
)
MAX_PAGES = 90


def _shape(path: str, query: str) -> str:
    keys = sorted(k.split("=")[0] for k in query.split("&") if k)
    return re.sub(r"\d+", "N", path) + ("?" + "&".join(keys) if keys else "")


def _links(page, server: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    out = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != server or not parts.path.startswith("/"):
            continue
        if parts.path.startswith(SKIP_PREFIXES) or parts.path.endswith(SKIP_SUFFIXES):
            continue
        if re.search(r"(^|&)(format|download)=", parts.query):
            continue
        out.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return out


def _crawl(page, server: str, start: str) -> tuple[list[str], list[str]]:
    """Visit pages breadth-first from ``start``; return (pages visited, problems found)."""
    seen_shapes: set[str] = set()
    queue = [start]
    visited: list[str] = []
    problems: list[str] = []
    while queue and len(visited) < MAX_PAGES:
        url = queue.pop(0)
        shape = _shape(*(url.split("?", 1) + [""])[:2])
        if shape in seen_shapes:
            continue
        seen_shapes.add(shape)
        response = page.goto(url)
        status = response.status if response else 0
        visited.append(url)
        if status >= 400:
            problems.append(f"{url}: HTTP {status} (một liên kết trên trang dẫn tới đây)")
            continue
        page.wait_for_load_state("networkidle")
        found = axe.violations(page)
        if found:
            problems.append(axe.report(url, found))
        queue.extend(link for link in _links(page, server) if link not in visited)
    return visited, problems


def _check_role(browser, server, js_errors, role: str, must_visit: tuple[str, ...]) -> None:
    page = signed_in_page(browser, server, js_errors, role)
    try:
        visited, problems = _crawl(page, server, "/")
    finally:
        page.context.close()
    for prefix in must_visit:
        assert any(v.startswith(prefix) for v in visited), (prefix, visited)
    assert not problems, f"{role}: {len(problems)} trang có lỗi trên {len(visited)} trang\n" + "\n".join(
        problems
    )
    assert js_errors == []


def test_every_page_a_coordinator_reaches_is_accessible(browser, server, js_errors):
    _check_role(
        browser,
        server,
        js_errors,
        "coordinator",
        must_visit=("/phan-tich/", "/ket-qua/", "/ke-hoach/", "/danh-gia/", "/bo-chi-so/", "/van-ban/"),
    )


def test_every_page_an_officer_and_an_appraiser_reach_is_accessible(browser, server, js_errors):
    _check_role(browser, server, js_errors, "officer_tp", must_visit=("/ke-hoach/", "/danh-gia/"))
    _check_role(browser, server, js_errors, "appraiser", must_visit=("/danh-gia/",))


def test_the_sign_in_page_and_the_analysis_answers_are_accessible(page, server, js_errors):
    page.goto("/accounts/login/")
    assert axe.violations(page) == [], axe.report("/accounts/login/", axe.violations(page))
    from support import login

    login(page, "coordinator")
    page.goto("/phan-tich/?index=papi")
    page.get_by_role("button", name="Xem phân tích").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Phân tích")
    # the gap and the what-if answers, as they come back into the page
    page.get_by_label("Giá trị (số bậc, tên nhóm, K hoặc điểm)").fill("5")
    page.get_by_role("button", name="Tính", exact=True).click()
    expect(page.locator("#gap-answer")).to_be_visible()
    first = page.locator("input[data-code]").first
    first.scroll_into_view_if_needed()
    first.fill("1")
    first.dispatch_event("input")
    expect(page.locator("#whatif-answer")).to_be_visible()
    ids = page.eval_on_selector_all("[id]", "els => els.map(e => e.id)")
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert duplicates == [], duplicates
    live = page.eval_on_selector_all(
        "[aria-live] [aria-live]", "els => els.map(e => e.outerHTML.slice(0, 120))"
    )
    assert live == [], live
    found = axe.violations(page)
    assert found == [], axe.report(page.url, found)
    assert js_errors == []
