"""The rules of a task live in one place, chiso.plans.services.plans.save_task: each rule is tested here
once against the service (ValidationError on its field, in Vietnamese, nothing changed), then once per
entry point that reaches it: the web form (the message on the form's field) and the API (400
{field: [message]}). No command writes tasks (`chiso plan draft` computes its tasks' dates)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from chiso.plans.models import Task
from chiso.plans.services.plans import save_task, task_date_window
from chiso.units.models import Unit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]


@pytest.fixture
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _kon_tum():
    return Unit.objects.get(kind="province", code="62", valid_from__isnull=True)


def _data(w, **over) -> dict:
    """A good task as the service takes it (units as Units, dates as dates)."""
    data = {
        "text": "Rà soát, công khai thủ tục hành chính lĩnh vực tư pháp",
        "index": "papi",
        "nodes": ["D1"],
        "lead_unit": w.tuphap,
        "lead_class": "",
        "lead_text": "",
        "coordinating_units": [w.xa1],
        "coordinating_text": "",
        "product": "Báo cáo kết quả",
        "deadline": dt.date(2025, 6, 30),
        "recurrence": "none",
        "first_due": None,
        "priority": 2,
        "order": None,
    }
    data.update(over)
    return data


# (id, what changes in a good task, the field refused, words of the message); a callable gets `world`.
RULES = [
    ("text", {"text": "   "}, "text", "Cần nhập nội dung nhiệm vụ."),
    ("index of the nodes", {"index": "", "nodes": ["D1"]}, "index", "Chọn chỉ số của các nội dung đã chọn."),
    ("nodes of the index", {"nodes": ["D1", "Z9"]}, "nodes", "Nội dung không thuộc chỉ số PAPI: Z9."),
    (
        "a lead",
        {"lead_unit": None, "lead_class": "", "lead_text": " "},
        "lead_unit",
        "Cần chọn đơn vị chủ trì (hoặc chủ trì theo cấp, hoặc ghi tên).",
    ),
    ("lead unit of the province", lambda w: {"lead_unit": _kon_tum()}, "lead_unit", "không thuộc địa phương"),
    (
        "coordinating units of the province",
        lambda w: {"coordinating_units": [w.xa1, _kon_tum()]},
        "coordinating_units",
        "Không thuộc địa phương của kế hoạch: Tỉnh Kon Tum.",
    ),
    (
        "deadline of a one-off task",
        {"deadline": None},
        "deadline",
        "Nhiệm vụ một lần cần thời hạn hoàn thành (dd/mm/yyyy).",
    ),
    (
        "first due date of a recurring task",
        {"recurrence": "annual", "deadline": None},
        "first_due",
        "Nhiệm vụ lặp lại cần hạn lần đầu (dd/mm/yyyy).",
    ),
    (
        "first due date before the deadline",
        {"recurrence": "annual", "first_due": dt.date(2025, 12, 31), "deadline": dt.date(2025, 6, 30)},
        "first_due",
        "Hạn lần đầu phải trước thời hạn kết thúc.",
    ),
    (
        "deadline not before the plan",
        {"deadline": dt.date(2024, 12, 31)},
        "deadline",
        "Thời hạn phải trong khoảng 01/01/2025 – 31/12/2030",
    ),
    (
        "deadline not far after the plan (a mistyped year)",
        {"deadline": dt.date(2205, 6, 30)},
        "deadline",
        "Thời hạn phải trong khoảng 01/01/2025 – 31/12/2030",
    ),
    (
        "first due date within the plan's years",
        {"recurrence": "quarterly", "deadline": None, "first_due": dt.date(2031, 3, 31)},
        "first_due",
        "Hạn lần đầu phải trong khoảng 01/01/2025 – 31/12/2030",
    ),
]
IDS = [r[0] for r in RULES]


def _over(w, over):
    return over(w) if callable(over) else over


def _messages(error: ValidationError, field: str) -> str:
    return " ".join(error.message_dict.get(field, []))


# --------------------------------------------------------------------------- the service


@pytest.mark.parametrize(("name", "over", "field", "words"), RULES, ids=IDS)
def test_service_refuses_and_changes_nothing(world, make_plan, name, over, field, words):
    plan = make_plan(status="draft")
    with pytest.raises(ValidationError) as refused:
        save_task(plan, world.coordinator, _data(world, **_over(world, over)))
    assert words in _messages(refused.value, field), refused.value.message_dict
    assert not Task.objects.exists()


@pytest.mark.parametrize(("name", "over", "field", "words"), RULES, ids=IDS)
def test_service_refuses_an_edit_and_keeps_the_task(world, make_plan, name, over, field, words):
    plan = make_plan(status="draft")
    task = save_task(plan, world.coordinator, _data(world))

    def state():
        return (
            Task.objects.filter(pk=task.pk).values().get(),
            list(task.coordinating_units.all()),
            task.history.count(),
        )

    before = state()
    with pytest.raises(ValidationError) as refused:
        save_task(plan, world.coordinator, _over(world, over), task)
    assert words in _messages(refused.value, field)
    assert state() == before


def test_every_problem_at_once(world, make_plan):
    plan = make_plan(status="draft")
    with pytest.raises(ValidationError) as refused:
        save_task(plan, world.coordinator, _data(world, text="", lead_unit=None, deadline=None, nodes=["Z9"]))
    assert set(refused.value.message_dict) == {"text", "lead_unit", "deadline", "nodes"}


def test_good_task_is_normalised(world, make_plan):
    plan = make_plan(status="draft")
    task = save_task(
        plan,
        world.coordinator,
        _data(
            world,
            text="  Công khai  ",
            nodes=["D1", " D1 ", "D2"],
            coordinating_units=[world.xa1, world.tuphap],
            recurrence="none",
            first_due=dt.date(2025, 3, 31),
        ),
    )
    assert task.text == "Công khai" and task.nodes == ["D1", "D2"] and task.order == 1
    assert list(task.coordinating_units.all()) == [world.xa1]  # the lead is not also coordinating
    assert task.first_due is None  # a one-off task has no first due date


def test_a_date_kept_stays_valid_when_the_plan_moves(world, make_plan):
    """The window checks dates set or changed: a task keeps its deadline when its plan's years change."""
    plan = make_plan(status="draft")
    task = save_task(plan, world.coordinator, _data(world, deadline=dt.date(2025, 6, 30)))
    plan.year, plan.results_year = 2026, 2025
    plan.save()
    task = save_task(plan, world.coordinator, {"product": "Kế hoạch chi tiết"}, task)
    assert task.product == "Kế hoạch chi tiết" and task.deadline == dt.date(2025, 6, 30)
    assert task_date_window(2026, None) == (dt.date(2026, 1, 1), dt.date(2031, 12, 31))


