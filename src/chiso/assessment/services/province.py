"""A round on the province itself: its self-assessment on the national PAR INDEX (issue 8, point 7).

The ministry scores a province on an **appraisal part** — criteria the province self-scores with evidence,
which the ministry appraises — and on **carried parts** it measures itself: the survey blocks (SIPAS, the
survey of leaders and managers) and the socio-economic block (``CARRIED_KINDS``; a node's kind is its own
``source_kind`` or its nearest ancestor's). The province's coordinators keep the province's sheet; each
criterion of the appraisal part is the work of the departments that lead and coordinate it in the
province's responsibility map (``plans.services.library``):

- ``assign_departments(rnd, user)`` — a Proposal row per criterion and department (lead, coordinating) from
  the map (the criterion's entry, else its nearest ancestor's); the criteria nobody answers for are listed;
- ``propose(rnd, user, unit, code, entry)`` — a department proposes its score (typed, or figures of a
  rule-scored criterion) and a note, by the rules of the self-assessment (``sheets``), while it is open;
- ``add_evidence(score, user, upload)`` — a department, or a coordinator, adds a document to the province's
  score of a criterion (the upload checks of ``chiso.files``);
- ``consolidate(rnd, user, code, proposal=… | entry=…)`` — the coordinator sets the province's self-score
  from a chosen proposal or her own value: ``sheets.save`` with all its rules (bounds, step, phase, stale
  form, history);
- ``forecast(rnd)`` — the official total forecast as a range (the rule in ``forecast``'s docstring; the
  result says in words which rule it applied);
- ``import_ministry_appraisal(rnd, user, entries, source)`` — the ministry's appraisal recorded as the
  round's ``appraisal`` (or re-appraisal ``final``) stage, with its source (a minimal importer: the file
  import of scores is ``services.imports``'s);
- ``differences(rnd)`` — per criterion: self-score, the ministry's score, the difference, its comment and
  the departments responsible;
- ``lost_rows(rnd)`` / ``add_lost_to_plan(rnd, plan, user)`` — the criteria where points were lost, as rows
  of a plan's shortcomings appendix (``plans.services.drafting.shortcomings_rows``' shape), written into a
  plan through ``plans.services.plans.save_shortcoming``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chiso.core.framework import SURVEY_SOURCE_KINDS
from chiso.core.scoring import InputError, totals
from chiso.core.text import format_number, vi_sort_key
from chiso.files.checks import UploadRejected, check_upload, store
from chiso.units.models import Unit
from chiso.validation import StateConflict

from .. import permissions
from ..models import EvidenceFile, Proposal, Round, Score, Sheet
from .rounds import work_open
from .sheets import _parse_entry as parse_entry
from .sheets import closed_message, effective, save
from .structure import Criterion, Structure, structure

__all__ = [
    "CARRIED_KINDS",
    "DEFAULT_RATIO",
    "Assigned",
    "Difference",
    "Forecast",
    "add_evidence",
    "add_lost_to_plan",
    "appraisal_criteria",
    "assign_departments",
    "consolidate",
    "differences",
    "forecast",
    "import_ministry_appraisal",
    "lost_rows",
    "propose",
]

#: Parts of the index the ministry measures itself: carried into the forecast, never self-scored.
CARRIED_KINDS = (*SURVEY_SOURCE_KINDS, "socioeconomic")
#: When the province has no appraisal of its own last year: the one published pair of a self-assessed total
#: and its appraisal found (Nam Định 2020, departments: self 64,75, appraised 62,62 —
#: shared/spec/notes/INTERNAL-INDEX-FRAMEWORKS.md §5).
DEFAULT_RATIO = 62.62 / 64.75
DEFAULT_RATIO_SOURCE = "bằng tỷ lệ của khối sở Nam Định 2020: được thẩm định 62,62 trên 64,75 điểm tự chấm"
#: How many years back the carried blocks are looked for.
LOOKBACK = 3


# --------------------------------------------------------------------------- the parts of the index


def _kinds(st: Structure) -> dict[str, str | None]:
    """Every node's kind of score: its own ``source_kind``, else its nearest ancestor's ("mixed" = none)."""
    by_pk = {n.pk: n for n in st.nodes.values()}
    out: dict[str, str | None] = {}
    for code, node in st.nodes.items():
        cur, kind = node, None
        while cur is not None and kind is None:
            kind = cur.source_kind if cur.source_kind and cur.source_kind != "mixed" else None
            cur = by_pk.get(cur.parent_id) if cur.parent_id else None
        out[code] = kind
    return out


def appraisal_criteria(st: Structure) -> list[Criterion]:
    """The criteria the province self-scores and the ministry appraises (the carried parts left out)."""
    kinds = _kinds(st)
    return [c for c in st.criteria if kinds[c.code] not in CARRIED_KINDS]


def _carried_criteria(st: Structure) -> list[Criterion]:
    kinds = _kinds(st)
    return [c for c in st.criteria if kinds[c.code] in CARRIED_KINDS]


def _province_round(rnd: Round) -> Sheet:
    """The province's sheet of a round on the province itself (ValidationError for any other round)."""
    sheet = rnd.sheets.select_related("unit", "round__framework").filter(unit=rnd.province).first()
    if rnd.scope != Round.Scope.PROVINCE or sheet is None:
        raise ValidationError({"round": _("Chỉ đợt tự đánh giá của chính tỉnh mới có việc này.")})
    return sheet


