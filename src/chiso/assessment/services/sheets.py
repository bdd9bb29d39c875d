"""Scores of a unit's sheet: the only place that writes them.

``save(sheet, user, work, entries, versions=None)`` stores what one person entered for one work:

- ``self`` (the unit): a typed score, the figures of a rule-scored criterion, "not applicable" (when the
  framework allows it) and a note, per criterion;
- ``appraisal`` / ``final`` (an appraiser): the appraised or final score and a comment;
- ``explanation`` (the unit): its explanation where the appraisal lowered a score.

Every entry is checked (bounds, step, precision, the rule's figures, who may, whether the work is open,
whether someone else saved the criterion since the form was opened) and the whole lot is refused with a
message per criterion — ``ValidationError({code: message})`` — or written at once with its history.
When a criterion was saved by someone else after the form was opened (its ``version`` moved on), the
refusal is a :class:`StaleScores` (a StateConflict: the API answers it 409 Conflict). With
``require_versions`` (the API, the web forms: every client a person drives) a change of a criterion that
already has a score (its version above 0) must name the version it read — without one it is a
:class:`VersionRequired` (428 in the API): two people editing the same score never overwrite each other
silently. A criterion with no score yet needs no version. A work that is not open (a closed round, a locked phase) is refused with a
StateConflict (409).
``submit(sheet, user)`` closes a unit's self-assessment: every criterion scored, and a score above zero
without evidence needs a note saying why; a sheet submitted with nothing changed since is not submitted
again. An entry whose criterion was saved meanwhile is no conflict when what is stored is already what it
sends (a form sent twice).
``import_scores(sheet, user, stage, values, source=…, reason=…)`` writes the scores of a file
(``services.imports`` checks them first) with the same history, versions and totals as typed scores.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chiso.core.scoring import InputError, Totals, check_score, rule_score, totals
from chiso.core.text import format_date, format_number, nfc, nfc_multiline, parse_number
from chiso.validation import StateConflict

from .. import permissions
from ..models import Score, Sheet
from .rounds import work_open
from .structure import Criterion, Structure, structure

__all__ = [
    "IMPORT_FIELD",
    "NOTE_FIELD",
    "SCORE_FIELD",
    "ScoreRow",
    "StaleScores",
    "VersionRequired",
    "closed_message",
    "effective",
    "import_scores",
    "refresh_totals",
    "round_rows",
    "save",
    "sheet_totals",
    "submit",
]

#: The score each work sets.
SCORE_FIELD = {"self": "self_score", "appraisal": "appraised_score", "final": "final_score"}
#: The text each work writes.
NOTE_FIELD = {
    "self": "self_note",
    "appraisal": "appraisal_comment",
    "explanation": "explanation",
    "final": "final_comment",
}
STAGES = ("self", "appraisal", "final")
#: The score an import sets at each stage: a survey's score is the criterion's self-score, which every
#: later stage carries (appraisers never score a survey criterion, see ``effective``).
IMPORT_FIELD = {**SCORE_FIELD, "survey": "self_score"}


class StaleScores(StateConflict):
    """A save refused because someone saved one of its criteria after the form was opened; the errors
    name the criteria (and every other problem of the save)."""


class VersionRequired(ValidationError):
    """A save refused because it changes scores that exist without the version the client read
    (``save(require_versions=True)``): ``versions`` gives the current version of each such criterion,
    ``detail`` says what to do; nothing was written."""

    def __init__(self, versions: dict[str, int]) -> None:
        self.versions = versions
        self.detail = _(
            "Tiêu chí {codes} đã có điểm: hãy gửi kèm version đã đọc của từng tiêu chí (hiện là {now}) để "
            "không ghi đè điểm người khác vừa sửa. Chưa ghi gì."
        ).format(codes=", ".join(versions), now=", ".join(f"{code}: {v}" for code, v in versions.items()))
        super().__init__(
            {
                code: _(
                    "Tiêu chí này đã có điểm (phiên bản {version}) mà lần ghi không nói bạn đã đọc phiên bản "
                    "nào: hãy tải lại để xem điểm hiện tại rồi ghi lại (API: gửi kèm version đã đọc)."
                ).format(version=v)
                for code, v in versions.items()
            }
        )


def effective(score: Score | ScoreRow, stage: str) -> float | None:
    """A criterion's score at a stage: the final score, else the appraised, else the self-score (an
    appraiser who leaves a score unchanged accepts it)."""
    chain = {"self": ("self_score",), "appraisal": ("appraised_score", "self_score"),
             "final": ("final_score", "appraised_score", "self_score")}[stage]  # fmt: skip
    for name in chain:
        value = getattr(score, name)
        if value is not None:
            return value
    return None


class ScoreRow(NamedTuple):
    """What the totals need of a score, read as a plain row (``round_rows``) or taken from a Score."""

    code: str
    self_score: float | None
    appraised_score: float | None
    final_score: float | None
    not_applicable: bool

    @classmethod
    def of(cls, score: Score) -> ScoreRow:
        return cls(
            score.node.code, score.self_score, score.appraised_score, score.final_score, score.not_applicable
        )


def _rows(scores: Iterable[Score | ScoreRow]) -> list[ScoreRow]:
    return [s if isinstance(s, ScoreRow) else ScoreRow.of(s) for s in scores]


def round_rows(rnd, st: Structure) -> dict[int, list[ScoreRow]]:
    """Every score of the round as plain rows per sheet id, in one query (no model objects: a summary of
    40 units × 100 criteria reads 4,000 of them)."""
    out: dict[int, list[ScoreRow]] = {}
    codes = st.codes
    rows = Score.objects.filter(sheet__round=rnd).values_list(
        "sheet_id", "node_id", "self_score", "appraised_score", "final_score", "not_applicable"
    )
    for sheet_id, node_id, self_score, appraised, final, na in rows:
        code = codes.get(node_id)
        if code is not None:  # a node of another framework version is no criterion of this sheet
            out.setdefault(sheet_id, []).append(ScoreRow(code, self_score, appraised, final, na))
    return out


def _stage_totals(rows: list[ScoreRow], stage: str, st: Structure) -> Totals:
    values: dict[str, float] = {}
    na: set[str] = set()
    for s in rows:
        v = effective(s, stage)
        if v is not None:
            values[s.code] = v
        if s.not_applicable:
            na.add(s.code)
    return totals(st.tree or st.items, values, na)


def sheet_totals(
    sheet: Sheet, stage: str, scores: Iterable[Score | ScoreRow] | None = None, st: Structure | None = None
) -> Totals:
    """The sheet added up at ``stage`` (from ``scores`` when given, with the framework's structure ``st``
    when given: callers adding up many sheets read them once)."""
    st = st or structure(sheet.round.framework)
    rows = _rows(scores if scores is not None else sheet.scores.select_related("node"))
    return _stage_totals(rows, stage, st)


#: The totals a sheet keeps from its scores.
TOTAL_FIELDS = ("self_total", "appraised_total", "final_total", "applicable_max", "percent")


def refresh_totals(
    sheet: Sheet, rows: Iterable[Score | ScoreRow] | None = None, st: Structure | None = None
) -> Sheet:
    """Keep the sheet's totals (self, appraised, final; percent of the applicable maximum) from its scores
    (``rows``: all of them, and ``st`` the framework's structure, when the caller has read them for many
    sheets). Saved only when a figure moved (``sheet`` as read from the database): reading a summary writes
    nothing and adds no history. Each stage is added up once."""
    rows = _rows(rows if rows is not None else sheet.scores.select_related("node"))
    st = st or structure(sheet.round.framework)
    appraised = any(r.appraised_score is not None for r in rows)
    final = any(r.final_score is not None for r in rows)
    scored = any(r.self_score is not None for r in rows)
    stage_totals: dict[str, Totals] = {}

    def at(stage: str) -> Totals:
        if stage not in stage_totals:
            stage_totals[stage] = _stage_totals(rows, stage, st)
        return stage_totals[stage]

    latest = at("final" if final else "appraisal" if appraised else "self")
    values = {
        "self_total": at("self").total if scored else None,
        "appraised_total": at("appraisal").total if appraised else None,
        "final_total": latest.total if (final or appraised) else None,
        "applicable_max": latest.applicable.get(latest.root),
        # A sheet nobody scored has no percent, hence no rank (results.summary ranks the units with a score).
        "percent": latest.percent() if scored or appraised or final else None,
    }
    changed = [name for name in TOTAL_FIELDS if getattr(sheet, name) != values[name]]
    for name in changed:
        setattr(sheet, name, values[name])
    if changed:
        sheet.save(update_fields=changed)
    return sheet


@dataclass
class _Checked:
    crit: Criterion
    score: float | None
    inputs: dict[str, Any] | None
    na: bool | None
    note: str | None
    #: the entry empties a typed score
    cleared: bool = False


def _parse_entry(crit: Criterion, work: str, entry: Mapping[str, Any], precision: int) -> _Checked:
    """One criterion's entry checked; InputError/ValueError says what is wrong (Vietnamese)."""
    node = crit.node
    note = entry.get("note")
    note = nfc_multiline(str(note)) if note is not None else None
    if work == "explanation":
        return _Checked(crit, None, None, None, note)
    na = None
    if "na" in entry:
        na = bool(entry.get("na"))
        if na and not node.may_be_na:
            raise ValueError(_("tiêu chí này không được đánh dấu “không áp dụng”."))
        if na and work == "self" and not (note or "").strip():
            raise ValueError(_("ghi rõ vì sao tiêu chí không áp dụng với đơn vị."))
    if na:
        return _Checked(crit, None, None, True, note)
    if crit.survey and ("score" in entry or "inputs" in entry):
        raise ValueError(_("điểm của tiêu chí này lấy từ kết quả khảo sát (nhập từ tệp), không tự chấm."))
    score: float | None = None
    inputs = None
    cleared = False
    if crit.rule is not None and entry.get("inputs") is not None:
        inputs = {k: v for k, v in dict(entry["inputs"]).items() if v not in (None, "")}
        if inputs:
            score = rule_score(crit.rule, inputs, node.max_score)
    elif "score" in entry:
        raw = entry.get("score")
        if raw is None or str(raw).strip() == "":
            cleared = True
        else:
            score = parse_number(raw)
            if score is None:
                raise ValueError(_("điểm trống."))
            problem = check_score(
                score, maximum=node.max_score, minimum=node.min_score, step=node.step, precision=precision
            )
            if problem:
                raise ValueError(problem)
    return _Checked(crit, score, inputs, na, note, cleared)


