"""The rules of a plan live in chiso.plans.services.plans.save_plan / delete_plan, who may in
chiso.plans.permissions, the workflow's roles in chiso.workflows.services.transition. Each rule is tested
once against the service (ValidationError on its field or PermissionDenied, nothing changed), then once
per entry point that reaches it: the web form and the API. (`chiso plan draft` writes a plan from the
analysis: its own choices, tested in test_cli_plan.py.)"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from chiso.plans.models import Plan
from chiso.plans.services.plans import PlanInUse, delete_plan, save_plan
from chiso.units.models import Unit
from chiso.workflows.services import StepNotAllowed, transition

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]


@pytest.fixture
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _data(w, **over) -> dict:
    return {
        "issuing_unit": w.province,
        "title": "Kế hoạch cải thiện, nâng cao Chỉ số PAPI năm 2026",
        "indices": ["papi"],
        "year": 2026,
        **over,
    }


# (id, what changes in a good plan, the field refused, words of the message)
RULES = [
    ("a title", {"title": "  "}, "title", "Cần nhập trích yếu của kế hoạch."),
    ("a year", {"year": None}, "year", "Cần nhập năm thực hiện."),
    ("end year", {"year_to": 2020}, "year_to", "Năm kết thúc phải từ năm bắt đầu trở đi."),
    (
        "results year",
        {"results_year": 2027},
        "results_year",
        "Năm kết quả làm căn cứ không được sau năm thực hiện.",
    ),
    ("an index", {"indices": []}, "indices", "Chọn ít nhất một chỉ số."),
    ("known indices", {"indices": ["papi", "gdp"]}, "indices", "Chỉ số không hợp lệ: «gdp»."),
]
IDS = [r[0] for r in RULES]


# --------------------------------------------------------------------------- the service


@pytest.mark.parametrize(("name", "over", "field", "words"), RULES, ids=IDS)
def test_service_refuses_and_changes_nothing(world, name, over, field, words):
    with pytest.raises(ValidationError) as refused:
        save_plan(world.coordinator, _data(world, **over))
    assert words in " ".join(refused.value.message_dict.get(field, [])), refused.value.message_dict
    assert not Plan.objects.exists()


@pytest.mark.parametrize(("name", "over", "field", "words"), RULES, ids=IDS)
def test_service_refuses_an_edit_and_keeps_the_plan(world, make_plan, name, over, field, words):
    plan = make_plan(status="draft")
    before = (Plan.objects.filter(pk=plan.pk).values().get(), plan.history.count())
    with pytest.raises(ValidationError):
        save_plan(world.coordinator, over, plan)
    assert (Plan.objects.filter(pk=plan.pk).values().get(), plan.history.count()) == before


def test_every_problem_at_once_and_a_good_plan_normalised(world):
    with pytest.raises(ValidationError) as refused:
        save_plan(world.coordinator, _data(world, title="", year_to=2020, indices=[]))
    assert set(refused.value.message_dict) == {"title", "year_to", "indices"}
    plan = save_plan(
        world.coordinator,
        _data(
            world,
            title=unicodedata.normalize("NFD", " Kế hoạch năm 2026 "),
            indices=["papi", "PAPI", "par"],
            recipients=[" Bộ Nội vụ; ", "", "Lưu: VT"],
            report_deadlines=[dt.date(2026, 12, 15), "2026-06-15", dt.date(2026, 6, 15)],
        ),
    )
    assert plan.title == "Kế hoạch năm 2026" and plan.indices == ["papi", "par"]
    assert plan.results_year == 2025  # the year before, by default
    assert plan.recipients == ["Bộ Nội vụ;", "Lưu: VT"]
    assert plan.report_deadlines == ["2026-06-15", "2026-12-15"]


def test_who_may_create_edit_and_delete(world, make_plan):
    kon_tum = Unit.objects.get(kind="province", code="62", valid_from__isnull=True)
    with pytest.raises(PermissionDenied, match="Bạn không phải người điều phối của “Tỉnh Kon Tum”"):
        save_plan(world.coordinator, _data(world, issuing_unit=kon_tum))
    issued = make_plan(status="issued", title="Đã ban hành")
    with pytest.raises(PermissionDenied, match="Đã ban hành» nên đã bị khóa"):
        save_plan(world.coordinator, {"title": "Đổi"}, issued)
    with pytest.raises(PermissionDenied, match="chỉ người điều phối của cơ quan ban hành"):
        save_plan(world.leader, {"title": "Đổi"}, make_plan(status="draft"))
    submitted = make_plan(status="submitted")
    with pytest.raises(PermissionDenied, match="Chỉ xóa được kế hoạch dự thảo"):
        delete_plan(submitted, world.coordinator)
    draft = make_plan(status="draft")
    make_plan(status="draft", derived_from=draft)
    with pytest.raises(PlanInUse, match="tham chiếu"):
        delete_plan(draft, world.coordinator)
    assert Plan.objects.filter(title="Đã ban hành").exists() and Plan.objects.count() == 5


def test_only_a_coordinator_cascades(world, make_plan):
    from chiso.plans.services.cascade import derive_plan, instantiate_class_tasks

    issued = make_plan(status="issued", tasks=[dict(text="Việc", lead_unit=world.tuphap)])
    for call in (
        lambda: derive_plan(issued, world.tuphap, world.leader),
        lambda: instantiate_class_tasks(issued, world.leader),
    ):
        with pytest.raises(PermissionDenied, match="Chỉ chuyên viên điều phối của cơ quan ban hành"):
            call()
    assert Plan.objects.count() == 1


def test_a_workflow_step_needs_its_role(world, make_plan):
    plan = make_plan(status="draft")
    with pytest.raises(StepNotAllowed, match="Bạn không có quyền «Trình phê duyệt» kế hoạch này.") as refused:
        transition(plan, "submit", world.leader)
    assert isinstance(refused.value, PermissionDenied)  # the API answers 403
    assert Plan.objects.get(pk=plan.pk).status == "draft" and not plan.events.exists()


# --------------------------------------------------------------------------- the web form


def _form(w, over: dict) -> dict:
    data = {
        "issuing_unit": w.province.pk,
        "symbol": "KH-UBND",
        "title": "Kế hoạch cải thiện, nâng cao Chỉ số PAPI năm 2026",
        "indices": ["papi"],
        "year": "2026",
        "signer_authority": "TM. ỦY BAN NHÂN DÂN",
        "signer_title": "CHỦ TỊCH",
    }
    data.update({k: "" if v is None else v for k, v in over.items()})
    return data


# The form reads the year, and the indices as choices of its own (an unknown index is not offered).
WEB_RULES = [r for r in RULES if r[0] not in {"a year", "known indices"}]


@pytest.mark.parametrize(("name", "over", "field", "words"), WEB_RULES, ids=[r[0] for r in WEB_RULES])
def test_web_form_shows_the_message_on_its_field(client, world, name, over, field, words):
    client.force_login(world.coordinator)
    response = client.post(reverse("plans:new"), _form(world, over))
    assert response.status_code == 400
    assert words in " ".join(response.context["form"].errors.get(field, [])), response.context["form"].errors
    assert not Plan.objects.exists()


def test_web_step_without_its_role_is_refused(client, world, make_plan):
    plan = make_plan(status="draft")
    client.force_login(world.leader)
    response = client.post(reverse("plans:transition", args=[plan.pk, "submit"]), follow=True)
    assert "Bạn không có quyền «Trình phê duyệt» kế hoạch này." in response.content.decode()
    assert Plan.objects.get(pk=plan.pk).status == "draft"


# --------------------------------------------------------------------------- the API

# The API's serializer reads a blank title, a missing year and an empty or unknown index list itself.
API_RULES = [r for r in RULES if r[0] in {"end year", "results year"}]


@pytest.mark.parametrize(("name", "over", "field", "words"), API_RULES, ids=[r[0] for r in API_RULES])
def test_api_answers_400_with_the_services_message(client, world, name, over, field, words):
    client.force_login(world.coordinator)
    body = {**_data(world, **over), "issuing_unit": world.province.pk}
    response = client.post("/api/plans/", json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert words in " ".join(response.json().get(field, [])), response.json()
    assert not Plan.objects.exists()


def test_api_step_without_its_role_is_403(client, world, make_plan):
    plan = make_plan(status="draft")
    client.force_login(world.leader)
    response = client.post(
        f"/api/plans/{plan.pk}/transition/", {"action": "submit"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "Bạn không có quyền «Trình phê duyệt» kế hoạch này."}
    assert Plan.objects.get(pk=plan.pk).status == "draft"


def test_api_delete_of_a_plan_in_use_is_409(client, world, make_plan):
    """The request is valid; the plan's state (referred to by another plan) refuses it: 409 Conflict."""
    draft = make_plan(status="draft")
    make_plan(status="draft", derived_from=draft)
    client.force_login(world.coordinator)
    response = client.delete(f"/api/plans/{draft.pk}/")
    assert response.status_code == 409 and "tham chiếu" in response.json()["detail"]
    assert Plan.objects.filter(pk=draft.pk).exists()
