"""Attacks on the score sheet, as a careless or hostile user would make them: two people scoring the same
criterion at once (the second is told, nothing is overwritten unseen), a double click on save and on
submit, an officer of another unit posting to a sheet by its URL or the API, and impossible scores
(above the maximum, negative, off the step, NaN, infinite, "1.234,5")."""

from __future__ import annotations

import pytest
from django.urls import reverse

from chiso.assessment.models import Assignment, Score, Sheet
from chiso.assessment.services import sheets

from ..conftest import _user
from .forms import form_data, text_of

pytestmark = pytest.mark.django_db


def _url(ui, unit=None):
    return reverse("assessment:sheet", args=[ui.round.pk, (unit or ui.tuphap).pk])


def _api(ui, sheet=None):
    return f"/api/assessment/sheets/{(sheet or ui.sheet).pk}/scores/"


def _open(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return form_data(response.content.decode(), "sheet-form")


def _score(ui, code):
    return Score.objects.filter(sheet=ui.sheet, node__code=code).first()


def _history(ui, code):
    return Score.history.filter(sheet_id=ui.sheet.pk, node__code=code).count()


def _version_of(client, ui, code):
    rows = client.get(_api(ui)).json()
    return next(r["version"] for r in rows if r["code"] == code)


# --- two people on the same criterion ---------------------------------------------------------------


def test_two_appraisers_on_the_same_criterion_the_second_gets_a_conflict(ui, client):
    """Two appraisers assigned the same unit read the sheet through the API, both set 1.3's appraised
    score: the second is refused 409 naming the first, and the first one's score stands."""
    sheets.save(ui.sheet, ui.officer_tp, "self", {"1.3": {"score": 3, "note": "Biên bản"}})
    type(ui.round).objects.filter(pk=ui.round.pk).update(status="appraisal")
    second = _user("td3", "appraiser", ui.province)
    second.first_name = "Lan"
    second.save()
    Assignment.objects.create(round=ui.round, user=second).units.set([ui.tuphap])
    first_client, second_client = ui.client_for("appraiser_assigned"), client
    second_client.force_login(second)
    v1, v2 = _version_of(first_client, ui, "1.3"), _version_of(second_client, ui, "1.3")
    assert v1 == v2
    body = {
        "work": "appraisal",
        "entries": {"1.3": {"score": "2,5", "note": "Thiếu biên bản", "version": v1}},
    }
    assert first_client.post(_api(ui), body, content_type="application/json").status_code == 200
    body = {"work": "appraisal", "entries": {"1.3": {"score": 1, "note": "Không đạt", "version": v2}}}
    response = second_client.post(_api(ui), body, content_type="application/json")
    assert response.status_code == 409
    assert "đã sửa tiêu chí này" in str(response.json())
    s = _score(ui, "1.3")
    assert s.appraised_score == 2.5 and s.appraisal_comment == "Thiếu biên bản"


def test_two_officers_on_the_same_row_of_the_page_the_second_sees_the_first_value(ui):
    colleague = _user("cb_tp2", "officer", ui.tuphap)
    mine, theirs = ui.client_for("officer_unit"), ui.client_for("officer_unit")
    theirs.force_login(colleague)
    data_mine, data_theirs = _open(mine, _url(ui)), _open(theirs, _url(ui))
    data_theirs.update({"s-1.3": "2", "action": "save"})
    assert theirs.post(_url(ui), data_theirs).status_code == 302
    data_mine.update({"s-1.3": "3", "action": "save"})
    response = mine.post(_url(ui), data_mine)
    assert response.status_code == 400
    assert "cb_tp2 đã sửa tiêu chí này" in text_of(response.content.decode(), "sheet-errors")
    assert _score(ui, "1.3").self_score == 2


# --- double clicks -----------------------------------------------------------------------------------


def test_a_double_click_on_save_writes_once_and_is_no_conflict(ui):
    """The browser sends the same form twice: the first saves, the second — the same values from the same
    opened page — finds them already there: no conflict with herself, one version, one history record."""
    client = ui.client_for("officer_unit")
    data = _open(client, _url(ui))
    data.update({"s-1.3": "2,5", "n-1.3": "Biên bản số 12", "action": "save"})
    assert client.post(_url(ui), data).status_code == 302
    second = client.post(_url(ui), data)
    assert second.status_code == 302, text_of(second.content.decode(), "sheet-errors")
    assert "Những gì bạn nhập đã được lưu" in client.get(_url(ui)).content.decode()
    s = _score(ui, "1.3")
    assert s.self_score == 2.5 and s.version == 1
    assert _history(ui, "1.3") == 1


def test_a_double_click_on_save_after_someone_else_changed_the_row_is_still_refused(ui):
    """Only an identical value is taken as already saved: a colleague's different value in between is a
    conflict as before."""
    colleague = _user("cb_tp2", "officer", ui.tuphap)
    client = ui.client_for("officer_unit")
    data = _open(client, _url(ui))
    data.update({"s-1.3": "2,5", "action": "save"})
    assert client.post(_url(ui), data).status_code == 302
    sheets.save(ui.sheet, colleague, "self", {"1.3": {"score": 1}}, versions={"1.3": 1})
    response = client.post(_url(ui), data)
    assert response.status_code == 400
    assert _score(ui, "1.3").self_score == 1


def _fill_all(ui):
    """Every criterion of Sở Tư pháp's sheet scored (0 points: no evidence needed)."""
    from chiso.assessment.services.structure import structure

    entries = {}
    for crit in structure(ui.round.framework).criteria:
        if crit.survey:
            continue
        if crit.rule is None:
            entries[crit.code] = {"score": 0}
        elif crit.rule.kind == "choice":
            entries[crit.code] = {"inputs": {"choice": crit.rule.choices[-1].code}}
        else:
            entries[crit.code] = {"inputs": {i.code: 0 for i in crit.rule.inputs[:1]} | {
                i.code: 1 for i in crit.rule.inputs[1:]}}  # fmt: skip
    sheets.save(ui.sheet, ui.officer_tp, "self", entries)


def test_a_double_click_on_submit_submits_once(ui):
    _fill_all(ui)
    client = ui.client_for("officer_unit")
    data = _open(client, _url(ui))
    data["action"] = "submit"
    first = client.post(_url(ui), data)
    assert first.status_code == 302
    sheet = Sheet.objects.get(pk=ui.sheet.pk)
    assert sheet.state == Sheet.State.SUBMITTED
    submitted_at = sheet.submitted_at
    records = Sheet.history.filter(id=ui.sheet.pk).count()
    second = client.post(_url(ui), data)
    assert second.status_code in (302, 400)
    page = client.get(second.url).content.decode() if second.status_code == 302 else second.content.decode()
    assert "đã nộp" in page.lower()
    sheet.refresh_from_db()
    assert sheet.submitted_at == submitted_at
    assert Sheet.history.filter(id=ui.sheet.pk).count() == records


# --- another unit's sheet ------------------------------------------------------------------------------


def test_an_officer_of_another_unit_cannot_write_a_sheet_by_url_or_api(ui):
    client = ui.client_for("officer_other")  # Sở Y tế
    before = list(Score.objects.values_list("pk", "version"))
    response = client.post(_url(ui), {"s-1.3": "3", "o-1.3": "", "v-1.3": "0", "action": "save"})
    assert response.status_code in (403, 404)
    response = client.post(_url(ui), {"action": "submit"})
    assert response.status_code in (403, 404)
    body = {"work": "self", "entries": {"1.3": {"score": 3}}}
    assert client.post(_api(ui), body, content_type="application/json").status_code in (403, 404)
    submit = f"/api/assessment/sheets/{ui.sheet.pk}/submit/"
    assert client.post(submit).status_code in (403, 404)
    # nor explain, nor appraise
    for work in ("explanation", "appraisal", "final"):
        body = {"work": work, "entries": {"1.3": {"score": 1, "note": "x"}}}
        assert client.post(_api(ui), body, content_type="application/json").status_code in (403, 404)
    assert list(Score.objects.values_list("pk", "version")) == before
    assert Sheet.objects.get(pk=ui.sheet.pk).state == Sheet.State.NOT_STARTED


# --- impossible scores -----------------------------------------------------------------------------------

IMPOSSIBLE = [
    "4",
    "3,5001",
    "-0,5",
    "-1",
    "NaN",
    "nan",
    "inf",
    "-Infinity",
    "1e308",
    "1.234,5",
    "1,2,3",
    "ba",
    "0,3",
]


@pytest.mark.parametrize("raw", IMPOSSIBLE)
def test_an_impossible_score_on_the_page_is_refused_with_a_message(ui, raw):
    """1.3 is worth at most 3 points, on a step of 0,5."""
    client = ui.client_for("officer_unit")
    data = _open(client, _url(ui))
    data.update({"s-1.3": raw, "s-2.1": "3", "action": "save"})
    response = client.post(_url(ui), data)
    assert response.status_code == 400
    errors = text_of(response.content.decode(), "sheet-errors")
    assert "1.3" in errors
    assert _score(ui, "1.3") is None and _score(ui, "2.1") is None  # all or nothing


@pytest.mark.parametrize("raw", [*IMPOSSIBLE, 4, -1, 1e308, 0.3])
def test_an_impossible_score_through_the_api_is_refused_400(ui, client, raw):
    client.force_login(ui.officer_tp)
    body = {"work": "self", "entries": {"1.3": {"score": raw}, "2.1": {"score": 3}}}
    response = client.post(_api(ui), body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert "1.3" in response.json() or "entries" in response.json()
    assert _score(ui, "1.3") is None and _score(ui, "2.1") is None


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_json_nan_and_infinity_are_refused_400(ui, client, token):
    client.force_login(ui.officer_tp)
    body = '{"work": "self", "entries": {"1.3": {"score": ' + token + "}}}"
    response = client.post(_api(ui), body, content_type="application/json")
    assert response.status_code == 400
    assert _score(ui, "1.3") is None


def test_an_impossible_figure_of_a_rule_scored_criterion_is_refused(ui, client):
    client.force_login(ui.officer_tp)
    for inputs in ({"done": 21, "planned": 20}, {"done": -1, "planned": 20}, {"done": "NaN", "planned": 20},
                   {"done": 5, "planned": 0}, {"done": "1.234,5", "planned": 20}):  # fmt: skip
        body = {"work": "self", "entries": {"1.1.4": {"inputs": inputs}}}
        response = client.post(_api(ui), body, content_type="application/json")
        assert response.status_code == 400, (inputs, response.content)
    assert _score(ui, "1.1.4") is None


def test_a_sheet_changed_after_submission_is_submitted_again(ui):
    """Only an unchanged sheet is taken as submitted already: a score changed since is a new submission."""
    _fill_all(ui)
    sheets.submit(ui.sheet, ui.officer_tp)
    first = Sheet.objects.get(pk=ui.sheet.pk).submitted_at
    sheets.save(ui.sheet, ui.officer_tp, "self", {"1.3": {"score": "0,5", "note": "Biên bản số 3"}})
    sheets.submit(ui.sheet, ui.officer_tp)
    assert Sheet.objects.get(pk=ui.sheet.pk).submitted_at > first
