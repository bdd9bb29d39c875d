"""Free text is screened: personal data masked at intake, shown to nobody until a coordinator approves."""

from __future__ import annotations

import pytest

from chiso.surveys.models import Response
from chiso.surveys.services import intake, questionnaire
from chiso.surveys.services.screening import mask

from .conftest import full_answers

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Gọi tôi 0905 123 456 nhé", "Gọi tôi [đã ẩn] nhé"),
        ("email: a.b@gmail.com", "email: [đã ẩn]"),
        ("CCCD 051200001234", "CCCD [đã ẩn]"),
        ("Chờ 2 tiếng, 3 lần đi lại", "Chờ 2 tiếng, 3 lần đi lại"),
    ],
)
def test_personal_data_is_masked(text, kept):
    assert mask(text) == kept


def test_free_text_waits_for_a_coordinator_before_it_is_shown(client, scene, survey):
    row = intake.submit(
        survey, full_answers(other_feedback="Cán bộ rất nhiệt tình, SĐT 0912345678"), mode="api"
    )
    assert row.text_state == "pending" and "0912345678" not in row.answers["other_feedback"]
    plain = intake.submit(survey, full_answers(), mode="api")
    assert plain.text_state == ""
    client.force_login(scene.viewer)
    assert "Cán bộ rất nhiệt tình" not in client.get(f"/khao-sat/{survey.pk}/uoc-luong/").content.decode()
    assert client.get(f"/khao-sat/{survey.pk}/y-kien/").status_code == 403
    client.force_login(scene.coordinator)
    assert "Cán bộ rất nhiệt tình" in client.get(f"/khao-sat/{survey.pk}/y-kien/").content.decode()
    client.post(f"/khao-sat/{survey.pk}/y-kien/", {"r": [row.pk], "action": "show"})
    client.force_login(scene.viewer)
    assert (
        "Cán bộ rất nhiệt tình, SĐT [đã ẩn]"
        in client.get(f"/khao-sat/{survey.pk}/uoc-luong/").content.decode()
    )


def test_editing_an_answered_questionnaire_makes_a_new_version(scene, survey):
    questionnaire.edit_question(survey, "q9_sat_24", scene.coordinator, text="Biển hiệu rõ ràng.")
    assert survey.version == 1  # no response yet: edited in place
    first = intake.submit(survey, full_answers(), mode="api")
    questionnaire.edit_question(survey, "q9_sat_24", scene.coordinator, text="Biển hiệu, chỉ dẫn rõ ràng.")
    survey.refresh_from_db()
    assert survey.version == 2 and first.version == 1
    assert survey.questions.get(version=1, code="q9_sat_24").text == "Biển hiệu rõ ràng."
    assert survey.questions.get(version=2, code="q9_sat_24").text == "Biển hiệu, chỉ dẫn rõ ràng."
    second = intake.submit(survey, full_answers(), mode="api")
    assert second.version == 2
    with pytest.raises(Exception, match="điều phối"):
        questionnaire.edit_question(survey, "q9_sat_24", scene.officer_tp, text="x")
    assert Response.objects.count() == 2
