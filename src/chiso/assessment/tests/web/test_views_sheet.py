"""The score sheet page as its users meet it: every leaf criterion grouped by field with subtotals and a
total always on screen; inputs labelled with the criterion; only the rows a user changed are saved (a
colleague's work on another row survives); a row someone else saved meanwhile is refused with the
user's input kept and the other value shown; rule-scored and not-applicable rows; submitting lists the
criteria at fault with links to them; the deadline locks the sheet and says so, a reopening unlocks one
unit; appraisers start from the self-scores and change only their criteria; units explain; the survey
row is read-only with its source."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from chiso.assessment.models import Assignment, Score, Sheet
from chiso.assessment.services import rounds, sheets

from ..conftest import _user
from .forms import form_data, text_of

pytestmark = pytest.mark.django_db


def _url(ui, unit=None):
    return reverse("assessment:sheet", args=[ui.round.pk, (unit or ui.tuphap).pk])


def _open(client, url):
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    return page, form_data(page, "sheet-form")


def _score(ui, code, sheet=None):
    return Score.objects.filter(sheet=sheet or ui.sheet, node__code=code).first()


def test_the_sheet_lists_every_criterion_by_field_with_its_totals(ui):
    client = ui.client_for("officer_unit")
    page, data = _open(client, _url(ui))
    assert "Giai đoạn «Tự đánh giá» đang mở đến hết ngày" in text_of(page, "sheet-notice")
    # one row per leaf criterion, under its field with the field's subtotal
    rows = re.findall(r'<tr id="(tc-[^"]+)" class="crit-row', page)
    assert len(rows) == 30 and rows[0] == "tc-1-1-1" and "tc-P-2" in rows
    assert "LV3. Cải cách thủ tục hành chính" in page and "0 / 20 điểm" in page
    assert "0 điểm thưởng (tối đa 5)" in page and "0 điểm trừ (tối đa -5)" in page
    assert text_of(page, "sheet-summary") == (
        "Tổng điểm tự chấm: 0 / 100 điểm · 0,00 % · Chưa chấm: 29 tiêu chí"
    )  # 30 criteria, the survey one is imported
    # labelled inputs: the screen reader hears the criterion's code and name
    assert re.search(
        r'<label class="sr-only" for="tc-1-3-s">1\.3 Kiểm tra công tác CCHC[^<]*— điểm tự chấm</label>', page
    )
    assert 'name="c-1.1.1"' in page and 'name="f-1.1.4-done"' in page and 'name="na-3.3"' in page
    assert 'name="s-8.1"' not in page and "Điểm lấy từ kết quả khảo sát" in page
    # Enter never submits: the form's first submit button is a disabled guard
    first = re.search(r'<button type="submit"[^>]*>', page[page.index('id="sheet-form"') :]).group(0)
    assert "disabled" in first
    # links in the rows are out of the Tab order; the list after the sheet reaches every criterion page
    assert (
        re.search(r'tabindex="-1"[^>]*>thêm</a>', page)
        and len(re.findall(r'href="[^"]+/tieu-chi/[^"]+/">', page)) >= 28
    )
    assert data["v-1.3"] == "0" and data["o-1.3"]


def test_saving_sends_only_the_rows_changed_and_keeps_a_colleague_s_work(ui):
    colleague = _user("cb_tp2", "officer", ui.tuphap)
    client = ui.client_for("officer_unit")
    page, data = _open(client, _url(ui))
    # meanwhile her colleague scores 1.4
    sheets.save(ui.sheet, colleague, "self", {"1.4": {"score": 2, "note": "Kế hoạch tuyên truyền"}})
    data.update({"s-1.3": "2,5", "n-1.3": "Biên bản kiểm tra số 12", "c-1.1.1": "kip_thoi", "action": "save"})
    response = client.post(_url(ui), data)
    assert response.status_code == 302
    assert _score(ui, "1.3").self_score == 2.5 and _score(ui, "1.3").self_note == "Biên bản kiểm tra số 12"
    assert _score(ui, "1.1.1").self_score == 1 and _score(ui, "1.1.1").inputs == {
        "self": {"choice": "kip_thoi"}
    }
    assert _score(ui, "1.4").self_score == 2 and _score(ui, "1.4").updated_by == colleague
    page = client.get(_url(ui)).content.decode()
    assert "Đã lưu 2 tiêu chí." in page
    assert (
        text_of(page, "sheet-summary")
        == "Tổng điểm tự chấm: 5,5 / 100 điểm · 5,50 % · Chưa chấm: 26 tiêu chí"
    )
    assert "5,5 / 15 điểm" in page  # field LV1: 1 + 2,5 and the colleague's 2
    # nothing changed: nothing written
    _, again = _open(client, _url(ui))
    before = list(Score.objects.values_list("pk", "version"))
    client.post(_url(ui), again)
    assert list(Score.objects.values_list("pk", "version")) == before
    assert "Không có thay đổi nào để lưu." in client.get(_url(ui)).content.decode()


def test_a_row_someone_saved_meanwhile_is_refused_with_the_input_kept(ui):
    colleague = _user("cb_tp2", "officer", ui.tuphap)
    colleague.first_name = "Hà"
    colleague.save()
    client = ui.client_for("officer_unit")
    _, data = _open(client, _url(ui))
    sheets.save(ui.sheet, colleague, "self", {"1.3": {"score": 1}})
    data.update({"s-1.3": "3", "s-2.1": "3,5", "n-2.1": "Quyết định 15", "action": "save"})
    response = client.post(_url(ui), data)
    assert response.status_code == 400
    page = response.content.decode()
    errors = text_of(page, "sheet-errors")
    assert "Phiếu chưa được lưu" in errors and "Hà đã sửa tiêu chí này" in errors
    assert 'href="#tc-1-3"' in page
    # all or nothing: 2.1 is not saved either, and both inputs show what she typed
    assert _score(ui, "2.1") is None and _score(ui, "1.3").self_score == 1
    again = form_data(page, "sheet-form")
    assert again["s-1.3"] == "3" and again["s-2.1"] == "3,5" and again["n-2.1"] == "Quyết định 15"
    assert "Giá trị hiện tại do người khác lưu: 1." in page
    # having seen it, she saves again: hers replaces it
    assert client.post(_url(ui), again).status_code == 302
    assert _score(ui, "1.3").self_score == 3 and _score(ui, "2.1").self_score == 3.5


def test_rule_figures_not_applicable_and_a_cleared_score(ui):
    client = ui.client_for("officer_unit")
    _, data = _open(client, _url(ui))
    data.update(
        {
            "f-1.1.4-done": "19",
            "f-1.1.4-planned": "20",
            "na-3.3": "on",
            "n-3.3": "Không nhận phản ánh nào trong năm",
            "s-4.1": "4",
        }
    )
    assert client.post(_url(ui), data).status_code == 302
    s114 = _score(ui, "1.1.4")
    assert s114.self_score == 2 and s114.inputs == {"self": {"done": 19, "planned": 20}}
    assert _score(ui, "3.3").not_applicable
    page, data = _open(client, _url(ui))
    assert data["f-1.1.4-done"] == "19" and data["na-3.3"] == "on"
    # 3.3 (4 points) is out of the maximum: 6 of 96
    assert text_of(page, "sheet-summary").startswith("Tổng điểm tự chấm: 6 / 96 điểm · 6,25 %")
    # a not-applicable row needs its reason; a rule figure must be a number
    data.update({"n-3.3": "", "f-1.1.4-done": "mười"})
    response = client.post(_url(ui), data)
    errors = text_of(response.content.decode(), "sheet-errors")
    assert "3.3: ghi rõ vì sao tiêu chí không áp dụng" in errors and "không phải là số" in errors
    # emptying a typed score clears it
    page, data = _open(client, _url(ui))
    data["s-4.1"] = ""
    assert client.post(_url(ui), data).status_code == 302
    assert _score(ui, "4.1").self_score is None


def test_submitting_lists_the_criteria_at_fault_with_links(ui):
    client = ui.client_for("officer_unit")
    _, data = _open(client, _url(ui))
    data.update({"s-2.1": "3", "action": "submit"})
    response = client.post(_url(ui), data)
    assert response.status_code == 400
    page = response.content.decode()
    errors = text_of(page, "sheet-errors")
    assert errors.startswith("Chưa nộp được phiếu: 29 tiêu chí cần xem lại.")  # 28 unscored, 2.1
    assert "2.1: 3 điểm nhưng chưa có tài liệu kiểm chứng" in errors and "1.1.1: chưa chấm điểm." in errors
    assert 'href="#tc-1-1-1"' in page and 'id="tc-2-1" class="crit-row has-error"' in page
    assert "Đã lưu 1 tiêu chí." in page  # what she typed is kept: saved before submitting
    assert Sheet.objects.get(pk=ui.sheet.pk).state == Sheet.State.IN_PROGRESS


def test_the_deadline_locks_the_sheet_and_a_reopening_unlocks_one_unit(ui):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    type(ui.round).objects.filter(pk=ui.round.pk).update(self_deadline=yesterday)
    client = ui.client_for("officer_unit")
    page = client.get(_url(ui)).content.decode()
    assert f"Giai đoạn «Tự đánh giá» đã hết hạn ngày {yesterday:%d/%m/%Y}" in text_of(page, "sheet-notice")
    assert 'name="s-1.3"' not in page and "Nộp phiếu" not in page
    response = client.post(_url(ui), {"s-1.3": "2", "o-1.3": "", "v-1.3": "0"})
    assert response.status_code == 400 and "đã hết hạn" in text_of(response.content.decode(), "sheet-errors")
    assert _score(ui, "1.3") is None
    # the coordinator reopens Sở Tư pháp for two days, with a reason
    coordinator = ui.client_for("coordinator")
    until = timezone.localdate() + dt.timedelta(days=2)
    response = coordinator.post(
        reverse("assessment:reopen", args=[ui.round.pk]),
        {"sheet": ui.sheet.pk, "until": until.strftime("%d/%m/%Y"), "reason": "Mạng gián đoạn"},
    )
    assert response.status_code == 302
    page = client.get(_url(ui)).content.decode()
    notice = text_of(page, "sheet-notice")
    assert f"Đã mở lại cho đơn vị đến hết ngày {until:%d/%m/%Y}: Mạng gián đoạn" in notice
    assert 'name="s-1.3"' in page
    # Sở Y tế stays locked
    other = ui.client_for("officer_other")
    assert 'name="s-1.3"' not in other.get(_url(ui, ui.yte)).content.decode()
    # a reopening needs a reason: said on the form's field
    response = coordinator.post(
        reverse("assessment:reopen", args=[ui.round.pk]),
        {"sheet": ui.sheet.pk, "until": until.strftime("%d/%m/%Y"), "reason": ""},
    )
    assert response.status_code == 400 and "Ghi rõ lý do mở lại." in text_of(
        response.content.decode(), "reopen-form"
    )


def _self_scored(ui):
    sheets.save(
        ui.sheet,
        ui.officer_tp,
        "self",
        {"1.3": {"score": 3, "note": "Biên bản"}, "1.4": {"score": 2}, "1.1.1": {"inputs": {"choice": "kip_thoi"}},
         "2.1": {"score": 4}},
    )  # fmt: skip


def test_the_appraiser_starts_from_the_self_scores_and_changes_only_her_criteria(ui):
    _self_scored(ui)
    Assignment.objects.filter(round=ui.round, user=ui.appraiser).update(
        criteria=["1.1.1", "1.3", "1.4", "1.5"]
    )
    rounds.advance(ui.round, ui.coordinator)
    client = ui.client_for("appraiser_assigned")
    page, data = _open(client, _url(ui))
    assert "Giai đoạn «Thẩm định» đang mở" in text_of(page, "sheet-notice")
    assert data["s-1.3"] == "3" and data["c-1.1.1"] == "kip_thoi"  # prefilled from the self-assessment
    assert "s-2.1" not in data and "s-1.5" in data  # 2.1 is not hers (1.5 is, unscored: empty)
    assert data["s-1.5"] == ""
    assert "Tổng điểm sau thẩm định" in text_of(page, "sheet-summary")
    data.update({"s-1.3": "1", "n-1.3": "Thiếu biên bản kiểm tra đơn vị trực thuộc", "s-2.1": "0"})
    assert client.post(_url(ui), data).status_code == 302
    s13, s14, s21 = _score(ui, "1.3"), _score(ui, "1.4"), _score(ui, "2.1")
    assert s13.appraised_score == 1 and s13.appraisal_comment.startswith("Thiếu biên bản")
    assert s14.appraised_score == 2  # confirmed as shown
    assert s21.appraised_score is None  # not hers: what was posted is ignored
    assert _score(ui, "1.1.1").appraised_score == 1 and _score(ui, "1.5") is None
    # the unit does not see the appraisal while it is under way, and cannot write
    officer = ui.client_for("officer_unit")
    page = officer.get(_url(ui)).content.decode()
    assert "Thiếu biên bản" not in page and "Thẩm định</th>" not in page
    assert "đang ở giai đoạn «Thẩm định»" in text_of(page, "sheet-notice")
    assert officer.post(_url(ui), {"s-1.3": "3", "o-1.3": "", "v-1.3": "9"}).status_code == 403


def test_the_unit_explains_and_the_appraiser_re_appraises(ui):
    _self_scored(ui)
    rnd = rounds.advance(ui.round, ui.coordinator)
    sheets.save(ui.sheet, ui.appraiser, "appraisal", {"1.3": {"score": 1, "note": "Thiếu biên bản"}})
    rnd = rounds.advance(rnd, ui.coordinator)
    officer = ui.client_for("officer_unit")
    page, data = _open(officer, _url(ui))
    assert "Thiếu biên bản" in page and "Giải trình của đơn vị" in page
    assert set(k for k in data if k.startswith("n-")) == {"n-1.3"}  # only where the appraisal spoke
    data["n-1.3"] = "Bổ sung biên bản kiểm tra số 12, 15"
    assert officer.post(_url(ui), data).status_code == 302
    assert _score(ui, "1.3").explanation.startswith("Bổ sung biên bản")
    rnd = rounds.advance(rnd, ui.coordinator)
    client = ui.client_for("appraiser_assigned")
    page, data = _open(client, _url(ui))
    assert data["s-1.3"] == "1"  # starts from the appraised score
    assert "Bổ sung biên bản kiểm tra số 12, 15" in page
    data.update({"s-1.3": "3", "n-1.3": "Chấp nhận giải trình"})
    assert client.post(_url(ui), data).status_code == 302
    ui.sheet.refresh_from_db()
    assert _score(ui, "1.3").final_score == 3 and ui.sheet.final_total == ui.sheet.self_total
    # closed: read-only for everyone, the final column shown to the unit
    rounds.advance(rnd, ui.coordinator, to="closed")
    page = officer.get(_url(ui)).content.decode()
    assert "Đợt đánh giá đã kết thúc" in text_of(page, "sheet-notice")
    assert "Chấp nhận giải trình" in page and "<textarea" not in page
    assert officer.post(_url(ui), data).status_code == 403