def _apply(score: Score, c: _Checked, work: str, *, dry: bool = False) -> bool:
    """Put a checked entry on its score; whether it changes anything (``dry``: only say so)."""
    changes: dict[str, Any] = {}
    if work in SCORE_FIELD and (c.score is not None or c.inputs is not None or c.na is not None or c.cleared):
        name = SCORE_FIELD[work]
        value = None if c.na else c.score
        if getattr(score, name) != value:
            changes[name] = value
        if c.inputs is not None and score.inputs.get(work) != c.inputs:
            changes["inputs"] = {**score.inputs, work: c.inputs}
    if c.na is not None and work in ("self", "appraisal", "final") and score.not_applicable != c.na:
        changes["not_applicable"] = c.na
    if c.note is not None and getattr(score, NOTE_FIELD[work]) != c.note:
        changes[NOTE_FIELD[work]] = c.note
    if not dry:
        for name, value in changes.items():
            setattr(score, name, value)
    return bool(changes)


def _stale(score: Score, expected: int | None) -> str | None:
    if expected is None or score.pk is None or score.version == expected:
        return None
    who = (
        score.updated_by.get_full_name() or score.updated_by.username if score.updated_by else _("người khác")
    )
    when = timezone.localtime(score.updated_at).strftime("%H:%M %d/%m/%Y") if score.updated_at else ""
    return _(
        "{who} đã sửa tiêu chí này lúc {when} sau khi bạn mở phiếu; hãy tải lại để xem rồi nhập lại."
    ).format(who=who, when=when)


