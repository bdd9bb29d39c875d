"""Reminders before each phase deadline of an assessment round (a source of ``chiso.notifications``,
registered by ``AssessmentConfig.ready``; ``chiso remind`` runs it with the others):

- **self-assessment**: the officers of every unit that has not submitted, 7, 3 and 1 days before the
  deadline (the unit's own date when a coordinator reopened it) and once after it (late), while the round
  is in self-assessment. In a round on the province itself: the province's coordinators (the sheet is
  theirs) and the officers of every department with criteria it has not proposed a score for yet;
- **appraisal** and **re-appraisal**: every appraiser with criteria left to appraise (no appraised score
  yet; at re-appraisal, lowered scores without a final score), 7, 3 and 1 days before that deadline;
- **explanation**: the officers of every unit whose scores the appraisal lowered and that has not explained
  them all, 7, 3 and 1 days before the explanation deadline.

- **the province's coordinators**, 7, 3 and 1 days before the deadline of every phase: where the round
  stands, with the figures of the monitoring page (``services.monitoring.round_monitor``): units not
  started, scoring but not submitted, submitted; criteria scored above zero without evidence (and in how
  many units); at appraisal and re-appraisal, the criteria left to each appraiser; at explanation, the
  units with lowered scores not explained.

The units' and appraisers' own reminders count with the same monitoring figures (criteria scored of those
to score, criteria without evidence). Each reminder is recorded once (notifications' key: the sheet, the
assignment or the round, the kind, the deadline), in the app and by e-mail.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import F
from django.urls import NoReverseMatch, reverse

from chiso.accounts.models import Membership
from chiso.core.schedule import reminder_kind
from chiso.core.text import format_date
from chiso.notifications import services as notices

from ..models import Assignment, Proposal, Round, Score, Sheet
from .monitoring import RoundMonitor, round_monitor

__all__ = ["TEMPLATE", "describe", "phase_reminders"]

TEMPLATE = "assessment/email/reminder"
DAYS = {"d7": 7, "d3": 3, "d1": 1}


def describe(counts: dict[str, int]) -> str:
    return f"{counts.get('assessment', 0)} nhắc việc đánh giá, chấm điểm"


def _link(*candidates: tuple[str, list]) -> str:
    """The first page of ``candidates`` (url name, args) that exists, else the notifications page."""
    for name, args in candidates:
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    return reverse("notifications:list")


def _sheet_url(sheet: Sheet) -> str:
    return _link(
        ("assessment:sheet", [sheet.round_id, sheet.unit_id]), ("assessment:round", [sheet.round_id])
    )


def _members(unit_ids, roles) -> dict[int, list]:
    out: dict[int, list] = {}
    for m in Membership.objects.filter(
        unit_id__in=unit_ids, role__in=roles, user__is_active=True
    ).select_related("user"):
        out.setdefault(m.unit_id, []).append(m.user)
    return out


def _send(counts: Counter, *, about, user, unit, kind, due, rnd, work, url, **extra) -> None:
    ctx = {
        "round": rnd,
        "unit": unit,
        "user": user,
        "work": work,
        "kind": kind,
        "days": DAYS.get(kind),
        "due": format_date(due),
        "url": notices.site_url() + url,
        **extra,
    }
    if notices.notify(
        counts, about=about, user=user, unit=unit, kind=kind, due=due, template=TEMPLATE, context=ctx, url=url
    ):
        counts["assessment"] += 1


# --------------------------------------------------------------------------- what is left to do


def _lowered(qs):
    return qs.filter(
        appraised_score__isnull=False, self_score__isnull=False, appraised_score__lt=F("self_score")
    )


def left_to_appraise(rnd: Round, assignment: Assignment, work: str) -> int:
    """Criteria of an appraiser's assignment still to appraise: at appraisal, the criteria of her units with
    no appraised score (surveys and criteria not applicable aside); at re-appraisal, the lowered ones with no
    final score."""
    from .structure import structure

    typed = [c.code for c in structure(rnd.framework).criteria if not c.survey]
    codes = [c for c in typed if not assignment.criteria or c in assignment.criteria]
    units = [u.pk for u in assignment.units.all()]
    qs = Score.objects.filter(sheet__round=rnd, node__code__in=codes, not_applicable=False)
    if units:
        qs = qs.filter(sheet__unit_id__in=units)
    if work == "final":
        return _lowered(qs).filter(final_score__isnull=True).count()
    scored = qs.filter(appraised_score__isnull=False).count()
    sheets = rnd.sheets.filter(unit_id__in=units) if units else rnd.sheets.all()
    na = Score.objects.filter(sheet__in=sheets, node__code__in=codes, not_applicable=True).count()
    return max(0, sheets.count() * len(codes) - na - scored)


def unexplained(sheet: Sheet) -> int:
    """Lowered scores of a sheet the unit has not explained yet."""
    return _lowered(sheet.scores.all()).filter(explanation="").count()


# --------------------------------------------------------------------------- the source


def _due(rnd: Round, sheet: Sheet | None, work: str) -> dt.date | None:
    deadline = rnd.deadline_of(work)
    if sheet is not None and sheet.reopened_until and (deadline is None or sheet.reopened_until > deadline):
        return sheet.reopened_until
    return deadline


def _sheet_recipients(rnd: Round, sheets: list[Sheet]) -> dict[int, list]:
    """Who does a unit's own work, per sheet: its officers; in a round on the province itself, the
    province's coordinators."""
    if rnd.scope == Round.Scope.PROVINCE:
        users = _members([rnd.province_id], ("coordinator",)).get(rnd.province_id, [])
        return {s.pk: users for s in sheets}
    members = _members([s.unit_id for s in sheets], ("officer",))
    return {s.pk: members.get(s.unit_id, []) for s in sheets}


