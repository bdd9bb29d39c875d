"""The history of a unit's sheet, as the unit reads it: every change of its scores, notes, comments and
explanations, its state (started, submitted, reopened), its evidence files and links — who, when,
before → after (``chiso.audit.changes``), newest first."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from chiso.audit.changes import HistoryEntry, history_entries, records
from chiso.core.text import format_number

from ..models import EvidenceFile, EvidenceLink, Score, Sheet
from .structure import structure

__all__ = ["import_record", "sheet_history"]

#: Bookkeeping the services keep (cached totals, versions, who saved last): shown elsewhere, not here.
HIDDEN = frozenset(
    {"self_total", "appraised_total", "final_total", "percent", "applicable_max", "rank", "klass", "version",
     "updated_by", "added_by", "uploaded_by", "submitted_by", "sha256", "content_type", "scan_status"}
)  # fmt: skip
STAGE_LABELS = {
    "self": gettext_lazy("tự đánh giá"),
    "appraisal": gettext_lazy("thẩm định"),
    "final": gettext_lazy("thẩm định lại"),
}
ALL_STAGES = frozenset(STAGE_LABELS)
#: What each later stage writes on a score (hidden while the reader may not see that stage).
STAGE_FIELDS = {
    "appraisal": frozenset({"appraised_score", "appraisal_comment"}),
    "final": frozenset({"final_score", "final_comment"}),
}
#: Links to the rows the entry is about (its label says which): not repeated as numbers.
RELATIONS = frozenset({"sheet", "node", "score", "task", "report", "round", "unit", "file", "stage"})


def _figures(value: Any, labels: dict[str, str], seen: frozenset[str] = ALL_STAGES) -> str:
    """The figures of a rule-scored criterion per stage ("tự đánh giá: Số hồ sơ đúng hạn 19; …"), of the
    stages in ``seen``."""
    if not isinstance(value, dict) or not value:
        return "—"
    parts = []
    for stage, figures in value.items():
        if stage in STAGE_LABELS and stage not in seen:
            continue
        if not isinstance(figures, dict):
            continue
        shown = "; ".join(
            f"{labels.get(k, k)} {format_number(v) if isinstance(v, int | float) else v}"
            for k, v in figures.items()
        )
        parts.append(f"{STAGE_LABELS.get(stage, stage)}: {shown or '—'}")
    return " · ".join(parts) or "—"


def sheet_history(
    sheet: Sheet, seen: frozenset[str] = ALL_STAGES, codes: frozenset[str] | None = None
) -> list[HistoryEntry]:
    """Every historical record of the sheet and of its scores and evidence, newest first; of the scores
    and comments of a stage only if it is in ``seen`` (``permissions.stages_seen`` of the reader: a unit
    does not read the appraisal in the history before it is handed to her); of the criteria in ``codes``
    only when given (``permissions.criteria_limit``: a department on the province's sheet)."""
    hidden = frozenset().union(*(names for stage, names in STAGE_FIELDS.items() if stage not in seen))
    if hidden:  # the source an appraisal import writes would tell of it
        hidden |= {"source"}
    st = structure(sheet.round.framework)
    nodes = {n.pk: n for n in st.nodes.values()}
    score_ids = list(Score.history.filter(sheet_id=sheet.pk).values_list("id", flat=True).distinct())
    node_of_score = {}
    for rec in Score.history.filter(id__in=score_ids).values("id", "node_id").distinct():
        node_of_score[rec["id"]] = rec["node_id"]
    if codes is not None:
        score_ids = [
            i for i in score_ids if (n := nodes.get(node_of_score.get(i))) is not None and n.code in codes
        ]
    labels: dict[str, str] = {}
    for c in st.criteria:
        if c.rule is not None:
            labels.update({i.code: i.label_for(get_language()) for i in c.rule.inputs})
            labels.update({ch.code: ch.label_for(get_language()) for ch in c.rule.choices})

    def node_of(score_id: int):
        return nodes.get(node_of_score.get(score_id))

    def label(model, rec) -> str:
        if model is Sheet:
            return sheet.unit.short_name
        if model is Score:
            node = nodes.get(rec.node_id)
            return f"{node.code} {node.label_for(get_language())}" if node else str(rec.node_id)
        node = node_of(rec.score_id)
        prefix = f"{node.code}: " if node else ""
        return prefix + (rec.name if model is EvidenceFile else rec.label)

    def shown(name: str, old: tuple, new: tuple) -> tuple[str, str]:
        if name in HIDDEN or name in RELATIONS or name in hidden:
            return "", ""
        if name == "inputs":
            return _figures(old[0], labels, seen), _figures(new[0], labels, seen)
        return old[1], new[1]

    sources = [
        (_("Phiếu chấm điểm"), Sheet, records(Sheet, id=sheet.pk)),
        (_("Điểm tiêu chí"), Score, records(Score, sheet_id=sheet.pk, id__in=score_ids)),
        (_("Tệp kiểm chứng"), EvidenceFile, records(EvidenceFile, score_id__in=score_ids)),
        (_("Liên kết kiểm chứng"), EvidenceLink, records(EvidenceLink, score_id__in=score_ids)),
    ]
    entries = history_entries(
        sources, label, {sheet.unit_id: sheet.unit.short_name}, shown=shown, initial=True
    )
    if hidden:  # an appraiser's save or import leaves nothing the reader may see: not even its reason
        entries = [e for e in entries if not (e.what == sources[1][0] and e.kind == "~" and not e.changes)]
    return entries


#: The score of each stage (a survey's is the self-score).
_STAGE_SCORE = {"self": "self_score", "appraisal": "appraised_score", "final": "final_score"}


def import_record(score: Score, seen: frozenset[str] = ALL_STAGES) -> HistoryEntry | None:
    """The latest import from a file that changed this score at a stage in ``seen``: who, when, and the
    reason naming the file and its SHA-256 (``services.imports.import_reason``); None if none did."""
    fields = [_STAGE_SCORE[s] for s in ALL_STAGES if s in seen]
    for rec in Score.history.filter(id=score.pk).order_by("-history_date", "-history_id"):
        if "SHA-256" not in (rec.history_change_reason or ""):
            continue
        prev = rec.prev_record
        changed = {
            name
            for name in _STAGE_SCORE.values()
            if (getattr(rec, name) is not None if prev is None else getattr(prev, name) != getattr(rec, name))
        }
        if changed and changed <= set(fields):
            user = rec.history_user
            who = (user.get_full_name() or user.username) if user is not None else _("máy chủ")
            return HistoryEntry(
                when=rec.history_date, who=who, what="", obj="", kind="~", reason=rec.history_change_reason
            )
    return None
