"""Checks on every uploaded file (attachments of plans, evidence of reports): type by extension AND by
content (magic bytes), size limit, SHA-256 stored, and a virus-scan hook.

The scan hook is the setting CHISO_VIRUS_SCAN_COMMAND (environment variable of the same name), e.g.
``clamdscan --no-summary --fdpass {path}``: exit 0 = clean, 1 = infected (refused), other = error (refused
with a message to retry). When unset, files are stored with scan_status "not_scanned".
"""

from __future__ import annotations

import hashlib
import os
import shlex
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

MAX_BYTES_DEFAULT = 20 * 1024 * 1024

# extension → (accepted content types as sniffed, human name)
ALLOWED = {
    "pdf": "pdf",
    "docx": "zip-office",
    "xlsx": "zip-office",
    "pptx": "zip-office",
    "odt": "zip-odf",
    "ods": "zip-odf",
    "doc": "ole",
    "xls": "ole",
    "jpg": "jpeg",
    "jpeg": "jpeg",
    "png": "png",
    "zip": "zip",
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "zip": "application/zip",
}


class UploadRejected(ValueError):
    """The file is refused; the message says why, in the user's language."""


@dataclass
class CheckedUpload:
    name: str
    content_type: str
    size: int
    sha256: str
    scan_status: str
    data: bytes


def max_bytes() -> int:
    return int(getattr(settings, "CHISO_MAX_UPLOAD_BYTES", MAX_BYTES_DEFAULT))


def _sniff(data: bytes) -> str:
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"PK\x03\x04"):
        try:
            import io

            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = set(z.namelist())
        except zipfile.BadZipFile:
            return "unknown"
        if "[Content_Types].xml" in names:
            return "zip-office"
        if "mimetype" in names:
            return "zip-odf"
        return "zip"
    return "unknown"


def _scan(data: bytes) -> str:
    command = getattr(settings, "CHISO_VIRUS_SCAN_COMMAND", "") or os.environ.get(
        "CHISO_VIRUS_SCAN_COMMAND", ""
    )
    if not command:
        return "not_scanned"
    with tempfile.NamedTemporaryFile(delete=False) as fh:
        fh.write(data)
        path = fh.name
    try:
        args = [a.replace("{path}", path) for a in shlex.split(command)]
        proc = subprocess.run(args, capture_output=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UploadRejected(
            _("Không kiểm tra được virus cho tệp ({error}); vui lòng thử lại.").format(error=exc)
        ) from exc
    finally:
        os.unlink(path)
    if proc.returncode == 0:
        return "clean"
    if proc.returncode == 1:
        raise UploadRejected(_("Tệp bị từ chối: phần mềm diệt virus phát hiện mã độc."))
    raise UploadRejected(_("Không kiểm tra được virus cho tệp; vui lòng thử lại."))


def check_upload(uploaded, limit: int | None = None) -> CheckedUpload:
    """Read and check an uploaded file (Django UploadedFile) against ``limit`` bytes (default: the upload
    limit); UploadRejected says what is wrong."""
    from chiso.core.text import nfc

    name = nfc(os.path.basename(uploaded.name or "")).strip()
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in ALLOWED:
        raise UploadRejected(
            _("Loại tệp «{ext}» không được nhận. Các loại được nhận: {allowed}.").format(
                ext=ext or "?", allowed=", ".join(sorted(ALLOWED))
            )
        )
    limit = limit or max_bytes()
    if uploaded.size is not None and uploaded.size > limit:
        raise UploadRejected(
            _("Tệp «{name}» quá lớn ({size} MB); tối đa {limit} MB.").format(
                name=name, size=f"{uploaded.size / 1048576:.1f}".replace(".", ","), limit=limit // 1048576
            )
        )
    data = uploaded.read()
    if len(data) > limit:
        raise UploadRejected(
            _("Tệp «{name}» quá lớn; tối đa {limit} MB.").format(name=name, limit=limit // 1048576)
        )
    if not data:
        raise UploadRejected(_("Tệp «{name}» rỗng.").format(name=name))
    kind = _sniff(data)
    expected = ALLOWED[ext]
    if kind != expected and not (expected == "zip" and kind in ("zip-office", "zip-odf")):
        raise UploadRejected(
            _("Nội dung tệp «{name}» không đúng với đuôi .{ext} (tệp có thể bị đổi tên hoặc hỏng).").format(
                name=name, ext=ext
            )
        )
    status = _scan(data)
    return CheckedUpload(name, CONTENT_TYPES[ext], len(data), hashlib.sha256(data).hexdigest(), status, data)


#: Tables imported (scores, results): the spreadsheets above and CSV.
TABLE_EXTENSIONS = ("csv", "xlsx", "xls", "ods")


def check_table_upload(uploaded, limit: int | None = None) -> CheckedUpload:
    """An uploaded table to import (CSV, XLSX, XLS, ODS), checked as every upload (type by extension and
    by content, size — ``limit`` or the import limit —, virus scan); a CSV must be text (no NUL byte, no
    known binary signature; its encoding is the table reader's to work out). UploadRejected says what is
    wrong."""
    from chiso.core.text import nfc

    name = nfc(os.path.basename(uploaded.name or "")).strip()
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in TABLE_EXTENSIONS:
        raise UploadRejected(
            _("Tệp «{name}» không phải bảng tính: chỉ nhận {allowed}.").format(
                name=name or "?", allowed=", ".join(e.upper() for e in TABLE_EXTENSIONS)
            )
        )
    limit = limit or int(getattr(settings, "CHISO_MAX_IMPORT_BYTES", MAX_BYTES_DEFAULT))
    if ext != "csv":
        return check_upload(uploaded, limit)
    data = uploaded.read(limit + 1)
    if len(data) > limit:
        raise UploadRejected(
            _("Tệp «{name}» quá lớn; tối đa {limit} MB.").format(name=name, limit=limit // 1048576)
        )
    if not data:
        raise UploadRejected(_("Tệp «{name}» rỗng.").format(name=name))
    if b"\x00" in data or _sniff(data) != "unknown":
        raise UploadRejected(
            _("Nội dung tệp «{name}» không đúng với đuôi .{ext} (tệp có thể bị đổi tên hoặc hỏng).").format(
                name=name, ext=ext
            )
        )
    status = _scan(data)
    return CheckedUpload(name, "text/csv", len(data), hashlib.sha256(data).hexdigest(), status, data)


def check_uploads(files, errors, field: str) -> list[CheckedUpload]:
    """Every file checked; each refused one is a problem of ``field`` in ``errors``
    (a :class:`chiso.validation.Errors`): one refused file refuses the whole upload."""
    checked = []
    for f in files:
        try:
            checked.append(check_upload(f))
        except UploadRejected as exc:
            errors.add(field, exc)
    return checked


def store(model_cls, checked: CheckedUpload, user=None, **fields):
    """Create a StoredFile row (PlanAttachment, Evidence) for a checked upload."""
    from django.core.files.base import ContentFile

    obj = model_cls(
        name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        scan_status=checked.scan_status,
        uploaded_by=user if user is not None and user.is_authenticated else None,
        **fields,
    )
    obj.file.save(checked.name, ContentFile(checked.data), save=False)
    if user is not None and user.is_authenticated:
        obj._history_user = user  # the history names the uploader outside a request too (CLI, API)
    obj.save()
    return obj
