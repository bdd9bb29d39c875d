"""The province's own PAR INDEX self-assessment, as its users walk it in the browser.

The coordinator opens the province page of a round on the province itself and assigns the appraisal part to
the departments of the responsibility map with one click; the officer of Sở Tư pháp (a coordinating
department) sees the criterion assigned to her, proposes a score with a note and uploads a document as
evidence; the coordinator takes her proposal as the province's self-score; the forecast of the official total
is shown as a range with what it rests on; the round moves to the ministry's appraisal, the coordinator
imports the ministry's file (preview, then commit), the difference per criterion appears with the
departments answering for it, and the lost points go into a plan's shortcomings appendix.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from support import login, signed_in_page

pytestmark = pytest.mark.browser

# A round on the province itself for a year that has none yet, opened as the coordinator would (the PAR
# INDEX map of the demo province gives the appraisal block to Sở Nội vụ, Văn phòng UBND tỉnh, Sở Tư pháp).
SETUP = """
import datetime as dt
from chiso.accounts.models import Membership
from chiso.assessment.models import Round
from chiso.assessment.services import rounds
from chiso.frameworks.services import framework_for
from chiso.seed.demo_assessment import demo_par_map
from chiso.seed.demo_plans import demo_province, demo_units
province = demo_province()
coordinator = Membership.objects.filter(unit=province, role="coordinator", user__username="dieuphoi").get().user
demo_par_map(province, demo_units(province), coordinator)
taken = set(Round.objects.filter(province=province, scope="province").values_list("year", flat=True))
year = next(y for y in (2024, 2023, 2022) if y not in taken)
today = dt.date.today()
rnd = rounds.open_round(
    framework_for("par", year), year, province, "province", coordinator,
    title=f"Tự đánh giá PAR INDEX năm {year} (e2e)",
    deadlines={"self": today + dt.timedelta(days=7), "appraisal": today + dt.timedelta(days=14)},
)
from chiso.plans.models import Plan
Plan.objects.get_or_create(
    issuing_unit=province, title="Kế hoạch cải thiện Chỉ số CCHC năm 2026 (e2e)",
    defaults=dict(year=2026, indices=["par"], status="draft", created_by=coordinator),
)
print("ROUND", rnd.pk)
"""
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
MINISTRY = 'STT,Mã tiêu chí,Tên tiêu chí,Điểm thẩm định,Ý kiến thẩm định\n1,APPRAISAL,Điểm thẩm định,"52,5",Thiếu tài liệu kiểm chứng lĩnh vực 3\n'


def _flash(page):
    return page.locator("ul.messages")


def test_the_province_self_assesses_and_meets_the_ministrys_appraisal(
    page, browser, server, js_errors, chiso_command, screenshot
):
    out = chiso_command("shell", "--no-imports", "-c", SETUP)
    round_pk = int(re.search(r"ROUND (\d+)", out).group(1))

    # ------------------------------------------------------------ 1. the coordinator assigns the departments
    login(page, "coordinator")
    page.goto(f"/danh-gia/{round_pk}/")
    page.get_by_role("link", name="Các sở đề xuất, tổng hợp, dự báo").click()
    page.wait_for_url(re.compile(rf"/danh-gia/{round_pk}/tinh/$"))
    province_url = f"/danh-gia/{round_pk}/tinh/"
    expect(page.locator("#tc-APPRAISAL")).to_contain_text("chưa phân công")
    page.get_by_role("button", name="Phân công các sở theo bản đồ trách nhiệm").click()
    expect(_flash(page)).to_contain_text("Đã phân công 1 tiêu chí cho các sở theo bản đồ trách nhiệm.")
    row = page.locator("#tc-APPRAISAL")
    expect(row.locator("strong").first).to_have_text("Sở Nội vụ")
    expect(row).to_contain_text("Sở Tư pháp")
    expect(page.locator("#package-link")).to_have_attribute("href", re.compile(r"ho-so-minh-chung\.zip$"))

    # ------------------------------------------------------------ 2. Sở Tư pháp proposes, with evidence
    officer = signed_in_page(browser, server, js_errors, "officer_tp")
    officer.goto(province_url)
    expect(officer.locator("#forecast")).to_have_count(0)  # the forecast is the coordinators'
    expect(officer.locator("#package-link")).to_have_count(0)  # and the whole sheet's evidence package
    officer.get_by_label("Điểm Sở Tư pháp đề xuất").fill("54,25")
    officer.locator("#tc-APPRAISAL form.propose-form textarea").fill("Báo cáo số 45/BC-STP (e2e)")
    officer.get_by_role("button", name="Gửi đề xuất").click()
    expect(_flash(officer)).to_contain_text("Sở Tư pháp đã đề xuất điểm tiêu chí APPRAISAL.")
    expect(officer.locator("#tc-APPRAISAL li[data-unit='Sở Tư pháp'] .proposed")).to_have_text("54,25")
    officer.locator("#tc-APPRAISAL").get_by_role("link", name="0 tài liệu").click()
    officer.locator("#evidence-file").set_input_files(
        {"name": "bao-cao-45.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    officer.get_by_role("button", name="Tải lên").click()
    expect(_flash(officer)).to_contain_text("Đã thêm 1 tệp vào tài liệu kiểm chứng của tiêu chí APPRAISAL.")
    expect(officer.locator("#evidence-list")).to_contain_text("bao-cao-45.pdf")
    officer.context.close()

    # ------------------------------------------------------------ 3. the coordinator consolidates
    page.goto(province_url)
    row = page.locator("#tc-APPRAISAL")
    expect(row).to_contain_text("1 tài liệu")
    row.get_by_label("Theo Sở Tư pháp: 54,25").check()
    row.get_by_role("button", name="Tổng hợp").click()
    expect(_flash(page)).to_contain_text("Đã tổng hợp điểm tự đánh giá của tỉnh ở tiêu chí APPRAISAL.")
    expect(page.locator("#tc-APPRAISAL .consolidated")).to_have_text("54,25")
    # the forecast: a range, and what it rests on
    expect(page.locator("#forecast-range")).to_have_text(re.compile(r"^\d+(,\d+)? – \d+(,\d+)?$"))
    method = page.locator("#forecast-method")
    expect(method).to_contain_text(
        "Phần thẩm định: cao nhất 54,25 điểm nếu Bộ Nội vụ giữ nguyên điểm tự đánh giá; thấp nhất"
    )
    expect(method).not_to_contain_text("((")  # plain sentences, no brackets inside brackets
    expect(method).to_contain_text("Điểm Chỉ số hài lòng (SIPAS)")
    screenshot(page, "assessment-province")

    # ------------------------------------------------------------ 4. the ministry's appraisal, imported
    page.goto(f"/danh-gia/{round_pk}/")
    page.get_by_role("button", name="Chuyển sang thẩm định").click()
    expect(page.locator("#round-status")).to_have_text("Thẩm định")
    page.goto(province_url)
    page.locator("#ministry-file").set_input_files(
        {"name": "ket-qua-bo.csv", "mimeType": "text/csv", "buffer": MINISTRY.encode()}
    )
    page.get_by_label("Nguồn (văn bản, hệ thống, ngày)").fill("Công văn 123/BNV-CCHC (e2e)")
    page.get_by_role("button", name="Xem trước").click()
    expect(page.locator("#ministry-rows")).to_contain_text("Thiếu tài liệu kiểm chứng lĩnh vực 3")
    expect(page.locator("#differences")).to_have_count(0)  # nothing written by a preview
    page.get_by_role("button", name="Ghi kết quả từ tệp “ket-qua-bo.csv”").click()
    expect(_flash(page)).to_contain_text("Đã ghi kết quả thẩm định của Bộ cho 1 tiêu chí.")
    diff = page.locator("#differences tbody tr").first
    expect(diff).to_contain_text("54,25")
    expect(diff).to_contain_text("52,5")
    expect(diff).to_contain_text("-1,75")
    expect(diff).to_contain_text("Sở Nội vụ")
    expect(page.locator("#lost-total")).to_have_text("Bị trừ so với tự đánh giá: 1,75 điểm.")
    # the lost points into a plan's appendix (twice: nothing added twice)
    plans = page.get_by_label("Đưa các tiêu chí bị mất điểm vào phụ lục tồn tại, hạn chế của kế hoạch")
    plans.select_option(label="2026 — Kế hoạch cải thiện Chỉ số CCHC năm 2026 (e2e)")
    page.get_by_role("button", name="Đưa vào kế hoạch").click()
    expect(_flash(page)).to_contain_text(
        "Đã đưa 1 tiêu chí bị mất điểm vào phụ lục tồn tại, hạn chế của «Kế hoạch cải thiện Chỉ số CCHC năm 2026 (e2e)»."
    )
    assert not js_errors, js_errors