def _self_reminders(rnd: Round, today: dt.date, counts: Counter, mon: RoundMonitor) -> None:
    progress = {u.sheet.pk: u for u in mon.units}
    sheets = [u.sheet for u in mon.units if u.state != Sheet.State.SUBMITTED]
    recipients = _sheet_recipients(rnd, sheets)
    for sheet in sheets:
        due = _due(rnd, sheet, "self")
        kind = reminder_kind(due, today) if due else None
        if kind is None:
            continue
        p = progress[sheet.pk]
        for user in recipients[sheet.pk]:
            _send(counts, about=sheet, user=user, unit=sheet.unit, kind=kind, due=due, rnd=rnd, work="self",
                  url=_sheet_url(sheet), late_days=(today - due).days, scored=p.scored, to_score=p.to_score,
                  without_evidence=len(p.without_evidence))  # fmt: skip
        if rnd.scope == Round.Scope.PROVINCE and kind in DAYS:
            _proposal_reminders(rnd, sheet, due, kind, counts)


def _proposal_reminders(rnd: Round, sheet: Sheet, due: dt.date, kind: str, counts: Counter) -> None:
    """Departments of a round on the province itself with criteria they have not proposed a score for."""
    owed: dict[int, list[str]] = {}
    for unit_id, code in Proposal.objects.filter(score__sheet=sheet, proposed_score__isnull=True).values_list(
        "unit_id", "score__node__code"
    ):
        owed.setdefault(unit_id, []).append(code)
    members = _members(owed, ("officer",))
    units = {p.unit_id: p.unit for p in Proposal.objects.filter(unit_id__in=owed).select_related("unit")}
    for unit_id, codes in owed.items():
        for user in members.get(unit_id, []):
            _send(counts, about=sheet, user=user, unit=units[unit_id], kind=kind, due=due, rnd=rnd,
                  work="proposal", url=_sheet_url(sheet), criteria=", ".join(sorted(codes)))  # fmt: skip


