"""Reminders: 7, 3 and 1 days before a due date and when late, in the app and by e-mail, recorded once
and never sent twice; late tasks flagged to coordinators; one daily digest; the `remind` command;
the notifications page."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from chiso.accounts.models import Membership
from chiso.notifications import services as notices
from chiso.notifications.models import Reminder
from chiso.tracking import reminders
from chiso.tracking.models import ProgressReport

pytestmark = pytest.mark.django_db

DUE = dt.date(2025, 6, 30)


@pytest.fixture
def plan(world, make_plan):
    return make_plan(
        status="issued",
        tasks=[
            dict(
                text="Rà soát thủ tục hành chính",
                lead_unit=world.tuphap,
                coordinating=[world.yte],
                deadline=DUE,
            )
        ],
    )


@pytest.fixture
def task(plan):
    return plan.tasks.get()


def _subjects(user):
    return [m.subject for m in mail.outbox if user.email in m.to]


@pytest.mark.parametrize(
    "days, kind, text", [(7, "d7", "còn 7 ngày"), (3, "d3", "còn 3 ngày"), (1, "d1", "còn 1 ngày")]
)
def test_reminder_before_due(world, task, days, kind, text):
    today = DUE - dt.timedelta(days=days)
    counts = reminders.send_due(today)
    assert counts["tasks"] == 1
    # Officers of the lead and the coordinating unit, in the app and by e-mail.
    for user, unit in ((world.officer_tp, world.tuphap), (world.officer_yt, world.yte)):
        rows = Reminder.objects.about(task).filter(user=user, kind=kind, due=DUE)
        assert set(rows.values_list("channel", flat=True)) == {"app", "email"}
        assert rows.first().unit == unit
        subjects = _subjects(user)
        assert len(subjects) == 1 and subjects[0].startswith("[chiso] Nhắc việc: Rà soát thủ tục hành chính")
        assert subjects[0].endswith(text)
    body = next(m.body for m in mail.outbox if world.officer_tp.email in m.to)
    assert "30/06/2025" in body and reverse("tracking:task", args=[task.pk]) in body and "chủ trì" in body
    assert not Reminder.objects.filter(user=world.officer_xa).exists()
    # Never twice.
    sent = len(mail.outbox)
    again = reminders.send_due(today)
    assert again["app"] == again["email"] == 0 and len(mail.outbox) == sent


def test_no_reminder_on_other_days(world, task):
    counts = reminders.send_due(DUE - dt.timedelta(days=5))
    assert counts["tasks"] == 0
    assert not [m for m in mail.outbox if world.officer_tp.email in m.to]
    assert not Reminder.objects.about(task).exists()


def test_late_reminder_and_flag_to_coordinator(world, task):
    today = DUE + dt.timedelta(days=2)
    counts = reminders.send_due(today)
    assert (
        Reminder.objects.about(task).filter(user=world.officer_tp, kind="late", channel="email").count() == 1
    )
    assert any(s.endswith("quá hạn") for s in _subjects(world.officer_tp))
    flag = Reminder.objects.about(task).get(user=world.coordinator, kind="late")
    assert flag.channel == "app" and counts["flags"] == 1
    # The next day: nothing new for the task (the digest is daily, the late reminder once).
    reminders.send_due(today + dt.timedelta(days=1))
    assert Reminder.objects.about(task).filter(kind="late").count() == 5  # 2 officers x 2 channels + flag


def test_done_task_is_not_reminded(world, task):
    task.done = True
    task.save()
    reminders.send_due(DUE - dt.timedelta(days=1))
    reminders.send_due(DUE + dt.timedelta(days=1))
    assert not Reminder.objects.filter(object_id__isnull=False).exists()


def test_draft_plan_is_not_reminded(world, make_plan):
    make_plan(status="draft", tasks=[dict(text="Dự thảo", lead_unit=world.tuphap, deadline=DUE)])
    reminders.send_due(DUE - dt.timedelta(days=3))
    assert not Reminder.objects.exists()


def test_recurring_task_reminded_unless_reported(world, make_plan):
    plan = make_plan(
        status="issued",
        tasks=[
            dict(
                text="Báo cáo quý",
                lead_unit=world.tuphap,
                recurrence="quarterly",
                first_due=dt.date(2025, 3, 31),
            )
        ],
    )
    t = plan.tasks.get()
    reminders.send_due(dt.date(2025, 3, 24))
    assert Reminder.objects.about(t).filter(kind="d7", due=dt.date(2025, 3, 31)).exists()
    ProgressReport.objects.create(
        task=t, unit=world.tuphap, period="2025-Q2", state="in_progress", percent=10
    )
    reminders.send_due(dt.date(2025, 6, 27))  # Q2 already reported: no d3 for 30/06
    assert not Reminder.objects.about(t).filter(kind="d3").exists()
    reminders.send_due(dt.date(2025, 4, 2))  # Q1 not reported: late for 31/03
    assert (
        Reminder.objects.about(t)
        .filter(kind="late", due=dt.date(2025, 3, 31), user=world.officer_tp)
        .exists()
    )


def test_user_without_email_gets_app_only(world, task):
    world.officer_yt.email = ""
    world.officer_yt.save()
    reminders.send_due(DUE - dt.timedelta(days=3))
    assert list(Reminder.objects.filter(user=world.officer_yt).values_list("channel", flat=True)) == ["app"]


def test_coordinator_directly_on_unit_is_reminded(world, task, django_user_model):
    boss = django_user_model.objects.create_user("dieuphoi_stp", email="dp@stp.vn", password="x")
    Membership.objects.create(user=boss, unit=world.tuphap, role="coordinator")
    reminders.send_due(DUE - dt.timedelta(days=7))
    assert Reminder.objects.about(task).filter(user=boss, kind="d7", channel="email").exists()


def test_no_digest_when_nothing_is_due_this_quarter(world, task):
    counts = reminders.send_due(dt.date(2025, 2, 3))
    assert counts["digests"] == 0 and not Reminder.objects.exists()


def test_daily_digest_once(world, task):
    today = DUE + dt.timedelta(days=1)
    reminders.send_due(today)
    digests = Reminder.objects.filter(kind="digest", user=world.coordinator)
    assert set(digests.values_list("channel", flat=True)) == {"app", "email"}
    assert digests.first().due == today and digests.first().about is None
    mails = [m for m in mail.outbox if world.coordinator.email in m.to]
    assert len(mails) == 1
    assert mails[0].subject.startswith("[chiso] Tổng hợp nhắc việc ngày 01/07/2025")
    assert "Rà soát thủ tục hành chính" in mails[0].body and "Sở Tư pháp" in mails[0].body
    assert "Quý III/2025" in mails[0].body
    reminders.send_due(today)
    assert digests.count() == 2
    assert len([m for m in mail.outbox if world.coordinator.email in m.to]) == 1
    reminders.send_due(today + dt.timedelta(days=1))
    assert digests.count() == 4


def test_remind_command(world, task):
    out = io.StringIO()
    call_command("remind", "--today", "27/06/2025", stdout=out)
    assert "27/06/2025" in out.getvalue() and "thư điện tử" in out.getvalue()
    first = Reminder.objects.count()
    assert first > 0
    out = io.StringIO()
    call_command(
        "remind", "--today", "27/06/2025", "--loop", "--interval", "0", "--max-passes", "2", stdout=out
    )
    assert out.getvalue().count("27/06/2025") == 2
    assert Reminder.objects.count() == first
    with pytest.raises(CommandError):
        call_command("remind", "--today", "2025-06-27")


def test_notifications_page_and_unread_count(client, world, task):
    reminders.send_due(DUE - dt.timedelta(days=3))
    assert notices.unread_count(world.officer_tp) == 1
    client.force_login(world.officer_tp)
    page = client.get(reverse("notifications:list"))
    assert page.status_code == 200 and "còn 3 ngày" in page.content.decode()
    assert client.post(reverse("notifications:list")).status_code == 302
    assert notices.unread_count(world.officer_tp) == 0
    # Another user's notices are not shown.
    client.force_login(world.officer_xa)
    assert "Rà soát" not in client.get(reverse("notifications:list")).content.decode()


def test_mail_links_use_the_site_address(world, task, settings):
    settings.CHISO_SITE_URL = "https://chiso.tinh.gov.vn/"
    reminders.send_due(DUE - dt.timedelta(days=3))
    body = next(m.body for m in mail.outbox if world.officer_tp.email in m.to)
    assert "https://chiso.tinh.gov.vn" + reverse("tracking:task", args=[task.pk]) in body
