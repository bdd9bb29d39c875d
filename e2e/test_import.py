"""Importing results through the preview: commit, re-upload (nothing to change), revert; a broken file."""

from __future__ import annotations

import hashlib
import re

import pytest
from playwright.sync_api import expect
from support import FIXTURES, login

pytestmark = pytest.mark.browser

GOOD = FIXTURES / "sipas-2025.csv"
BROKEN = FIXTURES / "sipas-2025-loi.csv"


def upload(page, path, index_label="SIPAS", year="2025"):
    page.goto("/ket-qua/nhap/")
    page.get_by_role("link", name="Nhập tệp mới").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nhập tệp kết quả")
    page.get_by_label("Chỉ số").select_option(label=index_label)
    page.get_by_label("Năm đánh giá").fill(year)
    page.get_by_label("Tệp", exact=True).set_input_files(path)
    page.get_by_role("button", name="Tải lên và xem trước").click()
    page.wait_for_url(re.compile(r"/ket-qua/nhap/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Xem trước: {path.name}")
    # the preview's heading takes the focus: a screen reader starts at the answer, not the menu
    expect(page.get_by_role("heading", level=1)).to_be_focused()


def test_import_preview_commit_reupload_revert(page, screenshot, js_errors):
    digest = hashlib.sha256(GOOD.read_bytes()).hexdigest()
    login(page, "admin")  # SIPAS results are national data: the administrators import them

    # 1. Preview: both rows are new, nothing written yet.
    upload(page, GOOD)
    expect(page.locator("main")).to_contain_text(f"SHA-256 {digest[:16]}")
    expect(page.locator("#count-new")).to_have_text("2")
    expect(page.locator("#count-changed")).to_have_text("0")
    expect(page.locator("#count-unchanged")).to_have_text("0")
    expect(page.locator("#count-error")).to_have_text("0")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(2)
    for name in ("Quảng Ngãi", "Đà Nẵng"):
        row = rows.filter(has_text=name)
        expect(row).to_have_count(1)
        expect(row.locator(".badge").first).to_have_text("Mới")
    expect(rows.filter(has_text="Đà Nẵng")).to_contain_text("88,25")
    commit = page.get_by_role("button", name="Ghi vào cơ sở dữ liệu")
    expect(commit).to_be_visible()
    screenshot(page, "import-preview")

    # 2. Commit: back to the import log, which lists the file with its SHA-256 prefix.
    commit.click()
    page.wait_for_url(re.compile(r"/ket-qua/nhap/$"))
    expect(page.get_by_role("status")).to_contain_text(f"từ tệp “{GOOD.name}”")
    entry = page.locator("table tbody tr").filter(has_text=GOOD.name)
    expect(entry).to_have_count(1)
    expect(entry.locator("code")).to_have_attribute("title", digest)
    expect(entry.locator("code")).to_contain_text(digest[:12])
    expect(entry).to_contain_text("SIPAS 2025")
    expect(entry).to_contain_text("quantri")
    expect(entry).to_contain_text("Đã ghi")

    # The committed figures are on the results table.
    page.goto("/ket-qua/sipas/2025/")
    expect(page.locator("#rows table tbody tr")).to_have_count(2)
    expect(page.get_by_role("row", name=re.compile("Đà Nẵng"))).to_contain_text("88,25")

    # 3. The same file again: nothing to change, no commit button.
    upload(page, GOOD)
    expect(page.locator("#count-new")).to_have_text("0")
    expect(page.locator("#count-unchanged")).to_have_text("2")
    expect(page.get_by_text("Tệp không mang thay đổi nào so với dữ liệu hiện có.")).to_be_visible()
    expect(page.get_by_role("button", name="Ghi vào cơ sở dữ liệu")).to_have_count(0)
    page.get_by_role("link", name=re.compile(r"Hiện tất cả 2 dòng")).click()
    badges = page.locator("table tbody tr td:nth-child(2) .badge")
    expect(badges).to_have_count(2)
    expect(badges).to_have_text(["Không đổi", "Không đổi"])

    # 4. Revert the committed import (accepting the confirm dialog).
    page.goto("/ket-qua/nhap/")
    entry = page.locator("table tbody tr").filter(has_text=GOOD.name)
    dialogs = []

    def accept(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    entry.get_by_role("button", name="Hoàn tác").click()
    page.wait_for_load_state()
    expect(page.get_by_role("status")).to_contain_text(f"Đã hoàn tác lần nhập “{GOOD.name}”")
    assert dialogs == ["Hoàn tác toàn bộ lần nhập này?"]
    entry = page.locator("table tbody tr").filter(has_text=GOOD.name)
    expect(entry).to_contain_text("Đã hoàn tác")
    expect(entry.get_by_role("button", name="Hoàn tác")).to_have_count(0)

    # The values are gone from the results again.
    page.goto("/ket-qua/sipas/2025/")
    expect(page.locator("#rows")).to_contain_text("Không có đơn vị nào khớp.")
    expect(page.locator("main")).not_to_contain_text("88,25")
    assert js_errors == []


def test_a_coordinator_is_not_offered_national_indices(page):
    login(page, "coordinator")
    page.goto("/ket-qua/nhap/moi/")
    expect(page.locator("#import-who")).to_contain_text("do quản trị hệ thống nhập")
    options = page.get_by_label("Chỉ số").locator("option")
    expect(options.filter(has_text="SIPAS")).to_have_count(0)
    expect(options.filter(has_text="PAPI")).to_have_count(0)


def test_broken_file_shows_row_errors_and_cannot_be_committed(page):
    login(page, "admin")
    upload(page, BROKEN)
    expect(page.locator("#count-error")).to_have_text("2")
    expect(page.get_by_text("Tệp có lỗi nên không thể ghi.")).to_be_visible()
    expect(page.get_by_role("button", name="Ghi vào cơ sở dữ liệu")).to_have_count(0)
    rows = page.locator("table tbody tr")
    unknown = rows.filter(has_text="Tỉnh Không Có Thật")
    expect(unknown.locator(".badge").first).to_have_text("Lỗi")
    expect(unknown).to_contain_text("Không tìm thấy đơn vị “Tỉnh Không Có Thật”")
    too_high = rows.filter(has_text="Đà Nẵng")
    expect(too_high.locator(".badge").first).to_have_text("Lỗi")
    expect(too_high).to_contain_text(re.compile(r"120(,00)? vượt điểm tối đa 100"))
