"""The round pages as the coordinator and the units meet them: opening a round (the service's refusals on
the form's fields), the round page (deadlines, units with their totals, the workflow steps named by the
workflow, closing only when confirmed, ranks, classes and links to the analysis once published, the
timeline), assigning appraisers (refusals on the fields), the monitoring page, and the menu entry."""

from __future__ import annotations

import pytest
from django.urls import reverse

from chiso.assessment.models import Assignment, Round
from chiso.assessment.services import rounds, sheets

from ..test_round_services import _full_self
from .conftest import ahead
from .forms import text_of

pytestmark = pytest.mark.django_db


def test_the_menu_shows_rounds_to_those_who_may_see_them(ui):
    for role in ("coordinator", "leader", "viewer", "officer_unit", "appraiser_assigned"):
        page = ui.client_for(role).get(reverse("web:home")).content.decode()
        assert "Đánh giá, chấm điểm" in page, role
    page = ui.client_for("officer_unit").get(reverse("assessment:list")).content.decode()
    rounds_text = text_of(page, "rounds")
    assert rounds_text.count("Phiếu của Sở Tư pháp") == 1 and "Mở đợt đánh giá" not in page
    assert "Các sở, ban, ngành (3 đơn vị)" in rounds_text


def test_opening_a_round_and_its_refusals_on_the_fields(ui):
    client = ui.client_for("coordinator")
    page = client.get(reverse("assessment:open")).content.decode()
    assert "CCHC sở, ngành — Chỉ số CCHC các sở, ban, ngành năm 2025 (minh họa)" in page
    data = {
        "province": ui.province.pk,
        "framework": ui.framework.pk,
        "year": 2025,
        "scope": "department",
        "self_deadline": ahead(20).strftime("%d/%m/%Y"),
        "appraisal_deadline": ahead(10).strftime("%d/%m/%Y"),
    }
    response = client.post(reverse("assessment:open"), data)
    assert response.status_code == 400
    form = text_of(response.content.decode(), "open-round")
    assert "Tỉnh đã có đợt đánh giá CCHC sở, ngành năm 2025 cho nhóm đơn vị này." in form
    data["year"] = 2024
    response = client.post(reverse("assessment:open"), data)
    form = text_of(response.content.decode(), "open-round")
    assert "Bộ chỉ số cchc-so-2025 không áp dụng cho năm 2024." in form
    data.update(year=2026, appraisal_deadline="31/02/2026")
    assert "Ngày không hợp lệ" in text_of(
        client.post(reverse("assessment:open"), data).content.decode(), "open-round"
    )
    data["appraisal_deadline"] = ahead(10).strftime("%d/%m/%Y")
    form = text_of(client.post(reverse("assessment:open"), data).content.decode(), "open-round")
    assert "Hạn của giai đoạn sau không được sớm hơn giai đoạn trước." in form
    data["appraisal_deadline"] = ahead(30).strftime("%d/%m/%Y")
    response = client.post(reverse("assessment:open"), data)
    assert response.status_code == 302
    rnd = Round.objects.get(year=2026)
    assert response.url == reverse("assessment:round", args=[rnd.pk])
    assert rnd.self_deadline == ahead(20) and rnd.sheets.count() == 3
    page = client.get(response.url).content.decode()
    assert "Đã mở «Đánh giá CCHC sở, ngành năm 2026 — Các sở, ban, ngành» cho 3 đơn vị." in page


