"""The answers raking weights by (sex ``gender``, age group ``age``) are kept again in columns of their own,
by every way a response comes in — the public API, the web form, paper entry, imports, loaders, a later
version of the questionnaire — and by the migration for the responses already there; the weighted estimates
read those columns and give the same figures as reading the answers (``test_estimates_fast``)."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from chiso.surveys.models import Response, profile_cells
from chiso.surveys.services import imports, intake, questionnaire

from .conftest import full_answers
from .test_imports import _csv, _row
from .test_pages import _paper
from .test_public_form import _form

pytestmark = pytest.mark.django_db


def _profile(row: Response) -> tuple[str | None, str | None]:
    row.refresh_from_db()
    return row.gender, row.age


def test_the_public_api_keeps_sex_and_age_group_in_their_columns(client, survey):
    def post(answers):
        r = client.post(
            f"/api/public/surveys/{survey.pk}/responses/",
            data=json.dumps({"answers": answers, "service_point": "QNG-STP"}),
            content_type="application/json",
        )
        assert r.status_code == 201, r.content
        return Response.objects.get(receipt=r.json()["receipt"])

    assert _profile(post(full_answers(4, gender="2", age=3))) == ("2", "3")
    assert _profile(post(full_answers(4, age=5))) == (None, "5")  # the profile questions are optional
    assert _profile(post(full_answers(4))) == (None, None)


def test_the_web_form_and_paper_entry_fill_the_columns(client, scene, survey):
    r = client.post(f"/phieu/{survey.pk}/", _form(survey, **full_answers(4), gender=1, age=2), follow=True)
    assert r.status_code == 200
    assert _profile(Response.objects.get(survey=survey, mode="web")) == ("1", "2")
    client.force_login(scene.officer_tp)
    r = client.post(f"/khao-sat/{survey.pk}/phieu-giay/", _paper(**full_answers(4), gender=2, age=5))
    assert r.status_code == 302
    assert _profile(Response.objects.get(survey=survey, mode="paper")) == ("2", "5")


def test_imports_and_loaders_fill_the_columns(survey, scene):
    data = _csv([_row(5, gender=2), _row(4, gender="")])
    assert imports.commit_responses(survey, data, "kobo.csv", scene.coordinator) == 2
    assert [_profile(r) for r in Response.objects.filter(mode="import").order_by("pk")] == [
        ("2", None),
        (None, None),
    ]
    intake.add_many(survey, [(full_answers(3, gender=1, age=4), "QNG-SYT", "")], mode="paper")
    assert _profile(Response.objects.get(mode="paper")) == ("1", "4")


def test_a_later_version_of_the_questionnaire_fills_them_too(client, scene, survey):
    intake.submit(survey, full_answers(4, gender=1, age=1), mode="api")
    questionnaire.edit_question(survey, "q9_sat_24", scene.coordinator, text="Biển hiệu rõ ràng")
    survey.refresh_from_db()
    assert survey.version == 2
    row = intake.submit(survey, full_answers(4, gender=2, age=4), mode="api")
    assert row.version == 2 and _profile(row) == ("2", "4")
    assert sorted(Response.objects.values_list("version", "gender", "age")) == [(1, "1", "1"), (2, "2", "4")]


def test_saving_changed_answers_refreshes_the_columns(survey):
    row = intake.submit(survey, full_answers(4, gender=1), mode="api")
    row.answers = {**row.answers, "gender": 2, "age": 3}
    row.save()
    assert _profile(row) == ("2", "3")


@pytest.mark.parametrize(
    ("answers", "cells"),
    [
        ({"gender": 2, "age": "3"}, {"gender": "2", "age": "3"}),
        ({"gender": None, "age": ""}, {"gender": None, "age": ""}),
        ({"gender": True, "age": 1.0}, {"gender": "True", "age": "1.0"}),
        ({"gender": (1, 2), "age": {"a": 1}}, {"gender": "[1, 2]", "age": "{'a': 1}"}),
        ([1, 2], {"gender": None, "age": None}),
    ],
)
def test_the_cells_are_the_answers_as_read_back_from_the_database(answers, cells):
    assert profile_cells(answers) == cells


# --- the migration that added the columns --------------------------------------------------------------

BEFORE = [("surveys", "0002_survey_revision")]
AFTER = [("surveys", "0003_response_profile")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_the_migration_fills_the_columns_of_the_responses_already_there(concurrent_db, survey, monkeypatch):
    monkeypatch.setattr("chiso.surveys.migrations.0003_response_profile.BATCH", 3, raising=False)
    old = _migrate(BEFORE)
    try:
        OldResponse = old.get_model("surveys", "Response")
        profiles = [
            {"gender": 1, "age": 2},
            {"gender": "2"},
            {},
            {"age": 5, "ethnicity": 1},
            {"gender": True, "age": None},
            {"gender": [1, 2]},
            {"gender": 2, "age": 1},
        ]
        OldResponse.objects.bulk_create(
            OldResponse(survey_id=survey.pk, receipt=f"M{i}", answers={**full_answers(), **p}, scores="4")
            for i, p in enumerate(profiles)
        )
    finally:
        _migrate(AFTER)
    got = list(Response.objects.filter(survey=survey).order_by("receipt").values_list("gender", "age"))
    assert got == [
        ("1", "2"),
        ("2", None),
        (None, None),
        (None, "5"),
        ("True", None),
        ("[1, 2]", None),
        ("2", "1"),
    ]
