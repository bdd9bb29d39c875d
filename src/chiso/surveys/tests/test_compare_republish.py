"""The comparison with the official SIPAS on the web (overall against SIPAS's service-delivery content,
each element against its SIPAS element, three years), and publishing a closed survey's results again
after late paper forms (with audit)."""

from __future__ import annotations

import pytest

from chiso.results.models import ImportBatch, Result, ResultChange
from chiso.surveys.models import Response
from chiso.surveys.services import frame, intake, publish

from .conftest import full_answers

pytestmark = pytest.mark.django_db


def _fill(survey, point, n, level, mode=Response.Mode.API, user=None):
    for _ in range(n):
        intake.submit(survey, full_answers(level), point=point, mode=mode, user=user)


def _official(province, year, values):
    """SIPAS results of the province: {node code or "root": percent}."""
    from chiso.frameworks.services import framework_for

    fw = framework_for("sipas", year)
    for code, value in values.items():
        node = fw.nodes.get(parent__isnull=True) if code == "root" else fw.nodes.get(code=code)
        Result.objects.create(framework=fw, node=node, unit=province, year=year, value=value)


def test_the_comparison_page_sets_each_element_beside_sipas(client, scene, survey):
    for level in (5, 5, 5, 2):
        _fill(survey, "QNG-STP", 20, level)  # 75 % satisfied on 80 answers
    client.force_login(scene.viewer)
    url = f"/khao-sat/{survey.pk}/so-sanh-sipas/"
    html = client.get(url).content.decode()
    assert "Chưa có kết quả" in html and "SIPAS" in html
    _official(scene.province, 2021, {"root": 70.0, "E1": 60.0})  # 2017 framework: no service content
    _official(scene.province, 2024, {"root": 88.0, "SERVICE": 77.5, "E1": 90.0, "E2": 74.0})
    r = client.get(url)
    html = r.content.decode().replace("\xa0", " ")
    assert r.status_code == 200
    table = html[html.index('id="compare"') :]
    assert "SIPAS 2024" in table and "SIPAS 2021" in table
    overall = table[table.index("Tỷ lệ hài lòng chung") :].split("</tr>")[0]
    # against the service content (77,5), not the overall index with the policy block (88)
    assert "77,50 %" in overall and "88,00" not in overall and "70,00 %" in overall
    assert "-2,5" in overall and "trong khoảng" in overall
    access = table[table.index("Tiếp cận dịch vụ") :].split("</tr>")[0]
    assert "90,00 %" in access and "ngoài khoảng" in access and "-15,0" in access
    feedback = table[table.index("Tiếp nhận, xử lý phản ánh") :].split("</tr>")[0]
    assert "không có" in feedback  # no official figure for E5 on file


def test_the_cli_estimates_carry_the_same_comparison_as_the_page(scene, survey):
    import json
    from io import StringIO

    from django.core.management import call_command

    def estimates(*extra):
        out = StringIO()
        call_command("survey", "estimates", "--survey", str(survey.pk), *extra, stdout=out)
        return out.getvalue()

    for level in (5, 5, 5, 2):
        _fill(survey, "QNG-STP", 20, level)  # 75 % satisfied on 80 answers
    data = json.loads(estimates("--format", "json"))
    assert data["comparison"]["years"] == []  # nothing official on file yet: rows without a figure
    assert data["comparison"]["rows"][0]["official_pct"] is None
    assert data["comparison"]["rows"][0]["inside"] is None
    _official(scene.province, 2021, {"root": 70.0, "E1": 60.0})
    _official(scene.province, 2024, {"root": 88.0, "SERVICE": 77.5, "E1": 90.0, "E2": 74.0})
    data = json.loads(estimates("--format", "json"))
    compared = data["comparison"]
    assert "SIPAS" in compared["index"] and compared["years"] == [2024, 2021]
    rows = {r["label"]: r for r in compared["rows"]}
    overall = rows["Tỷ lệ hài lòng chung"]
    assert overall["satisfied_pct"] == data["overall"]["satisfied_pct"] == 75.0
    assert (overall["ci_low"], overall["ci_high"]) == (data["overall"]["ci_low"], data["overall"]["ci_high"])
    # the service content of 2024 (77,5 %), inside the survey's interval, as the page says
    assert overall["official_year"] == 2024 and overall["official_pct"] == 77.5
    assert overall["official"] == {"2024": 77.5, "2021": 70.0}
    assert overall["diff"] == -2.5 and overall["inside"] is True
    access = rows["Tiếp cận dịch vụ"]
    assert access["official_pct"] == 90.0 and access["inside"] is False and access["diff"] == -15.0
    feedback = rows["Tiếp nhận, xử lý phản ánh, kiến nghị"]
    assert feedback["official_pct"] is None and feedback["inside"] is None
    text = estimates()
    assert "77.5 %" in text and "trong khoảng tin cậy" in text


