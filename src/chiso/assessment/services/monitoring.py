"""Monitoring a round: who has not started, who is scoring, who has submitted; the criteria scored above
zero without any evidence, per unit; how far each appraiser is with the criteria she is assigned.

``round_monitor(round)`` reads (never writes) and returns plain data for the monitoring page, reminders
and the API:

- ``units``: one ``UnitProgress`` per sheet (state, criteria scored of those the unit scores itself,
  criteria without evidence), in the round's order; ``by_state(state)`` filters them;
- ``appraisers``: one ``AppraiserProgress`` per assignment: the (unit, criterion) pairs assigned, how many
  have an appraised score, how many a final score.

Survey-scored criteria are imported, never typed: they are neither "to score" nor "without evidence".
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from chiso.core.text import vi_sort_key

from ..models import Assignment, EvidenceFile, EvidenceLink, Round, Score, Sheet
from .structure import structure

__all__ = ["AppraiserProgress", "RoundMonitor", "UnitProgress", "round_monitor"]


@dataclass
class UnitProgress:
    sheet: Sheet
    #: criteria with a self-score or marked not applicable, of ``to_score``
    scored: int
    to_score: int
    #: codes of the criteria with a self-score above zero and neither a file nor a link, in order
    without_evidence: list[str] = field(default_factory=list)

    @property
    def unit(self):
        return self.sheet.unit

    @property
    def state(self) -> str:
        return self.sheet.state


@dataclass
class AppraiserProgress:
    assignment: Assignment
    #: (unit id, criterion code) pairs the appraiser is assigned
    assigned: int
    appraised: int
    finalised: int
    unit_names: list[str] = field(default_factory=list)
    #: codes of the criteria assigned (empty: all of them)
    criteria: list[str] = field(default_factory=list)

    @property
    def user(self):
        return self.assignment.user


@dataclass
class RoundMonitor:
    round: Round
    units: list[UnitProgress]
    appraisers: list[AppraiserProgress]

    def by_state(self, state: str) -> list[UnitProgress]:
        return [u for u in self.units if u.state == state]

    @property
    def counts(self) -> dict[str, int]:
        """Units per sheet state ({"not_started": 3, "in_progress": 5, "submitted": 32})."""
        out = {s: 0 for s in Sheet.State.values}
        for u in self.units:
            out[u.state] = out.get(u.state, 0) + 1
        return out


def round_monitor(rnd: Round) -> RoundMonitor:
    """The round's progress (see the module): a few queries whatever the number of units."""
    st = structure(rnd.framework)
    typed = [c.code for c in st.criteria if not c.survey]
    sheets = sorted(rnd.sheets.select_related("unit"), key=lambda s: vi_sort_key(s.unit.short_name))
    scores: dict[int, dict[str, Score]] = defaultdict(dict)
    for s in (
        Score.objects.filter(sheet__round=rnd)
        .select_related("node")
        .only(
            "pk", "sheet_id", "node__code", "self_score", "appraised_score", "final_score", "not_applicable"
        )
    ):
        scores[s.sheet_id][s.node.code] = s
    evidenced = set(EvidenceFile.objects.filter(score__sheet__round=rnd).values_list("score_id", flat=True))
    evidenced |= set(EvidenceLink.objects.filter(score__sheet__round=rnd).values_list("score_id", flat=True))
    units = []
    for sheet in sheets:
        mine = scores.get(sheet.pk, {})
        scored = sum(
            1 for c in typed if c in mine and (mine[c].self_score is not None or mine[c].not_applicable)
        )
        missing = [
            c for c in typed if c in mine and (mine[c].self_score or 0) > 0 and mine[c].pk not in evidenced
        ]
        units.append(UnitProgress(sheet=sheet, scored=scored, to_score=len(typed), without_evidence=missing))
    in_round = {s.unit_id: s for s in sheets}
    appraisers = []
    for a in rnd.assignments.select_related("user").prefetch_related("units").order_by("user__username"):
        unit_ids = [u.pk for u in a.units.all()] or list(in_round)
        codes = [c for c in typed if not a.criteria or c in a.criteria]
        assigned = appraised = finalised = 0
        for uid in unit_ids:
            sheet = in_round.get(uid)
            if sheet is None:
                continue
            mine = scores.get(sheet.pk, {})
            for c in codes:
                assigned += 1
                s = mine.get(c)
                if s is None:
                    continue
                appraised += s.appraised_score is not None or s.not_applicable
                finalised += s.final_score is not None or s.not_applicable
        names = sorted(
            (in_round[uid].unit.short_name for uid in unit_ids if uid in in_round), key=vi_sort_key
        )
        appraisers.append(
            AppraiserProgress(
                assignment=a,
                assigned=assigned,
                appraised=appraised,
                finalised=finalised,
                unit_names=names if a.units.all() else [],
                criteria=list(a.criteria or []),
            )
        )
    return RoundMonitor(round=rnd, units=units, appraisers=appraisers)
