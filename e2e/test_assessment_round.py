"""A whole assessment round of the province's departments, as its users walk it in the browser.

The coordinator opens the round on the province's own index of its departments (the demo framework,
installed from its file by the operator's command if the demo data does not have it) and assigns the
appraiser; the officer of Sở Tư pháp fills her sheet with the keyboard (Tab goes from input to input,
Enter never submits, the totals follow as she types and match what the server adds up), links the
product of a task of the province's plan as evidence with one click, and submits; the officer of Sở Y tế
scores part of hers. Time passes (the test moves the self-assessment deadline to yesterday, as the clock
would): Sở Y tế's sheet is locked and says why, until the coordinator reopens it for two days with a
reason. The appraiser lowers a score with a comment; Sở Tư pháp explains; the appraiser re-appraises; the
coordinator closes and publishes. The ranks and classes appear on the round page, the results in the
analysis of the index, and every change in the sheet's history.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

import docx
import pytest
from playwright.sync_api import expect
from support import REPO, login, signed_in_page

pytestmark = pytest.mark.browser

FRAMEWORK = REPO / "src" / "chiso" / "data" / "demo" / "frameworks" / "cchc-so-2025.yaml"
TASK_TEXT = "Rà soát, hệ thống hóa văn bản quy phạm pháp luật thuộc lĩnh vực tư pháp (e2e)"
PRODUCT = "Quyết định công bố kết quả hệ thống hóa văn bản"
NOTE = "Có văn bản kèm theo"
SETUP = f"""
import datetime as dt
from chiso.plans.models import Plan, Task
from chiso.seed.demo_plans import demo_province, demo_units
province = demo_province()
units = demo_units(province)
plan, _ = Plan.objects.get_or_create(
    issuing_unit=province, title="Kế hoạch cải cách hành chính năm 2026 (e2e)",
    defaults=dict(year=2026, indices=["cchc-so"], status="issued", number="2026", date=dt.date(2026, 1, 5)),
)
Task.objects.get_or_create(
    plan=plan, text="{TASK_TEXT}",
    defaults=dict(order=1, index="cchc-so", nodes=["2.1", "2.2"], lead_unit=units["tuphap"], product="{PRODUCT}"),
)
"""


def _today() -> dt.date:
    # the server's day (Asia/Ho_Chi_Minh), which decides what is open
    return (dt.datetime.now(dt.UTC) + dt.timedelta(hours=7)).date()


def _day(days: int) -> str:
    return (_today() + dt.timedelta(days=days)).strftime("%d/%m/%Y")


@pytest.fixture(scope="module")
def province_index(chiso_command):
    """The demo department index of Quảng Ngãi (installed unless the demo data has it) and an issued
    plan of the province whose task for Sở Tư pháp serves criteria 2.1 and 2.2, with its product."""
    has = chiso_command(
        "shell",
        "--no-imports",
        "-c",
        "from chiso.frameworks.models import Index; print(Index.objects.filter(code='cchc-so').exists())",
    )
    if has.strip().splitlines()[-1] != "True":
        out = chiso_command("import-framework", str(FRAMEWORK), "--province", "Quảng Ngãi")
        assert "cchc-so-2025" in out, out
    chiso_command("shell", "--no-imports", "-c", SETUP)


def _page(browser, server, js_errors, role: str):
    return signed_in_page(browser, server, js_errors, role, viewport={"width": 1280, "height": 900})


def _free_year(page) -> int:
    """A year without a round of this index for the departments yet (demo rounds may exist)."""
    page.goto("/danh-gia/")
    taken = set()
    for row in page.locator("#rounds tbody tr").all():
        cells = [c.inner_text() for c in row.locator("th, td").all()]
        if cells[1] == "CCHC sở, ngành" and cells[3].startswith("Các sở, ban, ngành"):
            taken.add(int(cells[2]))
    return next(y for y in (_today().year, _today().year - 1, _today().year + 1) if y not in taken)


def _flash(page):
    return page.locator("ul.messages")


def _fill_row(row, typed: str, note: str = NOTE) -> None:
    """One row of the sheet through its inputs, whatever kind it is."""
    code = row.get_attribute("data-code")
    if row.locator("[data-role=choice]").count():
        select = row.locator("[data-role=choice]")
        select.select_option(index=1)  # the first level (the highest score)
    elif row.locator("[data-role=figure]").count():
        figures = row.locator("[data-role=figure]")
        figures.nth(0).fill({"3.2": "98", "7.1": "70"}.get(code, "19"))
        figures.nth(1).fill("100" if code in ("3.2", "7.1") else "20")
    elif row.locator("[data-role=score]").count():
        row.locator("[data-role=score]").fill(typed)
    else:
        return
    row.locator("textarea").fill(note)


def _class(percent: float) -> str:
    """The demo index's classes (its grouping: Xuất sắc ≥ 90 %, Tốt ≥ 80 %, Khá ≥ 70 %, Trung bình ≥ 50 %)."""
    bounds = ((90, "Xuất sắc"), (80, "Tốt"), (70, "Khá"), (50, "Trung bình"))
    return next((label for lower, label in bounds if percent >= lower), "Yếu")


