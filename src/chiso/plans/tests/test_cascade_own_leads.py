"""A plan a city derives from the province's gives its tasks to the city itself and its own offices of
the plan's year, never to a department of the province or another commune: the rule is the service's
(a clear Vietnamese message, nothing changed), and the task form and the API only offer and parse it.
A coordinator adds a new office from the task form itself (or through the API), and it leads the task."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from chiso.plans.services import cascade
from chiso.plans.services.plans import save_task, unit_choices
from chiso.units.models import Unit

pytestmark = pytest.mark.django_db

JSON = {"content_type": "application/json"}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def city(world):
    return Unit.objects.create(
        kind="district",
        code="QNG-TP",
        name="Thành phố Quảng Ngãi",
        parent=world.province,
        subtype="Thành phố",
    )


@pytest.fixture
def derived(world, make_plan, city):
    issued = make_plan(
        status="issued",
        tasks=[dict(text="Công khai quy hoạch sử dụng đất", lead_unit=city, deadline=dt.date(2025, 9, 30))],
    )
    return cascade.derive_plan(issued, city, world.coordinator)


@pytest.fixture
def offices(city):
    """The city's home-affairs office, and an office closed before the plan's year (2025)."""
    noivu = Unit.objects.create(kind="other", code="QNG-TP-P1", name="Phòng Nội vụ", parent=city)
    closed = Unit.objects.create(
        kind="other",
        code="QNG-TP-P2",
        name="Phòng Y tế",
        parent=city,
        valid_to=dt.date(2024, 6, 30),
    )
    return noivu, closed


def test_the_choices_are_the_city_and_its_offices_of_the_year(world, derived, city, offices):
    noivu, closed = offices
    assert unit_choices(derived) == [city, noivu]  # no department of the province, no closed office


def test_the_service_refuses_a_lead_outside_the_city(world, derived, city, offices):
    task = derived.tasks.get()
    with pytest.raises(ValidationError) as caught:
        save_task(
            derived, world.coordinator, {"lead_unit": world.noivu, "coordinating_units": [world.xa1]}, task
        )
    errors = caught.value.message_dict
    assert errors["lead_unit"] == [
        "“Sở Nội vụ” không phải Thành phố Quảng Ngãi hay phòng, ban, đơn vị trực thuộc Thành phố Quảng "
        "Ngãi: kế hoạch triển khai chỉ giao nhiệm vụ cho chính đơn vị và các phòng, ban của mình."
    ]
    assert "Xã Đăk Hà" in errors["coordinating_units"][0]
    task.refresh_from_db()
    assert task.lead_unit == city
    # the office closed before the plan's year is refused too
    with pytest.raises(ValidationError):
        save_task(derived, world.coordinator, {"lead_unit": offices[1]}, task)
    # its own office leads, the city coordinates
    saved = save_task(
        derived, world.coordinator, {"lead_unit": offices[0], "coordinating_units": [city]}, task
    )
    assert saved.lead_unit == offices[0] and list(saved.coordinating_units.all()) == [city]


def test_the_service_adds_a_new_office_that_leads_the_task(world, derived, city):
    task = derived.tasks.get()
    saved = save_task(
        derived, world.coordinator, {"new_office": "  Phòng Văn hóa,  Khoa học và Thông tin "}, task
    )
    office = Unit.objects.get(parent=city)
    assert office.name == "Phòng Văn hóa, Khoa học và Thông tin"
    assert saved.lead_unit == office
    # with another problem in the same save, the office is not added either
    with pytest.raises(ValidationError) as caught:
        save_task(derived, world.coordinator, {"new_office": "Phòng Tư pháp", "text": " "}, task)
    assert "text" in caught.value.message_dict
    assert not Unit.objects.filter(parent=city, name="Phòng Tư pháp").exists()
    # an office the city already has: refused, said on the field
    with pytest.raises(ValidationError) as caught:
        save_task(derived, world.coordinator, {"new_office": "phòng văn hóa, khoa học và thông tin"}, task)
    assert "đã có" in caught.value.message_dict["new_office"][0]


def test_a_provincial_plan_still_names_any_unit_of_the_province(world, make_plan):
    plan = make_plan()
    assert world.noivu in unit_choices(plan) and world.xa1 in unit_choices(plan)
    with pytest.raises(ValidationError) as caught:
        save_task(plan, world.coordinator, {"text": "Việc", "new_office": "Phòng Nội vụ"})
    assert "new_office" in caught.value.message_dict


def test_the_task_form_offers_the_city_and_its_offices_and_adds_one(client, world, derived, city, offices):
    task = derived.tasks.get()
    client.force_login(world.coordinator)
    url = reverse("plans:task_edit", args=[derived.pk, task.pk])
    page = client.get(url).content.decode()
    lead = page[page.index('name="lead_unit"') : page.index("</select>", page.index('name="lead_unit"'))]
    assert "Thành phố Quảng Ngãi" in lead and "Phòng Nội vụ" in lead
    assert "Sở Nội vụ" not in lead and "Xã Đăk Hà" not in lead and "Phòng Y tế" not in lead
    assert 'name="new_office"' in page
    form = {
        "text": task.text,
        "lead_unit": str(world.noivu.pk),
        "recurrence": "none",
        "deadline": "30/09/2025",
        "priority": "2",
        "revision": str(task.revision),
    }
    # a department of the province, forced into the form: refused (the form offers it not)
    r = client.post(url, form)
    assert r.status_code == 400
    task.refresh_from_db()
    assert task.lead_unit == city
    # a new office typed in the task form leads the task
    r = client.post(url, {**form, "lead_unit": str(city.pk), "new_office": "Phòng Tư pháp"})
    assert r.status_code == 302
    task.refresh_from_db()
    assert task.lead_unit.name == "Phòng Tư pháp" and task.lead_unit.parent == city
    page = client.get(reverse("plans:detail", args=[derived.pk])).content.decode()
    assert "Phòng Tư pháp" in page


def test_the_api_refuses_a_lead_outside_the_city_and_adds_an_office(client, world, derived, city):
    task = derived.tasks.get()
    client.force_login(world.coordinator)
    r = client.patch(f"/api/tasks/{task.pk}/", {"lead_unit": world.tuphap.pk}, HTTP_IF_MATCH="*", **JSON)
    assert r.status_code == 400
    assert "không phải Thành phố Quảng Ngãi" in r.json()["lead_unit"][0]
    task.refresh_from_db()
    assert task.lead_unit == city
    r = client.patch(f"/api/tasks/{task.pk}/", {"new_office": "Phòng Nội vụ"}, HTTP_IF_MATCH="*", **JSON)
    assert r.status_code == 200, r.content
    assert r.json()["lead_unit_name"] == "Phòng Nội vụ"
    assert Unit.objects.get(parent=city).name == "Phòng Nội vụ"


def test_the_derived_plan_states_the_province_s_index_targets_and_its_reporting_dates_to_come(
    world, make_plan, city
):
    """What the city contributes to: the province's targets on each whole index, not the province's
    figures for every dimension; and no reporting date already past when the province issued its plan."""
    issued = make_plan(
        status="issued",  # dated 15/03/2025
        report_deadlines=["2025-02-15", "2025-06-15"],
        tasks=[dict(text="Công khai quy hoạch", lead_unit=city, deadline=dt.date(2025, 9, 30))],
        targets=[
            dict(index="papi", kind="places", value="3", label="Chỉ số PAPI năm 2025 tăng tối thiểu 03 bậc"),
            dict(
                index="papi",
                node_code="D8",
                kind="score",
                value="4",
                label="Nội dung Quản trị điện tử đạt tối thiểu 3,9128 điểm",
            ),
        ],
    )
    derived = cascade.derive_plan(issued, city, world.coordinator)
    assert "- Chỉ số PAPI năm 2025 tăng tối thiểu 03 bậc." in derived.purpose
    assert "Quản trị điện tử" not in derived.purpose
    assert derived.report_deadlines == ["2025-06-15"]
    assert "15/02/2025" not in derived.body and "10/06/2025" in derived.body