def _criterion(st: Structure, code: str) -> Criterion:
    crit = st.by_code.get(code)
    if crit is None:
        raise ValidationError({code: _("Không có tiêu chí “{code}” trong bộ chỉ số.").format(code=code)})
    return crit


# --------------------------------------------------------------------------- departments


def _coordinating(entry) -> list[Unit]:
    """A map entry's coordinating units (not its lead), in Vietnamese order of their names."""
    units = [u for u in entry.coordinating_units.all() if u.pk != entry.lead_unit_id]
    return sorted(units, key=lambda u: vi_sort_key(u.short_name))


@dataclass
class Assigned:
    """Who proposes each criterion's score (lead first), and the criteria nobody answers for."""

    proposals: dict[str, list[Proposal]] = field(default_factory=dict)
    unassigned: list[Criterion] = field(default_factory=list)


@transaction.atomic
def assign_departments(rnd: Round, user) -> Assigned:
    """Give every criterion of the appraisal part to its lead and coordinating departments (the map's entry
    for it, else its nearest ancestor's). Existing proposals are kept; a department the map no longer names
    keeps its proposal (the coordinator may still use it). Run again after the map changes."""
    from chiso.plans.services.library import framework_parents, lookup_responsibility, responsibility_map

    sheet = _province_round(rnd)
    if not permissions.can_run(user, rnd):
        raise PermissionDenied(_("Chỉ chuyên viên điều phối của tỉnh phân công được các sở."))
    st = structure(rnd.framework)
    entries = responsibility_map(rnd.province, rnd.framework.index.code)
    parents = framework_parents(rnd.framework)
    scores = {s.node.code: s for s in sheet.scores.select_related("node")}
    out = Assigned()
    for crit in appraisal_criteria(st):
        entry = lookup_responsibility(entries, [crit.code], parents)
        units: list[tuple[Unit, bool]] = []
        if entry is not None:
            units = [(entry.lead_unit, True)] if entry.lead_unit else []
            units += [(u, False) for u in _coordinating(entry)]
        if not units:
            out.unassigned.append(crit)
            continue
        score = scores.get(crit.code)
        if score is None:
            score = Score(sheet=sheet, node=crit.node)
            score._history_user = user
            score.save()
        for unit, lead in units:
            proposal = Proposal.objects.filter(score=score, unit=unit).first()
            if proposal is None or proposal.lead != lead:
                proposal = proposal or Proposal(score=score, unit=unit)
                proposal.lead = lead
                proposal._history_user = user
                proposal.save()
        out.proposals[crit.code] = list(score.proposals.select_related("unit").order_by("-lead", "pk"))
    return out


