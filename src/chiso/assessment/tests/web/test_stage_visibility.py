"""What a unit reads of the appraisal, and when (``permissions.sees_stage``, one rule for every page, API
answer and document): while the appraisal is under way an officer reads neither the appraised scores nor
the comments, nor a percent, rank or class computed from them — on the round page, the sheet, the criterion
page, the history, the API or the documents — while the coordinator and the appraiser read them at once.
Once the appraisal is handed to the unit (explanation) she reads it; the final scores, ranks and classes
once the round is closed. Also: links to the documents only for those who may download them, and a
double click (or two coordinators) on a phase step advances the round once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from chiso.assessment.models import Round
from chiso.assessment.services import rounds, sheets

from ..test_round_services import _full_self
from .forms import text_of

pytestmark = pytest.mark.django_db

COMMENT = "Thiếu quyết định kiện toàn tổ công tác"


def _appraised(ui):
    """Both units self-scored; the round in appraisal; the appraiser lowers Sở Tư pháp's 1.3 with a
    comment."""
    rnd = ui.round
    for unit, officer, base in ((ui.tuphap, ui.officer_tp, 0.95), (ui.yte, ui.officer_yt, 0.7)):
        sheets.save(rnd.sheets.get(unit=unit), officer, "self", _full_self(rnd, unit, base))
    rnd = rounds.advance(rnd, ui.coordinator, to="appraisal")
    sheet = rnd.sheets.get(unit=ui.tuphap)
    sheets.save(sheet, ui.appraiser, "appraisal", {"1.3": {"score": 0.5, "note": COMMENT}})
    sheet.refresh_from_db()
    return rnd, sheet


def _pages(client, rnd, sheet) -> dict[str, str]:
    args = [rnd.pk, sheet.unit_id]
    return {
        "round": client.get(reverse("assessment:round", args=[rnd.pk])).content.decode(),
        "sheet": client.get(reverse("assessment:sheet", args=args)).content.decode(),
        "criterion": client.get(reverse("assessment:criterion", args=[*args, "1.3"])).content.decode(),
        "history": client.get(reverse("assessment:history", args=args)).content.decode(),
    }


def test_an_officer_reads_no_appraisal_before_it_is_handed_over_the_insiders_do(ui):
    rnd, sheet = _appraised(ui)
    assert sheet.appraised_total is not None and sheet.appraised_total < sheet.self_total
    appraised = f"{sheet.appraised_total:.2f}".replace(".", ",").rstrip("0").rstrip(",")

    officer = ui.client_for("officer_unit")
    pages = _pages(officer, rnd, sheet)
    for name, page in pages.items():
        assert COMMENT not in page, name
    units = text_of(pages["round"], "round-units")
    assert appraised not in units and "Xuất sắc" not in units and "Tốt" not in units
    assert "Thẩm định" not in text_of(pages["sheet"], "sheet-table")
    assert "Điểm thẩm định" not in pages["history"] and "0,5" not in text_of(pages["criterion"], "h-scores")
    api = officer.get(f"/api/assessment/sheets/{sheet.pk}/").json()
    assert api["appraised_total"] is None and api["percent"] is None and api["rank"] is None
    row = next(c for c in api["criteria"] if c["code"] == "1.3")
    assert row["appraised_score"] is None and row["appraisal_comment"] == "" and row["self_score"] > 0.5
    listed = officer.get(f"/api/assessment/rounds/{rnd.pk}/sheets/").json()
    assert [s["appraised_total"] for s in listed] == [None]
    # the score report shows the self-assessment only; the explanation form is refused, and not offered
    report = officer.get(reverse("assessment:score_report_docx", args=[rnd.pk, ui.tuphap.pk]))
    assert report.status_code == 200
    assert officer.get(reverse("assessment:explanation_docx", args=[rnd.pk, ui.tuphap.pk])).status_code == 403
    assert reverse("assessment:explanation_docx", args=[rnd.pk, ui.tuphap.pk]) not in pages["sheet"]
    assert reverse("assessment:score_report_pdf", args=[rnd.pk, ui.tuphap.pk]) in pages["sheet"]
    assert reverse("assessment:decision_docx", args=[rnd.pk]) not in pages["round"]

    # the coordinator and the appraiser read it at once
    for role in ("coordinator", "appraiser_assigned"):
        client = ui.client_for(role)
        pages = _pages(client, rnd, sheet)
        assert COMMENT in pages["criterion"] and COMMENT in pages["sheet"], role
        assert appraised in text_of(pages["round"], "round-units"), role
        api = client.get(f"/api/assessment/sheets/{sheet.pk}/").json()
        assert api["appraised_total"] == pytest.approx(sheet.appraised_total), role
    coordinator_round = _pages(ui.client_for("coordinator"), rnd, sheet)["round"]
    assert "Hạng (tạm tính)" in coordinator_round and "tạm tính" in text_of(
        coordinator_round, "provisional-note"
    )
    assert reverse("assessment:decision_pdf", args=[rnd.pk]) in coordinator_round
    assert "dự thảo" in text_of(coordinator_round, "round-documents")

    # handed over: the officer reads the appraisal and may download the explanation form
    rnd = rounds.advance(rnd, ui.coordinator, to="explanation")
    pages = _pages(officer, rnd, sheet)
    assert (
        COMMENT in pages["criterion"] and COMMENT in pages["sheet"] and "Điểm thẩm định" in pages["history"]
    )
    assert appraised in text_of(pages["round"], "round-units")
    assert reverse("assessment:explanation_docx", args=[rnd.pk, ui.tuphap.pk]) in pages["sheet"]
    assert officer.get(reverse("assessment:explanation_pdf", args=[rnd.pk, ui.tuphap.pk])).status_code == 200
    # the re-appraisal is hers to read only once the round is closed
    rnd = rounds.advance(rnd, ui.coordinator, to="reappraisal")
    sheets.save(sheet, ui.appraiser, "final", {"1.3": {"score": 1.0, "note": "Đã bổ sung quyết định"}})
    pages = _pages(officer, rnd, sheet)
    assert "Đã bổ sung quyết định" not in pages["criterion"] + pages["history"] + pages["sheet"]
    assert officer.get(f"/api/assessment/sheets/{sheet.pk}/").json()["final_total"] is None
    rnd = rounds.advance(rnd, ui.coordinator, to="closed")
    pages = _pages(officer, rnd, sheet)
    assert "Đã bổ sung quyết định" in pages["criterion"]
    units = text_of(pages["round"], "round-units")
    assert "Xuất sắc" in units or "Tốt" in units
    assert "Hạng (tạm tính)" not in pages["round"]


def test_a_double_click_on_a_step_advances_the_round_once(ui):
    client = ui.client_for("coordinator")
    url = reverse("assessment:advance", args=[ui.round.pk])
    # the form as the page renders it: the step to the next phase, and the phase it was shown in
    form = {"to": "appraisal", "from": "self_assessment"}
    first, second = client.post(url, form, follow=True), client.post(url, form, follow=True)
    rnd = Round.objects.get(pk=ui.round.pk)
    assert rnd.status == "appraisal"
    assert rnd.events.count() == 1
    assert "chuyển sang giai đoạn «Thẩm định»" in first.content.decode()
    assert "có người vừa chuyển" in second.content.decode()
    # two coordinators each asking for "the next phase" from what they saw: one step only
    body = {"from_stage": "appraisal"}
    api = f"/api/assessment/rounds/{rnd.pk}/advance/"
    a = client.post(api, body, content_type="application/json")
    b = client.post(api, body, content_type="application/json")
    assert a.status_code == 200 and b.status_code == 409
    assert "có người vừa chuyển" in b.content.decode()
    assert Round.objects.get(pk=rnd.pk).status == "explanation" and rnd.events.count() == 2


def test_the_step_is_chosen_from_the_locked_row_not_a_stale_copy(ui):
    stale = Round.objects.get(pk=ui.round.pk)
    rounds.advance(Round.objects.get(pk=ui.round.pk), ui.coordinator)
    with pytest.raises(Exception) as refused:
        rounds.advance(stale, ui.coordinator, expected=stale.status)
    assert "có người vừa chuyển" in str(refused.value)
    # without an expected state, the next step is taken from where the round really is
    rnd = rounds.advance(stale, ui.coordinator)
    assert rnd.status == "explanation" and rnd.events.count() == 2
