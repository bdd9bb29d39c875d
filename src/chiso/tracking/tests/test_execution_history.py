"""The history of progress reports on the task page: a report changed after its first submission says
how many times, and each version (when, who, fields before → after), only to those who may see it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chiso.tracking.models import ProgressReport

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def task(world, make_plan):
    plan = make_plan(
        status="issued",
        tasks=[
            dict(
                text="Rà soát thủ tục hành chính",
                lead_unit=world.tuphap,
                coordinating=[world.yte],
                deadline=dt.date(2025, 6, 30),
            )
        ],
    )
    return plan.tasks.get()


def _post(client, task, unit, **fields):
    data = {
        "unit": unit.pk,
        "period": "2025-Q2",
        "state": "in_progress",
        "percent": "40",
        "narrative": "Đã rà soát 50 thủ tục",
        "difficulties": "",
        "product_number": "",
        "product_date": "",
        "product_issuer": "",
        **fields,
    }
    r = client.post(reverse("tracking:report", args=[task.pk]), data)
    assert r.status_code == 302, r.content.decode()[:2000]
    return r


def test_resubmitted_report_shows_its_versions(client, world, task):
    client.force_login(world.officer_tp)
    _post(client, task, world.tuphap)
    html = client.get(reverse("tracking:task", args=[task.pk])).content.decode()
    assert "Đã sửa" not in html
    _post(
        client,
        task,
        world.tuphap,
        percent="70",
        narrative="Đã rà soát 80 thủ tục, " + "rất dài " * 30,
        product_number="12/QĐ-STP",
        product_date="15/05/2025",
    )
    assert ProgressReport.objects.filter(task=task).count() == 1
    html = client.get(reverse("tracking:task", args=[task.pk])).content.decode()
    assert "Đã sửa 1 lần" in html and "<details" in html
    assert "40%</span> → <span" in html and "70%" in html
    assert "Đã rà soát 50 thủ tục" in html and "…" in html  # the long narrative is shortened
    assert "12/QĐ-STP" in html and "15/05/2025" in html
    assert "canbo_tuphap" in html
    now = dt.datetime.now()
    assert now.strftime("%d/%m/%Y") in html

    _post(
        client,
        task,
        world.tuphap,
        state="done",
        percent="100",
        narrative="Đã rà soát 80 thủ tục, " + "rất dài " * 30,
        product_number="12/QĐ-STP",
        product_date="15/05/2025",
        product_issuer="Sở Tư pháp",
    )
    html = client.get(reverse("tracking:task", args=[task.pk])).content.decode()
    assert "Đã sửa 2 lần" in html
    # newest first
    versions = html[html.index("<details") : html.index("</details>")]
    assert versions.index('→ <span class="after">Đã hoàn thành') < versions.index("40%</span> → <span")


def test_history_only_for_reports_the_user_may_see(client, world, task):
    client.force_login(world.officer_yt)
    _post(client, task, world.yte, percent="10", narrative="Phối hợp lần đầu")
    _post(client, task, world.yte, percent="20", narrative="Phối hợp lần hai")
    client.force_login(world.officer_tp)
    _post(client, task, world.tuphap, percent="30")
    _post(client, task, world.tuphap, percent="60")
    # the lead unit sees the coordinating unit's report and its history
    html = client.get(reverse("tracking:task", args=[task.pk])).content.decode()
    assert html.count("Đã sửa 1 lần") == 2
    # the coordinating unit sees only her own report
    client.force_login(world.officer_yt)
    html = client.get(reverse("tracking:task", args=[task.pk])).content.decode()
    assert html.count("Đã sửa 1 lần") == 1
    assert "30%" not in html and "Phối hợp lần đầu" in html
    # the viewer oversees the plan: both
    client.force_login(world.viewer)
    html = client.get(reverse("tracking:task", args=[task.pk])).content.decode()
    assert html.count("Đã sửa 1 lần") == 2


def test_history_queries_are_bounded(client, world, task):
    client.force_login(world.officer_tp)
    for percent in ("10", "20", "30"):
        _post(client, task, world.tuphap, percent=percent)
    client.force_login(world.viewer)
    url = reverse("tracking:task", args=[task.pk])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    client.force_login(world.officer_yt)
    for percent in ("10", "20", "30", "40"):
        _post(client, task, world.yte, percent=percent)
    client.force_login(world.viewer)
    with CaptureQueriesContext(connection) as more:
        html = client.get(url).content.decode()
    assert "Đã sửa 2 lần" in html and "Đã sửa 3 lần" in html
    history = [q for q in more.captured_queries if "historicalprogressreport" in q["sql"].lower()]
    assert len(history) == 1
    assert len(more.captured_queries) <= len(few.captured_queries) + 2