@transaction.atomic
def propose(
    rnd: Round, user, unit: Unit, code: str, entry: dict[str, Any], *, today: dt.date | None = None
) -> Proposal:
    """A department's proposed score of one criterion (``{"score": …}`` or ``{"inputs": {…}}``, and
    ``"note"``), checked as a self-score is, while the self-assessment is open."""
    sheet = _province_round(rnd)
    proposal = (
        Proposal.objects.select_for_update()
        .filter(score__sheet=sheet, score__node__code=code, unit=unit)
        .first()
    )
    if proposal is None:
        raise ValidationError(
            {
                code: _("{unit} không được phân công đề xuất điểm tiêu chí {code}.").format(
                    unit=unit, code=code
                )
            }
        )
    if not permissions.can_propose(user, proposal):
        raise PermissionDenied(_("Chỉ cán bộ của {unit} đề xuất được điểm này.").format(unit=unit))
    if not work_open(rnd, sheet, "self", today):
        raise StateConflict({"__all__": closed_message(rnd, "self")})
    crit = _criterion(structure(rnd.framework), code)
    try:
        checked = parse_entry(crit, "self", entry, rnd.framework.precision)
    except (InputError, ValueError) as exc:
        raise ValidationError({code: f"{code}: {exc}"}) from exc
    score = None if checked.score is None else round(checked.score, rnd.framework.precision)
    proposal.proposed_score = score
    proposal.note = checked.note if checked.note is not None else proposal.note
    proposal.updated_by = user if getattr(user, "is_authenticated", False) else None
    proposal._history_user = user
    proposal.save()
    return proposal


@transaction.atomic
def add_evidence(score: Score, user, upload, *, today: dt.date | None = None) -> EvidenceFile:
    """A document given as evidence of the province's score on a criterion, by a department assigned to
    it or a coordinator, while the province self-assesses or explains."""
    sheet = _province_round(score.sheet.round)
    if score.sheet_id != sheet.pk:
        raise ValidationError({"score": _("Điểm này không thuộc phiếu của tỉnh.")})
    rnd = sheet.round
    work = "explanation" if rnd.opens == "explanation" else "self"
    allowed = permissions.can_work(user, sheet, work) or any(
        permissions.can_propose(user, p) for p in score.proposals.all()
    )
    if not allowed:
        raise PermissionDenied(_("Bạn không được thêm tài liệu kiểm chứng cho tiêu chí này."))
    if not work_open(rnd, sheet, work, today):
        raise StateConflict({"__all__": closed_message(rnd, work)})
    try:
        checked = check_upload(upload)
    except UploadRejected as exc:
        raise ValidationError({"file": str(exc)}) from exc
    return store(EvidenceFile, checked, user, score=score, stage=work)


def consolidate(
    rnd: Round,
    user,
    code: str,
    *,
    proposal: Proposal | None = None,
    entry: dict[str, Any] | None = None,
    versions: dict[str, int] | None = None,
    require_versions: bool = False,
    today: dt.date | None = None,
    note: str = "",
) -> list[Score]:
    """Set the province's self-score of ``code`` from a department's proposal or from the coordinator's
    own ``entry`` (as in ``sheets.save``), by every rule of ``sheets.save``. ``note``: the coordinator's
    words added to a chosen proposal's."""
    sheet = _province_round(rnd)
    if (proposal is None) == (entry is None):
        raise ValidationError({code: _("Chọn một đề xuất hoặc nhập điểm của tỉnh.")})
    if proposal is not None:
        if proposal.score.sheet_id != sheet.pk or proposal.score.node.code != code:
            raise ValidationError({code: _("Đề xuất này không thuộc tiêu chí {code}.").format(code=code)})
        if proposal.proposed_score is None:
            raise ValidationError({code: _("{unit} chưa đề xuất điểm.").format(unit=proposal.unit)})
        taken = _("Theo đề xuất của {unit}.").format(unit=proposal.unit)
        said = " ".join(t for t in (proposal.note.strip(), (note or "").strip()) if t)
        entry = {"score": proposal.proposed_score, "note": f"{taken} {said}".strip()}
    assert entry is not None
    return save(
        sheet, user, "self", {code: entry}, versions=versions, require_versions=require_versions, today=today
    )


# --------------------------------------------------------------------------- the ministry's appraisal


