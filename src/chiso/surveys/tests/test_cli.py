"""``chiso survey create`` (JSON keys exactly as the issue writes them) and its refusals."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from chiso.surveys.models import Survey

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command("survey", *args, stdout=out)
    return out.getvalue()


def test_create_from_the_sipas_template(scene, settings):
    settings.CHISO_SITE_URL = "https://chiso.quangngai.gov.vn"
    data = json.loads(
        run("create", "--template", "sipas", "--province", "Quảng Ngãi", "--year", "2026", "--format", "json")
    )
    assert set(data) == {"survey", "questions", "scale_questions", "public_url"}
    survey = Survey.objects.get(pk=data["survey"])
    assert survey.status == "draft" and survey.province == scene.province
    assert data["questions"][:5] == ["gender", "age", "ethnicity", "edu", "job"]
    assert data["scale_questions"] == [f"q9_sat_{i}" for i in range(24, 40)]
    assert data["public_url"] == f"https://chiso.quangngai.gov.vn/phieu/{survey.pk}/"
    # the frame: the province's departments and communes
    assert set(survey.points.values_list("code", flat=True)) >= {"QNG-STP", "QNG-SYT", "99901"}


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--template", "khong-co", "--province", "Quảng Ngãi", "--year", "2026"], "Không có mẫu phiếu"),
        (["--template", "sipas", "--province", "Không Có Tỉnh", "--year", "2026"], "Không Có Tỉnh"),
        (
            ["--template", "../../etc/passwd", "--province", "Quảng Ngãi", "--year", "2026"],
            "Không có mẫu phiếu",
        ),
    ],
)
def test_create_refuses_bad_input_and_writes_nothing(scene, args, words):
    with pytest.raises(CommandError) as exc:
        run("create", *args)
    assert words in str(exc.value)
    assert not Survey.objects.exists()


def test_create_with_a_user_checks_her_role(scene):
    with pytest.raises(CommandError):
        run("create", "--template", "sipas", "--province", "Quảng Ngãi", "--year", "2026", "--user", "cb_tp")
    run("create", "--template", "sipas", "--province", "Quảng Ngãi", "--year", "2026", "--user", "dp")
    assert Survey.objects.count() == 1


def test_a_respondent_may_answer_only_the_scale_questions_the_command_lists(client, scene):
    """The issue's contract: in the shipped template the profile questions may be skipped and only the
    satisfaction items answered — the ``scale_questions`` of ``chiso survey create``, nothing else."""
    from chiso.surveys.models import Response
    from chiso.surveys.services import frame

    data = json.loads(
        run("create", "--template", "sipas", "--province", "Quảng Ngãi", "--year", "2026", "--format", "json")
    )
    frame.step(Survey.objects.get(pk=data["survey"]), "open", scene.coordinator)

    def post(answers):
        return client.post(
            f"/api/public/surveys/{data['survey']}/responses/",
            data=json.dumps({"answers": answers, "service_point": "", "dossier": ""}),
            content_type="application/json",
        )

    every_item = {code: 4 for code in data["scale_questions"]}
    r = post(every_item)
    assert r.status_code == 201, r.json()
    # the items asked only of those who have complained are kept: the respondent answered them
    assert Response.objects.get(receipt=r.json()["receipt"]).answers == every_item
    first_items = {code: 5 for code in data["scale_questions"][:13]}
    r = post(first_items)
    assert r.status_code == 201, r.json()
    # once the filter is answered "Không", those items are not asked (and their answers not kept)
    r = post({**every_item, "q8_7": 2})
    assert r.status_code == 201
    assert "q9_sat_37" not in Response.objects.get(receipt=r.json()["receipt"]).answers
