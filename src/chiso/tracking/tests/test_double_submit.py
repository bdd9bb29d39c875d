"""Issue 10, item 15 — a progress report, its evidence and a periodic report sent twice (a double click,
a retry) are stored once: no 500, no duplicate rows, no second "201 created". Item 14 for reports: a
stale save of a report is refused with who and when."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chiso.concurrency import StaleEdit
from chiso.conftest import run_together
from chiso.tracking.models import Evidence, PeriodicReport, ProgressReport
from chiso.tracking.services import execution, periodic

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
JSON = {"content_type": "application/json"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def task(world, make_plan):
    plan = make_plan(
        status="issued",
        tasks=[dict(text="Rà soát thủ tục", lead_unit=world.tuphap, deadline=dt.date(2025, 6, 30))],
    )
    return plan.tasks.get()


def _hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no hidden {name}"
    return match.group(1)


def _data(unit, **over):
    data = {"unit": unit.pk, "period": "2025-Q2", "state": "in_progress", "percent": "40",
            "narrative": "Đã rà soát", "difficulties": "", "product_number": "", "product_date": "",
            "product_issuer": ""}  # fmt: skip
    data.update(over)
    return data


def test_report_form_sent_five_times_stores_one_report_and_one_file(client, world, task):
    client.force_login(world.officer_tp)
    page = client.get(reverse("tracking:task", args=[task.pk])).content.decode()
    key, revision = _hidden(page, "submit_key"), _hidden(page, "revision")
    assert revision == "0"
    url = reverse("tracking:report", args=[task.pk])
    codes = []
    for _ in range(5):
        pdf = SimpleUploadedFile("bao-cao.pdf", PDF, content_type="application/pdf")
        response = client.post(
            url, {**_data(world.tuphap, submit_key=key, revision=revision), "evidence": [pdf]}
        )
        codes.append(response.status_code)
    assert codes == [302] * 5
    report = ProgressReport.objects.get(task=task)
    assert Evidence.objects.filter(report=report).count() == 1 and report.history.count() == 1
    page = client.get(reverse("tracking:task", args=[task.pk])).content.decode()
    assert "đã được gửi trước đó" in page


def test_same_file_sent_again_without_a_key_is_kept_once(client, world, task):
    client.force_login(world.officer_tp)
    url = reverse("tracking:report", args=[task.pk])
    for _ in range(3):
        pdf = SimpleUploadedFile("bao-cao.pdf", PDF, content_type="application/pdf")
        assert client.post(url, {**_data(world.tuphap), "evidence": [pdf]}).status_code == 302
    assert ProgressReport.objects.filter(task=task).count() == 1
    assert Evidence.objects.filter(report__task=task).count() == 1


def test_stale_report_save_is_refused_with_input_kept(client, world, task):
    client.force_login(world.officer_tp)
    page = client.get(reverse("tracking:task", args=[task.pk])).content.decode()
    revision = _hidden(page, "revision")
    # The coordinator reports for the same unit and period meanwhile.
    execution.save_report(
        task, world.coordinator, world.tuphap, "2025-Q2", {"state": "in_progress", "percent": 70}
    )
    response = client.post(
        reverse("tracking:report", args=[task.pk]),
        _data(world.tuphap, revision=revision, narrative="Nội dung của tôi"),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "dieuphoi_kh" in html and "Nội dung của tôi" in html and "Tiến độ" in html
    assert ProgressReport.objects.get(task=task).percent == 70


def test_api_report_posted_twice_with_a_key(client, world, task):
    client.force_login(world.officer_tp)
    url = f"/api/tasks/{task.pk}/reports/"
    body = {"period": "2025-Q2", "state": "in_progress", "percent": 40}
    codes = [client.post(url, body, HTTP_IDEMPOTENCY_KEY="r-1", **JSON) for _ in range(4)]
    assert [r.status_code for r in codes] == [201, 200, 200, 200]
    assert all(r["Idempotent-Replayed"] == "true" for r in codes[1:])
    assert ProgressReport.objects.filter(task=task).count() == 1
    report = ProgressReport.objects.get(task=task)
    assert report.history.count() == 1
    # If-Match on a report: stale → 412.
    etag = client.get(f"/api/reports/{report.pk}/")["ETag"]
    assert client.post(url, {**body, "percent": 50}, HTTP_IF_MATCH=etag, **JSON).status_code == 200
    response = client.post(url, {**body, "percent": 60}, HTTP_IF_MATCH=etag, **JSON)
    assert response.status_code == 412 and response.json()["changed_by"] == "canbo_tuphap"
    # Evidence uploaded twice: stored once.
    files = f"/api/reports/{report.pk}/evidence/"
    for _ in range(2):
        pdf = SimpleUploadedFile("bao-cao.pdf", PDF, content_type="application/pdf")
        assert client.post(files, {"file": [pdf]}).status_code == 201
    assert Evidence.objects.filter(report=report).count() == 1


def test_periodic_report_form_sent_twice(client, world, task):
    client.force_login(world.coordinator)
    url = f"/ke-hoach/bao-cao-dinh-ky/ke-hoach/{task.plan_id}/lap/"
    key = _hidden(client.get(url).content.decode(), "submit_key")
    first = client.post(url, {"period": "2025-H1", "submit_key": key})
    again = client.post(url, {"period": "2025-H1", "submit_key": key})
    report = PeriodicReport.objects.get(plan=task.plan)
    assert first.status_code == again.status_code == 302 and again["Location"] == first["Location"]
    # Edited by two: the stale one is refused.
    edit = f"/ke-hoach/bao-cao-dinh-ky/{report.pk}/sua/"
    revision = _hidden(client.get(edit).content.decode(), "revision")
    periodic.update_report(report, {"title": "Báo cáo (bản của lãnh đạo)"}, world.coordinator)
    response = client.post(edit, {"title": "Báo cáo của tôi", "revision": revision, "place": "", "signer_name": "",
                                  "recipients": "", "overview": "", "difficulties": "", "proposals": ""})  # fmt: skip
    assert response.status_code == 200 and "Trích yếu" in response.content.decode()
    assert "Báo cáo của tôi" in response.content.decode()
    report.refresh_from_db()
    assert report.title == "Báo cáo (bản của lãnh đạo)"


# --- at the same time (PostgreSQL) -----------------------------------------------------------------------


@pytest.mark.postgresql
@pytest.mark.usefixtures("concurrent_db")
@pytest.mark.parametrize("key", [None, "k-1"])
def test_report_sent_five_times_at_once(world, task, key):
    """Before: IntegrityError (500) on PostgreSQL, five evidence rows of the same file."""

    def send():
        pdf = SimpleUploadedFile("bao-cao.pdf", PDF, content_type="application/pdf")
        return execution.save_report(
            task, world.officer_tp, world.tuphap, "2025-Q2", {"state": "in_progress", "percent": 40},
            files=[pdf], key=key,
        )  # fmt: skip

    results = run_together(*[send] * 5)
    assert all(isinstance(r, ProgressReport) for r in results), results
    assert sum(r.was_created for r in results) == 1
    assert ProgressReport.objects.filter(task=task).count() == 1
    assert Evidence.objects.filter(report__task=task).count() == 1


@pytest.mark.postgresql
@pytest.mark.usefixtures("concurrent_db")
def test_two_report_edits_at_once_one_is_refused(world, task):
    report = execution.save_report(task, world.coordinator, world.tuphap, "2025-Q2", {"state": "in_progress"})
    results = run_together(
        *[
            (lambda p=p: execution.save_report(
                task, world.officer_tp, world.tuphap, "2025-Q2", {"state": "in_progress", "percent": p},
                revision=report.revision,
            ))
            for p in (50, 60)
        ]
    )  # fmt: skip
    assert sorted(type(r).__name__ for r in results) == ["ProgressReport", "StaleEdit"], results
    assert any(isinstance(r, StaleEdit) for r in results)
