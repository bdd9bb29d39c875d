"""A rendered official document as a download (never shown inline)."""

from __future__ import annotations

from django.http import HttpResponse

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def document_response(data: bytes, fmt: str, name: str) -> HttpResponse:
    resp = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    resp["Content-Disposition"] = f'attachment; filename="{name}"'
    resp["Content-Length"] = str(len(data))
    resp["X-Content-Type-Options"] = "nosniff"
    return resp