def _summary(page) -> str:
    return page.locator("#sheet-summary").inner_text()


def _download(page, link, folder) -> Path:
    with page.expect_download() as info:
        link.click()
    download = info.value
    path = folder / download.suggested_filename
    download.save_as(path)
    return path


def _decision_rows(units) -> dict[str, tuple[str, str, str]]:
    """The round page's units with a rank: {short name: (final total, rank, class)}."""
    out = {}
    for r in units.all():
        cells = [c.inner_text().strip() for c in r.locator("td").all()]
        if cells[5] != "–":
            name = r.locator("th").inner_text().split("\n")[0].strip()
            final = cells[3] if cells[3] not in ("", "–") else cells[1]  # not appraised: the self total
            out[name] = (final, cells[5], cells[6].split("·")[0].strip())
    return out


def _check_decision_docx(path: Path, year: int, rows: dict) -> None:
    """The decision reads right: its title, its articles, and the appendix ranking every unit with its
    totals, rank and class as the round page shows them, best first."""
    doc = docx.Document(str(path))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "QUYẾT ĐỊNH" in text and "Điều 1." in text and "Điều 3." in text
    assert f"Công bố Chỉ số cải cách hành chính năm {year} của các sở, ban, ngành" in text
    assert "Phụ lục" in text
    tables = [t for t in doc.tables if any("Xếp hạng" in c.text for c in t.rows[0].cells)]
    assert len(tables) == 1, [t.rows[0].cells[0].text for t in doc.tables]
    body = [[c.text.strip() for c in r.cells] for r in tables[0].rows[1:]]
    ranks = [r[6] for r in body]
    n = len(rows)
    assert ranks[:n] == [str(i) for i in range(1, n + 1)] and not any(ranks[n:])  # best first, then unscored
    assert all(r[7] == "Không xếp hạng (chưa có điểm)" for r in body[n:])
    for name, (total, rank, klass) in rows.items():
        line = next(r for r in body if name in r[1])
        assert (line[4], line[6], line[7]) == (total, rank, klass), (name, line)


def _check_decision_pdf(path: Path, year: int, rows: dict, shots: Path) -> list[Path]:
    """The PDF says the same (pdftotext), and its pages are drawn to PNG (pdftoppm) next to the
    screenshots, to be looked at."""
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    assert "QUYẾT ĐỊNH" in flat and "Phụ lục" in flat and f"năm {year}" in flat
    lines = text.splitlines()
    for name, (total, rank, klass) in rows.items():
        at = next(i for i, ln in enumerate(lines) if name in ln and "%" not in ln)
        row = " ".join(lines[at - 1 : at + 2])  # a name may wrap in its cell, the figures stay on one line
        assert total in row and klass in row and f" {rank} " in f" {row} ", (name, row)
    shots.mkdir(exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(path), str(shots / "assessment-decision")], check=True
    )
    return sorted(shots.glob("assessment-decision*.png"))


