"""The demo survey: synthetic responses (said so), the estimates page alive, weighted estimates raked."""

from __future__ import annotations

import pytest

from chiso.seed.demo_survey import load_demo_survey
from chiso.surveys.services import estimates

pytestmark = pytest.mark.django_db


def test_the_demo_survey_has_thousands_of_synthetic_responses_and_estimates():
    result = load_demo_survey()
    survey = result.survey
    assert result.created and "mô phỏng" in survey.title and "mô phỏng" in survey.intro
    assert survey.collecting
    assert survey.responses.count() >= 2000
    data = estimates.estimates_json(survey, weighted=True)
    assert data["notes"] == []  # design weights and raking to sex and age both applied
    assert 40 < data["overall"]["satisfied_pct"] < 95 and data["overall"]["publishable"]
    assert data["overall"]["ci_low"] < data["overall"]["satisfied_pct"] < data["overall"]["ci_high"]
    assert load_demo_survey().created is False


def test_the_demo_survey_was_collected_over_several_weeks():
    """The monitoring page's responses by day: the synthetic responses are spread over the four weeks
    before the demo was loaded (fewer on weekends), not all on the day of loading."""
    survey = load_demo_survey().survey
    days = estimates.daily(survey)
    busy = [n for _day, n in days if n]
    assert len(days) == 28 and len(busy) >= 20
    assert sum(busy) == survey.responses.count()


def test_the_demo_respondents_answer_like_people_so_intervals_are_plausible():
    """One person's answers go together (a respondent who is pleased is pleased with most items): the
    synthetic items are correlated within a respondent as real ones are, so the overall interval — which
    accounts for that — is not implausibly narrow (items drawn independently gave ±0.3 points on 4,500
    responses)."""
    import numpy as np

    survey = load_demo_survey().survey
    rows = [r for r in survey.responses.values_list("scores", flat=True)]
    a = np.array([int(s[0]) for s in rows if s[0] != "-" and s[1] != "-"])
    b = np.array([int(s[1]) for s in rows if s[0] != "-" and s[1] != "-"])
    assert np.corrcoef(a, b)[0, 1] > 0.3
    overall = estimates.estimates_json(survey, weighted=False)["overall"]
    assert overall["ci_high"] - overall["ci_low"] > 1.2


def test_closing_the_demo_survey_publishes_a_result_per_unit(client):
    from django.contrib.auth import get_user_model

    from chiso.results.models import Result
    from chiso.surveys.services import frame, publish

    survey = load_demo_survey().survey
    frame.step(survey, "close", None)
    code = publish.index_code(survey)
    roots = Result.objects.filter(framework__index__code=code, year=survey.year, node__code=publish.ROOT)
    f = estimates.compute(survey, weighted=True)
    publishable = {p.unit_id for p, e in f.points if e.publishable}
    assert publishable and set(roots.values_list("unit_id", flat=True)) == publishable
    unit_id = sorted(publishable)[0]
    expected = next(e for p, e in f.points if p.unit_id == unit_id).value
    assert roots.get(unit_id=unit_id).value == pytest.approx(100 * expected, abs=0.006)
    client.force_login(get_user_model().objects.create_superuser("admin_demo", password="x"))
    assert client.get(f"/phan-tich/{code}/{unit_id}/{survey.year}/").status_code == 200
