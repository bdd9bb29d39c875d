"""Rules found wanting by the browser tests: report periods beyond the plan's years, lateness only for
tasks of issued plans (one rule for the plan page and the inbox), evidence details, the role badge, and
unit officers not seeing plans that are not issued yet."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chiso.core.schedule import period_of
from chiso.plans import permissions
from chiso.plans.models import Plan
from chiso.tracking.models import Evidence, ProgressReport
from chiso.tracking.services import execution

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _selected_period(html: str) -> str | None:
    select = re.search(r'<select name="period".*?</select>', html, re.S)
    assert select, "no period select on the page"
    m = re.search(r'<option value="([^"]+)"[^>]*selected', select.group(0))
    return m.group(1) if m else None


# ---------------------------------------------------------------- 1. report periods


def test_periods_reach_the_latest_task_deadline_and_today(world, make_plan):
    plan = make_plan(
        status="issued",
        tasks=[dict(text="Việc kéo dài", lead_unit=world.tuphap, deadline=dt.date(2027, 3, 31))],
    )
    today = dt.date(2026, 11, 22)
    periods = [p for p, _label in execution.period_choices(plan, today)]
    assert periods[0] == "2025-Q1" and periods[-1] == "2027"
    for p in ("2025-Q4", "2026-Q4", "2026-H2", "2026", "2027-Q1", "2027-H1"):
        assert p in periods
    assert "2028-Q1" not in periods
    # Chronological: 2025 before 2026 before 2027, quarters then halves then the year.
    assert periods.index("2025") < periods.index("2026-Q1") < periods.index("2027-Q1")
    labels = dict(execution.period_choices(plan, today))
    assert labels["2026-Q4"] == "Quý IV/2026"
    task = plan.tasks.get()
    assert execution.default_period(task, execution.period_choices(plan, today), today) == "2026-Q4"


def test_periods_reach_today_and_first_due_of_recurring_tasks(world, make_plan):
    plan = make_plan(
        status="issued",
        year=2024,
        tasks=[
            dict(
                text="Báo cáo hằng quý",
                lead_unit=world.tuphap,
                recurrence="quarterly",
                first_due=dt.date(2028, 3, 31),
            )
        ],
    )
    periods = [p for p, _l in execution.period_choices(plan, dt.date(2026, 5, 1))]
    assert periods[0] == "2024-Q1" and "2026-Q2" in periods and periods[-1] == "2028"


def test_default_period_of_a_plan_of_a_later_year_is_its_first(world, make_plan):
    plan = make_plan(status="issued", year=2030, tasks=[dict(text="Việc", lead_unit=world.tuphap)])
    task = plan.tasks.get()
    today = dt.date(2026, 11, 22)
    choices = execution.period_choices(plan, today)
    assert choices[0][0] == "2030-Q1" and choices[-1][0] == "2030"
    assert execution.default_period(task, choices, today) == "2030-Q1"
    # Today after the periods offered (only possible with a hand-made list): the last one.
    assert execution.default_period(task, choices, dt.date(2032, 1, 5)) == "2030"


def test_task_page_opens_on_the_current_quarter_and_accepts_a_later_year(client, world, make_plan):
    plan = make_plan(
        status="issued",
        tasks=[dict(text="Việc kéo dài", lead_unit=world.tuphap, deadline=dt.date(2027, 3, 31))],
    )
    task = plan.tasks.get()
    client.force_login(world.officer_tp)
    html = client.get(reverse("tracking:task", args=[task.pk])).content.decode()
    assert _selected_period(html) == period_of(dt.date.today(), "quarter")
    assert 'value="2027-Q1"' in html and "Quý I/2027" in html
    response = client.post(
        reverse("tracking:report", args=[task.pk]),
        {"unit": world.tuphap.pk, "period": "2027-Q1", "state": "in_progress", "percent": "10"},
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    assert ProgressReport.objects.get(task=task).period == "2027-Q1"
    # A period after every deadline and after today is still refused, nothing saved.
    response = client.post(
        reverse("tracking:report", args=[task.pk]),
        {"unit": world.tuphap.pk, "period": "2031-Q1", "state": "in_progress", "percent": "10"},
    )
    assert response.status_code == 400
    assert ProgressReport.objects.count() == 1


# ---------------------------------------------------------------- 2. lateness


def _late_marks(html: str) -> int:
    return html.count("Trễ hạn")


@pytest.mark.parametrize("status", ["draft", "submitted", "approved"])
def test_tasks_of_a_plan_not_issued_are_never_late(client, world, make_plan, status):
    plan = make_plan(
        status=status,
        tasks=[
            dict(text="Việc hạn cũ", lead_unit=world.tuphap, deadline=dt.date(2020, 1, 31)),
            dict(
                text="Báo cáo hằng quý",
                lead_unit=world.tuphap,
                recurrence="quarterly",
                first_due=dt.date(2020, 3, 31),
            ),
        ],
    )
    client.force_login(world.coordinator)
    html = client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert "Việc hạn cũ" in html and _late_marks(html) == 0
    assert execution.late_tasks(Plan.objects.filter(pk=plan.pk)) == []
    for t in plan.tasks.all():
        assert execution.task_late_due(t, dt.date.today(), set()) is None


def test_plan_page_uses_the_execution_rule_for_recurring_tasks(client, world, make_plan):
    today = dt.date.today()
    plan = make_plan(
        status="issued",
        tasks=[
            dict(text="Việc hạn cũ", lead_unit=world.tuphap, deadline=dt.date(2020, 1, 31)),
            dict(
                text="Báo cáo hằng quý",
                lead_unit=world.tuphap,
                recurrence="quarterly",
                first_due=dt.date(2020, 3, 31),
            ),
            dict(text="Việc còn hạn", lead_unit=world.tuphap, deadline=today + dt.timedelta(days=60)),
        ],
    )
    client.force_login(world.coordinator)
    url = reverse("plans:detail", args=[plan.pk])
    assert _late_marks(client.get(url).content.decode()) == 2
    quarterly = plan.tasks.get(text="Báo cáo hằng quý")
    due = execution.task_late_due(quarterly, today, set())
    assert due is not None and due < today
    # A report of the lead unit for the period of the last due date: no longer late, on both pages.
    ProgressReport.objects.create(
        task=quarterly, unit=world.tuphap, period=period_of(due, "quarter"), state="in_progress", percent=20
    )
    assert _late_marks(client.get(url).content.decode()) == 1
    assert execution.task_late_due(quarterly, today, execution.lead_periods([quarterly])) is None
    # A report of a coordinating unit does not count.
    other = plan.tasks.get(text="Việc hạn cũ")
    assert execution.task_late_due(other, today, set()) == dt.date(2020, 1, 31)


def test_recurring_task_reported_for_the_year_of_its_due_date_is_not_late(world, make_plan):
    plan = make_plan(
        status="issued",
        tasks=[
            dict(
                text="Báo cáo 6 tháng",
                lead_unit=world.tuphap,
                recurrence="semiannual",
                first_due=dt.date(2025, 6, 30),
            )
        ],
    )
    task = plan.tasks.get()
    today = dt.date(2025, 7, 10)
    assert execution.task_late_due(task, today, set()) == dt.date(2025, 6, 30)
    for period in ("2025-Q2", "2025-H1", "2025"):
        assert execution.task_late_due(task, today, {(task.pk, period)}) is None
    assert execution.task_late_due(task, today, {(task.pk, "2025-Q3")}) == dt.date(2025, 6, 30)


def test_closed_plan_tasks_can_still_be_late(world, make_plan):
    plan = make_plan(
        status="closed", tasks=[dict(text="Chưa xong", lead_unit=world.tuphap, deadline=dt.date(2025, 1, 1))]
    )
    assert [t.text for t in execution.late_tasks(Plan.objects.filter(pk=plan.pk), dt.date(2025, 6, 1))] == [
        "Chưa xong"
    ]


# ---------------------------------------------------------------- 3. role badge


def test_role_badge_does_not_wrap(client, world, make_plan):
    make_plan(status="issued", tasks=[dict(text="Việc chủ trì", lead_unit=world.tuphap)])
    client.force_login(world.officer_tp)
    html = client.get(reverse("tracking:inbox")).content.decode()
    assert '<td class="role"><span class="badge lead">Chủ trì</span>' in html
    assert "plans-execution.css" in html
    css = (Path(__file__).resolve().parents[2] / "static/chiso/plans-execution.css").read_text()
    rule = re.search(r"([^{}]*td\.role \.badge[^{}]*)\{([^}]*)\}", css)
    assert rule and "white-space:nowrap" in rule.group(2).replace(" ", "")


# ---------------------------------------------------------------- 4. evidence details


def test_evidence_shows_hash_date_and_scan_status(client, world, make_plan):
    plan = make_plan(
        status="issued", tasks=[dict(text="Rà soát", lead_unit=world.tuphap, deadline=dt.date(2025, 6, 30))]
    )
    task = plan.tasks.get()
    client.force_login(world.officer_tp)
    pdf = SimpleUploadedFile("bao-cao.pdf", PDF, content_type="application/pdf")
    response = client.post(
        reverse("tracking:report", args=[task.pk]),
        {
            "unit": world.tuphap.pk,
            "period": "2025-Q2",
            "state": "in_progress",
            "percent": "30",
            "evidence": [pdf],
        },
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    ev = Evidence.objects.get()
    sha = hashlib.sha256(PDF).hexdigest()
    html = client.get(reverse("tracking:task", args=[task.pk])).content.decode()
    assert f'<code title="{sha}">{sha[:12]}</code>' in html
    from django.utils import timezone

    assert timezone.localtime(ev.uploaded_at).strftime("%d/%m/%Y %H:%M") in html
    assert "chưa quét" in html and "not_scanned" not in html.replace("scan-not_scanned", "")
    Evidence.objects.filter(pk=ev.pk).update(scan_status="clean")
    html = client.get(reverse("tracking:task", args=[task.pk])).content.decode()
    assert "sạch" in html and "chưa quét" not in html


# ---------------------------------------------------------------- 5. officers and plans not issued


@pytest.mark.parametrize("status", ["draft", "submitted", "approved"])
def test_officer_does_not_see_a_plan_before_it_is_issued(client, world, make_plan, status):
    plan = make_plan(
        status=status,
        tasks=[
            dict(text="Việc Tư pháp chủ trì", lead_unit=world.tuphap),
            dict(text="Việc Y tế chủ trì", lead_unit=world.yte, coordinating=[world.tuphap]),
        ],
    )
    officer = world.officer_tp
    assert not permissions.visible_plans(officer).filter(pk=plan.pk).exists()
    assert not permissions.can_view_plan(officer, plan)
    assert not permissions.visible_tasks(officer).filter(plan=plan).exists()
    client.force_login(officer)
    assert client.get(reverse("plans:detail", args=[plan.pk])).status_code == 404
    for t in plan.tasks.all():
        assert client.get(reverse("tracking:task", args=[t.pk])).status_code == 404
    assert "Việc Tư pháp chủ trì" not in client.get(reverse("tracking:inbox")).content.decode()
    # Oversight roles keep seeing it.
    for user in (world.coordinator, world.leader, world.viewer, world.admin):
        assert permissions.can_view_plan(user, plan)
        assert permissions.visible_tasks(user).filter(plan=plan).count() == 2
        client.force_login(user)
        assert client.get(reverse("plans:detail", args=[plan.pk])).status_code == 200


@pytest.mark.parametrize("status", ["issued", "closed"])
def test_officer_sees_issued_and_closed_plans_of_her_tasks(client, world, make_plan, status):
    plan = make_plan(
        status=status,
        tasks=[
            dict(text="Việc Tư pháp chủ trì", lead_unit=world.tuphap),
            dict(text="Việc Nội vụ chủ trì", lead_unit=world.noivu),
        ],
    )
    officer = world.officer_tp
    assert permissions.can_view_plan(officer, plan)
    assert list(permissions.visible_plans(officer).filter(pk=plan.pk)) == [plan]
    assert [t.text for t in permissions.visible_tasks(officer).filter(plan=plan)] == ["Việc Tư pháp chủ trì"]
    client.force_login(officer)
    html = client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert "Việc Tư pháp chủ trì" in html and "Việc Nội vụ chủ trì" not in html
    assert not permissions.can_view_plan(world.officer_xa, plan)


def test_officer_of_the_issuing_unit_sees_only_its_issued_plans(world, make_plan):
    draft = make_plan(status="draft", issuing_unit=world.tuphap, tasks=[dict(text="Dự thảo")])
    issued = make_plan(status="issued", issuing_unit=world.tuphap, tasks=[dict(text="Đã ban hành")])
    officer = world.officer_tp
    assert not permissions.can_view_plan(officer, draft)
    assert permissions.can_view_plan(officer, issued)
    assert set(permissions.visible_plans(officer).filter(pk__in=[draft.pk, issued.pk])) == {issued}