def test_assessment_round_from_opening_to_published_results(
    page, browser, server, js_errors, province_index, chiso_command, tmp_path, screenshot, e2e_dir
):
    # ------------------------------------------------------------ 1. the coordinator opens the round
    login(page, "coordinator")
    year = _free_year(page)
    page.get_by_role("link", name="Đánh giá, chấm điểm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đánh giá, chấm điểm")
    page.get_by_role("link", name="Mở đợt đánh giá").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mở đợt đánh giá")
    framework = page.get_by_label("Bộ chỉ số")
    framework.select_option(
        framework.locator("option", has_text="CCHC sở, ngành — ").first.get_attribute("value")
    )
    page.get_by_label("Năm đánh giá").fill(str(year))
    page.get_by_label("Đơn vị được đánh giá").select_option(label="Các sở, ban, ngành")
    page.get_by_label("Hạn tự đánh giá").fill(_day(7))
    page.get_by_label("Hạn thẩm định", exact=True).fill(_day(14))
    page.get_by_label("Hạn giải trình").fill(_day(21))
    page.get_by_label("Hạn thẩm định lại").fill(_day(28))
    page.get_by_role("button", name="Mở đợt đánh giá").click()
    page.wait_for_url(re.compile(r"/danh-gia/\d+/$"))
    round_url = re.search(r"/danh-gia/\d+/$", page.url).group(0)
    title = f"Đánh giá CCHC sở, ngành năm {year} — Các sở, ban, ngành"
    expect(_flash(page)).to_contain_text(f"Đã mở «{title}» cho")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator("#round-status")).to_have_text("Tự đánh giá")
    current = page.locator("#phases tr.highlight")
    expect(current.get_by_role("rowheader")).to_have_text("Tự đánh giá")
    expect(current.locator("td").first).to_have_text(_day(7))
    units = page.locator("#round-units tbody tr")
    expect(units.filter(has_text="Sở Tư pháp")).to_contain_text("Chưa bắt đầu")
    expect(units.filter(has_text="Sở Y tế")).to_have_count(1)
    # the appraiser is assigned Sở Tư pháp and Sở Y tế
    page.get_by_role("link", name="Phân công thẩm định").click()
    who = page.get_by_label("Người thẩm định")
    who.select_option(who.locator("option", has_text="Đặng Quốc Thắng").get_attribute("value"))
    page.get_by_label("Sở Tư pháp").check()
    page.get_by_label("Sở Y tế").check()
    page.get_by_role("button", name="Lưu phân công").click()
    expect(_flash(page)).to_contain_text("Đã phân công Đặng Quốc Thắng (Hội đồng thẩm định) thẩm định.")
    expect(page.locator("#assignments tbody tr")).to_contain_text("Sở Tư pháp, Sở Y tế")

    # ------------------------------------------------------------ 2. Sở Tư pháp scores with the keyboard
    officer = _page(browser, server, js_errors, "officer_tp")
    officer.get_by_role("link", name="Đánh giá, chấm điểm").click()
    officer.locator("#rounds tbody tr").filter(has_text=title).get_by_role(
        "link", name="Phiếu của Sở Tư pháp"
    ).click()
    officer.wait_for_url(re.compile(rf"{round_url}\d+/$"))
    sheet_tp = re.search(r"/danh-gia/\d+/\d+/$", officer.url).group(0)
    expect(officer.get_by_role("heading", level=1)).to_have_text("Phiếu chấm điểm — Sở Tư pháp")
    expect(officer.locator("#sheet-notice")).to_have_text(
        f"Giai đoạn «Tự đánh giá» đang mở đến hết ngày {_day(7)}."
    )
    expect(officer.locator("#sheet-summary")).to_contain_text("Tổng điểm tự chấm: 0 / 100 điểm · 0,00 %")
    # Tab goes from input to input: level, note, level, note…, figures, a score, "not applicable"
    officer.locator("#tc-1-1-1-c").focus()
    steps = [
        ("tc-1-1-1-c", "ArrowDown"), ("tc-1-1-1-n", "Kế hoạch số 10/KH-STP ngày 05/01"),
        ("tc-1-1-2-c", "ArrowDown"), ("tc-1-1-2-n", NOTE), ("tc-1-1-3-c", "ArrowDown"), ("tc-1-1-3-n", NOTE),
        ("tc-1-1-4-f-done", "19"), ("tc-1-1-4-f-planned", "20"), ("tc-1-1-4-n", "Báo cáo năm"),
        ("tc-1-2-1-c", "ArrowDown"), ("tc-1-2-1-n", NOTE), ("tc-1-2-2-c", "ArrowDown"), ("tc-1-2-2-n", NOTE),
        ("tc-1-3-s", "2,5"), ("tc-1-3-n", "Biên bản kiểm tra số 12"), ("tc-1-4-s", "2"), ("tc-1-4-n", NOTE),
        ("tc-1-5-s", "3"), ("tc-1-5-na", None), ("tc-1-5-n", "Sáng kiến được công nhận"),
    ]  # fmt: skip
    for element_id, keys in steps:
        assert officer.evaluate("document.activeElement.id") == element_id
        if keys == "ArrowDown":
            officer.keyboard.press("ArrowDown")
        elif keys:
            officer.keyboard.type(keys)
        officer.keyboard.press("Tab")
    assert officer.evaluate("document.activeElement.id") == "tc-2-1-s"  # links are out of the Tab order
    expect(officer.locator("#tc-1-1-4 [data-role=computed]")).to_have_text("2")  # 95 % → 2 points
    expect(officer.locator(".subtotal[data-field=LV1]")).to_have_text("14,5 / 15 điểm")
    expect(officer.locator("#sheet-summary")).to_contain_text("Tổng điểm tự chấm: 14,5 / 100 điểm · 14,50 %")
    # a score off its step is pointed out at once; Enter moves on and never submits
    officer.keyboard.type("3,3")
    expect(officer.locator("#tc-2-1 [data-role=hint]")).to_have_text("điểm phải theo bước 0,5")
    officer.keyboard.press("Backspace")
    officer.keyboard.press("Backspace")
    officer.keyboard.type(",5")
    expect(officer.locator("#tc-2-1 [data-role=hint]")).to_have_text("")
    officer.keyboard.press("Enter")
    assert officer.evaluate("document.activeElement.id") == "tc-2-1-n"
    expect(_flash(officer)).to_have_count(0)
    # the other rows
    rows = officer.locator("tr.crit-row")
    for i in range(rows.count()):
        row = rows.nth(i)
        code = row.get_attribute("data-code")
        if code.startswith("1.") or code == "8.1":
            continue
        typed = {"2.1": "3,5", "T.1": "1", "T.2": "0", "P.1": "0", "P.2": "-0,5"}.get(code)
        if typed is None:
            typed = (
                row.locator("[data-role=score]").get_attribute("data-max")
                if row.locator("[data-role=score]").count()
                else ""
            )
        _fill_row(row, typed)
    typed_summary = _summary(officer)
    officer.get_by_role("button", name="Lưu", exact=True).click()
    officer.wait_for_url(re.compile(rf"{sheet_tp}$"))
    expect(_flash(officer)).to_contain_text("Đã lưu 29 tiêu chí.")
    assert _summary(officer) == typed_summary  # the server adds up what the page showed
    assert "Chưa chấm: 0 tiêu chí" in typed_summary
    screenshot(officer, "assessment-sheet")

    # one click: the task's product becomes evidence of 2.1
    officer.locator("#tc-2-1 td.evidence a").first.click()
    expect(officer.get_by_role("heading", level=1)).to_contain_text("2.1 Tham mưu xây dựng, ban hành văn bản")
    offer = officer.locator("#suggestions li").filter(has_text=TASK_TEXT)
    expect(offer).to_contain_text(PRODUCT)
    offer.get_by_role("button", name="Dùng làm tài liệu kiểm chứng").click()
    expect(_flash(officer)).to_contain_text(f"Đã thêm vào tài liệu kiểm chứng: {PRODUCT}")
    expect(officer.locator("#evidence-list")).to_contain_text("Sản phẩm của nhiệm vụ")
    expect(officer.locator("#suggestions")).to_have_count(0)
    officer.goto(sheet_tp)
    expect(officer.locator("#tc-2-1 td.evidence")).to_contain_text("1 tài liệu")
    officer.get_by_role("button", name="Nộp phiếu").click()
    expect(_flash(officer)).to_contain_text("Đã nộp phiếu tự đánh giá của Sở Tư pháp.")
    expect(officer.locator("#sheet-state")).to_contain_text("Phiếu: Đã nộp")

    # ------------------------------------------------------------ 3. Sở Y tế scores part of its sheet
    yte = _page(browser, server, js_errors, "officer_yt")
    yte.goto("/danh-gia/")
    yte.locator("#rounds tbody tr").filter(has_text=title).get_by_role(
        "link", name="Phiếu của Sở Y tế"
    ).click()
    for code, value in (("tc-1-3", "1,5"), ("tc-1-4", "1"), ("tc-2-1", "2")):
        yte.locator(f"#{code}-s").fill(value)
        yte.locator(f"#{code}-n").fill("Đang hoàn thiện hồ sơ")
    yte.get_by_role("button", name="Lưu", exact=True).click()
    expect(_flash(yte)).to_contain_text("Đã lưu 3 tiêu chí.")
    expect(yte.locator("#sheet-summary")).to_contain_text("Tổng điểm tự chấm: 4,5 / 100 điểm")

    # ------------------------------------------------------------ 4. the deadline passes and locks
    round_pk = int(round_url.strip("/").split("/")[-1])
    chiso_command(
        "shell",
        "--no-imports",
        "-c",
        "import datetime as dt; from django.utils import timezone; from chiso.assessment.models import Round; "
        f"Round.objects.filter(pk={round_pk}).update(self_deadline=timezone.localdate() - dt.timedelta(days=1))",
    )
    yte.reload()
    expect(yte.locator("#sheet-notice")).to_have_text(
        f"Giai đoạn «Tự đánh giá» đã hết hạn ngày {_day(-1)}: không ghi được (chuyên viên điều phối có thể mở lại)."
    )
    expect(yte.locator("#tc-1-5-s")).to_have_count(0)
    expect(yte.get_by_role("button", name="Lưu", exact=True)).to_have_count(0)
    page.goto(round_url)
    expect(page.locator("#phases tr.highlight")).to_contain_text("đã hết hạn")
    reopen = page.locator("#reopen-form")
    reopen.get_by_label("Đơn vị mở lại").select_option(label="Sở Y tế")
    reopen.get_by_label("Mở lại đến hết ngày").fill(_day(2))
    reopen.get_by_label("Lý do mở lại").fill("Sở Y tế gặp sự cố mạng ngày cuối hạn")
    reopen.get_by_role("button", name="Mở lại").click()
    expect(_flash(page)).to_contain_text(f"Đã mở lại cho Sở Y tế đến hết ngày {_day(2)}.")
    expect(units.filter(has_text="Sở Y tế")).to_contain_text(f"mở lại đến {_day(2)}")
    yte.reload()
    expect(yte.locator("#sheet-notice")).to_contain_text(
        f"Đã mở lại cho đơn vị đến hết ngày {_day(2)}: Sở Y tế gặp sự cố mạng ngày cuối hạn"
    )
    yte.locator("#tc-1-5-s").fill("1")
    yte.locator("#tc-1-5-n").fill("Mô hình một cửa điện tử")
    yte.get_by_role("button", name="Lưu", exact=True).click()
    expect(_flash(yte)).to_contain_text("Đã lưu 1 tiêu chí.")
    # Sở Tư pháp was not reopened: locked
    officer.reload()
    expect(officer.locator("#sheet-notice")).to_contain_text("đã hết hạn")

    # ------------------------------------------------------------ 5. appraisal
    page.goto(round_url)
    page.get_by_role("button", name="Chuyển sang thẩm định").click()
    expect(_flash(page)).to_contain_text("Đợt đánh giá chuyển sang giai đoạn «Thẩm định».")
    appraiser = _page(browser, server, js_errors, "appraiser")
    appraiser.get_by_role("link", name="Đánh giá, chấm điểm").click()
    appraiser.get_by_role("link", name=title).click()
    expect(appraiser.locator("#round-units tbody tr")).to_have_count(2)  # her two units
    appraiser.locator("#round-units").get_by_role("link", name="Sở Tư pháp").click()
    expect(appraiser.locator("#sheet-notice")).to_have_text(
        f"Giai đoạn «Thẩm định» đang mở đến hết ngày {_day(14)}."
    )
    before = _summary(appraiser).replace("Tổng điểm sau thẩm định", "Tổng điểm tự chấm")
    assert before == typed_summary  # she starts from the self-assessment
    expect(appraiser.locator("#tc-1-3-s")).to_have_value("2,5")
    appraiser.get_by_label(
        "1.3 Kiểm tra công tác CCHC đối với các phòng, đơn vị trực thuộc — điểm thẩm định"
    ).fill("1")
    appraiser.get_by_label("1.3 — Ý kiến thẩm định", exact=True).fill(
        "Thiếu biên bản kiểm tra 2 đơn vị trực thuộc"
    )
    appraiser.get_by_role("button", name="Lưu", exact=True).click()
    expect(_flash(appraiser)).to_contain_text("Đã lưu")
    appraised = _summary(appraiser)
    assert appraised.startswith("Tổng điểm sau thẩm định:")
    screenshot(appraiser, "assessment-appraisal")

    # ------------------------------------------------------------ 6. explanation
    page.goto(round_url)
    page.get_by_role("button", name="Chuyển sang giải trình").click()
    expect(page.locator("#round-status")).to_have_text("Giải trình")
    officer.reload()
    row = officer.locator("#tc-1-3")
    expect(row).to_contain_text("Thiếu biên bản kiểm tra 2 đơn vị trực thuộc")
    expect(officer.locator("textarea")).to_have_count(1)  # only where the appraisal spoke
    officer.get_by_label("1.3 — Giải trình", exact=True).fill(
        "Bổ sung biên bản kiểm tra số 15, 16 (đính kèm)"
    )
    officer.get_by_role("button", name="Lưu", exact=True).click()
    expect(_flash(officer)).to_contain_text("Đã lưu 1 tiêu chí.")

    # ------------------------------------------------------------ 7. re-appraisal, closing
    page.get_by_role("button", name="Chuyển sang thẩm định lại").click()
    expect(page.locator("#round-status")).to_have_text("Thẩm định lại")
    appraiser.reload()
    expect(appraiser.locator("#tc-1-3")).to_contain_text("Bổ sung biên bản kiểm tra số 15, 16")
    appraiser.get_by_label(
        "1.3 Kiểm tra công tác CCHC đối với các phòng, đơn vị trực thuộc — điểm thẩm định lại"
    ).fill("2,5")
    appraiser.get_by_label("1.3 — Ý kiến thẩm định lại", exact=True).fill("Chấp nhận giải trình")
    appraiser.get_by_role("button", name="Lưu", exact=True).click()
    expect(_flash(appraiser)).to_contain_text("Đã lưu")
    assert _summary(appraiser).replace("Tổng điểm sau thẩm định lại", "Tổng điểm tự chấm") == typed_summary

    page.get_by_label("Tôi đã kiểm tra điểm của các đơn vị; kết thúc và công bố kết quả").check()
    page.get_by_role("button", name="Kết thúc và công bố kết quả").click()
    expect(_flash(page)).to_contain_text("«Đã công bố kết quả»")
    expect(page.locator("#round-status")).to_have_text("Đã công bố kết quả")
    tp_row = units.filter(has=page.get_by_role("rowheader", name="Sở Tư pháp"))
    total = re.search(r"([\d,]+) / 100", typed_summary).group(1)
    klass = _class(float(total.replace(",", ".")))  # of 100 points: the percent is the total
    expect(tp_row.locator("td").nth(3)).to_have_text(total)  # final = self after the explanation
    expect(tp_row.locator("td").nth(5)).to_have_text("1")
    expect(tp_row.locator("td").nth(6)).to_contain_text(klass)
    yt_row = units.filter(has=page.get_by_role("rowheader", name="Sở Y tế"))
    expect(yt_row.locator("td").nth(5)).to_have_text("2")
    expect(page.locator("#round-events li")).to_have_count(5)
    ranked = sum(1 for r in units.all() if r.locator("td").nth(5).inner_text() != "–")  # units with a score
    screenshot(page, "assessment-round-closed")

    # ------------------------------------------------------------ 7b. the decision, DOCX and PDF
    rows = _decision_rows(units)
    docs = page.locator("#round-documents")
    expect(docs).not_to_contain_text("dự thảo")  # closed: the results are final
    docx_path = _download(page, docs.get_by_role("link", name="Quyết định công bố kết quả (DOCX)"), tmp_path)
    pdf_path = _download(page, docs.get_by_role("link", name="Quyết định công bố kết quả (PDF)"), tmp_path)
    _check_decision_docx(docx_path, year, rows)
    pngs = _check_decision_pdf(pdf_path, year, rows, e2e_dir / "screenshots")
    assert len(pngs) >= 2  # the decision and its appendix

    # ------------------------------------------------------------ 8. the results in the analysis
    tp_row.get_by_role("link", name="Phân tích").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Phân tích CCHC sở, ngành năm {year} — Sở Tư pháp"
    )
    expect(page.locator("#kpi-total")).to_have_text(f"{float(total.replace(',', '.')):.2f}".replace(".", ","))
    expect(page.locator("#kpi-rank")).to_have_text(f"1/{ranked}")
    expect(page.locator("#kpi-group")).to_have_text(klass)

    # ------------------------------------------------------------ 9. the unit reads its history
    officer.goto(sheet_tp + "lich-su/")
    history = officer.locator("table.history")
    expect(history).to_contain_text("Đặng Quốc Thắng (Hội đồng thẩm định)")
    expect(history).to_contain_text("Điểm thẩm định")
    expect(history).to_contain_text("Giải trình")
    expect(history).to_contain_text("Chấp nhận giải trình")
    expect(history).to_contain_text(PRODUCT)
    for p in (officer, yte, appraiser):
        p.context.close()
    assert js_errors == []
