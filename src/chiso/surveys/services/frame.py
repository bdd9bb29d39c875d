"""The sampling frame of a survey: its service points (a unit's one-stop counter) with their dossier
counts, and the workflow steps of the survey.

- ``build_frame(survey, user)`` — one service point per department and commune of the province valid at the
  end of the survey's year (code = the unit's code), kept when they exist;
- ``set_dossiers(survey, {point_code: count}, user)`` — the dossier counts (the population of each stratum);
- ``step(survey, action, user)`` — open, reopen or close the survey (``workflows.services.transition``);
  closing drops the rate-limit hashes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from chiso.core.text import parse_number, vi_sort_key
from chiso.units.models import Unit
from chiso.validation import Errors
from chiso.workflows.services import transition

from .. import permissions
from ..models import ServicePoint, Survey
from .intake import drop_rate_counts

_GROUPED = re.compile(r"^\d{1,3}(?:[.\s]\d{3})+$")
FRAME_KINDS = (Unit.Kind.DEPARTMENT, Unit.Kind.OTHER, Unit.Kind.WARD)


def frame_units(survey: Survey) -> list[Unit]:
    day = dt.date(survey.year, 12, 31)
    qs = Unit.objects.filter(pk__in=survey.province.descendants_ids(), kind__in=FRAME_KINDS)
    units = [u for u in qs if u.valid_on(day)]
    # departments first, then communes, each in Vietnamese order
    return sorted(units, key=lambda u: (u.kind == Unit.Kind.WARD, vi_sort_key(u.short_name)))


def _point_name(unit: Unit) -> str:
    return f"Bộ phận một cửa — {unit.name}"


@transaction.atomic
def build_frame(survey: Survey, user) -> int:
    if user is not None and not permissions.can_manage(user, survey.province_id):
        raise PermissionDenied("Chỉ chuyên viên điều phối của tỉnh được lập khung mẫu.")
    have = set(survey.points.values_list("unit_id", flat=True))
    new = [
        ServicePoint(survey=survey, unit=u, code=u.code, name=_point_name(u))
        for u in frame_units(survey)
        if u.pk not in have
    ]
    ServicePoint.objects.bulk_create(new)
    return len(new)


@transaction.atomic
def set_dossiers(survey: Survey, counts: Mapping[str, object], user) -> int:
    if user is not None and not permissions.can_manage(user, survey.province_id):
        raise PermissionDenied("Chỉ chuyên viên điều phối của tỉnh được sửa khung mẫu.")
    if survey.locked:
        raise ValidationError({"survey": ["Cuộc khảo sát đã kết thúc: không sửa khung mẫu được nữa."]})
    points = {p.code: p for p in survey.points.all()}
    errors = Errors()
    changed: list[ServicePoint] = []
    for code, raw in counts.items():
        point = points.get(code)
        if point is None:
            errors.add(code, f"Không có điểm phục vụ mã “{code}”.")
            continue
        text = str(raw if raw is not None else "").strip()
        if _GROUPED.match(text):  # a count written with thousands dots: 2.000 = two thousand
            text = re.sub(r"[.\s]", "", text)
        try:
            value = parse_number(text)
        except ValueError:
            value = -1
        if value is None:
            value = 0
        if value < 0 or not float(value).is_integer() or value > 10_000_000:
            errors.add(code, f"{point.name}: số hồ sơ phải là số nguyên không âm.")
            continue
        if point.dossiers != int(value):
            point.dossiers = int(value)
            changed.append(point)
    errors.raise_if_any()
    for point in changed:
        point._history_user = user
        point.save(update_fields=["dossiers"])
    return len(changed)


@transaction.atomic
def step(survey: Survey, action: str, user, comment: str = "") -> Survey:
    survey = transition(survey, action, user, comment=comment)
    if survey.locked:
        survey.closed_at = timezone.now()
        survey.save(update_fields=["closed_at"])
        drop_rate_counts(survey)
    return survey
