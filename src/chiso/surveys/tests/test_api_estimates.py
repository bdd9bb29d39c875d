"""The staff API of a survey: its estimates and its quotas, as the CLI and the pages give them, to the
province's readers only; the answers match the OpenAPI schema."""

from __future__ import annotations

import jsonschema
import pytest
from django.test import Client

from chiso.api.tests.test_openapi import _operation, _strict, generated  # noqa: F401
from chiso.surveys.models import Response
from chiso.surveys.services import estimates, intake

from .conftest import full_answers

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _fill(survey, point, n, level):
    for _ in range(n):
        intake.submit(survey, full_answers(level), point=point, mode=Response.Mode.API)


def _matches(schema, url, response):
    operation = _operation(schema, url)
    body = _strict(
        operation["responses"][str(response.status_code)]["content"]["application/json"]["schema"],
        schema["components"]["schemas"],
    )
    jsonschema.validate(response.json(), body)


def test_a_coordinator_reads_weighted_estimates_as_the_cli_gives_them(survey, scene, generated):  # noqa: F811
    _fill(survey, "QNG-STP", 10, 5)
    _fill(survey, "QNG-SYT", 30, 2)
    url = f"/api/surveys/{survey.pk}/estimates/?weighted=true"
    r = _client(scene.coordinator).get(url)
    assert r.status_code == 200, r.content
    _matches(generated, url, r)
    data = r.json()
    assert data == estimates.estimates_json(survey, weighted=True)
    # design weights: 10 satisfied stand for 1,200 dossiers, 30 not satisfied for 800 → 60 %
    assert data["weighted"] is True and data["n"] == 40
    assert data["items"][0]["satisfied_pct"] == 60.0 and data["items"][0]["unweighted_satisfied_pct"] == 25.0
    plain = _client(scene.leader).get(f"/api/surveys/{survey.pk}/estimates/")
    assert plain.status_code == 200 and plain.json()["weighted"] is False
    assert plain.json()["items"][0]["satisfied_pct"] == 25.0


def test_quotas_per_service_point(survey, scene, generated):  # noqa: F811
    _fill(survey, "QNG-STP", 5, 4)
    url = f"/api/surveys/{survey.pk}/quotas/"
    r = _client(scene.viewer).get(url)
    assert r.status_code == 200, r.content
    _matches(generated, url, r)
    rows = {q["point"]: q for q in r.json()}
    assert rows["QNG-STP"] == {
        "point": "QNG-STP",
        "name": rows["QNG-STP"]["name"],
        "unit": "QNG-STP",
        "dossiers": 1200,
        "target": 292,
        "collected": 5,
        "remaining": 287,
    }
    assert rows["99901"]["target"] == 169 and rows["99901"]["collected"] == 0


@pytest.mark.parametrize(
    ("who", "words"),
    [
        ("officer_tp", "không được xem kết quả của cuộc khảo sát này"),  # a department's officer
        ("outsider", "chưa được giao vai trò"),  # an account with no role anywhere
    ],
)
def test_others_may_not_read_a_provinces_survey(survey, scene, who, words):
    for what in ("estimates", "quotas"):
        r = _client(getattr(scene, who)).get(f"/api/surveys/{survey.pk}/{what}/")
        assert r.status_code == 403, (who, what)
        assert words in r.json()["detail"]


def test_unknown_survey_bad_parameter_and_no_sign_in(survey, scene):
    coordinator = _client(scene.coordinator)
    assert coordinator.get("/api/surveys/987654/estimates/").status_code == 404
    bad = coordinator.get(f"/api/surveys/{survey.pk}/estimates/?weighted=maybe")
    assert bad.status_code == 400 and "weighted" in bad.json()["detail"]
    assert Client().get(f"/api/surveys/{survey.pk}/quotas/").status_code in (401, 403)
    assert coordinator.post(f"/api/surveys/{survey.pk}/quotas/", {}).status_code == 405