def import_ministry_appraisal(
    rnd: Round,
    user,
    entries: dict[str, dict[str, Any]],
    *,
    source: str,
    stage: str = "appraisal",
    today: dt.date | None = None,
) -> list[Score]:
    """Record the ministry's appraisal (``stage`` "appraisal") or re-appraisal ("final"): per criterion
    ``{"score": …, "note": the ministry's comment}``, all or nothing, with ``source`` (e.g. "Bộ Nội vụ,
    Hệ thống đánh giá CCHC, 15/03/2026") kept on each score."""
    sheet = _province_round(rnd)
    if stage not in ("appraisal", "final"):
        raise ValidationError({"stage": _("Chọn thẩm định hoặc thẩm định lại.")})
    if not (source or "").strip():
        raise ValidationError({"source": _("Ghi rõ nguồn kết quả thẩm định (văn bản, hệ thống, ngày).")})
    return save(sheet, user, stage, entries, today=today, source=source.strip())


def _official(score: Score) -> float | None:
    """The ministry's score: re-appraised, else appraised (None when the ministry gave none yet)."""
    return score.final_score if score.final_score is not None else score.appraised_score


@dataclass
class Difference:
    criterion: Criterion
    maximum: float | None
    self_score: float | None
    official: float | None
    comment: str
    responsible: list[Unit]
    responsible_text: str

    @property
    def difference(self) -> float | None:
        if self.official is None or self.self_score is None:
            return None
        return self.official - self.self_score


def _responsible(rnd: Round, st: Structure, score: Score | None, crit: Criterion) -> tuple[list[Unit], str]:
    """The departments answering for a criterion: its proposals (lead first), else the responsibility map."""
    if score is not None:
        units = [p.unit for p in sorted(score.proposals.all(), key=lambda p: (not p.lead, p.pk))]
        if units:
            return units, ""
    from chiso.plans.services.library import framework_parents, lookup_responsibility, responsibility_map

    entry = lookup_responsibility(
        responsibility_map(rnd.province, rnd.framework.index.code),
        [crit.code],
        framework_parents(rnd.framework),
    )
    if entry is None:
        return [], ""
    units = ([entry.lead_unit] if entry.lead_unit else []) + _coordinating(entry)
    return units, entry.lead_text


def differences(rnd: Round) -> list[Difference]:
    """Every criterion of the appraisal part the ministry scored: self-score, the ministry's score, the
    difference and the comment, with the departments answering for it, in the framework's order."""
    sheet = _province_round(rnd)
    st = structure(rnd.framework)
    scores = {s.node.code: s for s in sheet.scores.select_related("node").prefetch_related("proposals__unit")}
    out = []
    for crit in appraisal_criteria(st):
        s = scores.get(crit.code)
        if s is None or _official(s) is None:
            continue
        units, text = _responsible(rnd, st, s, crit)
        out.append(
            Difference(
                criterion=crit,
                maximum=crit.node.max_score,
                self_score=s.self_score,
                official=_official(s),
                comment=(s.final_comment if s.final_score is not None else "") or s.appraisal_comment,
                responsible=units,
                responsible_text=text,
            )
        )
    return out


def lost_rows(rnd: Round) -> list[dict]:
    """The criteria where the ministry's score is below the maximum, as rows of a plan's shortcomings
    appendix (the keys of ``plans.services.drafting.shortcomings_rows``, and a note saying what the
    appraisal cut from the self-score and why)."""
    rows = []
    for d in differences(rnd):
        if d.maximum is None or d.official is None or d.official >= d.maximum:
            continue
        note = ""
        if d.difference is not None and d.difference < 0:
            note = _(
                "Tự đánh giá {self} điểm; Bộ Nội vụ thẩm định {official} điểm (giảm {cut} điểm)."
            ).format(
                self=format_number(d.self_score),
                official=format_number(d.official),
                cut=format_number(-d.difference),
            )
            if d.comment:
                note += " " + d.comment
        rows.append(
            {
                "index": rnd.framework.index.code,
                "node_code": d.criterion.code,
                "node_name": d.criterion.node.name_vi,
                "achieved": d.official,
                "maximum": d.maximum,
                "lost": d.maximum - d.official,
                "responsible_units": d.responsible,
                "responsible_text": d.responsible_text,
                "note": note,
            }
        )
    return rows


