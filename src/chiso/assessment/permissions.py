"""Who may see and do what in an assessment round. Every view, API endpoint and service asks here.

- Coordinators of the province run rounds (open, advance, reopen, close, assign appraisers) and see
  everything of them; leaders and viewers of the province read.
- A unit officer sees her unit's sheet and does its self-assessment and explanations while that work is
  open; in a round on the province itself (its PAR INDEX self-assessment) the province's coordinators keep
  the sheet and the departments that lead or coordinate a criterion propose its score.
- An appraiser (an Assignment in the round) sees the sheets of the units she is assigned and sets the
  appraised and final scores of the criteria she is assigned (none listed: all). In a round on the province
  itself the ministry appraises: the province's coordinators record its appraised and final scores.
- In a round on the province itself, a department that leads or coordinates a criterion (a Proposal row,
  ``services.province.assign_departments``) sees the round and, on the province's sheet, only the criteria
  it leads or coordinates (``criteria_limit``: their rows, evidence and history; not the totals, the score
  report, the explanation form nor the evidence package of the whole sheet), proposes the criterion's
  score and adds evidence to it (``can_propose``).
- Importing a file of scores (``can_import``): the province's coordinators import the units' self-scores
  and the survey parts; the appraised and final scores are the appraisers' — each imports her own, for
  her units and criteria (``can_import_cell``) — except in a round on the province itself, where they are
  the ministry's appraisal, which the province's coordinators import.
- The files of scores imported into a round (``visible_imports``: name, SHA-256, stage, who, when, rows):
  all of them for those who oversee the province, her own for an appraiser.
- The summary of a round (totals, ranks, classes of every unit) is read by those who oversee the
  province; once the round is closed (its results are public), by everyone who sees the round.
- Appraisers' assignments are read by those who oversee the province, and each appraiser reads her own.
- A unit sees the appraisal once it is handed to her (from the explanation phase on: the phases that open
  ``explanation`` or ``final``, or the results are published) and the final scores once the results are
  published; those who oversee the round and its appraisers see them as they are entered
  (``sees_stage``).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from chiso.accounts.scope import OVERSIGHT_ROLES, covered, covers, request_memo

from .models import Assignment, Proposal, Round, ScoreImport, Sheet

UNIT_ROLES = ("officer",)
RUN_ROLES = ("coordinator",)
SELF_WORKS = ("self", "explanation")
APPRAISAL_WORKS = ("appraisal", "final")
#: The stages a file of scores is imported at (``services.imports``).
IMPORT_STAGES = ("self", "appraisal", "final", "survey")
#: Roles on the province that may be assigned to appraise its rounds.
APPRAISER_ROLES = ("appraiser", *OVERSIGHT_ROLES)


def oversees(user, rnd: Round) -> bool:
    return covers(user, rnd.province_id, OVERSIGHT_ROLES)


def can_run(user, rnd: Round) -> bool:
    return covers(user, rnd.province_id, RUN_ROLES)


def assignment(user, rnd: Round) -> Assignment | None:
    if not user.is_authenticated:
        return None
    memo = request_memo(user).setdefault("_chiso_assignments", {})
    if rnd.pk not in memo:
        memo[rnd.pk] = Assignment.objects.filter(round=rnd, user=user).prefetch_related("units").first()
    return memo[rnd.pk]


def _assigned_units(a: Assignment) -> set[int] | None:
    ids = {u.pk for u in a.units.all()}
    return ids or None  # None: every unit of the round


def visible_rounds(user) -> QuerySet[Round]:
    """Rounds of the provinces the user oversees, of her units, or that she appraises."""
    scope = covered(user, (*OVERSIGHT_ROLES, *UNIT_ROLES))
    if scope is None:
        return Round.objects.all()
    return Round.objects.filter(
        Q(province__in=scope)
        | Q(sheets__unit__in=scope)
        | Q(assignments__user=user)
        | Q(sheets__scores__proposals__unit__in=scope)
    ).distinct()


def can_view_sheet(user, sheet: Sheet) -> bool:
    rnd = sheet.round
    if oversees(user, rnd) or covers(user, sheet.unit_id, UNIT_ROLES):
        return True
    if rnd.scope == Round.Scope.PROVINCE and _proposes(user, sheet):
        return True
    a = assignment(user, rnd)
    if a is None:
        return False
    units = _assigned_units(a)
    return units is None or sheet.unit_id in units


def _proposes(user, sheet: Sheet) -> bool:
    """The user is an officer of a department that proposes scores on this sheet."""
    scope = covered(user, UNIT_ROLES)  # None (administrators) never gets here: they oversee every round
    return bool(scope) and Proposal.objects.filter(score__sheet=sheet, unit__in=scope).exists()


def criteria_limit(user, sheet: Sheet) -> frozenset[str] | None:
    """The criteria of the sheet ``user`` may see, None for all of them. In a round on the province itself
    an officer of a department who neither oversees the round nor appraises it sees the province's sheet
    only for the criteria her department leads or coordinates (its Proposal rows): not the other
    departments' criteria, nor the province's totals, nor the whole evidence package."""
    rnd = sheet.round
    if rnd.scope != Round.Scope.PROVINCE or oversees(user, rnd) or covers(user, sheet.unit_id, UNIT_ROLES):
        return None
    a = assignment(user, rnd)
    if a is not None and (_assigned_units(a) is None or sheet.unit_id in (_assigned_units(a) or ())):
        return None
    scope = covered(user, UNIT_ROLES)
    if scope is None:  # administrators oversee every round: not reached
        return None
    if not scope:
        return frozenset()
    return frozenset(
        Proposal.objects.filter(score__sheet=sheet, unit__in=scope).values_list(
            "score__node__code", flat=True
        )
    )


def sees_criterion(user, sheet: Sheet, code: str) -> bool:
    limit = criteria_limit(user, sheet)
    return limit is None or code in limit


def visible_sheets(user, rnd: Round) -> list[Sheet]:
    return [s for s in rnd.sheets.select_related("unit", "round") if can_view_sheet(user, s)]


def can_work(user, sheet: Sheet, work: str, criterion: str | None = None) -> bool:
    """May ``user`` do ``work`` on this sheet (on ``criterion`` when given), phases aside."""
    rnd = sheet.round
    if work in SELF_WORKS:
        if rnd.scope == Round.Scope.PROVINCE:
            return covers(user, rnd.province_id, RUN_ROLES)
        return covers(user, sheet.unit_id, UNIT_ROLES)
    if work in APPRAISAL_WORKS:
        if rnd.scope == Round.Scope.PROVINCE and covers(user, rnd.province_id, RUN_ROLES):
            return True  # the ministry's appraisal, recorded by the province's coordinators
        a = assignment(user, rnd)
        if a is None:
            return False
        units = _assigned_units(a)
        if units is not None and sheet.unit_id not in units:
            return False
        return criterion is None or not a.criteria or criterion in a.criteria
    return False


def imports_ministry_appraisal(user, rnd: Round) -> bool:
    """In a round on the province itself the appraised and final scores are the ministry's, imported by
    the province's coordinators."""
    return rnd.scope == Round.Scope.PROVINCE and can_run(user, rnd)