@transaction.atomic
def save(
    sheet: Sheet,
    user,
    work: str,
    entries: Mapping[str, Mapping[str, Any]],
    *,
    versions: Mapping[str, int] | None = None,
    require_versions: bool = False,
    today: dt.date | None = None,
    source: str | None = None,
) -> list[Score]:
    """Store one person's entries for one work on a sheet — all of them, or none (see the module).
    ``source``: where the scores come from when they are not the person's own (the ministry's appraisal,
    a survey file…), kept on each score changed. ``require_versions``: a change of a criterion that has a
    score must come with its version in ``versions`` (VersionRequired)."""
    sheet = Sheet.objects.select_for_update().select_related("round__framework", "unit").get(pk=sheet.pk)
    rnd = sheet.round
    if work not in NOTE_FIELD:
        raise ValidationError({"__all__": _("Công việc không hợp lệ: {work}.").format(work=work)})
    if not permissions.can_work(user, sheet, work):
        raise PermissionDenied(_("Bạn không được chấm hoặc giải trình phiếu này ở giai đoạn này."))
    if not work_open(rnd, sheet, work, today):
        raise StateConflict({"__all__": closed_message(rnd, work)})
    st = structure(rnd.framework)
    existing = {s.node.code: s for s in sheet.scores.select_related("node", "updated_by")}
    versions = versions or {}
    errors: dict[str, str] = {}
    stale_codes: list[str] = []
    unversioned: dict[str, int] = {}
    checked: list[_Checked] = []
    for code, entry in entries.items():
        crit = st.by_code.get(code)
        if crit is None:
            errors[code] = _("Không có tiêu chí “{code}” trong bộ chỉ số.").format(code=code)
            continue
        if work in ("appraisal", "final") and not permissions.can_work(user, sheet, work, code):
            errors[code] = _("Bạn không được phân công thẩm định tiêu chí này.")
            continue
        try:
            parsed: _Checked | None = _parse_entry(crit, work, entry, rnd.framework.precision)
            problem = None
        except (InputError, ValueError) as exc:
            parsed, problem = None, f"{crit.node.code}: {exc}"
        stale = _stale(existing[code], versions.get(code)) if code in existing else None
        written = code in existing and existing[code].version > 0  # an empty row (evidence first) is none
        if require_versions and written and code not in versions and parsed is not None:
            if _apply(existing[code], parsed, work, dry=True):
                unversioned[code] = existing[code].version
            continue  # unchanged as sent: nothing to write
        if stale:
            if parsed is not None and not _apply(existing[code], parsed, work, dry=True):
                continue  # already stored as sent (the same form sent twice): nothing to write, no conflict
            errors[code] = stale
            stale_codes.append(code)
        elif parsed is None:
            errors[code] = problem or ""
        else:
            checked.append(parsed)
    if errors:
        raise (StaleScores if stale_codes else ValidationError)(errors)
    if unversioned:
        raise VersionRequired(unversioned)
    saved: list[Score] = []
    for c in checked:
        score = existing.get(c.crit.code) or Score(sheet=sheet, node=c.crit.node)
        if not _apply(score, c, work):
            continue
        if source is not None:
            score.source = nfc(source)
        score.updated_by = user if getattr(user, "is_authenticated", False) else None
        score.version += 1
        score._history_user = user
        score.save()
        saved.append(score)
    if saved and work == "self" and sheet.state == Sheet.State.NOT_STARTED:
        sheet.state = Sheet.State.IN_PROGRESS
        sheet._history_user = user
        sheet.save(update_fields=["state"])
    if saved:
        refresh_totals(sheet)
    return saved


