"""What every uploaded file row has in common (plan attachments, evidence of progress reports, and the
files of any later feature): stored by content hash, with its checked type, size, SHA-256 and virus-scan
status. A feature makes its own concrete model from :class:`StoredFile` with a foreign key to what the
file belongs to; :mod:`chiso.files.checks` checks and stores the upload."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def upload_path(instance, filename: str) -> str:
    # Files are stored by hash: the same content uploaded twice is stored once; names are kept in the row.
    return f"uploads/{instance.sha256[:2]}/{instance.sha256}"


class StoredFile(models.Model):
    """Common fields of every uploaded file (type, size and hash checked by chiso.files.checks)."""

    file = models.FileField(upload_to=upload_path, max_length=300)
    name = models.CharField(_("tên tệp"), max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"))
    sha256 = models.CharField(max_length=64, db_index=True)
    scan_status = models.CharField(_("kiểm tra virus"), max_length=20, default="not_scanned")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