def can_import(user, rnd: Round, stage: str) -> bool:
    """May ``user`` import a file of scores at ``stage`` in this round (phases aside; an appraiser's cells
    are checked one by one with ``can_import_cell``). ``user=None``: an operator's command on the server."""
    if user is None:
        return True
    if stage in ("self", "survey"):
        return can_run(user, rnd)
    if stage in APPRAISAL_WORKS:
        return imports_ministry_appraisal(user, rnd) or assignment(user, rnd) is not None
    return False


def can_import_cell(user, sheet: Sheet, stage: str, criterion: str) -> bool:
    """May ``user`` import this criterion's score of this sheet (given ``can_import``)."""
    if user is None or stage not in APPRAISAL_WORKS or imports_ministry_appraisal(user, sheet.round):
        return True
    return can_work(user, sheet, stage, criterion)


def visible_imports(user, rnd: Round) -> list[ScoreImport]:
    """The files of scores imported into the round that ``user`` reads on the round page: every one for
    those who oversee the province, her own for anyone else (an appraiser's appraisal file)."""
    rows = rnd.score_imports.select_related("imported_by")
    if oversees(user, rnd):
        return list(rows)
    if not user.is_authenticated:
        return []
    return list(rows.filter(imported_by=user))


def can_view_summary(user, rnd: Round) -> bool:
    if oversees(user, rnd):
        return True
    return rnd.workflow().state(rnd.status).public and visible_rounds(user).filter(pk=rnd.pk).exists()