def closed_message(rnd, work: str) -> str:
    """Why a work cannot be done on a round now (Vietnamese)."""
    if rnd.opens == work:
        return _(
            "Giai đoạn «{state}» đã hết hạn ngày {day}: không ghi được (chuyên viên điều phối có thể mở lại)."
        ).format(state=rnd.status_label, day=format_date(rnd.deadline_of(work)))
    return _("Đợt đánh giá đang ở giai đoạn «{state}»: việc này chưa mở hoặc đã khoá.").format(
        state=rnd.status_label
    )


def has_evidence(score: Score) -> bool:
    return score.files.exists() or score.links.exists()


@transaction.atomic
def submit(sheet: Sheet, user, *, today: dt.date | None = None) -> Sheet:
    """Submit a unit's self-assessment: every criterion scored (or not applicable, or from a survey); a
    score above zero without evidence needs a note. ValidationError lists every criterion at fault."""
    sheet = Sheet.objects.select_for_update().select_related("round__framework").get(pk=sheet.pk)
    if not permissions.can_work(user, sheet, "self"):
        raise PermissionDenied(_("Bạn không được nộp phiếu tự đánh giá này."))
    if not work_open(sheet.round, sheet, "self", today):
        raise StateConflict({"__all__": _("Giai đoạn tự đánh giá đã khoá: không nộp được.")})
    if (
        sheet.state == Sheet.State.SUBMITTED
        and sheet.submitted_at is not None
        and not sheet.scores.filter(updated_at__gt=sheet.submitted_at).exists()
    ):
        return sheet  # submitted, and nothing changed since (a double click): not submitted twice
    st = structure(sheet.round.framework)
    scores = {s.node.code: s for s in sheet.scores.select_related("node").prefetch_related("files", "links")}
    errors: dict[str, str] = {}
    for crit in st.criteria:
        s = scores.get(crit.code)
        if crit.survey:
            continue
        if s is None or (s.self_score is None and not s.not_applicable):
            errors[crit.code] = _("{code}: chưa chấm điểm.").format(code=crit.code)
        elif (s.self_score or 0) > 0 and not (s.files.all() or s.links.all()) and not s.self_note.strip():
            errors[crit.code] = _(
                "{code}: {score} điểm nhưng chưa có tài liệu kiểm chứng; đính kèm tài liệu hoặc ghi rõ lý do."
            ).format(code=crit.code, score=format_number(s.self_score))
    if errors:  # the request is fine, the sheet is not complete yet: a conflict with its state (409)
        raise StateConflict(errors)
    sheet.state = Sheet.State.SUBMITTED
    sheet.submitted_at = timezone.now()
    sheet.submitted_by = user if getattr(user, "is_authenticated", False) else None
    sheet._history_user = user
    sheet._change_reason = _("Nộp phiếu tự đánh giá")
    sheet.save()
    return refresh_totals(sheet)


