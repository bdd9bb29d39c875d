"""The public intake API and the rules of one response (services.intake, services.answers)."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError

from chiso.surveys.models import RateCount, Response
from chiso.surveys.services import frame, intake

from .conftest import full_answers

pytestmark = pytest.mark.django_db


def post(client, survey_id, body, **extra):
    return client.post(
        f"/api/public/surveys/{survey_id}/responses/",
        data=json.dumps(body),
        content_type="application/json",
        **extra,
    )


def test_a_citizen_posts_without_signing_in_and_gets_a_receipt(client, survey):
    r = post(client, survey.pk, {"answers": full_answers(5), "service_point": "QNG-STP", "dossier": ""})
    assert r.status_code == 201, r.content
    receipt = r.json()["receipt"]
    row = Response.objects.get(receipt=receipt)
    assert row.point.unit.code == "QNG-STP"
    assert row.answers["q9_sat_24"] == 5
    # 16 items: 13 answered, the three of element E skipped (q8_7 = "Không")
    assert row.scores == "5" * 13 + "---"
    assert row.mode == "api"


def test_profile_questions_are_optional_and_typed_when_given(client, survey):
    r = post(client, survey.pk, {"answers": full_answers(3, gender="2", age=3), "service_point": ""})
    assert r.status_code == 201
    row = Response.objects.get(receipt=r.json()["receipt"])
    assert row.answers["gender"] == 2 and row.answers["age"] == 3 and row.point is None


def test_the_same_dossier_twice_is_a_conflict_and_keeps_one_response(client, survey):
    body = {"answers": full_answers(), "service_point": "QNG-SYT", "dossier": "000.00.12.H55-260101-0001"}
    assert post(client, survey.pk, body).status_code == 201
    second = post(client, survey.pk, body)
    assert second.status_code == 409
    assert "mỗi hồ sơ chỉ một phiếu" in second.json()["detail"]
    assert Response.objects.filter(survey=survey).count() == 1


def test_empty_dossiers_never_conflict(client, survey):
    for _ in range(3):
        assert post(client, survey.pk, {"answers": full_answers(), "dossier": ""}).status_code == 201
    assert Response.objects.filter(survey=survey, dossier="").count() == 3


@pytest.mark.parametrize(
    ("answers", "field", "words"),
    [
        ({**full_answers(), "q9_sat_24": 6}, "q9_sat_24", "từ 1 đến 5"),
        ({**full_answers(), "q9_sat_24": "năm"}, "q9_sat_24", "từ 1 đến 5"),
        ({**full_answers(), "q9_sat_24": True}, "q9_sat_24", "từ 1 đến 5"),
        ({**full_answers(), "q9_sat_24": 4.5}, "q9_sat_24", "từ 1 đến 5"),
        ({k: v for k, v in full_answers().items() if k != "q9_sat_30"}, "q9_sat_30", "cần được trả lời"),
        ({**full_answers(), "gender": 3}, "gender", "phương án đã cho"),
        ({**full_answers(), "khong_co": 1}, "khong_co", "Không có câu hỏi"),
        ({**full_answers(), "other_feedback": 12}, "other_feedback", "đoạn chữ"),
        ({**full_answers(), "other_feedback": "x" * 2001}, "other_feedback", "2000"),
        ({**full_answers(), "q8_7": 1}, "q9_sat_37", "cần được trả lời"),  # element E now applies
    ],
)
def test_bad_answers_are_refused_with_the_reason_and_nothing_is_kept(client, survey, answers, field, words):
    r = post(client, survey.pk, {"answers": answers})
    assert r.status_code == 400
    assert field in r.json(), r.json()
    assert words in " ".join(r.json()[field])
    assert not Response.objects.filter(survey=survey).exists()


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ({"answers": [1, 2]}, "answers"),
        ({"answers": full_answers(), "service_point": "KHONG-CO"}, "service_point"),
        ({"answers": full_answers(), "dossier": "x" * 61}, "dossier"),
        ({"answers": full_answers(), "name": "Nguyễn Văn A"}, "non_field_errors"),
        ({"answers": full_answers(), "dossier": 12}, "non_field_errors"),
    ],
)
def test_bad_bodies_are_refused(client, survey, body, key):
    r = post(client, survey.pk, body)
    assert r.status_code == 400
    assert key in r.json()
    assert not Response.objects.exists()


def test_unreadable_json_and_unknown_survey(client, survey):
    r = client.post(
        f"/api/public/surveys/{survey.pk}/responses/", data="{nope", content_type="application/json"
    )
    assert r.status_code == 400
    assert post(client, 999999, {"answers": {}}).status_code == 404


def test_a_survey_not_open_takes_no_response(client, survey, scene):
    frame.step(survey, "close", scene.coordinator)
    r = post(client, survey.pk, {"answers": full_answers()})
    assert r.status_code == 400 and "không nhận phiếu" in r.json()["survey"][0]


def test_intake_needs_no_csrf_token(survey):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert post(strict, survey.pk, {"answers": full_answers()}).status_code == 201


def test_rate_limit_counts_a_salted_hash_and_can_be_turned_off(client, survey, settings, scene):
    settings.CHISO_SURVEY_RATE_LIMIT = 3
    for _ in range(3):
        assert (
            post(client, survey.pk, {"answers": full_answers()}, REMOTE_ADDR="203.0.113.7").status_code == 201
        )
    blocked = post(client, survey.pk, {"answers": full_answers()}, REMOTE_ADDR="203.0.113.7")
    assert blocked.status_code == 429
    # another address (another counter) is not blocked
    assert post(client, survey.pk, {"answers": full_answers()}, REMOTE_ADDR="198.51.100.2").status_code == 201
    keys = list(RateCount.objects.values_list("key", flat=True))
    assert keys and all("203.0.113.7" not in k and "198.51" not in k for k in keys)
    assert Response.objects.filter(survey=survey).count() == 4
    settings.CHISO_SURVEY_RATE_LIMIT = 0
    assert post(client, survey.pk, {"answers": full_answers()}, REMOTE_ADDR="203.0.113.7").status_code == 201
    # closing the survey drops the hashes
    frame.step(survey, "close", scene.coordinator)
    assert not RateCount.objects.filter(survey=survey).exists()


def test_the_hash_differs_between_surveys(survey, scene):
    from chiso.surveys.services import questionnaire

    other = questionnaire.create_survey("sipas", scene.province, 2027, scene.coordinator)
    assert intake.client_key(survey, "203.0.113.7") != intake.client_key(other, "203.0.113.7")


def test_only_json_is_taken(client, survey):
    r = client.post(f"/api/public/surveys/{survey.pk}/responses/", data={"answers": "x"})
    assert r.status_code == 415
    assert not Response.objects.exists()


@pytest.fixture
def kept(monkeypatch):
    """The intake's per-worker cache as in production (the API runs in autocommit; a test runs inside a
    transaction, where nothing read is kept), emptied before and after."""
    monkeypatch.setattr(intake, "_may_keep", lambda: True)
    intake._FORMS.clear()
    intake._SURVEYS.clear()
    yield
    intake._FORMS.clear()
    intake._SURVEYS.clear()


def test_the_intake_reads_the_questionnaire_once_per_worker(client, survey, settings, kept):
    """Once the worker has read the survey: on PostgreSQL one statement a response (the survey's state
    checked, the sender counted and the row inserted together); elsewhere the survey's state, the count
    and the INSERT one by one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    one = connection.vendor == "postgresql"
    settings.CHISO_SURVEY_RATE_LIMIT = 0
    assert (
        post(client, survey.pk, {"answers": full_answers(4), "service_point": "QNG-STP"}).status_code == 201
    )
    with CaptureQueriesContext(connection) as q:
        r = post(client, survey.pk, {"answers": full_answers(5), "service_point": "99901"})
    assert r.status_code == 201
    sql = [x["sql"] for x in q.captured_queries if "SAVEPOINT" not in x["sql"]]  # the test's transaction
    if one:
        assert len(sql) == 1 and "surveys_survey" in sql[0] and "INSERT INTO" in sql[0]
    else:
        assert len(sql) == 2 and "surveys_survey" in sql[0] and sql[1].startswith("INSERT")
    assert Response.objects.get(receipt=r.json()["receipt"]).point.code == "99901"
    settings.CHISO_SURVEY_RATE_LIMIT = 5
    with CaptureQueriesContext(connection) as q:
        assert post(client, survey.pk, {"answers": full_answers(5)}).status_code == 201
    sql = [x["sql"] for x in q.captured_queries if "SAVEPOINT" not in x["sql"]]
    if one:
        assert len(sql) == 1 and "surveys_ratecount" in sql[0]
    else:
        assert len(sql) == 3  # the count: one statement


