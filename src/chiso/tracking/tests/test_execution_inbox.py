"""The inbox of a unit officer: her units' tasks of issued plans, grouped late / due soon / in progress /
done, with role, due date, progress and last report; late tasks for the coordinator."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from chiso.plans.models import Plan
from chiso.tracking.models import ProgressReport
from chiso.tracking.services import execution

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 6, 25)


@pytest.fixture
def plan(world, make_plan):
    return make_plan(
        status="issued",
        tasks=[
            dict(text="Việc quá hạn", lead_unit=world.tuphap, deadline=dt.date(2025, 6, 1)),
            dict(text="Việc sắp đến hạn", lead_unit=world.tuphap, deadline=dt.date(2025, 6, 30)),
            dict(
                text="Việc còn xa",
                lead_unit=world.yte,
                coordinating=[world.tuphap],
                deadline=dt.date(2025, 12, 31),
            ),
            dict(
                text="Việc đã xong",
                lead_unit=world.tuphap,
                deadline=dt.date(2025, 5, 1),
                done=True,
                progress=100,
                done_on=dt.date(2025, 4, 20),
            ),
            dict(
                text="Báo cáo hằng quý",
                lead_unit=world.tuphap,
                recurrence="quarterly",
                first_due=dt.date(2025, 3, 31),
            ),
            dict(text="Việc của Sở Y tế", lead_unit=world.yte, deadline=dt.date(2025, 6, 1)),
        ],
    )


def _groups(user, today=TODAY):
    box = execution.inbox(user, today)
    return {key: [i.task.text for i in items] for key, _label, items in box.groups()}


def test_groups_of_the_officer(world, plan):
    groups = _groups(world.officer_tp)
    assert groups["late"] == ["Báo cáo hằng quý", "Việc quá hạn"]  # oldest due first
    assert groups["soon"] == ["Việc sắp đến hạn"]
    assert groups["open"] == ["Việc còn xa"]
    assert groups["done"] == ["Việc đã xong"]
    assert "Việc của Sở Y tế" not in sum(groups.values(), [])


def test_recurring_task_reported_for_period_is_not_late(world, plan):
    quarterly = plan.tasks.get(text="Báo cáo hằng quý")
    ProgressReport.objects.create(
        task=quarterly, unit=world.tuphap, period="2025-Q1", state="in_progress", percent=30
    )
    groups = _groups(world.officer_tp)
    assert "Báo cáo hằng quý" in groups["soon"]  # next due 30/06/2025


def test_roles_and_draft_plans_excluded(world, plan, make_plan):
    make_plan(status="draft", tasks=[dict(text="Việc dự thảo", lead_unit=world.tuphap)])
    box = execution.inbox(world.officer_tp, TODAY)
    items = {i.task.text: i for _k, _l, its in box.groups() for i in its}
    assert "Việc dự thảo" not in items
    assert items["Việc còn xa"].role == "coordinating"
    assert items["Việc quá hạn"].role == "lead"


def test_inbox_page(client, world, plan, django_assert_max_num_queries):
    client.force_login(world.officer_tp)
    with django_assert_max_num_queries(25):
        page = client.get(reverse("tracking:inbox"))
    assert page.status_code == 200
    html = page.content.decode()
    for text in ("Quá hạn", "Đã hoàn thành", "Việc quá hạn", "Chủ trì", "Phối hợp", "123/KH-UBND"):
        assert text in html
    assert "Việc của Sở Y tế" not in html
    assert reverse("tracking:task", args=[plan.tasks.get(text="Việc quá hạn").pk]) in html


def test_inbox_page_of_user_without_units(client, world, plan):
    client.force_login(world.viewer)
    page = client.get(reverse("tracking:inbox"))
    assert page.status_code == 200 and "Chưa có nhiệm vụ" in page.content.decode()


def test_late_tasks_for_the_dashboard(world, plan):
    late = execution.late_tasks(Plan.objects.filter(pk=plan.pk), TODAY)
    assert [t.text for t in late] == ["Báo cáo hằng quý", "Việc quá hạn", "Việc của Sở Y tế"]
    assert late[0].late_due == dt.date(2025, 3, 31) and late[1].late_days == 24
