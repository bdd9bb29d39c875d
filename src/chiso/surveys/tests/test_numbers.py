"""Number answers of a questionnaire: what a survey's numbers can be (never below zero)."""

from __future__ import annotations

import json

import pytest

from chiso.surveys.models import Response

from .conftest import full_answers

pytestmark = pytest.mark.django_db


def post(client, survey_id, body):
    return client.post(
        f"/api/public/surveys/{survey_id}/responses/", data=json.dumps(body), content_type="application/json"
    )


def test_a_number_question_refuses_a_negative_number(client, survey, scene):
    """An age, a count of visits, minutes waited: a survey's numbers are never below zero — "-3" is
    refused with the reason, nothing is kept; 0 and 2,5 are taken."""
    from chiso.surveys.services import frame, questionnaire

    survey = frame.step(survey, "reopen", scene.coordinator)
    questionnaire.add_question(survey, scene.coordinator, code="tuoi", text="Tuổi của Ông/Bà", kind="number")
    survey = frame.step(survey, "open", scene.coordinator)
    r = post(client, survey.pk, {"answers": {**full_answers(), "tuoi": -3}})
    assert r.status_code == 400 and "số không âm" in " ".join(r.json()["tuoi"])
    r = post(client, survey.pk, {"answers": {**full_answers(), "tuoi": "-3"}})
    assert r.status_code == 400
    assert not Response.objects.filter(survey=survey).exists()
    assert post(client, survey.pk, {"answers": {**full_answers(), "tuoi": 0}}).status_code == 201
    assert post(client, survey.pk, {"answers": {**full_answers(), "tuoi": "2,5"}}).status_code == 201