def test_nothing_read_inside_a_transaction_is_kept(survey):
    intake._FORMS.pop(survey.pk, None)
    assert intake.form_of(survey).questions  # the test runs inside a transaction
    assert survey.pk not in intake._FORMS


def test_an_edit_of_the_questionnaire_is_checked_by_the_next_response(client, survey, scene, kept):
    """The intake keeps the questionnaire per worker: an edit (in place, or a new version once answered)
    must be what the very next response is checked against."""
    from chiso.surveys.services import questionnaire

    assert post(client, survey.pk, {"answers": full_answers(4)}).status_code == 201  # form now cached
    questionnaire.edit_question(survey, "gender", scene.coordinator, required=True)
    survey.refresh_from_db()
    assert survey.version == 2  # the first version had a response: a new one
    r = post(client, survey.pk, {"answers": full_answers(4)})
    assert r.status_code == 400 and "gender" in r.json()
    r = post(client, survey.pk, {"answers": full_answers(4, gender=1)})
    assert r.status_code == 201 and Response.objects.get(receipt=r.json()["receipt"]).version == 2


def test_a_required_flag_set_in_place_is_checked_at_once(client, scene, kept):
    from chiso.surveys.services import questionnaire

    s = questionnaire.create_survey("sipas", scene.province, 2027, scene.coordinator)
    s = frame.step(s, "open", scene.coordinator)
    post(client, s.pk, {"answers": {"gender": 1}})  # refused (items missing), but the form is now cached
    assert post(client, s.pk, {"answers": full_answers(4)}).status_code == 201
    Response.objects.filter(survey=s).delete()  # no response: the next edit is made in place
    questionnaire.edit_question(s, "age", scene.coordinator, required=True)
    s.refresh_from_db()
    assert s.version == 1 and s.revision == 1
    r = post(client, s.pk, {"answers": full_answers(4)})
    assert r.status_code == 400 and "age" in r.json()


