"""Previews and commits of uploaded result files as jobs (issue 10, item 7).

A file above ``CHISO_SYNC_IMPORT_BYTES`` (256 KiB by default) is previewed and committed by the
background worker (django-tasks with its database backend: ``chiso db_worker``), so the page
answers at once and shows a progress bar; a smaller one runs in the request, as before — the user
waits less than a progress page would take to refresh. Either way the job is recorded
(``ImportJob``) and the preview is computed once and stored: paging through it, or reloading the
page, reads the stored preview. The commit checks the file again against the data as it is at that
moment (all or nothing, in one transaction).

Progress (rows read, checked, written) and a cancel request are small files next to the upload in
``VAR_DIR/imports/jobs/``, not database rows: the commit writes in one transaction (on SQLite the
only writer), and a progress row written inside it would only be seen once it is over. A cancel
seen by the running job raises ``ImportCancelled`` from its progress hook: the transaction rolls
back and nothing is written. Once the commit's writes have begun it completes (seconds).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import time
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .importer import ImportCancelled, ImportPreview, ImportRefused, commit_import, preview_import
from .models import ImportBatch, ImportJob
from .reader import extension_of

try:  # Django ≥ 6 has the task framework built in; 5.2 has the django-tasks backport
    from django.tasks import task  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - depends on the Django version
    from django_tasks import task


logger = logging.getLogger(__name__)


UPLOAD_DIR = settings.VAR_DIR / "imports"  # uploaded files, named by their SHA-256; jobs/ inside


def upload_dir() -> Path:
    return UPLOAD_DIR


def jobs_dir() -> Path:
    path = upload_dir() / "jobs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def stored_file(batch: ImportBatch) -> bytes:
    """The uploaded file of a batch in preview, checked against its hash (FileNotFoundError if gone or changed)."""
    path = upload_dir() / f"{batch.file_hash}.{extension_of(batch.file_name)}"
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != batch.file_hash:
        raise FileNotFoundError(path)
    return data


def is_large(batch: ImportBatch) -> bool:
    return batch.file_size > settings.CHISO_SYNC_IMPORT_BYTES


# --- progress and cancel -------------------------------------------------------------------------


def _progress_path(job_id: int) -> Path:
    return jobs_dir() / f"{job_id}.progress.json"


def _cancel_path(job_id: int) -> Path:
    return jobs_dir() / f"{job_id}.cancel"


def _preview_path(job_id: int) -> Path:
    return jobs_dir() / f"{job_id}.preview.pickle"


class Progress:
    """The progress hook given to preview_import / commit_import: writes the figures to a file (at most
    every 0.3 s, and at every change of phase) and stops the job when a cancel was asked."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.figures = {"phase": "queued", "read": 0, "checked": 0, "written": 0, "total": 0, "to_write": 0}
        self._last = 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        if _cancel_path(self.job_id).exists():
            raise ImportCancelled()
        changed_phase = phase != self.figures["phase"]
        self.figures["phase"] = phase
        if phase == "read":
            self.figures["read"] = done
            self.figures["total"] = total
        elif phase == "check":
            self.figures["checked"] = done
            self.figures["total"] = total
        elif phase == "write":
            self.figures["written"] = done
            self.figures["to_write"] = total
        now = time.monotonic()
        if changed_phase or now - self._last > 0.3 or done == total:
            self._last = now
            self.save()

    def save(self) -> None:
        path = _progress_path(self.job_id)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.figures))
        os.replace(tmp, path)  # atomic: a reader never sees half a file


def read_progress(job: ImportJob) -> dict:
    try:
        figures = json.loads(_progress_path(job.pk).read_text())
    except (OSError, ValueError):
        figures = {"phase": "queued", "read": 0, "checked": 0, "written": 0, "total": 0, "to_write": 0}

    def pct(done: int, total: int) -> int:
        return min(100, round(100 * done / total)) if total else 0

    figures["read_pct"] = 100 if figures["total"] else 0
    figures["checked_pct"] = pct(figures["checked"], figures["total"])
    figures["written_pct"] = pct(figures["written"], figures["to_write"])
    return figures


def request_cancel(job: ImportJob) -> None:
    """Ask a job to stop. A job still waiting is cancelled at once; a running one at its next progress step."""
    _cancel_path(job.pk).touch()
    ImportJob.objects.filter(pk=job.pk, state=ImportJob.State.QUEUED).update(
        state=ImportJob.State.CANCELLED, finished_at=timezone.now(), message=_("Đã huỷ trước khi chạy.")
    )