@transaction.atomic
def import_scores(
    sheet: Sheet,
    user,
    stage: str,
    values: Mapping[str, float],
    *,
    source: str = "",
    reason: str = "",
) -> list[Score]:
    """Write the scores of an imported file on one sheet (``values``: criterion code → score, checked by
    ``services.imports``): the stage's score (a survey's: the self-score, see IMPORT_FIELD), the figures
    of a rule-scored criterion dropped for that stage when its score changes (they no longer give it), the
    source recorded, and — as for a typed score — the version raised, the history kept (``reason``) and
    the totals refreshed. A value equal to the stored one writes nothing."""
    sheet = Sheet.objects.select_for_update().select_related("round__framework").get(pk=sheet.pk)
    st = structure(sheet.round.framework)
    existing = {s.node.code: s for s in sheet.scores.select_related("node")}
    name = IMPORT_FIELD[stage]
    saved: list[Score] = []
    for code, value in values.items():
        score = existing.get(code) or Score(sheet=sheet, node=st.by_code[code].node)
        if getattr(score, name) == value:
            continue
        setattr(score, name, value)
        if stage in score.inputs:
            score.inputs = {k: v for k, v in score.inputs.items() if k != stage}
        if source:
            score.source = source
        score.updated_by = user if getattr(user, "is_authenticated", False) else None
        score.version += 1
        score._history_user = user
        score._change_reason = reason
        score.save()
        saved.append(score)
    if not saved:
        return saved
    sheet._history_user = user
    if stage == "self" and sheet.state == Sheet.State.NOT_STARTED:
        sheet.state = Sheet.State.IN_PROGRESS
        sheet._change_reason = reason
        sheet.save(update_fields=["state"])
    refresh_totals(sheet)
    return saved