def test_a_closed_survey_refuses_the_next_response_at_once(client, survey, scene, kept):
    assert post(client, survey.pk, {"answers": full_answers(4)}).status_code == 201
    frame.step(survey, "close", scene.coordinator)
    r = post(client, survey.pk, {"answers": full_answers(4)})
    assert r.status_code == 400 and "không nhận phiếu" in r.json()["survey"][0]


@pytest.mark.parametrize(
    "body",
    [
        {"answers": full_answers(4), "dossier": "HS\x00-1"},
        {"answers": full_answers(4), "service_point": "QNG\x00STP"},
        {"answers": {**full_answers(4), "other_feedback": "tốt\x00"}},
    ],
)
def test_a_nul_character_in_the_json_is_a_400_not_a_500(client, survey, body):
    r = post(client, survey.pk, body)
    assert r.status_code == 400 and "NUL" in json.dumps(r.json(), ensure_ascii=False)
    assert not Response.objects.filter(survey=survey).exists()


def test_a_survey_deleted_after_this_worker_read_it_is_a_404(client, scene, kept):
    from chiso.surveys.services import questionnaire

    s = frame.step(
        questionnaire.create_survey("sipas", scene.province, 2027, scene.coordinator), "open", None
    )
    assert post(client, s.pk, {"answers": {"gender": 1}}).status_code == 400  # the survey is now kept
    pk = s.pk
    s.delete()
    r = post(client, pk, {"answers": full_answers(4)})
    assert r.status_code == 404 and r.json()["detail"] == "Không có cuộc khảo sát này."
    assert not Response.objects.filter(survey_id=pk).exists()


def test_a_survey_read_from_another_database_is_read_again(client, survey, kept, settings):
    """The same id in a database recreated since (another salt): the response is checked against the
    survey as it is now, not as this worker remembered it."""
    settings.CHISO_SURVEY_RATE_LIMIT = 3
    assert post(client, survey.pk, {"answers": full_answers(4)}).status_code == 201
    remembered = intake._SURVEYS[survey.pk]
    remembered.salt, remembered.status = "0" * 32, "draft"
    r = post(client, survey.pk, {"answers": full_answers(5)})
    assert r.status_code == 201, r.content
    assert intake._SURVEYS[survey.pk].salt == survey.salt
    # the sender was counted once for each response that was written
    assert sum(RateCount.objects.filter(survey=survey).values_list("count", flat=True)) == 2


