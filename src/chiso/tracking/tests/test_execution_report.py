"""Progress reports on the task page: the form, evidence files (checked, hashed), one report per unit
and period, the task's state from the lead unit's report, and who may see or post what."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chiso.tracking.models import Evidence, ProgressReport

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def plan(world, make_plan):
    return make_plan(
        status="issued",
        tasks=[
            dict(
                text="Rà soát thủ tục hành chính",
                lead_unit=world.tuphap,
                coordinating=[world.yte],
                deadline=dt.date(2025, 6, 30),
                product="Báo cáo rà soát",
            ),
            dict(text="Việc của Sở Nội vụ", lead_unit=world.noivu, deadline=dt.date(2025, 6, 30)),
        ],
    )


@pytest.fixture
def task(plan):
    return plan.tasks.get(order=1)


def _post(client, task, unit, files=(), **fields):
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
    if files:
        data["evidence"] = list(files)
    return client.post(reverse("tracking:report", args=[task.pk]), data)


def test_task_page_shows_form_to_lead_officer(client, world, task):
    client.force_login(world.officer_tp)
    page = client.get(reverse("tracking:task", args=[task.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Rà soát thủ tục hành chính" in html and 'id="report-form"' in html
    assert "Sở Tư pháp" in html


def test_report_with_pdf_evidence_stores_hash_and_updates_task(client, world, task):
    client.force_login(world.officer_tp)
    pdf = SimpleUploadedFile("bao-cao.pdf", PDF, content_type="application/pdf")
    response = _post(client, task, world.tuphap, files=[pdf])
    assert response.status_code == 302, response.content.decode()[:2000]
    report = ProgressReport.objects.get(task=task)
    assert (report.unit, report.period, report.percent, report.submitted_by) == (
        world.tuphap,
        "2025-Q2",
        40,
        world.officer_tp,
    )
    ev = Evidence.objects.get(report=report)
    assert ev.sha256 == hashlib.sha256(PDF).hexdigest() and ev.size == len(PDF)
    assert ev.name == "bao-cao.pdf" and ev.content_type == "application/pdf"
    task.refresh_from_db()
    assert task.progress == 40 and not task.done and task.last_reported_at is not None
    page = client.get(reverse("tracking:task", args=[task.pk]))
    assert "bao-cao.pdf" in page.content.decode()
    download = client.get(reverse("tracking:evidence", args=[ev.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


def test_second_report_same_period_updates_and_keeps_history(client, world, task):
    client.force_login(world.officer_tp)
    assert _post(client, task, world.tuphap).status_code == 302
    assert (
        _post(client, task, world.tuphap, percent="70", narrative="Đã rà soát 80 thủ tục").status_code == 302
    )
    report = ProgressReport.objects.get(task=task, unit=world.tuphap, period="2025-Q2")
    assert report.percent == 70
    assert report.history.count() == 2
    assert [h.percent for h in report.history.order_by("history_date")] == [40, 70]
    task.refresh_from_db()
    assert task.progress == 70


def test_done_requires_product_then_completes_task(client, world, task):
    client.force_login(world.officer_tp)
    response = _post(client, task, world.tuphap, state="done", percent="100")
    assert response.status_code == 400
    assert "Bắt buộc khi nhiệm vụ đã hoàn thành" in response.content.decode()
    assert not ProgressReport.objects.exists()
    response = _post(
        client,
        task,
        world.tuphap,
        state="done",
        percent="90",
        product_number="12/BC-STP",
        product_date="20/06/2025",
        product_issuer="Sở Tư pháp",
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.done and task.progress == 100 and task.done_on == dt.date(2025, 6, 20)


def test_coordinating_unit_report_does_not_complete_task(client, world, task):
    client.force_login(world.officer_yt)
    response = _post(
        client,
        task,
        world.yte,
        state="done",
        percent="100",
        product_number="1/BC-SYT",
        product_date="01/06/2025",
        product_issuer="Sở Y tế",
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert not task.done and task.progress == 0
    # The lead unit sees the contribution; the coordinating unit sees its own report only.
    client.force_login(world.officer_tp)
    _post(client, task, world.tuphap, narrative="Báo cáo của chủ trì")
    html = client.get(reverse("tracking:task", args=[task.pk])).content.decode()
    assert "1/BC-SYT" in html and "Báo cáo của chủ trì" in html
    client.force_login(world.officer_yt)
    html = client.get(reverse("tracking:task", args=[task.pk])).content.decode()
    assert "1/BC-SYT" in html and "Báo cáo của chủ trì" not in html


@pytest.mark.parametrize(
    "upload, message",
    [
        (
            lambda: SimpleUploadedFile("anh.pdf", PNG, content_type="application/pdf"),
            "không đúng với đuôi .pdf",
        ),
        (lambda: SimpleUploadedFile("lon.pdf", PDF + b"0" * 4096, content_type="application/pdf"), "quá lớn"),
        (
            lambda: SimpleUploadedFile("virus.exe", b"MZ....", content_type="application/octet-stream"),
            "không được nhận",
        ),
    ],
)
def test_bad_file_refuses_whole_report(client, world, task, settings, upload, message):
    settings.CHISO_MAX_UPLOAD_BYTES = 2048
    client.force_login(world.officer_tp)
    good = SimpleUploadedFile("tot.pdf", PDF, content_type="application/pdf")
    response = _post(client, task, world.tuphap, files=[good, upload()])
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and "Báo cáo chưa được lưu" in html
    assert not ProgressReport.objects.exists() and not Evidence.objects.exists()
    task.refresh_from_db()
    assert task.progress == 0 and task.last_reported_at is None


def test_percent_out_of_range_refused(client, world, task):
    client.force_login(world.officer_tp)
    response = _post(client, task, world.tuphap, percent="120")
    assert response.status_code == 400 and "0 đến 100" in response.content.decode()
    assert not ProgressReport.objects.exists()


def test_officer_of_another_unit_cannot_see_or_post(client, world, plan, task):
    other = plan.tasks.get(order=2)
    client.force_login(world.officer_tp)
    assert client.get(reverse("tracking:task", args=[other.pk])).status_code == 404
    assert _post(client, other, world.noivu).status_code == 404
    assert _post(client, other, world.tuphap).status_code == 404
    # On her own task, reporting for a unit she does not belong to is refused too.
    response = _post(client, task, world.yte)
    assert response.status_code == 400
    client.force_login(world.officer_xa)
    assert client.get(reverse("tracking:task", args=[task.pk])).status_code == 404
    assert _post(client, task, world.tuphap).status_code == 404
    assert not ProgressReport.objects.exists()


def test_viewer_sees_task_but_cannot_report(client, world, task):
    client.force_login(world.viewer)
    page = client.get(reverse("tracking:task", args=[task.pk]))
    assert page.status_code == 200 and 'id="report-form"' not in page.content.decode()
    assert _post(client, task, world.tuphap).status_code == 403
    assert not ProgressReport.objects.exists()


def test_evidence_hidden_from_other_units(client, world, task):
    client.force_login(world.officer_yt)
    pdf = SimpleUploadedFile("phoi-hop.pdf", PDF, content_type="application/pdf")
    assert _post(client, task, world.yte, files=[pdf]).status_code == 302
    ev = Evidence.objects.get()
    for user, status in ((world.officer_tp, 200), (world.coordinator, 200), (world.officer_xa, 404)):
        client.force_login(user)
        assert client.get(reverse("tracking:evidence", args=[ev.pk])).status_code == status


def test_no_report_on_draft_plan(client, world, make_plan):
    draft = make_plan(status="draft", tasks=[dict(text="Dự thảo", lead_unit=world.tuphap)])
    t = draft.tasks.get()
    client.force_login(world.officer_tp)
    assert _post(client, t, world.tuphap).status_code in (403, 404)
    assert not ProgressReport.objects.exists()