@transaction.atomic
def add_lost_to_plan(rnd: Round, plan, user) -> list:
    """Write the lost points of the ministry's appraisal into ``plan``'s shortcomings appendix: a row per
    criterion, updating the plan's row of the same index and criterion when there is one (every rule and
    permission of ``save_shortcoming``)."""
    from chiso.plans.services.plans import save_shortcoming

    existing = {(r.index, r.node_code): r for r in plan.shortcomings.all()}
    out = []
    for row in lost_rows(rnd):
        data = {k: v for k, v in row.items() if k != "lost"}
        out.append(save_shortcoming(plan, user, data, existing.get((row["index"], row["node_code"]))))
    return out


# --------------------------------------------------------------------------- the forecast


@dataclass
class CarriedBlock:
    """A part the ministry measures, carried into the forecast: its range and where it comes from."""

    criterion: Criterion
    low: float | None
    high: float | None
    source: str


@dataclass
class Forecast:
    """The official total forecast: ``low``–``high`` out of ``maximum``; ``appraisal_*`` the appraisal
    part (self-assessed, and its low end after the expected cut); ``method`` the rule applied, in words."""

    low: float
    high: float
    maximum: float | None
    appraisal_low: float
    appraisal_high: float
    ratio: float
    blocks: list[CarriedBlock]
    missing: list[str]
    method: str


def _previous_ratio(rnd: Round) -> tuple[float, str] | None:
    """Last year's appraised / self-assessed appraisal part of the province's own round, when known."""
    prev = (
        Round.objects.filter(
            province=rnd.province,
            scope=Round.Scope.PROVINCE,
            framework__index=rnd.framework.index,
            year=rnd.year - 1,
        )
        .select_related("framework")
        .first()
    )
    if prev is None:
        return None
    sheet = prev.sheets.filter(unit=rnd.province).first()
    if sheet is None:
        return None
    codes = {c.code for c in appraisal_criteria(structure(prev.framework))}
    mine = theirs = 0.0
    for s in sheet.scores.select_related("node").filter(node__code__in=codes):
        if s.self_score is not None and _official(s) is not None and s.self_score > 0:
            mine += s.self_score
            theirs += _official(s) or 0.0
    if mine <= 0:
        return None
    return theirs / mine, _("bằng tỷ lệ của đợt tự đánh giá năm {year} của tỉnh").format(year=prev.year)


def _node_value(ctx, unit_pk: int, crit: Criterion, kind: str | None) -> float | None:
    derived = ctx.derived.units.get(unit_pk)
    if derived is None:
        return None
    code = crit.code
    if code not in ctx.nodes:
        same = [c for c, n in ctx.nodes.items() if n.source_kind == kind]
        if len(same) != 1:
            return None
        code = same[0]
    nv = derived.nodes.get(code)
    return nv.value if nv is not None else None


def _carried(rnd: Round, st: Structure, crit: Criterion, score: Score | None, lookback: int) -> CarriedBlock:
    """This round's imported score if there is one, else the province's published values of the last
    ``lookback`` years (its own, or those of the provinces it was formed from), else every province's
    values of the latest year that has some."""
    from chiso.analysis.services import year_figures
    from chiso.units.lineage import carried_units

    value = effective(score, "final") if score is not None else None
    if value is not None:
        return CarriedBlock(crit, value, value, score.source or _("điểm của đợt này"))
    index, kind = rnd.framework.index.code, _kinds(st)[crit.code]
    found: list[tuple[str, int, float]] = []
    for year in range(rnd.year - 1, rnd.year - 1 - lookback, -1):
        ctx = year_figures(index, year)
        if ctx is None:
            continue
        for unit in carried_units(rnd.province, year):
            v = _node_value(ctx, unit.pk, crit, kind)
            if v is not None:
                found.append((unit.short_name, year, v))
    if found:
        values = [v for _n, _y, v in found]
        where = "; ".join(f"{n} {y}: {format_number(v)}" for n, y, v in found)
        return CarriedBlock(crit, min(values), max(values), where)
    for year in range(rnd.year - 1, rnd.year - 11, -1):
        ctx = year_figures(index, year)
        if ctx is None:
            continue
        values = [v for pk in ctx.derived.units if (v := _node_value(ctx, pk, crit, kind)) is not None]
        if values:
            return CarriedBlock(
                crit,
                min(values),
                max(values),
                _("chưa có số liệu của tỉnh; khoảng điểm của {n} tỉnh đã công bố năm {year}").format(
                    n=len(values), year=year
                ),
            )
    return CarriedBlock(crit, None, None, _("chưa có số liệu"))


