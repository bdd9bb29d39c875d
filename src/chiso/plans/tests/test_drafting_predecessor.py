"""A plan of a province merged away is that province's document (issue 11, point 1): a 2023 PAPI plan
drafted today by the merged Quảng Ngãi from Kon Tum's 2022 results is issued by UBND tỉnh Kon Tum, names
Kon Tum's districts of 2023 and cascades to them; today's Quảng Ngãi, which holds Kon Tum's records,
edits, approves and issues it; a coordinator of another province neither sees nor edits it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from chiso.plans import permissions
from chiso.plans.forms_plans import TaskForm
from chiso.plans.models import Task, UnitClass
from chiso.plans.services import cascade
from chiso.plans.services.drafting import draft_plan
from chiso.plans.services.library import load_shipped_library
from chiso.plans.tests.test_drafting_tiers import _docx_text
from chiso.units.models import Unit
from chiso.workflows.services import transition

pytestmark = pytest.mark.django_db

BEFORE = dt.date(2025, 6, 30)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _unit(kind, code, name, parent, subtype, valid_to=BEFORE):
    return Unit.objects.create(
        kind=kind,
        code=code,
        name=name,
        short_name=name[len(subtype) :].strip(),
        subtype=subtype,
        parent=parent,
        valid_to=valid_to,
    )


@pytest.fixture
def lineage(world):
    """Kon Tum and the former Quảng Ngãi (both to 30/06/2025, merged into today's Quảng Ngãi), each with
    a district and a commune of 2023."""
    kontum = Unit.objects.get(kind="province", code="62")
    old = Unit.objects.get(kind="province", code="51", valid_from=None)
    dakha = _unit("district", "610", "Huyện Đăk Hà", kontum, "Huyện")
    return {
        "kontum": kontum,
        "old": old,
        "dakha": dakha,
        "kontum_city": _unit("district", "608", "Thành phố Kon Tum", kontum, "Thành phố"),
        "dakha_ward": _unit("ward", "23500", "Xã Đăk Mar", dakha, "Xã"),
        "binhson": _unit("district", "524", "Huyện Bình Sơn", old, "Huyện"),
    }


@pytest.fixture
def plan(world, lineage):
    load_shipped_library()
    return draft_plan(
        "papi", lineage["kontum"], 2022, {"places": 3}, world.coordinator, weakest=8, plan_year=2023
    )


def _issue(plan) -> None:
    """The plan as issued on 01/02/2023 (number and signer given), for the cascade."""
    plan.status, plan.number, plan.date, plan.signer_name = (
        "issued",
        "45",
        dt.date(2023, 2, 1),
        "Nguyễn Văn An",
    )
    plan.save()


def test_a_2023_plan_from_kon_tums_results_is_kon_tums_document(world, lineage, plan):
    from chiso.plans.documents import render_plan

    assert plan.issuing_unit == lineage["kontum"]
    assert plan.title.endswith("tỉnh Kon Tum năm 2023")
    assert plan.place == "Kon Tum"
    text = _docx_text(render_plan(plan, "docx"))
    assert "KON TUM" in text.upper()
    assert "Quảng Ngãi" not in text and "QUẢNG NGÃI" not in text
    assert "Chủ tịch Ủy ban nhân dân các huyện, thị xã, thành phố" in text


def test_the_picker_and_the_cascade_use_kon_tums_districts_of_2023(world, lineage, plan):
    labels = dict(TaskForm(plan=plan).fields["lead_unit"].choices)
    assert "Huyện Đăk Hà" in labels.values() and "Thành phố Kon Tum" in labels.values()
    assert lineage["binhson"].pk not in labels  # the former Quảng Ngãi's district: another document
    assert world.xa1.pk not in labels and world.noivu.pk not in labels  # today's Quảng Ngãi's units

    district_tasks = list(plan.tasks.filter(lead_class=UnitClass.DISTRICT))
    assert district_tasks
    _issue(plan)
    status = {r["unit_class"]: r for r in cascade.class_task_status(plan)}
    assert status["district"]["units"] == 2
    assert cascade.instantiate_class_tasks(plan, world.coordinator) > 0
    copies = Task.objects.filter(plan=plan, origin__lead_class=UnitClass.DISTRICT)
    assert copies.count() == 2 * len(district_tasks)
    assert set(copies.values_list("lead_unit_id", flat=True)) == {
        lineage["dakha"].pk,
        lineage["kontum_city"].pk,
    }
    assert not Task.objects.filter(plan=plan, lead_unit=lineage["binhson"]).exists()


def test_todays_province_edits_approves_and_issues_it(client, world, lineage, plan):
    assert permissions.visible_plans(world.coordinator).filter(pk=plan.pk).exists()
    assert permissions.visible_tasks(world.coordinator).filter(plan=plan).exists()
    assert permissions.can_edit_plan(world.coordinator, plan)
    client.force_login(world.coordinator)
    assert client.get(reverse("plans:detail", args=[plan.pk])).status_code == 200
    assert client.get(reverse("plans:edit", args=[plan.pk])).status_code == 200

    plan.signer_name = "Nguyễn Văn An"
    plan.report_deadlines = ["2023-06-15", "2023-11-15"]
    plan.save()
    steps = {t.name for t in permissions.plan_transitions(world.coordinator, plan)}
    assert "submit" in steps
    transition(plan, "submit", world.coordinator)
    plan.refresh_from_db()
    for action in ("approve", "issue"):
        if action in {t.name for t in permissions.plan_transitions(world.leader, plan)}:
            transition(plan, action, world.leader, number="45", date=dt.date(2023, 2, 1))
            plan.refresh_from_db()
    assert plan.status == "issued" and plan.issuing_unit == lineage["kontum"]
    permissions.require_cascade(world.coordinator, plan)


def _other_coordinator():
    from django.contrib.auth import get_user_model

    from chiso.accounts.models import Membership

    hanoi = Unit.objects.filter(kind="province", code="01").first()
    other = get_user_model().objects.create_user(username="dieuphoi_hn", password="x-y-z-123456")
    Membership.objects.create(user=other, unit=hanoi, role="coordinator")
    return other


def test_a_coordinator_of_another_province_neither_sees_nor_edits_it(client, world, lineage, plan):
    other = _other_coordinator()
    assert not permissions.visible_plans(other).filter(pk=plan.pk).exists()
    assert not permissions.visible_tasks(other).filter(plan=plan).exists()
    assert not permissions.can_edit_plan(other, plan)
    assert not permissions.oversees(other, plan)
    client.force_login(other)
    assert client.get(reverse("plans:detail", args=[plan.pk])).status_code in (403, 404)
    assert client.get(reverse("plans:edit", args=[plan.pk])).status_code in (403, 404)


def test_the_former_quang_ngai_stays_with_todays_province(world, lineage):
    """The predecessor of the same code is the province itself then: the plan is today's Quảng Ngãi's."""
    load_shipped_library()
    plan = draft_plan(
        "papi", lineage["old"], 2022, {"places": 3}, world.coordinator, weakest=3, plan_year=2023
    )
    assert plan.issuing_unit == world.province
    labels = dict(TaskForm(plan=plan).fields["lead_unit"].choices)
    assert lineage["binhson"].pk in labels and lineage["dakha"].pk not in labels


def test_a_district_plan_derived_from_it_stays_with_todays_province(client, world, lineage, plan):
    _issue(plan)
    cascade.instantiate_class_tasks(plan, world.coordinator)
    assert lineage["dakha"] in cascade.candidate_units(plan)
    derived = cascade.derive_plan(plan, lineage["dakha"], world.coordinator)
    assert derived.issuing_unit == lineage["dakha"]
    assert permissions.visible_plans(world.coordinator).filter(pk=derived.pk).exists()
    assert permissions.can_edit_plan(world.coordinator, derived)
    client.force_login(world.coordinator)
    assert client.get(reverse("plans:detail", args=[derived.pk])).status_code == 200
    other = _other_coordinator()
    assert not permissions.visible_plans(other).filter(pk=derived.pk).exists()
    assert not permissions.can_edit_plan(other, derived)
