"""Serving a stored file: always as a download (never inline), under its original name and checked type."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from .models import StoredFile


def download(stored: StoredFile) -> FileResponse:
    """The file as an attachment; 404 when it is no longer on the server."""
    try:
        fh = stored.file.open("rb")
    except OSError as exc:  # FileNotFoundError included
        raise Http404(_("Tệp không còn trên máy chủ")) from exc
    return FileResponse(fh, as_attachment=True, filename=stored.name, content_type=stored.content_type)