def forecast(rnd: Round, *, ratio: float | None = None, lookback: int = LOOKBACK) -> Forecast:
    """The official total forecast, as a range. The rule (the province's choice, said in ``method``):

    - the appraisal part: at best the ministry accepts the self-assessment as it is (high); at worst it
      cuts as much as it did last year — the ratio appraised / self-assessed of the province's own round of
      last year, else ``DEFAULT_RATIO`` (low); ``ratio`` overrides both. Once the ministry's appraisal is
      recorded, its scores are used as they are;
    - each carried part (surveys, socio-economic): this round's score when imported, else the lowest and
      highest value the province (or the provinces it was formed from) got in the last ``lookback`` years'
      published results, else the range of every province's values in the latest year published;
    - the totals add up as the framework says (caps included); criteria not scored yet count 0 (listed in
      ``missing``)."""
    sheet = _province_round(rnd)
    st = structure(rnd.framework)
    scores = {s.node.code: s for s in sheet.scores.select_related("node")}
    own = appraisal_criteria(st)
    appraised = any(s.appraised_score is not None or s.final_score is not None for s in scores.values())
    if appraised:
        ratio, ratio_source = 1.0, _("kết quả thẩm định của Bộ Nội vụ đã nhập")
    elif ratio is not None:
        ratio_source = _("theo tỷ lệ chuyên viên chọn")
    else:
        ratio, ratio_source = _previous_ratio(rnd) or (DEFAULT_RATIO, DEFAULT_RATIO_SOURCE)
    stage = "final" if appraised else "self"
    high: dict[str, float] = {}
    missing = []
    for crit in own:
        s = scores.get(crit.code)
        v = effective(s, stage) if s is not None else None
        if v is None and not (s is not None and s.not_applicable):
            missing.append(crit.code)
        if v is not None:
            high[crit.code] = v
    low = {c: (v * ratio if v > 0 else v) for c, v in high.items()}
    blocks = [_carried(rnd, st, c, scores.get(c.code), lookback) for c in _carried_criteria(st)]
    for b in blocks:
        if b.low is not None and b.high is not None:
            low[b.criterion.code], high[b.criterion.code] = b.low, b.high
    na = {c for c, s in scores.items() if s.not_applicable}
    total_low, total_high = totals(st.items, low, na), totals(st.items, high, na)
    own_high = sum(high.get(c.code, 0.0) for c in own)
    own_low = sum(low.get(c.code, 0.0) for c in own)
    # Plain sentences, no brackets inside brackets: "Phần thẩm định: …. Chỉ số SIPAS: 8,5–9 — Kon Tum 2023: 8,5."
    if appraised:
        parts = [
            _("Phần thẩm định: điểm Bộ Nội vụ đã thẩm định, tổng {high} điểm.").format(
                high=format_number(own_high)
            )
        ]
    else:
        parts = [
            _(
                "Phần thẩm định: cao nhất {high} điểm nếu Bộ Nội vụ giữ nguyên điểm tự đánh giá; thấp nhất "
                "{low} điểm nếu Bộ chỉ công nhận {ratio} % số điểm đó, {source}."
            ).format(
                high=format_number(own_high),
                low=format_number(own_low),
                ratio=format_number(100 * ratio, 2),
                source=ratio_source,
            )
        ]
    for b in blocks:
        if b.low is None:
            parts.append(_("{name}: chưa có số liệu.").format(name=b.criterion.node.name_vi))
            continue
        span = format_number(b.low) if b.low == b.high else f"{format_number(b.low)}–{format_number(b.high)}"
        parts.append(f"{b.criterion.node.name_vi}: {span} — {b.source}.")
    return Forecast(
        low=total_low.total,
        high=total_high.total,
        maximum=st.nodes[st.root].max_score,
        appraisal_low=sum(low.get(c.code, 0.0) for c in own),
        appraisal_high=sum(high.get(c.code, 0.0) for c in own),
        ratio=ratio,
        blocks=blocks,
        missing=missing,
        method=" ".join(parts),
    )
