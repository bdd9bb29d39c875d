"""A plan speaks of the administrative tiers of its year (issue 11, point 1): a 2023 plan drafted today
by the merged Quảng Ngãi names the districts and the departments of 2023 (no "đặc khu", no merged
department, no "trước sắp xếp"), its tasks addressed to "UBND cấp huyện" cascade to the districts of
2023, and the unit picker lists only the units of the plan's year, with their kind and parent."""

from __future__ import annotations

import datetime as dt
import io

import docx
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from chiso.plans.forms_plans import TaskForm
from chiso.plans.models import Responsibility, Task, UnitClass
from chiso.plans.services import cascade
from chiso.plans.services.drafting import draft_plan
from chiso.plans.services.library import load_shipped_library
from chiso.plans.services.plans import save_task
from chiso.plans.services.tiers import class_units, unit_labels, units_of_year
from chiso.units.models import Unit

pytestmark = pytest.mark.django_db

BEFORE = dt.date(2025, 6, 30)
REFORM = dt.date(2025, 7, 1)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _unit(kind, code, name, parent, subtype="", valid_from=None, valid_to=None):
    return Unit.objects.create(
        kind=kind,
        code=code,
        name=name,
        short_name=name[len(subtype) :].strip() if subtype else name,
        subtype=subtype,
        parent=parent,
        valid_from=valid_from,
        valid_to=valid_to,
    )


@pytest.fixture
def tiers(world):
    """The former Quảng Ngãi with two districts and their communes (to 30/06/2025), its former
    Department of Natural Resources and Environment; the merged province's new commune and merged
    department (from 2025)."""
    old = Unit.objects.get(kind="province", code="51", valid_from=None)
    binhson = _unit("district", "524", "Huyện Bình Sơn", old, "Huyện", valid_to=BEFORE)
    tp = _unit("district", "522", "Thành phố Quảng Ngãi", old, "Thành phố", valid_to=BEFORE)
    return {
        "old": old,
        "binhson": binhson,
        "tp": tp,
        "binhminh_bs": _unit("ward", "20000", "Xã Bình Minh", binhson, "Xã", valid_to=BEFORE),
        "binhminh_tp": _unit("ward", "20001", "Xã Bình Minh", tp, "Xã", valid_to=BEFORE),
        "tnmt": _unit("department", "QNG-STNMT", "Sở Tài nguyên và Môi trường", old, valid_to=BEFORE),
        "new_ward": _unit("ward", "21000", "Xã Bình Sơn", world.province, "Xã", valid_from=REFORM),
        "nnmt": _unit(
            "department",
            "QNG-SNNMT",
            "Sở Nông nghiệp và Môi trường",
            world.province,
            valid_from=dt.date(2025, 3, 1),
        ),
    }


def _docx_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


@pytest.fixture
def plan_2023(world, tiers):
    """A 2023 PAPI plan drafted today by the merged province's coordinator from the former Quảng Ngãi's
    real 2022 results; the province's map gives dimension D2 to the merged department."""
    load_shipped_library()
    Responsibility.objects.create(
        province=world.province, index="papi", node_code="D2", lead_unit=tiers["nnmt"]
    )
    return draft_plan(
        "papi",
        tiers["old"],
        2022,
        {"places": 3},
        world.coordinator,
        weakest=8,
        tasks_per_node=40,
        plan_year=2023,
    )