def test_locked_plan_refuses_with_the_reason(world, make_plan):
    plan = make_plan(status="issued")
    with pytest.raises(PermissionDenied, match="bản sửa đổi"):
        save_task(plan, world.coordinator, _data(world))
    with pytest.raises(PermissionDenied, match="chỉ người điều phối"):
        save_task(make_plan(status="draft"), world.leader, _data(world))
    assert not Task.objects.exists()


# --------------------------------------------------------------------------- the web form


def _form(w, over: dict) -> dict:
    """The form's POST of a task: units as ids, dates as dd/mm/yyyy."""
    data = _data(w, **over)
    post = {}
    for name, value in data.items():
        if name == "lead_unit":
            value = value.pk if value else ""
        elif name == "coordinating_units":
            value = [u.pk for u in value]
        elif isinstance(value, dt.date):
            value = f"{value:%d/%m/%Y}"
        elif value is None:
            value = ""
        post[name] = value
    return post


# The web form offers only the plan's province (lead and coordinating units) and the nodes of the plan's
# indices: those rules are refused there as choices the form does not offer; a node of the plan's other
# index reaches the service.
WEB_RULES = [
    (
        (
            "nodes of the index",
            {"index": "par", "nodes": ["D1"]},
            "nodes",
            "Nội dung không thuộc chỉ số PAR INDEX: D1.",
        )
        if r[0] == "nodes of the index"
        else r
    )
    for r in RULES
    if r[0] not in {"lead unit of the province", "coordinating units of the province"}
]


@pytest.mark.parametrize(("name", "over", "field", "words"), WEB_RULES, ids=[r[0] for r in WEB_RULES])
def test_web_form_shows_the_services_message_on_its_field(client, world, make_plan, name, over, field, words):
    plan = make_plan(status="draft", indices=["papi", "par"])
    client.force_login(world.coordinator)
    response = client.post(reverse("plans:task_new", args=[plan.pk]), _form(world, _over(world, over)))
    assert response.status_code == 400
    assert words in " ".join(response.context["form"].errors.get(field, [])), response.context["form"].errors
    assert not Task.objects.exists()


# --------------------------------------------------------------------------- the API


def _json(w, over: dict) -> str:
    data = _data(w, **over)
    body = {
        name: (
            value.pk
            if name == "lead_unit" and value
            else [u.pk for u in value]
            if name == "coordinating_units"
            else value.isoformat()
            if isinstance(value, dt.date)
            else value
        )
        for name, value in data.items()
        if value is not None or name in ("lead_unit", "deadline", "first_due")
    }
    return json.dumps(body)


# The API's serializer refuses a blank text itself ("Trường này không được bỏ trống.": a non-blank string
# is the field's type), before the service.
API_RULES = [r for r in RULES if r[0] != "text"]


@pytest.mark.parametrize(("name", "over", "field", "words"), API_RULES, ids=[r[0] for r in API_RULES])
def test_api_answers_400_with_the_services_message(client, world, make_plan, name, over, field, words):
    plan = make_plan(status="draft")
    client.force_login(world.coordinator)
    response = client.post(
        f"/api/plans/{plan.pk}/tasks/", _json(world, _over(world, over)), content_type="application/json"
    )
    assert response.status_code == 400
    assert words in " ".join(response.json().get(field, [])), response.json()
    assert not Task.objects.exists()