def test_the_round_page_steps_and_closing_with_results(ui):
    rnd = ui.round
    for unit, officer, base in ((ui.tuphap, ui.officer_tp, 0.95), (ui.yte, ui.officer_yt, 0.7)):
        sheets.save(rnd.sheets.get(unit=unit), officer, "self", _full_self(rnd, unit, base))
    client = ui.client_for("coordinator")
    url = reverse("assessment:round", args=[rnd.pk])
    page = client.get(url).content.decode()
    assert text_of(page, "round-status") == "Tự đánh giá"
    phases = text_of(page, "phases")
    assert (
        f"Tự đánh giá {ahead(10):%d/%m/%Y} Đang diễn ra" in phases
        and f"Thẩm định lại {ahead(40):%d/%m/%Y}" in phases
    )
    units = text_of(page, "round-units")
    assert "Sở Tư pháp Đang chấm" in units and "Sở Xây dựng Chưa bắt đầu" in units
    assert "Chuyển sang thẩm định" in page and "Kết thúc và công bố kết quả" in page
    # the leader reads the page without the steps
    leader_page = ui.client_for("leader").get(url).content.decode()
    assert "Chuyển sang thẩm định" not in leader_page and "Sở Tư pháp" in leader_page
    # an officer sees her unit's row only
    officer_units = text_of(ui.client_for("officer_unit").get(url).content.decode(), "round-units")
    assert "Sở Tư pháp" in officer_units and "Sở Y tế" not in officer_units
    # one step
    client.post(reverse("assessment:advance", args=[rnd.pk]), {"to": "appraisal"})
    page = client.get(url).content.decode()
    assert "Đợt đánh giá chuyển sang giai đoạn «Thẩm định»." in page
    assert "Tự đánh giá → Thẩm định" in text_of(page, "round-events")
    # closing needs the box ticked
    client.post(reverse("assessment:advance", args=[rnd.pk]), {"to": "closed"})
    rnd.refresh_from_db()
    assert rnd.status == "appraisal"
    assert "Đánh dấu ô xác nhận" in client.get(url).content.decode()
    client.post(reverse("assessment:advance", args=[rnd.pk]), {"to": "closed", "confirm": "1"})
    rnd.refresh_from_db()
    assert rnd.status == "closed" and rnd.published_batch_id
    page = client.get(url).content.decode()
    units = text_of(page, "round-units")
    row_tp = units[units.index("Sở Tư pháp") :].split("Sở Xây dựng")[0]
    assert " 1 Xuất sắc" in row_tp
    assert reverse("analysis:page", args=["cchc-so", ui.tuphap.pk, 2025]) in page
    assert "Chuyển sang" not in page and "mo-lai" not in page  # closed: no steps, no reopening
    # the analysis reads the published results
    analysis = client.get(reverse("analysis:page", args=["cchc-so", ui.tuphap.pk, 2025]))
    assert analysis.status_code == 200


def test_assigning_appraisers_and_the_refusals(ui):
    client = ui.client_for("coordinator")
    url = reverse("assessment:assignments", args=[ui.round.pk])
    page = client.get(url).content.decode()
    assert "Sở Tư pháp, Sở Y tế" in text_of(page, "assignments")
    # the people offered: appraisers and oversight roles of the province, not unit officers
    assert "Trần" not in page and "cb_tp" not in page and ">xem (Người xem)<" in page
    # a unit officer is refused by the service; an unknown code is named on its field
    response = client.post(url, {"user": ui.officer_tp.pk, "units": [ui.tuphap.pk], "criteria": "1.3, 9.9"})
    form = text_of(response.content.decode(), "assign-form")
    assert "Chọn một người trong danh sách." in form  # not offered
    response = client.post(url, {"user": ui.viewer.pk, "units": [ui.xd.pk], "criteria": "1.3, 9.9"})
    assert "9.9" in text_of(response.content.decode(), "assign-form")
    # a field code stands for its criteria
    response = client.post(url, {"user": ui.viewer.pk, "units": [ui.xd.pk], "criteria": "LV2"})
    assert response.status_code == 302
    a = Assignment.objects.get(round=ui.round, user=ui.viewer)
    assert a.criteria == ["2.1", "2.2", "2.3"] and [u.pk for u in a.units.all()] == [ui.xd.pk]
    assert a.history.first().history_user == ui.coordinator
    # the same person again: her assignment changes
    assert client.post(url, {"user": ui.viewer.pk, "units": [ui.yte.pk], "criteria": ""}).status_code == 302
    a.refresh_from_db()
    assert a.criteria == [] and [u.pk for u in a.units.all()] == [ui.yte.pk]
    client.post(reverse("assessment:unassign", args=[ui.round.pk, a.pk]))
    assert not Assignment.objects.filter(pk=a.pk).exists()


def test_monitoring_counts_units_evidence_and_appraisal_progress(ui):
    rnd = ui.round
    entries = _full_self(rnd, ui.tuphap, 0.9)
    sheets.save(ui.sheet, ui.officer_tp, "self", entries)
    sheets.save(rnd.sheets.get(unit=ui.yte), ui.officer_yt, "self", {"2.1": {"score": 2}})
    client = ui.client_for("leader")
    page = client.get(reverse("assessment:monitoring", args=[rnd.pk])).content.decode()
    assert text_of(page, "kpi-not_started") == "1" and text_of(page, "kpi-in_progress") == "2"
    progress = text_of(page, "unit-progress")
    assert "Sở Y tế Đang chấm 1/29 2.1" in progress
    assert "Sở Xây dựng Chưa bắt đầu 0/29 không có" in progress
    rnd = rounds.advance(rnd, ui.coordinator)
    sheets.save(ui.sheet, ui.appraiser, "appraisal", {"1.3": {"score": 1}, "1.4": {"score": 1}})
    page = client.get(reverse("assessment:monitoring", args=[rnd.pk])).content.decode()
    appraisers = text_of(page, "appraiser-progress")
    assert "td Sở Tư pháp, Sở Y tế; mọi tiêu chí 2/58 0/58" in appraisers
    assert "td2 Sở Xây dựng; mọi tiêu chí 0/29 0/29" in appraisers
