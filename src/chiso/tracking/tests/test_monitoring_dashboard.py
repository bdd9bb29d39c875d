"""The coordinator's dashboard: numbers right on a small fixture, who may see it, and a query count
that does not grow with the number of tasks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chiso.core.schedule import period_of
from chiso.plans.models import Task
from chiso.tracking.models import ProgressReport
from chiso.tracking.services import monitoring
from chiso.units.models import Unit

TODAY = dt.date.today()
URL = "/ke-hoach/theo-doi/"


def _report(task, unit, period, state="in_progress", percent=50, **kw):
    return ProgressReport.objects.create(
        task=task, unit=unit, period=period, state=state, percent=percent, **kw
    )


@pytest.fixture
def fixture_plans(world, make_plan):
    w = world
    past, future = TODAY - dt.timedelta(days=10), TODAY + dt.timedelta(days=30)
    recurring_due = TODAY - dt.timedelta(days=5)
    plan = make_plan(
        status="issued",
        year=TODAY.year,
        tasks=[
            dict(
                text="Nhiệm vụ trễ hạn của Sở Tư pháp",
                lead_unit=w.tuphap,
                deadline=past,
                progress=40,
                nodes=["D1"],
            ),
            dict(
                text="Nhiệm vụ đã xong của Sở Tư pháp",
                lead_unit=w.tuphap,
                deadline=past,
                done=True,
                progress=100,
                nodes=["D1", "D2"],
            ),
            dict(text="Nhiệm vụ còn hạn của Sở Y tế", lead_unit=w.yte, deadline=future, nodes=["D2"]),
            dict(
                text="Báo cáo hằng quý của xã (đã báo cáo)",
                lead_unit=w.xa1,
                recurrence="quarterly",
                first_due=recurring_due,
            ),
            dict(
                text="Báo cáo hằng quý của Sở Y tế (chưa báo cáo)",
                lead_unit=w.yte,
                recurrence="quarterly",
                first_due=recurring_due,
            ),
        ],
    )
    tasks = list(plan.tasks.order_by("order"))
    _report(tasks[1], w.tuphap, period_of(TODAY, "quarter"), state="done", percent=100)
    _report(tasks[3], w.xa1, period_of(recurring_due, "quarter"))
    # Not counted: a draft plan, and a plan of another province.
    make_plan(status="draft", tasks=[dict(text="Dự thảo", lead_unit=w.yte, deadline=past)])
    other = Unit.objects.filter(kind="province").exclude(pk=w.province.pk).first()
    make_plan(
        status="issued", issuing_unit=other, tasks=[dict(text="Tỉnh khác", lead_unit=w.yte, deadline=past)]
    )
    return plan, tasks


def test_numbers_done_late_not_reported(world, fixture_plans):
    plan, tasks = fixture_plans
    d = monitoring.dashboard(world.coordinator)
    s = d["summary"]
    assert (s["plans"], s["total"], s["done"], s["late"]) == (1, 5, 1, 2)
    assert {t["text"] for t in d["late"]} == {
        "Nhiệm vụ trễ hạn của Sở Tư pháp",
        "Báo cáo hằng quý của Sở Y tế (chưa báo cáo)",
    }
    assert d["late"][0]["days_late"] == 10  # the one-off deadline, 10 days ago, comes first
    units = {r["key"]: r for r in d["by_unit"]}
    assert (
        units[world.tuphap.pk]["total"],
        units[world.tuphap.pk]["done"],
        units[world.tuphap.pk]["late"],
    ) == (
        2,
        1,
        1,
    )
    assert units[world.tuphap.pk]["mean_progress"] == 70
    assert units[world.tuphap.pk]["last_report"] is not None
    assert (units[world.yte.pk]["total"], units[world.yte.pk]["late"]) == (2, 1)
    assert units[world.yte.pk]["last_report"] is None
    not_reported = {r["key"] for r in d["not_reported"]}
    assert world.yte.pk in not_reported and world.tuphap.pk not in not_reported
    nodes = {(r["index"], r["code"]): r for r in d["by_node"]}
    assert (nodes[("papi", "D1")]["total"], nodes[("papi", "D1")]["done"], nodes[("papi", "D1")]["late"]) == (
        2,
        1,
        1,
    )
    assert nodes[("papi", "D2")]["total"] == 2
    assert nodes[("papi", "D1")]["label"]  # the node's name from the PAPI framework
    assert [(r["key"], r["total"], r["late"]) for r in d["by_plan"]] == [(plan.pk, 5, 2)]
    assert [(r["key"], r["total"]) for r in d["by_index"]] == [("papi", 5)]


def test_filters(world, fixture_plans, make_plan):
    plan, _ = fixture_plans
    make_plan(status="issued", year=TODAY.year - 3, indices=["par"], tasks=[dict(text="Cũ", index="par")])
    assert monitoring.dashboard(world.coordinator)["summary"]["total"] == 6
    assert (
        monitoring.dashboard(world.coordinator, monitoring.Filters(year=TODAY.year))["summary"]["total"] == 5
    )
    assert monitoring.dashboard(world.coordinator, monitoring.Filters(index="par"))["summary"]["total"] == 1
    assert monitoring.dashboard(world.coordinator, monitoring.Filters(plan=plan.pk))["summary"]["plans"] == 1


def test_recurring_task_late_until_the_lead_unit_reports(world, fixture_plans):
    _, tasks = fixture_plans
    due = TODAY - dt.timedelta(days=5)
    _report(tasks[4], world.yte, period_of(due, "semiannual"))  # a 6-month report covers the due date too
    late = {t["id"] for t in monitoring.dashboard(world.coordinator)["late"]}
    assert tasks[4].pk not in late and tasks[0].pk in late
    assert [t["id"] for t in monitoring.late_tasks(Task.objects.filter(plan=tasks[0].plan_id))] == [
        tasks[0].pk
    ]


def test_page_shows_the_numbers(client, world, fixture_plans):
    client.force_login(world.coordinator)
    r = client.get(URL)
    assert r.status_code == 200
    html = r.content.decode()
    assert reverse("tracking:dashboard") == URL
    assert 'id="kpi-late">2<' in html
    assert "Nhiệm vụ trễ hạn của Sở Tư pháp" in html
    assert "Nhiệm vụ đã xong của Sở Tư pháp" not in html.split('id="late-tasks"')[1].split("</table>")[0]
    not_reported = html.split('id="not-reported"')[1].split("</table>")[0]
    assert "Sở Y tế" in not_reported and "Sở Tư pháp" not in not_reported
    assert "<svg" in html and "70%" in html  # bars with their number as text
    assert "<script" not in html.split("</head>")[1]  # no JS charts


@pytest.mark.parametrize("who", ["leader", "viewer", "admin"])
def test_oversight_roles_see_it(client, world, fixture_plans, who):
    client.force_login(getattr(world, who))
    assert client.get(URL).status_code == 200


@pytest.mark.parametrize("who", ["officer_tp", "officer_xa", "outsider"])
def test_officers_get_403(client, world, fixture_plans, who):
    client.force_login(getattr(world, who))
    r = client.get(URL)
    assert r.status_code == 403
    assert "Nhiệm vụ trễ hạn" not in r.content.decode()


def test_bad_filters_show_everything(client, world, fixture_plans):
    client.force_login(world.coordinator)
    r = client.get(URL, {"nam": "abc", "ke_hoach": "-1"})
    assert r.status_code == 200
    assert "Bộ lọc không hợp lệ" in r.content.decode()


def _plan_with(make_plan, world, n: int):
    past = TODAY - dt.timedelta(days=3)
    units = [world.tuphap, world.yte, world.xa1, world.xa2, world.noivu]
    specs = []
    for i in range(n):
        unit = units[i % len(units)]
        if i % 3 == 0:
            specs.append(dict(text=f"NV {i}", lead_unit=unit, deadline=past, nodes=[f"D{i % 6 + 1}"]))
        else:
            specs.append(
                dict(text=f"NV {i}", lead_unit=unit, recurrence="quarterly", first_due=past, nodes=["D1"])
            )
    plan = make_plan(status="issued", year=TODAY.year, tasks=specs)
    for task in plan.tasks.all()[: n // 2]:
        _report(task, task.lead_unit, period_of(past, "quarter"))
    return plan


def _count(client) -> int:
    with CaptureQueriesContext(connection) as q:
        assert client.get(URL).status_code == 200
    return len(q.captured_queries)


def test_query_count_does_not_grow_with_tasks(client, world, make_plan, django_assert_max_num_queries):
    client.force_login(world.coordinator)
    plan = _plan_with(make_plan, world, 10)
    small = _count(client)
    plan.tasks.all().delete()
    _plan_with(make_plan, world, 60)
    _plan_with(make_plan, world, 60)
    large = _count(client)
    assert small == large
    with django_assert_max_num_queries(25):
        client.get(URL)


def test_cached_dashboard_shows_a_change_at_once(client, world, fixture_plans):
    """The dashboard is cached per plans-data version: a report or a finished task shows on the next load."""
    _, tasks = fixture_plans
    client.force_login(world.coordinator)
    before = client.get(URL).context["d"]["summary"]
    again = client.get(URL).context["d"]["summary"]
    assert again == before
    task = next(t for t in tasks if not t.done)
    task.done, task.progress = True, 100
    task.save()
    after = client.get(URL).context["d"]["summary"]
    assert after["done"] == before["done"] + 1
    _report(tasks[2], world.yte, period_of(TODAY, "quarter"))
    units = {r["key"]: r for r in client.get(URL).context["d"]["by_unit"]}
    assert units[world.yte.pk]["reported_now"] is True