def stored_preview(job: ImportJob) -> ImportPreview | None:
    """The preview the job computed (written by this installation's own worker, never by a user)."""
    try:
        with _preview_path(job.pk).open("rb") as fh:
            return pickle.load(fh)  # noqa: S301 - our own file in VAR_DIR
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
        return None


def _store_preview(job_id: int, preview: ImportPreview) -> None:
    if preview.table is not None:
        preview.table.rows = []  # the rows are in preview.rows; the raw cells are not needed again
    path = _preview_path(job_id)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as fh:
        pickle.dump(preview, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)


def discard(job: ImportJob) -> None:
    for path in (_progress_path(job.pk), _cancel_path(job.pk), _preview_path(job.pk)):
        path.unlink(missing_ok=True)


# --- running -------------------------------------------------------------------------------------


def start(batch: ImportBatch, kind: str, user) -> ImportJob:
    """Record a job on an uploaded batch and run it: in the request for a small file, else by the worker."""
    job = ImportJob.objects.create(
        batch=batch, kind=kind, created_by=user if getattr(user, "is_authenticated", False) else None
    )
    Progress(job.pk).save()
    if is_large(batch):
        transaction.on_commit(lambda: _enqueue(job))
    else:
        run_job(job.pk)
        job.refresh_from_db()
    return job


def _enqueue(job: ImportJob) -> None:
    result = run_import_job.enqueue(job.pk)
    ImportJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])


def _finish(job_id: int, state: str, message: str = "", result: ImportBatch | None = None) -> None:
    ImportJob.objects.filter(pk=job_id).update(
        state=state, message=message, result=result, finished_at=timezone.now()
    )


def run_job(job_id: int) -> None:
    """Run one job (in the worker, or in the request for a small file). Never raises for a bad file."""
    job = ImportJob.objects.select_related("batch__index", "created_by").get(pk=job_id)
    if job.state != ImportJob.State.QUEUED:
        return  # cancelled while waiting, or already run
    if _cancel_path(job_id).exists():
        _finish(job_id, ImportJob.State.CANCELLED, _("Đã huỷ trước khi chạy."))
        return
    ImportJob.objects.filter(pk=job_id).update(state=ImportJob.State.RUNNING)
    batch = job.batch
    progress = Progress(job_id)
    try:
        if batch is None:
            raise FileNotFoundError("batch")
        data = stored_file(batch)
        if job.kind == ImportJob.Kind.PREVIEW:
            preview = preview_import(
                data,
                batch.file_name,
                index_code=batch.index.code,
                year=batch.year,
                max_bytes=settings.CHISO_MAX_IMPORT_BYTES,
                progress=progress,
            )
            _store_preview(job_id, preview)
            _finish(job_id, ImportJob.State.DONE)
        else:
            committed = commit_import(
                data,
                batch.file_name,
                index_code=batch.index.code,
                year=batch.year,
                user=job.created_by,
                max_bytes=settings.CHISO_MAX_IMPORT_BYTES,
                progress=progress,
            )
            _finish(
                job_id,
                ImportJob.State.DONE,
                ngettext(
                    "Đã ghi {n} giá trị từ tệp “{name}”.",
                    "Đã ghi {n} giá trị từ tệp “{name}”.",
                    committed.rows_changed,
                ).format(n=committed.rows_changed, name=committed.file_name),
                result=committed,
            )
            for earlier in batch.jobs.exclude(pk=job_id):
                discard(earlier)  # its stored preview is of no use once committed
            batch.delete()  # the preview placeholder; the committed batch is the record
    except ImportCancelled:
        _finish(job_id, ImportJob.State.CANCELLED, _("Đã huỷ; không có gì được ghi."))
    except ImportRefused as exc:
        _finish(
            job_id,
            ImportJob.State.FAILED,
            _("Không ghi gì vì tệp có lỗi: {errors}").format(errors="; ".join(exc.messages[:5])),
        )
    except FileNotFoundError:
        _finish(job_id, ImportJob.State.FAILED, _("Tệp tải lên không còn trên máy chủ; hãy tải lại."))
    except Exception as exc:  # a job must end in a state the page can show, never stay "running"
        logger.exception("import job %s failed", job_id)
        _finish(job_id, ImportJob.State.FAILED, _("Lỗi khi xử lý tệp: {error}").format(error=str(exc)[:300]))
    finally:
        progress.save()


@task()
def run_import_job(job_id: int) -> None:
    """The background task: ``chiso db_worker`` runs it."""
    run_job(job_id)