@pytest.mark.parametrize("who", ["officer_tp", "outsider"])
def test_the_comparison_is_for_the_surveys_readers(client, scene, survey, who):
    client.force_login(getattr(scene, who))
    assert client.get(f"/khao-sat/{survey.pk}/so-sanh-sipas/").status_code in (403, 404)


def test_late_paper_forms_then_republish_with_audit(client, scene, survey):
    _fill(survey, "QNG-STP", 30, 5)
    survey = frame.step(survey, "close", scene.coordinator)
    root = {
        r.unit_id: r.value
        for r in Result.objects.filter(
            framework__index__code=publish.index_code(survey), node__code=publish.ROOT
        )
    }
    assert root == {scene.tuphap.pk: 100.0}
    client.force_login(scene.coordinator)
    url = f"/khao-sat/{survey.pk}/cong-bo-lai/"
    assert "không thay đổi" in client.get(url).content.decode()
    # late paper forms: reopened for them, typed, then republished
    r = client.post(f"/khao-sat/{survey.pk}/buoc/", {"action": "reopen_late"})
    survey.refresh_from_db()
    assert r.status_code == 302 and survey.collecting
    _fill(survey, "QNG-STP", 10, 2, mode=Response.Mode.PAPER, user=scene.officer_tp)
    survey.status = "closed"  # closed again without the step's own publication, to test the page alone
    survey.save(update_fields=["status"])
    html = client.get(url).content.decode()
    assert "100,00" in html and "75,00" in html and "Sở Tư pháp" in html
    batches = ImportBatch.objects.count()
    r = client.post(url)
    assert r.status_code == 302
    value = Result.objects.get(
        framework__index__code=publish.index_code(survey), node__code=publish.ROOT, unit=scene.tuphap
    )
    assert value.value == 75.0
    assert ImportBatch.objects.count() == batches + 1
    change = ResultChange.objects.filter(node=value.node, unit=scene.tuphap).order_by("-pk").first()
    assert change.before["value"] == 100.0 and change.after["value"] == 75.0
    assert value.history.first().history_user == scene.coordinator
    last = survey.history.first()
    assert last.history_user == scene.coordinator and "Công bố lại" in last.history_change_reason


@pytest.mark.parametrize("who", ["leader", "viewer", "officer_tp"])
def test_only_coordinators_republish(client, scene, survey, who):
    _fill(survey, "QNG-STP", 30, 5)
    frame.step(survey, "close", scene.coordinator)
    client.force_login(getattr(scene, who))
    assert client.post(f"/khao-sat/{survey.pk}/cong-bo-lai/").status_code in (403, 404)


def test_an_open_survey_is_not_republished(client, scene, survey):
    _fill(survey, "QNG-STP", 30, 5)
    client.force_login(scene.coordinator)
    before = ImportBatch.objects.count()
    r = client.post(f"/khao-sat/{survey.pk}/cong-bo-lai/", follow=True)
    assert "chưa kết thúc" in r.content.decode()
    assert ImportBatch.objects.count() == before
    assert not Result.objects.filter(framework__index__code=publish.index_code(survey)).exists()
