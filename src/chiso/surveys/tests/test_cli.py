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
