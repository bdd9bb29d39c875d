"""Opening, advancing, reopening and reading assessment rounds. The only place that writes rounds and
their sheets (scores: ``sheets``).

- ``open_round(framework, year, province, scope, user, units=None, deadlines=None)`` — a round in its
  workflow's first state with one sheet per unit scored;
- ``advance(round, user, to=None)`` — the next state (or straight to ``to``, e.g. "closed"); closing
  computes the results and publishes them (``results.publish``);
- ``reopen(sheet, user, until, reason)`` — one unit's work reopened after its deadline, with the reason;
- ``work_open(round, sheet, work, today)`` — whether a work (self, appraisal, explanation, final) is open
  for a sheet today: its state opens it and its deadline has not passed (or the unit was reopened);
- ``framework_of(index_code, year)`` and ``default_scope(index)`` — what a round opened by the index's
  code (the CLI, the API) scores on, and whom by default.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from chiso.accounts.scope import covers
from chiso.core.text import nfc
from chiso.core.workflow import StepConflict, WorkflowError
from chiso.frameworks.models import Framework, Index
from chiso.frameworks.services import IndexUnknown, framework_for, get_index, scored_units
from chiso.units.models import Unit
from chiso.validation import StateConflict
from chiso.workflows.services import transition

from ..models import Round, Sheet

__all__ = [
    "COORDINATOR_ROLES",
    "advance",
    "can_run",
    "default_scope",
    "framework_of",
    "open_round",
    "reopen",
    "round_units",
    "work_open",
]

COORDINATOR_ROLES = ("coordinator",)
WORKS = ("self", "appraisal", "explanation", "final")


def can_run(user, province_id: int | None) -> bool:
    """Coordinators of the province open, advance, reopen and close its rounds."""
    return covers(user, province_id, COORDINATOR_ROLES)


def round_units(province: Unit, scope: str, year: int, framework: Framework | None = None) -> list[Unit]:
    """The units a round of ``scope`` scores: the province's departments, its communes (valid at the end
    of ``year``), or the province itself; narrowed to the units the index scores when it says so."""
    if scope == Round.Scope.PROVINCE:
        return [province]
    day = dt.date(year, 12, 31)
    kinds = {"department": ("department", "other"), "commune": ("ward",)}[scope]
    qs = Unit.objects.filter(pk__in=province.descendants_ids(), kind__in=kinds)
    if framework is not None and framework.index.unit_kind != "any":
        qs = qs.filter(pk__in=scored_units(framework.index).values("pk"))
    units = [u for u in qs if u.valid_on(day)]
    from chiso.core.text import vi_sort_key

    return sorted(units, key=lambda u: vi_sort_key(u.short_name))


def framework_of(index_code: str, year: int) -> Framework:
    """The framework a round of an index scores on in ``year``: the index's framework for that year.
    ValidationError on "index" when the index is unknown or has none for the year."""
    try:
        index = get_index(index_code)
    except IndexUnknown as exc:
        raise ValidationError({"index": str(exc)}) from None
    framework = framework_for(index.code, year)
    if framework is None:
        raise ValidationError(
            {
                "index": _("Chưa có bộ chỉ số {index} áp dụng cho năm {year}.").format(
                    index=index.label, year=year
                )
            }
        )
    return framework


def default_scope(index: Index) -> str:
    """Whom a round of this index scores unless told: its departments, its communes, or the province."""
    return {"department": Round.Scope.DEPARTMENT, "commune": Round.Scope.COMMUNE}.get(
        index.unit_kind, Round.Scope.PROVINCE
    )


def _deadlines(deadlines: dict | None, year: int) -> dict[str, dt.date | None]:
    out: dict[str, dt.date | None] = {}
    previous: dt.date | None = None
    errors: dict[str, str] = {}
    for work in WORKS:
        day = (deadlines or {}).get(work)
        if day is not None and not isinstance(day, dt.date):
            errors[f"{work}_deadline"] = _("Ngày không hợp lệ.")
            continue
        if day is not None and previous is not None and day < previous:
            errors[f"{work}_deadline"] = _("Hạn của giai đoạn sau không được sớm hơn giai đoạn trước.")
        out[work] = day
        previous = day or previous
    if errors:
        raise ValidationError(errors)
    return out


@transaction.atomic
def open_round(
    framework: Framework,
    year: int,
    province: Unit,
    scope: str,
    user,
    *,
    units: list[Unit] | None = None,
    deadlines: dict | None = None,
    title: str = "",
) -> Round:
    """A new round; ValidationError ({field: message}) on bad input, PermissionDenied when the user does
    not coordinate the province. Nothing is written when it refuses."""
    if user is not None and not can_run(user, province.pk):
        raise PermissionDenied(_("Chỉ chuyên viên điều phối của tỉnh mở được đợt đánh giá."))
    errors: dict[str, str] = {}
    if scope not in Round.Scope.values:
        errors["scope"] = _("Chọn các sở, ban, ngành; các xã, phường; hoặc chính tỉnh.")
    if province.kind != Unit.Kind.PROVINCE:
        errors["province"] = _("Đợt đánh giá do một tỉnh tổ chức.")
    if not framework.covers(year):
        errors["year"] = _("Bộ chỉ số {code} không áp dụng cho năm {year}.").format(
            code=framework.code, year=year
        )
    if not framework.index.is_national and framework.index.owner_id != province.pk:
        errors["framework"] = _("Bộ chỉ số này là của tỉnh khác.")
    if errors:
        raise ValidationError(errors)
    chosen = units if units is not None else round_units(province, scope, year, framework)
    if not chosen:
        raise ValidationError({"units": _("Không có đơn vị nào để đánh giá.")})
    foreign = [u.short_name for u in chosen if u.pk not in province.descendants_ids()]
    if foreign:
        raise ValidationError({"units": _("Không thuộc tỉnh: {units}.").format(units=", ".join(foreign))})
    if Round.objects.filter(
        framework__index=framework.index, year=year, province=province, scope=scope
    ).exists():
        raise StateConflict(
            {
                "year": _("Tỉnh đã có đợt đánh giá {index} năm {year} cho nhóm đơn vị này.").format(
                    index=framework.index.label, year=year
                )
            }
        )
    dates = _deadlines(deadlines, year)
    rnd = Round(
        framework=framework,
        year=year,
        province=province,
        scope=scope,
        title=nfc(title)
        or _("Đánh giá {index} năm {year} — {who}").format(
            index=framework.index.label, year=year, who=Round.Scope(scope).label
        ),
        self_deadline=dates["self"],
        appraisal_deadline=dates["appraisal"],
        explanation_deadline=dates["explanation"],
        final_deadline=dates["final"],
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    rnd._history_user = user
    rnd.save()
    # with their first historical record, so a sheet's history starts at its creation
    bulk_create_with_history(
        [Sheet(round=rnd, unit=u) for u in chosen],
        Sheet,
        default_user=user if getattr(user, "is_authenticated", False) else None,
    )
    return rnd


@transaction.atomic
def locked(rnd: Round) -> Round:
    """The round read again with its row locked until the transaction ends (``select_for_update``)."""
    return Round.objects.select_for_update().select_related("framework__index", "province").get(pk=rnd.pk)


def advance(
    rnd: Round,
    user,
    to: str | None = None,
    *,
    today: dt.date | None = None,
    expected: str | None = None,
) -> Round:
    """Take the round to its next state, or to ``to``; closing computes and publishes the results.
    WorkflowError (Vietnamese) when the step is not allowed; nothing changes then.

    The round's row is locked (``select_for_update``) and its state read again before the step is chosen,
    so two coordinators (or a double click) never advance it twice: the second waits for the first and
    then finds the round already moved on. ``expected`` — the state the user saw when she asked (the web
    form and the API send it) — makes that explicit: a round no longer in that state is refused."""
    rnd = locked(rnd)
    wf = rnd.workflow()
    if expected and expected != rnd.status:
        raise StepConflict(
            _(
                "Đợt đánh giá đã được chuyển sang giai đoạn «{now}» (có người vừa chuyển); tải lại trang để xem."
            ).format(now=wf.label(rnd.status, get_language()))
        )
    if to is not None and to not in wf.states:
        raise WorkflowError(
            _("Không có giai đoạn “{to}”; các giai đoạn: {states}.").format(
                to=to, states=", ".join(f"{code} ({st.label})" for code, st in wf.states.items())
            )
        )
    targets = wf.next_states(rnd.status)
    target = to or next((t for t in targets if not wf.state(t).locked), targets[0] if targets else None)
    if target is None:
        raise StepConflict(_("Đợt đánh giá đã kết thúc."))
    step = next((t for t in wf.transitions if rnd.status in t.sources and t.target == target), None)
    if step is None:
        raise StepConflict(
            _("Không chuyển được từ «{a}» sang «{b}».").format(
                a=wf.label(rnd.status, get_language()), b=wf.label(target, get_language())
            )
        )
    if wf.state(target).public:
        from .results import publish

        rnd = transition(rnd, step.name, user)
        publish(rnd, user, today=today)
        rnd.closed_at = timezone.now()
        rnd.save(update_fields=["closed_at"])
        return rnd
    return transition(rnd, step.name, user)


@transaction.atomic
def reopen(sheet: Sheet, user, until: dt.date, reason: str, *, today: dt.date | None = None) -> Sheet:
    """Reopen one unit's current work after its deadline, until ``until``, for a recorded reason."""
    rnd = sheet.round
    if not can_run(user, rnd.province_id):
        raise PermissionDenied(_("Chỉ chuyên viên điều phối của tỉnh mở lại được."))
    reason = nfc(reason or "").strip()
    errors: dict[str, str] = {}
    if not reason:
        errors["reason"] = _("Ghi rõ lý do mở lại.")
    today = today or timezone.localdate()
    if until < today:
        errors["until"] = _("Ngày mở lại đến phải từ hôm nay trở đi.")
    if errors:
        raise ValidationError(errors)
    if not rnd.opens:  # valid input, but the round is over
        raise StateConflict({"until": _("Đợt đánh giá đã kết thúc: không mở lại được.")})
    sheet = Sheet.objects.select_for_update().get(pk=sheet.pk)
    sheet.reopened_until, sheet.reopen_reason = until, reason
    sheet._history_user = user
    sheet._change_reason = _("Mở lại đến {day}: {reason}").format(
        day=until.strftime("%d/%m/%Y"), reason=reason
    )
    sheet.save()
    return sheet


def work_open(rnd: Round, sheet: Sheet | None, work: str, today: dt.date | None = None) -> bool:
    """Is ``work`` open for this sheet today: the round's state opens it and its deadline has not passed,
    or a coordinator reopened the unit until a day not yet passed."""
    if rnd.opens != work:
        return False
    today = today or timezone.localdate()
    deadline = rnd.deadline_of(work)
    if deadline is None or today <= deadline:
        return True
    return bool(sheet is not None and sheet.reopened_until and today <= sheet.reopened_until)
