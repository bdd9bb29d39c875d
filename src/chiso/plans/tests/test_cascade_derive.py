"""Cascading an issued plan: a subordinate unit's derived plan, class tasks per commune, roll-up."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from chiso.plans.models import Plan, Task
from chiso.plans.services import cascade
from chiso.tracking.services import execution

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(world, make_plan):
    return make_plan(
        status="issued",
        tasks=[
            dict(
                text="Rà soát thủ tục hành chính",
                lead_unit=world.tuphap,
                coordinating=[world.noivu],
                deadline=dt.date(2025, 6, 30),
                product="Báo cáo rà soát",
            ),
            dict(
                text="Nâng cao chất lượng y tế cơ sở",
                lead_unit=world.yte,
                coordinating=[world.tuphap],
                recurrence="quarterly",
                first_due=dt.date(2025, 3, 31),
            ),
            dict(
                text="Tuyên truyền tại xã",
                lead_unit=None,
                lead_class="ward",
                lead_text="UBND cấp xã",
                coordinating=[world.noivu],
                deadline=dt.date(2025, 9, 30),
            ),
            dict(text="Việc riêng của Sở Nội vụ", lead_unit=world.noivu, deadline=dt.date(2025, 5, 1)),
        ],
        targets=[dict(index="papi", kind="places", value="2", label="Tăng tối thiểu 02 bậc")],
    )


def test_derive_copies_led_and_coordinated_tasks_with_origin(world, issued):
    derived = cascade.derive_plan(issued, world.tuphap, world.coordinator)
    assert derived.status == "draft"
    assert derived.issuing_unit == world.tuphap
    assert derived.derived_from == issued
    assert derived.title.startswith("Kế hoạch triển khai")
    assert "123/KH-UBND" in derived.title
    assert derived.year == issued.year and derived.indices == ["papi"]
    tasks = list(derived.tasks.order_by("order"))
    assert [t.text for t in tasks] == ["Rà soát thủ tục hành chính", "Nâng cao chất lượng y tế cơ sở"]
    led, coordinated = tasks
    assert led.origin.plan == issued and led.lead_unit == world.tuphap
    assert led.product == "Báo cáo rà soát" and led.deadline == dt.date(2025, 6, 30)
    assert coordinated.lead_unit == world.tuphap
    assert "Sở Y tế" in coordinated.coordinating_text
    assert coordinated.recurrence == "quarterly"
    # the province's targets are its contribution, not its own figures (issue 11 point 6)
    assert not derived.targets.exists()
    assert "Góp phần cùng UBND" in derived.purpose and "- Tăng tối thiểu 02 bậc." in derived.purpose
    assert derived.history.count() == 1 and led.history.count() == 1
    # A second call returns the same plan; nothing is copied twice.
    assert cascade.derive_plan(issued, world.tuphap, world.coordinator) == derived
    assert Plan.objects.filter(derived_from=issued).count() == 1


def test_commune_plan_gets_class_tasks(world, issued):
    derived = cascade.derive_plan(issued, world.xa1, world.coordinator)
    assert [t.text for t in derived.tasks.all()] == ["Tuyên truyền tại xã"]
    assert derived.symbol == "KH-UBND" and derived.signer_title == "CHỦ TỊCH"


def test_derive_refused_from_draft_or_for_outside_unit(world, make_plan, issued):
    draft = make_plan(status="draft", tasks=[dict(text="x", lead_unit=world.tuphap)])
    with pytest.raises(cascade.CascadeError):
        cascade.derive_plan(draft, world.tuphap, world.coordinator)
    other = Plan.objects.create(
        issuing_unit=world.tuphap, title="Kế hoạch của Sở", year=2025, status="issued"
    )
    with pytest.raises(cascade.CascadeError):
        cascade.derive_plan(other, world.yte, world.coordinator)
    assert not Plan.objects.filter(derived_from__in=[draft, other]).exists()


def test_instantiate_class_tasks_once_per_commune(world, issued):
    n = cascade.instantiate_class_tasks(issued, world.coordinator)
    copies = Task.objects.filter(origin__lead_class="ward", plan=issued)
    communes = {world.xa1.pk, world.xa2.pk}
    assert n == len(communes) == copies.count()
    assert set(copies.values_list("lead_unit_id", flat=True)) == communes
    assert all(c.origin.text == "Tuyên truyền tại xã" for c in copies)
    # Idempotent.
    assert cascade.instantiate_class_tasks(issued, world.coordinator) == 0
    assert copies.count() == 2
    # The commune officer now sees her copy in her inbox.
    box = execution.inbox(world.officer_xa, dt.date(2025, 4, 1))
    texts = [i.task.text for g in box.groups() for i in g[2]]
    assert texts == ["Tuyên truyền tại xã"]


def test_expired_commune_is_not_instantiated(world, issued):
    world.xa2.valid_to = dt.date(2020, 1, 1)
    world.xa2.valid_from = dt.date(2010, 1, 1)
    world.xa2.save()
    assert cascade.instantiate_class_tasks(issued, world.coordinator) == 1


def test_rollup_mean_of_derived_and_done_when_all_done(world, issued):
    cascade.instantiate_class_tasks(issued, world.coordinator)
    origin = issued.tasks.get(lead_class="ward")
    a, b = origin.derived_tasks.order_by("lead_unit__code")
    a.progress = 40
    a.save()
    execution.rollup(a)
    origin.refresh_from_db()
    assert origin.progress == 20 and not origin.done
    for t in (a, b):
        t.progress, t.done, t.done_on = 100, True, dt.date(2025, 8, 1)
        t.save()
    execution.rollup(b)
    origin.refresh_from_db()
    assert origin.progress == 100 and origin.done and origin.done_on == dt.date(2025, 8, 1)


def test_rollup_ignores_derived_plans_still_in_draft(world, issued):
    derived = cascade.derive_plan(issued, world.tuphap, world.coordinator)
    copy = derived.tasks.get(origin__lead_unit=world.tuphap)
    copy.progress = 80
    copy.save()
    execution.rollup(copy)
    origin = copy.origin
    origin.refresh_from_db()
    assert origin.progress == 0
    derived.status = "issued"
    derived.save()
    execution.rollup(copy)
    origin.refresh_from_db()
    assert origin.progress == 80


def test_cascade_views_for_coordinator_only(client, world, issued):
    url = reverse("plans:cascade", args=[issued.pk])
    client.force_login(world.coordinator)
    page = client.get(url)
    assert page.status_code == 200
    assert "Sở Tư pháp" in page.content.decode()
    response = client.post(url, {"unit": world.tuphap.pk})
    assert response.status_code == 302
    assert Plan.objects.filter(derived_from=issued, issuing_unit=world.tuphap).count() == 1
    bad = client.post(url, {"unit": world.province.pk})
    assert bad.status_code == 400 and "Chọn một đơn vị" in bad.content.decode()
    response = client.post(reverse("plans:instantiate", args=[issued.pk]))
    assert response.status_code == 302
    assert Task.objects.filter(plan=issued, origin__isnull=False).count() == 2

    for user in (world.leader, world.viewer, world.officer_tp):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(reverse("plans:instantiate", args=[issued.pk])).status_code == 403
    client.force_login(world.outsider)
    assert client.get(url).status_code in (403, 404)
    assert Task.objects.filter(plan=issued, origin__isnull=False).count() == 2


def test_a_commune_plan_speaks_of_the_commune_and_the_province_plan_keeps_its_words(world, issued, make_plan):
    """Issue 11 point 6: a derived plan is its own document, in the commune's own words."""
    task = issued.tasks.get(text="Tuyên truyền tại xã")
    task.text = "Ủy ban nhân dân các xã, phường, đặc khu tuyên truyền trên địa bàn tỉnh"
    task.product = "Báo cáo của UBND cấp xã"
    task.save()
    derived = cascade.derive_plan(issued, world.xa1, world.coordinator)
    copy = derived.tasks.get()
    assert copy.text == "Ủy ban nhân dân xã tuyên truyền trên địa bàn xã"
    assert copy.product == "Báo cáo của UBND xã"
    # the copies the province keeps for each commune in its own plan stay in the province's words
    cascade.instantiate_class_tasks(issued, world.coordinator)
    kept = Task.objects.filter(plan=issued, origin=task)
    assert kept.exists() and {t.text for t in kept} == {task.text}
