"""The rules of a row of the shortcomings appendix live in chiso.plans.services.plans.save_shortcoming:
each is tested once against the service (ValidationError on its field, nothing changed) and once on the
web form, the only entry point that writes rows (the API and the command line do not)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from chiso.plans.models import Shortcoming
from chiso.plans.services.plans import save_shortcoming
from chiso.units.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _row(**over) -> dict:
    return {"index": "papi", "node_code": "D2", "achieved": "4,25", "maximum": "6,355", **over}


RULES = [
    ("a node", {"node_code": " "}, "node_code", "Chọn nội dung chỉ số bị mất điểm."),
    ("a known index", {"index": "gdp"}, "index", "Chỉ số không hợp lệ: «gdp»."),
    (
        "achieved is a number",
        {"achieved": "abc"},
        "achieved",
        "Điểm đạt «abc» không phải là một số (viết như 6,355).",
    ),
    ("maximum is not negative", {"maximum": "-1"}, "maximum", "Điểm tối đa không được âm."),
    (
        "achieved within the maximum",
        {"achieved": "7"},
        "achieved",
        "Điểm đạt (7) không được lớn hơn điểm tối đa (6,355).",
    ),
    (
        "units of the province",
        {"responsible_units": "Kon Tum"},
        "responsible_units",
        "Có đơn vị chịu trách nhiệm không thuộc địa phương của kế hoạch.",
    ),
]


def _data(w, over: dict) -> dict:
    data = _row(**over)
    if data.get("responsible_units") == "Kon Tum":
        data["responsible_units"] = [Unit.objects.get(kind="province", code="62", valid_from__isnull=True)]
    return data


@pytest.mark.parametrize(("name", "over", "field", "words"), RULES, ids=[r[0] for r in RULES])
def test_service_refuses_and_changes_nothing(world, make_plan, name, over, field, words):
    plan = make_plan(status="draft")
    with pytest.raises(ValidationError) as refused:
        save_shortcoming(plan, world.coordinator, _data(world, over))
    assert words in " ".join(refused.value.message_dict.get(field, [])), refused.value.message_dict
    assert not Shortcoming.objects.exists()


def test_every_problem_at_once(world, make_plan):
    with pytest.raises(ValidationError) as refused:
        save_shortcoming(
            make_plan(status="draft"), world.coordinator, _row(node_code="", achieved="x", maximum="-2")
        )
    assert set(refused.value.message_dict) == {"node_code", "achieved", "maximum"}


# The form offers only the plan's indices and nodes, and the units of the plan's province.
WEB_RULES = [r for r in RULES if r[0] not in {"a known index", "units of the province"}]


@pytest.mark.parametrize(("name", "over", "field", "words"), WEB_RULES, ids=[r[0] for r in WEB_RULES])
def test_web_form_shows_the_services_message(client, world, make_plan, name, over, field, words):
    plan = make_plan(status="draft")
    data = _row(**over)
    client.force_login(world.coordinator)
    response = client.post(
        reverse("plans:shortcoming_new", args=[plan.pk]),
        {
            "node": f"{data['index']}|{data['node_code'].strip()}" if data["node_code"].strip() else "",
            "achieved": data["achieved"],
            "maximum": data["maximum"],
        },
    )
    assert response.status_code == 400
    form_field = {"node_code": "node"}.get(field, field)
    assert words in " ".join(response.context["form"].errors.get(form_field, [])), response.context[
        "form"
    ].errors
    assert not Shortcoming.objects.exists()
