"""Shared helpers for the browser tests (imported by conftest.py and the test modules)."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CHROMIUM = Path(os.environ.get("CHISO_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
USERS = {
    "coordinator": ("dieuphoi", "chiso-dieuphoi"),
    "viewer": ("xem", "chiso-xem"),
    "admin": ("quantri", "chiso-quantri"),
    "leader": ("lanhdao", "chiso-lanhdao"),
    "officer_tp": ("tuphap", "chiso-tuphap"),
    "officer_xa": ("xadakha", "chiso-xadakha"),
    "officer_yt": ("yte", "chiso-yte"),
    "appraiser": ("thamdinh", "chiso-thamdinh"),
    "leader_camthanh": ("camthanh", "chiso-camthanh"),
}


def login(page, role: str = "coordinator") -> None:
    username, password = USERS[role]
    page.goto("/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def signed_in_page(browser, server, js_errors, role: str, viewport=None):
    """A page in a fresh browser context (its own cookies) signed in as ``role``; uncaught JavaScript
    errors go to ``js_errors``. Close it with ``page.context.close()``."""
    context = browser.new_context(
        base_url=server,
        viewport=viewport or {"width": 1280, "height": 800},
        locale="vi-VN",
        accept_downloads=True,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on("pageerror", lambda exc: js_errors.append(f"{role}: {exc}"))
    page.on(
        "console", lambda msg: js_errors.append(msg.text) if "Content Security Policy" in msg.text else None
    )
    login(page, role)
    return page
