"""Quotas and estimates of a survey (the statistics are core.survey's; here: reading responses and the
frame, the CLI's JSON, weighting by the frame, the publishable mark)."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from chiso.surveys.models import Response
from chiso.surveys.services import estimates, intake

from .conftest import full_answers

pytestmark = pytest.mark.django_db


def _fill(survey, point, n, level):
    for _ in range(n):
        intake.submit(survey, full_answers(level), point=point, mode=Response.Mode.API)


def test_quotas_follow_the_margin_with_the_finite_population_correction(survey):
    _fill(survey, "QNG-STP", 5, 5)
    rows = {r["point"].code: r for r in estimates.quotas(survey)}
    # margin 5 %, 95 %: 385 without correction; N = 1200 → 292, N = 300 → 169
    assert rows["QNG-STP"]["target"] == 292
    assert rows["QNG-STP"]["collected"] == 5 and rows["QNG-STP"]["remaining"] == 287
    assert rows["99901"]["target"] == 169 and rows["99901"]["remaining"] == 169


def test_estimates_json_weighted_and_unweighted(survey):
    # Tư pháp (1200 dossiers): 10 fully satisfied; Y tế (800 dossiers): 30 not satisfied
    _fill(survey, "QNG-STP", 10, 5)
    _fill(survey, "QNG-SYT", 30, 2)
    out = StringIO()
    call_command("survey", "estimates", "--survey", str(survey.pk), "--format", "json", stdout=out)
    plain = json.loads(out.getvalue())
    assert plain["survey"] == survey.pk and plain["n"] == 40
    item = plain["items"][0]
    assert set(item) >= {"code", "n", "satisfied_pct", "mean", "ci_low", "ci_high"}
    assert item["code"] == "q9_sat_24" and item["satisfied_pct"] == 25.0 and item["mean"] == 2.75
    assert plain["overall"]["satisfied_pct"] == 25.0
    # element E was not asked of anyone: no figure, not publishable
    e = next(x for x in plain["items"] if x["code"] == "q9_sat_37")
    assert e["n"] == 0 and e["satisfied_pct"] is None and e["publishable"] is False

    out = StringIO()
    call_command(
        "survey", "estimates", "--survey", str(survey.pk), "--weighted", "--format", "json", stdout=out
    )
    weighted = json.loads(out.getvalue())
    # design weights: Tư pháp's 10 stand for 1200 dossiers, Y tế's 30 for 800 → 60 % satisfied
    assert weighted["items"][0]["satisfied_pct"] == 60.0
    assert weighted["items"][0]["unweighted_satisfied_pct"] == 25.0
    # no variation within a stratum: a stratified interval of width 0
    assert weighted["overall"]["ci_low"] == 60.0 == weighted["overall"]["ci_high"]
    # 10 answers in a stratum is below min_n=30 but the overall 40 is publishable
    assert weighted["overall"]["publishable"] is True


def test_a_figure_on_too_few_responses_is_not_publishable(survey):
    _fill(survey, "QNG-STP", 3, 4)
    data = estimates.estimates_json(survey, weighted=False)
    assert data["overall"]["publishable"] is False and data["overall"]["n"] == 3


def test_only_readers_of_the_province_get_estimates(survey, scene):
    from django.core.exceptions import PermissionDenied

    for user in (scene.coordinator, scene.leader, scene.viewer):
        estimates.estimates_json(survey, user)
    for user in (scene.officer_tp, scene.outsider):
        with pytest.raises(PermissionDenied):
            estimates.estimates_json(survey, user)


def test_a_survey_with_no_response_yet_lists_every_item_and_element_with_n_0_and_no_figure(survey):
    from chiso.core.survey import Estimate
    from chiso.surveys.services import estimates
    from chiso.surveys.services.questionnaire import scale_codes

    for weighted in (False, True):
        out = StringIO()
        args = ["survey", "estimates", "--survey", str(survey.pk), "--format", "json"]
        call_command(*args, *(["--weighted"] if weighted else []), stdout=out)
        data = json.loads(out.getvalue())
        assert data["n"] == 0
        assert [i["code"] for i in data["items"]] == scale_codes(survey)
        assert [e["code"] for e in data["elements"]] == [
            "access",
            "procedure",
            "official",
            "result",
            "feedback",
        ]
        for row in [*data["items"], *data["elements"], data["overall"]]:
            assert row["n"] == 0 and row["satisfied_pct"] is None and row["publishable"] is False
    # the same keys as a row with figures
    none = Estimate(None, None, None, None, 0, 0.0, False, "linearisation", None)
    assert set(estimates.EMPTY) == set(estimates._row(none, none))