def test_a_receipt_already_taken_is_drawn_again(client, survey, monkeypatch):
    first = post(client, survey.pk, {"answers": full_answers(4)}).json()["receipt"]
    draws = iter([first, "KS-AAAAA-BBBBB"])
    monkeypatch.setattr(intake, "new_receipt", lambda: next(draws))
    r = post(client, survey.pk, {"answers": full_answers(3), "dossier": "HS-9"})
    assert r.status_code == 201 and r.json()["receipt"] == "KS-AAAAA-BBBBB"
    assert Response.objects.get(receipt=first).dossier == ""
    assert Response.objects.get(receipt="KS-AAAAA-BBBBB").dossier == "HS-9"


def test_over_the_rate_limit_nothing_is_written_and_a_repeated_dossier_still_counts(client, survey, settings):
    settings.CHISO_SURVEY_RATE_LIMIT = 2
    body = {"answers": full_answers(4), "dossier": "HS-1"}
    assert post(client, survey.pk, body).status_code == 201
    assert post(client, survey.pk, body).status_code == 409  # counted: a robot repeating itself is slowed too
    r = post(client, survey.pk, {"answers": full_answers(4), "dossier": "HS-2"})
    assert r.status_code == 429 and "quá nhiều phiếu" in r.json()["detail"].lower()
    assert list(Response.objects.filter(survey=survey).values_list("dossier", flat=True)) == ["HS-1"]


def test_a_survey_reopened_or_edited_since_this_worker_read_it_is_read_again(client, scene, survey, kept):
    """A response refused against the survey as the worker remembers it (closed then; an answer required
    then) is checked again against the survey as it is now."""
    from chiso.surveys.services import questionnaire

    assert post(client, survey.pk, {"answers": full_answers(4)}).status_code == 201
    frame.step(survey, "close", scene.coordinator)
    assert post(client, survey.pk, {"answers": full_answers(4)}).status_code == 400  # closed: kept so
    frame.step(survey, "reopen_late", scene.coordinator)
    assert post(client, survey.pk, {"answers": full_answers(4)}).status_code == 201
    s = frame.step(
        questionnaire.create_survey("sipas", scene.province, 2027, scene.coordinator), "open", None
    )
    questionnaire.edit_question(s, "age", scene.coordinator, required=True)
    assert post(client, s.pk, {"answers": full_answers(4)}).status_code == 400  # age required: kept so
    questionnaire.edit_question(s, "age", scene.coordinator, required=False)
    r = post(client, s.pk, {"answers": full_answers(4)})
    assert r.status_code == 201, r.content


def test_receipts_read_aloud_without_ambiguous_characters_and_every_character_is_drawn():
    import re
    from collections import Counter

    receipts = [intake.new_receipt() for _ in range(4000)]
    assert all(re.fullmatch(r"KS-[A-HJ-NP-Z2-9]{5}-[A-HJ-NP-Z2-9]{5}", r) for r in receipts)
    assert len(set(receipts)) == len(receipts)
    drawn = Counter("".join(r[3:8] + r[9:] for r in receipts))
    assert set(drawn) == set(intake.RECEIPT_ALPHABET)  # no 0/O, 1/I; all 32 others
    # 40,000 draws over 32 characters: 1,250 each expected; a skewed mapping would be far off
    assert max(drawn.values()) < 1450 and min(drawn.values()) > 1050


def test_answers_nested_a_thousand_deep_are_refused_not_a_server_error(survey):
    # what an import or a script could hand the service directly, past the API's depth limit
    deep: list = []
    for _ in range(5000):
        deep = [deep]
    with pytest.raises(ValidationError) as caught:
        intake.submit(survey, {**full_answers(), "other_feedback": deep}, mode=Response.Mode.API)
    assert "đoạn chữ" in str(caught.value.message_dict["other_feedback"])
    with pytest.raises(ValidationError) as caught:
        intake.submit(survey, {**full_answers(), "other_feedback": [[["a\x00"]]]}, mode=Response.Mode.API)
    assert "NUL" in str(caught.value)
    assert not Response.objects.filter(survey=survey).exists()


@pytest.mark.parametrize("value", ["abc", "-5", "1.5"])
def test_a_rate_limit_setting_that_is_not_a_count_stops_the_server_with_a_clear_message(value):
    import os
    import subprocess
    import sys

    env = {**os.environ, "CHISO_ENV": "test", "CHISO_SURVEY_RATE_LIMIT": value}
    out = subprocess.run(
        [sys.executable, "-m", "chiso.cli", "check"], env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode != 0
    assert f"CHISO_SURVEY_RATE_LIMIT='{value}': expected a whole number" in out.stderr