def _appraisal_reminders(rnd: Round, work: str, today: dt.date, counts: Counter) -> None:
    due = _due(rnd, None, work)
    kind = reminder_kind(due, today) if due else None
    if kind not in DAYS:
        return
    url = _link(("assessment:round", [rnd.pk]))
    for a in rnd.assignments.select_related("user").prefetch_related("units"):
        if not a.user.is_active:
            continue
        left = left_to_appraise(rnd, a, work)
        if left:
            _send(counts, about=a, user=a.user, unit=None, kind=kind, due=due, rnd=rnd, work=work, url=url,
                  left=left)  # fmt: skip


def _explanation_reminders(rnd: Round, today: dt.date, counts: Counter) -> None:
    sheets = list(rnd.sheets.select_related("unit"))
    recipients = _sheet_recipients(rnd, sheets)
    for sheet in sheets:
        due = _due(rnd, sheet, "explanation")
        kind = reminder_kind(due, today) if due else None
        left = unexplained(sheet) if kind in DAYS else 0
        for user in recipients[sheet.pk] if left else []:
            _send(counts, about=sheet, user=user, unit=sheet.unit, kind=kind, due=due, rnd=rnd,
                  work="explanation", url=_sheet_url(sheet), left=left)  # fmt: skip


def overview(rnd: Round, work: str, mon: RoundMonitor) -> dict:
    """Where the round stands, for its coordinators' reminder (the monitoring page's figures)."""
    by_state = mon.counts
    missing = [u for u in mon.units if u.without_evidence]
    out = {
        "total_units": len(mon.units),
        "not_started": by_state.get(Sheet.State.NOT_STARTED, 0),
        "in_progress": by_state.get(Sheet.State.IN_PROGRESS, 0),
        "submitted": by_state.get(Sheet.State.SUBMITTED, 0),
        "without_evidence": sum(len(u.without_evidence) for u in missing),
        "units_without_evidence": len(missing),
        "not_started_names": ", ".join(u.unit.short_name for u in mon.by_state(Sheet.State.NOT_STARTED)[:10]),
    }
    if work in ("appraisal", "final"):
        behind = []
        for a in mon.appraisers:
            done = a.appraised if work == "appraisal" else a.finalised
            if done < a.assigned:
                who = a.user.get_full_name() or a.user.username
                behind.append(f"{who} {done}/{a.assigned}")
        out["appraisers_behind"] = "; ".join(behind)
    if work == "explanation":
        out["unexplained_units"] = sum(1 for u in mon.units if unexplained(u.sheet))
    return out


def _coordinator_reminders(rnd: Round, work: str, today: dt.date, counts: Counter, mon: RoundMonitor) -> None:
    if rnd.scope == Round.Scope.PROVINCE:  # the province's own sheet: its coordinators are reminded of it
        return
    due = _due(rnd, None, work)
    kind = reminder_kind(due, today) if due else None
    if kind not in DAYS:
        return
    coordinators = _members([rnd.province_id], ("coordinator",)).get(rnd.province_id, [])
    if not coordinators:
        return
    figures = overview(rnd, work, mon)
    url = _link(("assessment:monitoring", [rnd.pk]), ("assessment:round", [rnd.pk]))
    for user in coordinators:
        _send(counts, about=rnd, user=user, unit=rnd.province, kind=kind, due=due, rnd=rnd, work=work,
              url=url, overview=figures)  # fmt: skip


def phase_reminders(today: dt.date, counts: Counter) -> None:
    """Every reminder the open rounds owe today (see the module)."""
    working = [code for code, state in Round.workflow().states.items() if state.opens]
    for rnd in Round.objects.filter(status__in=working).select_related("framework", "province"):
        work = rnd.opens
        mon = round_monitor(rnd)
        _coordinator_reminders(rnd, work, today, counts, mon)
        if work == "self":
            _self_reminders(rnd, today, counts, mon)
        elif work in ("appraisal", "final"):
            _appraisal_reminders(rnd, work, today, counts)
        elif work == "explanation":
            _explanation_reminders(rnd, today, counts)