def test_a_2023_plan_names_the_tiers_of_2023(world, tiers, plan_2023):
    from chiso.plans.documents import render_plan

    plan = plan_2023
    assert plan.year == 2023 and plan.issuing_unit == world.province
    text = _docx_text(render_plan(plan, "docx"))
    # no body that did not exist in 2023
    assert "đặc khu" not in text
    assert "Nông nghiệp và Môi trường" not in text
    assert "trước sắp xếp" not in text
    assert "Kết quả của tỉnh Quảng Ngãi" not in text
    # the districts of 2023: in the duties, the recipients, and as the lead of class tasks
    assert "Chủ tịch Ủy ban nhân dân các huyện, thị xã, thành phố" in text
    assert "UBND các huyện, thị xã, thành phố" in plan.recipients
    assert "UBND các xã, phường" not in plan.recipients
    assert plan.tasks.filter(lead_class=UnitClass.DISTRICT).exists()
    assert not plan.tasks.filter(lead_unit=tiers["nnmt"]).exists()
    assert not plan.tasks.filter(coordinating_units=tiers["nnmt"]).exists()
    # the library's words are kept as written in the plans of that time
    assert any("huyện" in t.lead_text for t in plan.tasks.all())
    # Appendix II: the map's merged department is not followed; the default map names the 2023 body
    d2 = [s for s in plan.shortcomings.all() if s.node_code.startswith("D2")]
    assert d2 and not any(tiers["nnmt"] in s.responsible_units.all() for s in d2)
    d24 = next((s for s in d2 if s.node_code == "D2.4"), None)
    if d24 is not None:
        assert tiers["tnmt"] in d24.responsible_units.all()


def test_a_plan_after_the_reorganisation_names_the_communes(world, tiers):
    load_shipped_library()
    plan = draft_plan("papi", tiers["old"], 2024, {"places": 3}, world.coordinator, weakest=8, plan_year=2025)
    assert "Chủ tịch Ủy ban nhân dân các xã, phường, đặc khu" in plan.body
    assert "trước sắp xếp" in plan.purpose
    assert not plan.tasks.filter(lead_class=UnitClass.DISTRICT).exists()


def test_district_tasks_cascade_to_the_districts_of_the_plans_year(world, tiers, plan_2023):
    plan = plan_2023
    plan.status, plan.number, plan.date, plan.signer_name = (
        "issued",
        "45",
        dt.date(2023, 2, 1),
        "Nguyễn Văn An",
    )
    plan.save()
    district_tasks = list(plan.tasks.filter(lead_class=UnitClass.DISTRICT))
    ward_tasks = list(plan.tasks.filter(lead_class=UnitClass.WARD))
    status = {r["unit_class"]: r for r in cascade.class_task_status(plan)}
    assert status["district"]["units"] == 2
    assert status["district"]["copies_missing"] == 2 * len(district_tasks)

    n = cascade.instantiate_class_tasks(plan, world.coordinator)
    copies = Task.objects.filter(plan=plan, origin__lead_class=UnitClass.DISTRICT)
    assert copies.count() == 2 * len(district_tasks)
    assert set(copies.values_list("lead_unit_id", flat=True)) == {tiers["binhson"].pk, tiers["tp"].pk}
    # communes of 2023 for the commune tasks, never the communes formed in 2025
    ward_copies = Task.objects.filter(plan=plan, origin__lead_class=UnitClass.WARD)
    # and the tasks led by two classes ("Các sở, ban ngành và UBND các huyện"): a copy per unit of each
    two_classes = [t for t in plan.tasks.filter(origin=None) if len(UnitClass.kinds(t.lead_class)) > 1]
    expected_two = sum(
        len(class_units(plan, kind)) for t in two_classes for kind in UnitClass.kinds(t.lead_class)
    )
    assert n == copies.count() + ward_copies.count() + expected_two
    all_copies = Task.objects.filter(plan=plan, origin__isnull=False)
    assert not all_copies.filter(lead_unit=tiers["new_ward"]).exists()
    assert ward_copies.count() == len(ward_tasks) * len(class_units(plan, "ward"))
    assert not ward_copies.filter(lead_unit=tiers["new_ward"]).exists()
    assert cascade.instantiate_class_tasks(plan, world.coordinator) == 0
    assert all(r["copies_missing"] == 0 for r in cascade.class_task_status(plan))


def test_district_tasks_of_a_plan_after_the_reorganisation_are_not_claimed_done(
    client, world, tiers, make_plan
):
    plan = make_plan(
        status="issued",
        year=2026,
        results_year=2024,
        date=dt.date(2026, 1, 15),
        tasks=[
            dict(
                text="Tuyên truyền ở cấp huyện",
                lead_unit=None,
                lead_class="district",
                deadline=dt.date(2026, 9, 30),
            )
        ],
    )
    client.force_login(world.coordinator)
    page = client.get(reverse("plans:cascade", args=[plan.pk])).content.decode()
    assert "năm 2026 không có đơn vị nào thuộc cấp này" in page
    response = client.post(reverse("plans:instantiate", args=[plan.pk]), follow=True)
    html = response.content.decode()
    assert "không có đơn vị nào thuộc “UBND cấp huyện”" in html
    assert "mọi đơn vị đã được giao" not in html
    assert not Task.objects.filter(plan=plan, origin__isnull=False).exists()


