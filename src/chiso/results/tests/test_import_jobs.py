"""Large imports as background jobs (issue 10, item 7), as the administrator meets them on the web: a file
above the in-request threshold is previewed and committed by the worker (run at once in the tests), the
page shows the rows read, checked and written, refreshes itself without JavaScript, can cancel (nothing
is then written), the preview is stored once and paged, its errors summarised per kind; the form states
the size limit and offers a template the import recognises."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from chiso.results import jobs as result_jobs
from chiso.results import views as result_views
from chiso.results.importer import preview_import
from chiso.results.models import ImportBatch, ImportJob, Result

from .test_import import KON_TUM, province, real_rows, to_csv


@pytest.fixture
def client_(admin_member_client, tmp_path, monkeypatch, settings):
    monkeypatch.setattr(result_jobs, "UPLOAD_DIR", tmp_path)
    settings.CHISO_SYNC_IMPORT_BYTES = 10  # every file is "large": the background path
    return admin_member_client


def upload(client, data: bytes, name: str = "tay_nguyen.csv"):
    f = io.BytesIO(data)
    f.name = name
    return client.post(reverse("results:import_new"), {"file": f, "index": "papi", "year": "2023"})


def changed_slice(value: str = "0.9") -> bytes:
    header, rows = real_rows()
    for row in rows:
        row[header.index("SC11")] = value
    return to_csv(header, rows)


@pytest.mark.django_db
def test_a_large_file_is_previewed_and_committed_in_the_background(
    client_, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        r = upload(client_, changed_slice())
    assert r.status_code == 302
    batch = ImportBatch.objects.get(status="preview")
    job = ImportJob.objects.get(batch=batch, kind="preview")
    assert job.state == "queued"  # the request did not compute it
    page = client_.get(r["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert 'http-equiv="refresh"' in html and "Đang chờ" in html and "Số dòng đã kiểm tra" in html
    assert reverse("results:import_job_cancel", args=[job.pk]) in html

    for callback in queued:  # the worker picks the task up
        callback()
    job.refresh_from_db()
    assert job.state == "done" and job.task_id
    progress = result_jobs.read_progress(job)
    assert progress["read"] == progress["checked"] == progress["total"] == 4

    page = client_.get(r["Location"])
    html = page.content.decode()
    assert "Thay đổi" in html and "Kon Tum" in html and 'http-equiv="refresh"' not in html
    # Reloading reads the stored preview: nothing is computed again.
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(result_jobs, "preview_import", lambda *a, **k: pytest.fail("preview computed twice"))
        assert client_.get(r["Location"]).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        r = client_.post(reverse("results:import_commit", args=[batch.pk]))
    commit_job = ImportJob.objects.get(kind="commit")
    assert r["Location"] == reverse("results:import_job", args=[commit_job.pk])
    done = client_.get(r["Location"], follow=True)
    assert "Đã ghi 4 giá trị" in done.content.decode()
    assert result_jobs.read_progress(commit_job)["written"] == 4
    assert Result.objects.get(
        unit=province(KON_TUM), node__code="D1.1", year=2023, framework__index__code="papi"
    ).value == pytest.approx(0.9)


@pytest.mark.django_db
def test_cancel_while_waiting_and_while_writing_leaves_everything_unchanged(
    client_, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks(execute=True):
        upload(client_, changed_slice())
    batch = ImportBatch.objects.get(status="preview")
    before = list(Result.objects.order_by("pk").values_list("pk", "value"))

    # Cancelled before the worker took it: it never runs.
    with django_capture_on_commit_callbacks(execute=False) as queued:
        r = client_.post(reverse("results:import_commit", args=[batch.pk]))
    job = ImportJob.objects.get(kind="commit")
    page = client_.post(reverse("results:import_job_cancel", args=[job.pk]), follow=True)
    assert "Đã huỷ" in page.content.decode()
    for callback in queued:
        callback()
    job.refresh_from_db()
    assert job.state == "cancelled"

    # Cancelled while it writes: the transaction rolls back.
    original = result_jobs.Progress.__call__

    def cancel_at_write(self, phase, done, total):
        if phase == "write":
            result_jobs._cancel_path(self.job_id).touch()
        return original(self, phase, done, total)

    monkeypatch.setattr(result_jobs.Progress, "__call__", cancel_at_write)
    with django_capture_on_commit_callbacks(execute=True):
        r = client_.post(reverse("results:import_commit", args=[batch.pk]))
    job = ImportJob.objects.filter(kind="commit").latest("pk")
    assert job.state == "cancelled" and "không có gì được ghi" in job.message
    assert list(Result.objects.order_by("pk").values_list("pk", "value")) == before
    assert not ImportBatch.objects.filter(status="committed", file_name="tay_nguyen.csv").exists()
    assert ImportBatch.objects.filter(pk=batch.pk, status="preview").exists()  # can still be committed
    assert r.status_code == 302


@pytest.mark.django_db
def test_preview_pages_rows_and_summarises_errors_per_kind(
    client_, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(result_views, "PREVIEW_PAGE_ROWS", 2)
    header, rows = real_rows()
    for row in rows:
        row[header.index("D1")] = "12"  # above the maximum: one error per row, of one kind
    with django_capture_on_commit_callbacks(execute=True):
        r = upload(client_, to_csv(header, rows))
    html = client_.get(r["Location"]).content.decode()
    assert "4 lỗi trong các dòng, theo loại" in html
    assert "4 lỗi như ở dòng 2:" in html
    assert "Trang 1/2" in html and "page=2" in html
    second = client_.get(r["Location"] + "?show=changes&page=2").content.decode()
    assert "Trang 2/2" in second


@pytest.mark.django_db
def test_the_form_states_the_limit_and_the_template_is_importable(client_):
    html = client_.get(reverse("results:import_new")).content.decode()
    assert "Tệp tối đa 20,0" in html or "Tệp tối đa 20.0" in html or "Tệp tối đa 20" in html
    assert reverse("results:template", args=["papi"]) in html
    r = client_.get(reverse("results:template", args=["papi"]))
    assert r.status_code == 200 and r["Content-Disposition"].endswith('mau-ket-qua-papi.csv"')
    text = r.content.decode("utf-8-sig")
    header = text.splitlines()[0].split(",")
    assert {"unit", "year", "D1", "rank"} <= set(header)
    # Filled in, the template is read as it is: every column recognised.
    filled = text.splitlines()[1].split(",")
    filled[header.index("D1.1")] = "0.9"
    data = to_csv(header, [filled])
    preview = preview_import(data, "mau.csv", index_code="papi", year=None)
    assert preview.ok, preview.error_messages
    assert not preview.ignored
    assert [c.node_code for r in preview.rows for c in r.cells] == ["D1.1"]