def can_view_assignments(user, rnd: Round) -> bool:
    """Every assignment of the round (an appraiser without oversight reads only her own)."""
    return oversees(user, rnd)


def can_propose(user, proposal: Proposal) -> bool:
    """May ``user`` propose the score of a criterion, and add evidence to it, for the department of
    ``proposal`` (an officer of that department), phases aside."""
    return covers(user, proposal.unit_id, UNIT_ROLES)


def proposes_criterion(user, sheet: Sheet, code: str) -> bool:
    """In a round on the province itself: is ``user`` an officer of a department that proposes the score of
    criterion ``code`` (phases aside)."""
    if sheet.round.scope != Round.Scope.PROVINCE:
        return False
    scope = covered(user, UNIT_ROLES)
    if scope is None:
        return False  # administrators oversee every round: they do not propose for a department
    return (
        bool(scope)
        and Proposal.objects.filter(score__sheet=sheet, score__node__code=code, unit__in=scope).exists()
    )


#: The works during which a unit sees the appraised scores and comments (she explains, then it is re-appraised).
APPRAISAL_SHOWN_DURING = ("explanation", "final")


def sees_stage(user, sheet: Sheet, stage: str) -> bool:
    """May ``user`` see the scores of ``stage`` ("self", "appraisal", "final") on this sheet: everyone who
    sees the sheet sees the self-assessment; the appraisal and final scores are shown to the unit only once
    handed over (see the module), and at once to those who oversee the round and to its appraisers."""
    if not can_view_sheet(user, sheet):
        return False
    rnd = sheet.round
    if stage == "self" or oversees(user, rnd) or can_work(user, sheet, "appraisal"):
        return True
    published = rnd.workflow().state(rnd.status).public
    if stage == "appraisal":
        return published or rnd.opens in APPRAISAL_SHOWN_DURING
    return published


#: What each later stage adds to a score row and to a sheet's totals: hidden together while the user may
#: not see that stage (``hidden_fields``).
STAGE_FIELDS = {
    "appraisal": frozenset({"appraised_score", "appraisal_comment", "appraised_total"}),
    "final": frozenset({"final_score", "final_comment", "final_total"}),
}
#: What compares a unit with the others (its percent of the latest stage, rank and class): shown to a
#: unit once the results are published; before that, a percent only while nothing has been appraised.
RANKING_FIELDS = frozenset({"rank", "klass", "class"})
PERCENT_FIELDS = frozenset({"percent", "applicable_max"})


def stages_seen(user, sheet: Sheet) -> frozenset[str]:
    """The stages ("self", "appraisal", "final") whose scores ``user`` may see on this sheet."""
    return frozenset(s for s in ("self", "appraisal", "final") if sees_stage(user, sheet, s))


def hidden_fields(user, sheet: Sheet, seen: frozenset[str] | None = None) -> frozenset[str]:
    """The names of the score fields (``Score``), totals (``Sheet``) and summary keys of this sheet that
    ``user`` may not see (``sees_stage``): the one rule every page, API answer and document applies
    (``mask``). Their figures per stage (``Score.inputs``) are hidden with them (``mask_inputs``)."""
    seen = stages_seen(user, sheet) if seen is None else seen
    out: set[str] = set()
    for stage, names in STAGE_FIELDS.items():
        if stage not in seen:
            out |= names
    if "final" not in seen:
        out |= RANKING_FIELDS
        if sheet.appraised_total is not None or sheet.final_total is not None:
            out |= PERCENT_FIELDS
    return frozenset(out)


def mask(values: dict, hidden: frozenset[str]) -> dict:
    """``values`` with every hidden key set to None (a comment to "")."""
    out = dict(values)
    for key in hidden & out.keys():
        out[key] = "" if key.endswith("_comment") else None
    return out


def mask_inputs(inputs: dict, seen: frozenset[str]) -> dict:
    """The figures of a rule-scored criterion, only of the stages the user sees."""
    return {stage: v for stage, v in (inputs or {}).items() if stage not in STAGE_FIELDS or stage in seen}
