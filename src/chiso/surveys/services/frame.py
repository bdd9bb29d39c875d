"""The sampling frame of a survey: its service points (a unit's one-stop counter) with their dossier
counts, and the workflow steps of the survey.

- ``build_frame(survey, user)`` — one service point per department and commune of the province valid at the
  end of the survey's year (code = the unit's code), kept when they exist;
- ``set_dossiers(survey, {point_code: count}, user)`` — the dossier counts (the population of each stratum);
- ``margin_questions(survey)`` / ``set_margins(survey, {code: {option: percent text}}, user)`` — the known
  population structure by sex and age group (percent per option, each question's adding up to 100) that
  the weighted estimates rake to; a question left blank is not raked by;
- ``step(survey, action, user)`` — open, reopen or close the survey (``workflows.services.transition``);
  closing drops the rate-limit hashes (and the public form's pages sent) and publishes the estimates as
  results (``publish``), all or nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from chiso.core.text import format_number, parse_number, vi_sort_key
from chiso.units.models import Unit
from chiso.validation import Errors
from chiso.workflows.services import transition

from .. import permissions
from ..models import PROFILE_CODES, FormUse, ServicePoint, Survey
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


def margin_questions(survey: Survey) -> list:
    """The profile questions raking may weight by (sex, age group: ``PROFILE_CODES``) in the current
    questionnaire, with their options."""
    from .questionnaire import questions_of

    return [q for q in questions_of(survey) if q.code in PROFILE_CODES and q.kind == "single" and q.options]


#: How far from 100 the percentages of one question may add up (rounding of published census tables).
MARGIN_TOLERANCE = 0.5


@transaction.atomic
def set_margins(survey: Survey, values: Mapping[str, Mapping[str, object]], user) -> dict:
    """Save the known population structure: for each question of ``margin_questions``, the percent of
    the population per option (text as typed: "49", "49,5"); all blank = not raked by that question.
    Every problem at once as ValidationError({code: [msg]}); nothing is saved then. Returns the margins as
    stored (shares adding up to 1)."""
    if user is not None and not permissions.can_manage(user, survey.province_id):
        raise PermissionDenied("Chỉ chuyên viên điều phối của tỉnh được sửa cơ cấu dân số.")
    if survey.locked:
        raise ValidationError(
            {"survey": ["Cuộc khảo sát đã kết thúc: không sửa cơ cấu dân số được nữa (mở lại nếu cần)."]}
        )
    errors = Errors()
    margins: dict[str, dict[str, float]] = {}
    for q in margin_questions(survey):
        typed = {str(v): str(values.get(q.code, {}).get(str(v), "") or "").strip() for v, _label in q.options}
        if not any(typed.values()):
            continue
        shares: dict[str, float] = {}
        for (v, label), text in zip(q.options, typed.values(), strict=True):
            try:
                number = parse_number(text, fractions=True) if text else None
            except ValueError:
                number = None
            if number is None or not 0 <= number <= 100:
                errors.add(
                    q.code, f"{q.text} — {label}: cần một tỷ lệ phần trăm từ 0 đến 100 (ví dụ 49 hoặc 49,5)."
                )
                continue
            shares[str(v)] = float(number)
        if len(shares) < len(q.options):
            continue
        total = sum(shares.values())
        if abs(total - 100) > MARGIN_TOLERANCE:
            errors.add(
                q.code,
                f"{q.text}: các tỷ lệ cộng lại được {format_number(total)} %, phải bằng 100 % (hoặc để "
                "trống cả câu để không hiệu chỉnh theo câu này).",
            )
            continue
        margins[q.code] = {k: v / total for k, v in shares.items()}
    errors.raise_if_any()
    survey.margins = margins
    survey._history_user = user
    survey._change_reason = "Sửa cơ cấu dân số để gia quyền"
    survey.save(update_fields=["margins"])
    return margins


@transaction.atomic
def step(survey: Survey, action: str, user, comment: str = "") -> Survey:
    survey = transition(survey, action, user, comment=comment)
    if survey.locked:
        survey.closed_at = timezone.now()
        survey.save(update_fields=["closed_at"])
        drop_rate_counts(survey)
        FormUse.objects.filter(survey=survey).delete()  # the public form's pages sent: kept only to collect
        from chiso.results.importer import ImportRefused

        from .publish import publish

        try:
            publish(survey, user)
        except ImportRefused as exc:
            raise ValidationError(
                ["Không công bố được kết quả khảo sát thành kết quả chỉ số:", *exc.messages]
            ) from None
    return survey
