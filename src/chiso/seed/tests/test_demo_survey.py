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
