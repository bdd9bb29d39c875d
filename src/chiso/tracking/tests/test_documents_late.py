"""One late rule: the reminder letter lists exactly the tasks the plan page, the inbox and the dashboard
call late (services.execution.late_tasks), not a rule of its own."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from chiso.plans.models import Plan, Task
from chiso.tracking import documents
from chiso.tracking.models import ProgressReport
from chiso.tracking.services import execution

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 4, 10)


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9)))


def _report(task: Task, unit, period: str, on: dt.date) -> None:
    ProgressReport.objects.create(task=task, unit=unit, period=period, state="in_progress", percent=30)
    ProgressReport.objects.filter(task=task, unit=unit, period=period).update(submitted_at=_at(on))


@pytest.fixture
def plan(world, make_plan):
    plan = make_plan(
        status="issued",
        tasks=[
            # Reported for the quarter of its due date, before that date: not late.
            dict(
                text="Cập nhật thủ tục hằng quý",
                lead_unit=world.tuphap,
                recurrence="quarterly",
                first_due=dt.date(2025, 3, 31),
                deadline=dt.date(2025, 12, 31),
            ),
            # Reported after the due date, but for the next quarter (and its coordinating commune for
            # the due quarter): late, though reported.
            dict(
                text="Kiểm tra cơ sở khám chữa bệnh",
                lead_unit=world.yte,
                coordinating=[world.xa1],
                recurrence="quarterly",
                first_due=dt.date(2025, 3, 31),
                deadline=dt.date(2025, 12, 31),
            ),
            dict(text="Công khai ngân sách xã", lead_unit=world.xa1, deadline=dt.date(2025, 3, 1)),
            dict(text="Nâng cấp cổng dịch vụ công", lead_unit=world.noivu, deadline=dt.date(2025, 5, 1)),
            # Late too, but addressed to a class of units: nobody to write to.
            dict(text="Niêm yết thủ tục tại xã", lead_class="ward", deadline=dt.date(2025, 3, 1)),
        ],
    )
    quarterly, health = plan.tasks.get(order=1), plan.tasks.get(order=2)
    _report(quarterly, world.tuphap, "2025-Q1", dt.date(2025, 3, 20))
    _report(health, world.yte, "2025-Q2", dt.date(2025, 4, 5))
    _report(health, world.xa1, "2025-Q1", dt.date(2025, 3, 25))
    for task in (quarterly, health):
        execution.refresh_task(task)
    return plan


def test_the_letter_lists_what_the_plan_page_the_inbox_and_the_dashboard_call_late(world, plan):
    items = documents.late_items(plan, TODAY)
    assert [(i.task.text, i.unit, i.due, i.reported) for i in items] == [
        ("Kiểm tra cơ sở khám chữa bệnh", world.yte, dt.date(2025, 3, 31), True),
        ("Công khai ngân sách xã", world.xa1, dt.date(2025, 3, 1), False),
    ]
    late = execution.late_tasks(Plan.objects.filter(pk=plan.pk), TODAY)
    assert {i.task.pk for i in items} == {t.pk for t in late if t.lead_unit_id}
    assert {t.text for t in late if not t.lead_unit_id} == {"Niêm yết thủ tục tại xã"}
    # The coordinator's inbox (her units' tasks) calls the same ones late.
    inbox_late = {
        i.task.pk for i in execution.inbox(world.coordinator, TODAY).late if i.task.plan_id == plan.pk
    }
    assert inbox_late == {i.task.pk for i in items}
    texts = [b.text for b in documents.reminder_letter_document(plan, today=TODAY).blocks]
    body = "\n".join(texts)
    assert "Kiểm tra cơ sở khám chữa bệnh (thời hạn: 31/03/2025; đã báo cáo, đạt 30%)" in body
    assert "Công khai ngân sách xã (thời hạn: 01/03/2025; chưa báo cáo kết quả)" in body
    for absent in ("Cập nhật thủ tục hằng quý", "Nâng cấp cổng dịch vụ công", "Niêm yết thủ tục tại xã"):
        assert absent not in body


def test_nothing_is_late_in_a_plan_not_issued(world, make_plan):
    draft = make_plan(
        status="approved",
        tasks=[dict(text="Việc chưa ban hành", lead_unit=world.tuphap, deadline=dt.date(2025, 3, 1))],
    )
    assert documents.late_items(draft, TODAY) == []
