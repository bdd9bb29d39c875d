"""The rules of a target live in chiso.plans.services.plans: its value read per kind by the one
parse_target_value (web form, API, drafting and `chiso plan draft`), its index one of the plan's, and
the check against the results (save_target). Each rule is tested once against the service, then once per
entry point that reaches it: web form, API and, for the value of the overall ambition, the command line.
A refused target changes nothing."""

from __future__ import annotations

import io
import json

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from chiso.plans.models import Plan, Target
from chiso.plans.services.plans import TargetValueError, parse_target_value, save_target

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]


@pytest.fixture
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# (id, the target, the field refused, words of the message): the value of each kind.
VALUE_RULES = [
    ("a value", {"kind": "group", "value": "  "}, "value", "Cần nhập giá trị mục tiêu."),
    ("a score is a number", {"kind": "score", "value": "abc"}, "value", "«abc» không phải là một số."),
    ("a score is not negative", {"kind": "score", "value": "-3"}, "value", "«-3» không được âm."),
    ("a percent is 0–100", {"kind": "percent", "value": "120"}, "value", "Tỷ lệ phải trong khoảng 0–100."),
    ("a rank is whole", {"kind": "rank", "value": "2,5"}, "value", "«2,5» phải là số nguyên."),
    ("a rank is from 1", {"kind": "rank", "value": "0"}, "value", "«0» phải từ 1 trở lên."),
    ("places are from 0", {"kind": "places", "value": "-1"}, "value", "«-1» phải từ 0 trở lên."),
]
# The target as a whole, checked against the 2024 PAPI results of the plan's province.
RESULT_RULES = [
    (
        "reachable within the maximum",
        {"kind": "score", "value": "95"},
        NON_FIELD_ERRORS,
        "vượt quá điểm tối đa",
    ),
    (
        "a group for the whole index or a grouped dimension only",
        {"node_code": "D1.1", "kind": "group", "value": "Cao"},
        NON_FIELD_ERRORS,
        "không được xếp nhóm",
    ),
    ("a node of the framework", {"node_code": "D99", "kind": "score", "value": "1"}, NON_FIELD_ERRORS, "D99"),
]
OTHER_RULES = [
    (
        "an index of the plan",
        {"index": "sipas", "kind": "score", "value": "80"},
        "index",
        "Chỉ số “sipas” không thuộc kế hoạch (kế hoạch gồm: papi).",
    ),
    ("a kind", {"kind": "stars", "value": "3"}, "kind", "Loại mục tiêu không hợp lệ: «stars»."),
]
RULES = VALUE_RULES + RESULT_RULES + OTHER_RULES


def _target(**over) -> dict:
    return {"index": "papi", "node_code": "", "kind": "places", "value": "2", **over}


# --------------------------------------------------------------------------- the service


@pytest.mark.parametrize(
    ("kind", "typed", "value"),
    [
        ("score", "45,5", 45.5),
        ("percent", "60", 60.0),
        ("rank", "20", 20),
        ("places", "0", 0),
        ("top", "25", 25),
        ("group", " Trung bình cao ", "Trung bình cao"),
    ],
)
def test_one_function_reads_every_kind(kind, typed, value):
    parsed = parse_target_value(kind, typed)
    assert parsed == value and type(parsed) is type(value)
    with pytest.raises(TargetValueError, match="phải từ 1 trở lên"):
        parse_target_value("places", "0", lowest_places=1)


@pytest.mark.parametrize(("name", "target", "field", "words"), RULES, ids=[r[0] for r in RULES])
def test_service_refuses_and_changes_nothing(world, make_plan, name, target, field, words):
    plan = make_plan(status="draft")
    with pytest.raises(ValidationError) as refused:
        save_target(plan, world.coordinator, _target(**target))
    assert words in " ".join(refused.value.message_dict.get(field, [])), refused.value.message_dict
    assert not Target.objects.exists()


def test_service_refuses_an_edit_and_keeps_the_target(world, make_plan):
    plan = make_plan(status="draft")
    target = save_target(plan, world.coordinator, _target())
    before = (Target.objects.filter(pk=target.pk).values().get(), target.history.count())
    with pytest.raises(ValidationError):
        save_target(plan, world.coordinator, {"kind": "rank", "value": "nhất"}, target)
    assert (Target.objects.filter(pk=target.pk).values().get(), target.history.count()) == before


# --------------------------------------------------------------------------- the web form

# The form offers only the plan's indices, their nodes and the kinds of target (those rules are choices
# there), and reads a blank value as a missing one (its type: a value).
WEB_RULES = [
    r for r in RULES if r[0] not in {"a value", "a node of the framework", "an index of the plan", "a kind"}
]


@pytest.mark.parametrize(("name", "target", "field", "words"), WEB_RULES, ids=[r[0] for r in WEB_RULES])
def test_web_form_shows_the_services_message(client, world, make_plan, name, target, field, words):
    plan = make_plan(status="draft")
    data = _target(**target)
    client.force_login(world.coordinator)
    response = client.post(
        reverse("plans:target_new", args=[plan.pk]),
        {"node": f"{data['index']}|{data['node_code']}", "kind": data["kind"], "value": data["value"]},
    )
    assert response.status_code == 400
    form = response.context["form"]
    shown = form.non_field_errors() if field == NON_FIELD_ERRORS else form.errors.get(field, [])
    assert words in " ".join(shown), form.errors
    assert not Target.objects.exists()


# --------------------------------------------------------------------------- the API

# The API reads a blank value and an unknown kind as bad input of the field itself (its type).
API_RULES = [r for r in RULES if r[0] not in {"a value", "a kind"}]


@pytest.mark.parametrize(("name", "target", "field", "words"), API_RULES, ids=[r[0] for r in API_RULES])
def test_api_answers_400_with_the_services_message(client, world, make_plan, name, target, field, words):
    plan = make_plan(status="draft")
    client.force_login(world.coordinator)
    response = client.post(
        f"/api/plans/{plan.pk}/targets/", json.dumps(_target(**target)), content_type="application/json"
    )
    assert response.status_code == 400
    key = "non_field_errors" if field == NON_FIELD_ERRORS else field
    assert words in " ".join(response.json().get(key, [])), response.json()
    assert not Target.objects.exists()


# --------------------------------------------------------------------------- the command line


@pytest.mark.parametrize(
    ("option", "value", "words"),
    [
        ("--score", "abc", "Giá trị mục tiêu “abc” không phải là số."),
        ("--percent", "120", "Tỷ lệ phải trong khoảng 0–100."),
        ("--rank", "0", "Số bậc, thứ hạng hoặc top phải từ 1 trở lên."),
    ],
)
def test_command_line_reads_the_ambition_with_the_same_function(world, option, value, words):
    with pytest.raises(CommandError, match=words):
        call_command(
            "plan",
            "draft",
            "--index",
            "papi",
            "--unit",
            "Kon Tum",
            "--year",
            "2024",
            option,
            value,
            "--save",
            stdout=io.StringIO(),
        )
    assert not Plan.objects.exists() and not Target.objects.exists()
