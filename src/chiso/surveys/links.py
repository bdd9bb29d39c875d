"""Addresses of a survey's public form (what the QR codes carry)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse


def public_path(survey_id: int, point_code: str = "") -> str:
    path = reverse("survey_public:form", args=[survey_id])
    return f"{path}?{urlencode({'d': point_code})}" if point_code else path


def public_url(survey_id: int, point_code: str = "", base: str | None = None) -> str:
    base = (settings.CHISO_SITE_URL if base is None else base).rstrip("/")
    return f"{base}{public_path(survey_id, point_code)}"