def test_the_picker_lists_the_units_of_the_plans_year_with_kind_and_parent(world, tiers, make_plan):
    twin = _unit("ward", "20002", "Xã Bình Minh", tiers["binhson"], "Xã", valid_to=BEFORE)
    old_plan = make_plan(year=2023, results_year=2022)
    labels = dict(TaskForm(plan=old_plan).fields["lead_unit"].choices)
    names = set(labels.values())
    assert "Huyện Bình Sơn" in names and "Thành phố Quảng Ngãi" in names
    assert "Xã Bình Minh, thành phố Quảng Ngãi" in names
    # two communes of the same name in the same district: told apart by their code
    assert labels[tiers["binhminh_bs"].pk] == "Xã Bình Minh, huyện Bình Sơn (mã 20000)"
    assert labels[twin.pk] == "Xã Bình Minh, huyện Bình Sơn (mã 20002)"
    assert "Sở Tài nguyên và Môi trường" in names and "Sở Tư pháp" in names
    assert tiers["new_ward"].pk not in labels and tiers["nnmt"].pk not in labels
    assert len(names) == len(labels)  # no two choices read the same

    new_plan = make_plan(year=2026, results_year=2024)
    labels = dict(TaskForm(plan=new_plan).fields["lead_unit"].choices)
    assert labels[tiers["new_ward"].pk] == "Xã Bình Sơn"
    assert tiers["nnmt"].pk in labels and tiers["tnmt"].pk not in labels
    assert tiers["binhson"].pk not in labels and tiers["binhminh_tp"].pk not in labels


def test_a_task_cannot_name_a_unit_of_another_time(world, tiers, make_plan):
    plan = make_plan(year=2023, results_year=2022)
    with pytest.raises(ValidationError) as exc:
        save_task(
            plan,
            world.coordinator,
            {"text": "Rà soát", "lead_unit": tiers["new_ward"], "deadline": dt.date(2023, 9, 30)},
        )
    assert "không thuộc địa phương của kế hoạch" in str(exc.value)
    task = save_task(
        plan,
        world.coordinator,
        {"text": "Rà soát", "lead_unit": tiers["binhson"], "deadline": dt.date(2023, 9, 30)},
    )
    assert task.lead_unit == tiers["binhson"]


def test_units_of_year_and_labels(world, tiers):
    before = units_of_year(world.province, 2023)
    assert before[0] == tiers["old"]  # the province that stood for the merged one in 2023
    assert tiers["binhson"] in before and tiers["new_ward"] not in before
    after = units_of_year(world.province, 2026)
    assert after[0] == world.province and tiers["new_ward"] in after and tiers["binhson"] not in after
    assert dict(unit_labels([tiers["binhminh_tp"]])) == {
        tiers["binhminh_tp"].pk: "Xã Bình Minh, thành phố Quảng Ngãi"
    }


def test_a_district_of_the_plans_year_may_get_its_own_plan(world, tiers, make_plan):
    plan = make_plan(
        status="issued",
        year=2023,
        results_year=2022,
        date=dt.date(2023, 2, 1),
        tasks=[dict(text="Rà soát", lead_unit=tiers["binhson"], deadline=dt.date(2023, 9, 30))],
    )
    assert cascade.candidate_units(plan) == [tiers["binhson"]]
    derived = cascade.derive_plan(plan, tiers["binhson"], world.coordinator)
    assert derived.issuing_unit == tiers["binhson"] and [t.text for t in derived.tasks.all()] == ["Rà soát"]
    # the other province merged into today's is not under this plan
    kontum_old = Unit.objects.get(kind="province", code="62")
    other = _unit("district", "610", "Huyện Đăk Hà", kontum_old, "Huyện", valid_to=BEFORE)
    assert not cascade.subordinate(plan, other)
