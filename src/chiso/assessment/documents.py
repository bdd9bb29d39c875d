"""The official documents of an assessment round (Nghị định 30/2020/NĐ-CP), DOCX and PDF from one content:

- ``decision_document(round)`` — the decision of the province's People's Committee announcing the results
  ("QUYẾT ĐỊNH Công bố Chỉ số … năm YYYY của các sở, ban, ngành …"), in the shape of Kon Tum 35/QĐ-UBND
  (27/01/2023) and Quảng Nam 617/QĐ-UBND (29/3/2023): the authority, the "Căn cứ …" lines of the province's
  wording, "QUYẾT ĐỊNH:", Điều 1 (the results, with the classes counted), Điều 2 (what units do with them),
  Điều 3 (who executes it), "Nơi nhận", the signature, and the ranking as a landscape appendix ordered by
  rank. It is drafted without a number or a date, to be filled in when it is signed.
- ``score_report_document(sheet, user)`` — a unit's "BÁO CÁO" of its scores: the totals, percent, rank and
  class, a table by field, and the whole sheet (every field, criterion and sub-criterion: maximum, self,
  appraised, final score and notes) as an appendix.
- ``explanation_document(sheet, user)`` — the explanation form (biểu mẫu giải trình): a công văn of the unit
  to the coordinating department listing the criteria whose appraised score is below the self-score, with
  both scores, the appraiser's comment and the unit's explanation (blank lines to fill in by hand when none
  is written yet), for the unit to sign.

What a user sees of the appraisal follows ``permissions.sees_stage``; the wording (issuing bodies, symbols,
signers, recipients, legal bases) comes from the province's layout (``documents.services.wording_for``).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from django.utils import timezone

from chiso.core.scoring import Totals
from chiso.core.text import fold, format_date, format_number, nfc, strip_admin_prefix
from chiso.documents import wording as w
from chiso.documents.model import Appendix, OfficialDocument, Paragraph, Signer, Table, Wording
from chiso.documents.services import FORMATS, render, wording_for
from chiso.frameworks.models import Node
from chiso.units.models import Unit
from chiso.units.services import province_of

from . import permissions
from .models import Round, Score, Sheet
from .services.results import UnitResult, summary
from .services.sheets import effective, sheet_totals
from .services.structure import Structure, structure

__all__ = [
    "FORMATS",
    "decision_document",
    "decision_filename",
    "explanation_document",
    "explanation_filename",
    "render_decision",
    "render_explanation",
    "render_score_report",
    "score_report_document",
    "score_report_filename",
]

#: How the decision names the units of a round of each scope (documents are always in Vietnamese).
SCOPE_WORDS = {
    Round.Scope.DEPARTMENT: "các sở, ban, ngành thuộc tỉnh",
    Round.Scope.COMMUNE: "Ủy ban nhân dân các xã, phường thuộc tỉnh",
}
#: Who executes the decision (Điều 3), besides the chief of the committee's office and the coordinating
#: department's director.
SCOPE_EXECUTORS = {
    Round.Scope.DEPARTMENT: "Thủ trưởng các sở, ban, ngành thuộc tỉnh",
    Round.Scope.COMMUNE: "Chủ tịch Ủy ban nhân dân các xã, phường",
}
#: Words an index's name may end with that the decision says itself ("… của các sở, ban, ngành").
_SCOPE_TAILS = {fold(t) for t in ("các sở, ban, ngành", "các sở, ngành", "sở, ban, ngành", "các xã, phường",
                                  "Ủy ban nhân dân các xã, phường", "UBND các xã, phường", "cấp xã", "cấp sở")}  # fmt: skip
#: Stage → column heading of the score tables.
STAGE_HEADINGS = {"self": "Tự đánh giá", "appraisal": "Thẩm định", "final": "Điểm cuối cùng"}
#: Blank lines left in the explanation column of the form when the unit has not written it yet.
BLANK_EXPLANATION = "\n\n\n"


# --- shared ---------------------------------------------------------------------------------------


def _points(value: float | None, precision: int) -> str:
    return "" if value is None else format_number(round(float(value), precision))


def _percent(value: float | None) -> str:
    return "" if value is None else format_number(value, 2)


def place_of(unit: Unit) -> str:
    """The place name of a unit's documents: a People's Committee's own name ("Đăk Hà"), a department's
    province ("Quảng Ngãi")."""
    own = unit if w.is_local_government(unit) else province_of(unit)
    return strip_admin_prefix(own.name) or own.name


def index_subject(rnd: Round) -> str:
    """The index as a decision names it before the year: "Chỉ số cải cách hành chính" (the unit group its
    name may end with is said after the year)."""
    index = rnd.framework.index
    name = nfc(index.name_vi or index.label or index.code).strip()
    for space in re.finditer(r"\s", name):
        rest = fold(name[space.start() :])
        if rest.removeprefix("cua ") in _SCOPE_TAILS:
            return name[: space.start()].rstrip(" ,;-")
    return name


def round_subject(rnd: Round) -> str:
    """ "Chỉ số cải cách hành chính năm 2025 của các sở, ban, ngành thuộc tỉnh"."""
    words = SCOPE_WORDS.get(Round.Scope(rnd.scope))
    text = f"{index_subject(rnd)} năm {rnd.year}"
    return f"{text} của {words}" if words else text


def _draft(unit: Unit, wording: Wording, **content) -> OfficialDocument:
    """A document of ``unit`` to be numbered, dated and signed by its head: its header (superior body and
    name), its place, the signature block of its wording, and ``content``."""
    parent_body, issuer = w.issuer_lines(unit, wording)
    return OfficialDocument(
        parent_body=parent_body,
        issuer=issuer,
        place=place_of(unit),
        date=None,
        signer=Signer(wording.signer_authority, wording.signer_title, ""),
        **content,
    )


def _count(n: int) -> str:
    """Counts below ten written with a leading zero, as official documents do ("03 đơn vị")."""
    return f"{n:02d}"


# --- the decision ----------------------------------------------------------------------------------


def _bases(bases, coordinating_agency: str) -> list[Paragraph]:
    """The "Căn cứ …" lines (italic, one per line, ending ";") and "Theo đề nghị của …" ending with "."."""
    lines = [nfc(b).strip().rstrip(";.,") for b in bases if b and b.strip()]
    lines.append(f"Theo đề nghị của Giám đốc {coordinating_agency}")
    return [
        Paragraph(w.esc(line) + ("." if i == len(lines) - 1 else ";"), italic=True)
        for i, line in enumerate(lines)
    ]


def _class_sentence(results: list[UnitResult]) -> str:
    """ "Có 03 đơn vị được đánh giá: 01 đơn vị xếp loại Xuất sắc, 02 đơn vị xếp loại Tốt; đơn vị có Chỉ số cao
    nhất là Sở Tư pháp (95,21%), thấp nhất là Sở Y tế (71,30%)."."""
    ranked = [r for r in results if r.rank is not None]
    if not ranked:
        return "Chưa có đơn vị nào có kết quả đánh giá."
    classes = Counter(r.klass for r in ranked if r.klass)
    text = f"Có {_count(len(ranked))} đơn vị được đánh giá"
    if classes:
        order = list(dict.fromkeys(r.klass for r in ranked if r.klass))  # best class first
        text += ": " + ", ".join(f"{_count(classes[k])} đơn vị xếp loại {w.esc(k)}" for k in order)
    best, worst = ranked[0], ranked[-1]
    text += f"; đơn vị có Chỉ số cao nhất là {w.esc(w.unit_full_name(best.unit))} ({_percent(best.percent)}%)"
    if worst.sheet.pk != best.sheet.pk:
        text += f", thấp nhất là {w.esc(w.unit_full_name(worst.unit))} ({_percent(worst.percent)}%)"
    return text + "."


def appraisal_handed_over(rnd: Round) -> bool:
    """Has the round's appraisal been handed over (explanation, re-appraisal, or published)?"""
    return rnd.opens in permissions.APPRAISAL_SHOWN_DURING or rnd.workflow().state(rnd.status).public


def _ranking_table(rnd: Round, results: list[UnitResult]) -> Table:
    """The ranking, best first. Once the appraisal is handed over, a unit whose scores the appraisers left
    as they were has the self-score as its appraised score, and that as its final one."""
    precision, done = rnd.framework.precision, appraisal_handed_over(rnd)
    rows = []
    for i, r in enumerate(results, start=1):
        appraised_total = r.appraised_total if r.appraised_total is not None or not done else r.self_total
        final_total = r.final_total if r.final_total is not None or not done else appraised_total
        rows.append(
            [
                str(i),
                w.esc(w.unit_full_name(r.unit)),
                _points(r.self_total, precision),
                _points(appraised_total, precision),
                _points(final_total, precision),
                _percent(r.percent),
                str(r.rank) if r.rank is not None else "",
                # a unit nobody scored is listed (it was in the round) but not ranked: say so, or its row
                # would read as the last place
                w.esc(r.klass) if r.rank is not None else "Không xếp hạng (chưa có điểm)",
            ]
        )
    return Table(
        columns=[
            "STT",
            "Cơ quan, đơn vị",
            "Điểm tự đánh giá",
            "Điểm thẩm định",
            "Điểm cuối cùng",
            "Chỉ số (%)",
            "Xếp hạng",
            "Xếp loại",
        ],
        rows=rows,
        widths=[5, 36, 11, 11, 11, 10, 8, 11],
        number_columns={0, 2, 3, 4, 5, 6},
    )


def decision_document(rnd: Round, results: list[UnitResult] | None = None) -> OfficialDocument:
    """The draft decision announcing a round's results (see the module). ValueError for a round on the
    province itself: its results are the ministry's to announce."""
    if rnd.scope not in SCOPE_WORDS:
        raise ValueError("a round on the province itself has no decision announcing its results")
    province = rnd.province
    wording = wording_for(province, "decision")
    issuer = w.issuer_lines(province, wording)[1]
    results = summary(rnd) if results is None else results
    subject = round_subject(rnd)
    body = w.body_name(province)
    # The authority printed above "Căn cứ": the committee when its members sign for it ("TM. …"), its
    # chairman otherwise (Kon Tum 221/QĐ-UBND, "Chủ tịch UBND tỉnh … ban hành").
    collective = fold(wording.signer_authority).split()[:1] == ["tm"]
    authority = issuer if collective else f"CHỦ TỊCH {issuer}"
    reference = (
        f"Quyết định số {w.number_ref('', wording.decision_symbol)} {w.date_words(None, timezone.localdate().year)} "
        f"của {w.body_name(province, full=True)}"
    )
    executors = SCOPE_EXECUTORS[Round.Scope(rnd.scope)]
    blocks = [
        Paragraph(authority, indent_first=False, bold=True, align="center"),
        *_bases(wording.decision_bases, wording.coordinating_agency),
        Paragraph("QUYẾT ĐỊNH:", indent_first=False, bold=True, align="center"),
        Paragraph(f"**Điều 1.** Công bố {w.esc(subject)} (chi tiết tại Phụ lục kèm theo Quyết định này)."),
        Paragraph(_class_sentence(results)),
        Paragraph(
            f"**Điều 2.** Căn cứ kết quả {w.esc(index_subject(rnd))} năm {rnd.year}, {w.lower_first(executors)} "
            "tổ chức quán triệt đến cán bộ, công chức, viên chức, người lao động thuộc phạm vi "
            "quản lý; phát huy kết quả đạt được, khắc phục những tồn tại, hạn chế và đề ra giải pháp cải thiện, "
            f"nâng cao Chỉ số trong năm {rnd.year + 1}."
        ),
        Paragraph(
            f"Giao {wording.coordinating_agency} theo dõi, đôn đốc, kiểm tra việc thực hiện; tổng hợp, báo cáo "
            f"{body} theo quy định."
        ),
        Paragraph(
            f"**Điều 3.** Quyết định này có hiệu lực kể từ ngày ký. Chánh Văn phòng {body}, Giám đốc "
            f"{wording.coordinating_agency}, {executors} và các cơ quan, đơn vị có liên quan chịu trách nhiệm "
            "thi hành Quyết định này./."
        ),
    ]
    appendix = Appendix(
        label="Phụ lục",
        title=f"Kết quả {subject}",
        subtitle=f"(Kèm theo {reference})",
        blocks=[_ranking_table(rnd, results)],
    )
    return _draft(
        province,
        wording,
        kind_label="QUYẾT ĐỊNH",
        number_symbol=f"/{wording.decision_symbol}",
        title=f"Công bố {subject}",
        blocks=blocks,
        appendices=[appendix],
        recipients=w.recipient_list(wording.decision_recipients, wording),
    )


# --- the score report ------------------------------------------------------------------------------


@dataclass
class _SheetView:
    """A sheet as the documents print it: its scores by code and the totals of every stage shown."""

    sheet: Sheet
    st: Structure
    scores: dict[str, Score]
    stages: list[str]
    totals: dict[str, Totals]

    @property
    def precision(self) -> int:
        return self.sheet.round.framework.precision


def _sheet_view(sheet: Sheet, user) -> _SheetView:
    rnd = sheet.round
    st = structure(rnd.framework)
    rows = list(sheet.scores.select_related("node"))
    any_value = {
        "appraisal": any(s.appraised_score is not None for s in rows) or appraisal_handed_over(rnd),
        "final": any(s.final_score is not None for s in rows) or rnd.workflow().state(rnd.status).public,
    }
    stages = ["self"] + [
        stage
        for stage in ("appraisal", "final")
        if any_value[stage] and permissions.sees_stage(user, sheet, stage)
    ]
    totals = {stage: sheet_totals(sheet, stage, rows, st) for stage in stages}
    return _SheetView(sheet, st, {s.node.code: s for s in rows}, stages, totals)


def _depth(node: Node, st: Structure) -> int:
    depth, cur = 0, node
    while cur.parent_id:
        depth += 1
        cur = st.nodes[cur.parent.code]
    return depth


def _max_text(node: Node) -> str:
    """A node's maximum; a penalty (maximum 0, minimum below) prints its largest deduction."""
    if (node.max_score or 0) == 0 and (node.min_score or 0) < 0:
        return format_number(node.min_score)
    return format_number(node.max_score) if node.max_score is not None else ""


def _leaf_value(score: Score | None, stage: str) -> float | None:
    if score is None or score.not_applicable:
        return None
    return score.self_score if stage == "self" else effective(score, stage)


def _notes(score: Score | None, stages: list[str]) -> str:
    if score is None:
        return ""
    parts = []
    if score.not_applicable:
        parts.append("Không áp dụng")
    if score.source:
        parts.append(f"Nguồn: {score.source}")
    if score.self_note.strip():
        parts.append(f"Thuyết minh: {score.self_note.strip()}")
    if "appraisal" in stages:
        if score.appraisal_comment.strip():
            parts.append(f"Thẩm định: {score.appraisal_comment.strip()}")
        if score.explanation.strip():
            parts.append(f"Giải trình: {score.explanation.strip()}")
    if "final" in stages and score.final_comment.strip():
        parts.append(f"Thẩm định lại: {score.final_comment.strip()}")
    return w.esc("; ".join(parts))


def _detail_table(view: _SheetView) -> Table:
    """Every field, criterion and sub-criterion of the sheet with its maximum, the score of every stage
    shown (criteria and fields: their subtotals) and the notes; the total last."""
    st, precision = view.st, view.precision
    rows: list[list[str]] = []
    for code, node in st.nodes.items():
        depth = _depth(node, st)
        if depth == 0:
            continue
        leaf = code in st.by_code
        score = view.scores.get(code) if leaf else None
        values = []
        for stage in view.stages:
            if leaf:
                values.append(_points(_leaf_value(score, stage), precision))
            else:
                values.append(_points(view.totals[stage].score.get(code), precision))
        name = w.esc(nfc(node.name_vi))
        cells = [w.esc(code), name.upper() if depth == 1 else name, _max_text(node), *values]
        if depth == 1 or not leaf:
            cells = [f"**{c}**" if c else c for c in cells]
        rows.append([*cells, "" if not leaf else _notes(score, view.stages)])
    root = st.nodes[st.root]
    rows.append(
        [f"**{c}**" if c else c for c in ["", "TỔNG ĐIỂM", _max_text(root)]]
        + [f"**{_points(view.totals[s].total, precision)}**" for s in view.stages]
        + [""]
    )
    n = len(view.stages)
    return Table(
        columns=[
            "Mã",
            "Lĩnh vực, tiêu chí, tiêu chí thành phần",
            "Điểm tối đa",
            *(STAGE_HEADINGS[s] for s in view.stages),
            "Ghi chú",
        ],
        rows=rows,
        widths=[10, 58, 9, *([10] * n), 50 - 10 * (n - 1)],
        number_columns={2, *range(3, 3 + n)},
    )


def _field_table(view: _SheetView) -> Table:
    """The subtotal of every field (lĩnh vực) per stage shown, and the total."""
    st, precision = view.st, view.precision
    rows = []
    for i, field in enumerate(st.fields, start=1):
        rows.append(
            [str(i), w.esc(nfc(field.name_vi)), _max_text(field)]
            + [_points(view.totals[s].score.get(field.code), precision) for s in view.stages]
        )
    root = st.nodes[st.root]
    rows.append(
        ["", "**Tổng điểm**", f"**{_max_text(root)}**"]
        + [f"**{_points(view.totals[s].total, precision)}**" for s in view.stages]
    )
    n = len(view.stages)
    return Table(
        columns=["TT", "Lĩnh vực", "Điểm tối đa", *(STAGE_HEADINGS[s] for s in view.stages)],
        rows=rows,
        widths=[6, 62 - 8 * (n - 1), 12, *([12] * n)],
        number_columns={0, *range(2, 3 + n)},
    )


def _standing(view: _SheetView, user) -> str:
    """ "xếp hạng 1/3, xếp loại Xuất sắc": the published rank and class; before publication, a provisional
    one for those who see the appraisal; "" for the unit until then."""
    sheet, rnd = view.sheet, view.sheet.round
    if "final" in view.stages and sheet.rank is not None:
        of = rnd.sheets.exclude(rank=None).count()
        return f"xếp hạng {sheet.rank}/{of}" + (f", xếp loại {w.esc(sheet.klass)}" if sheet.klass else "")
    if not permissions.oversees(user, rnd):
        return ""
    results = summary(rnd)
    mine = next((r for r in results if r.sheet.pk == sheet.pk), None)
    if mine is None or mine.rank is None:
        return ""
    of = sum(1 for r in results if r.rank is not None)
    text = f"xếp hạng {mine.rank}/{of}" + (f", xếp loại {w.esc(mine.klass)}" if mine.klass else "")
    return text + " (tạm tính, chưa công bố)"


def score_report_document(sheet: Sheet, user) -> OfficialDocument:
    """A unit's report of its scores (see the module); the stages shown are those ``user`` may see."""
    rnd, unit = sheet.round, sheet.unit
    view = _sheet_view(sheet, user)
    wording = wording_for(unit, "report")
    precision = view.precision
    subject = f"{index_subject(rnd)} năm {rnd.year}"
    self_totals = view.totals["self"]
    root = view.st.nodes[view.st.root]
    maximum = format_number(root.max_score) if root.max_score is not None else ""
    latest = view.totals[view.stages[-1]]
    lines = [f"Tổng điểm tự đánh giá: {_points(self_totals.total, precision)}/{maximum} điểm"]
    if "appraisal" in view.stages:
        lines.append(f"Điểm thẩm định: {_points(view.totals['appraisal'].total, precision)}/{maximum} điểm")
    if "final" in view.stages:
        lines.append(f"Điểm cuối cùng: {_points(view.totals['final'].total, precision)}/{maximum} điểm")
    applicable = latest.applicable.get(latest.root)
    percent = latest.percent()
    if percent is not None:
        lines.append(
            f"Chỉ số: {_percent(percent)}% (trên {format_number(applicable)} điểm tối đa của các tiêu chí áp dụng "
            "với đơn vị)"
        )
    standing = _standing(view, user)
    if standing:
        lines.append(w.upper_first(standing))
    missing = [c for c in latest.missing if c in view.st.by_code and not view.st.by_code[c].survey]
    if missing:
        lines.append(
            f"Còn {len(missing)} tiêu chí chưa chấm điểm: {', '.join(missing[:12])}{'…' if len(missing) > 12 else ''}"
        )
    blocks = [
        Paragraph(
            f"Thực hiện việc xác định {w.esc(subject)} của {w.body_name(rnd.province, full=True)}, "
            f"{w.esc(w.body_name(unit))} báo cáo kết quả đánh giá, chấm điểm của đơn vị như sau:"
        ),
        *w.bullets(lines),
        Paragraph("Điểm theo từng lĩnh vực:", bold=True),
        _field_table(view),
        Paragraph("Điểm từng tiêu chí, tiêu chí thành phần tại Phụ lục kèm theo.", italic=True),
        Paragraph(
            f"Trên đây là báo cáo kết quả đánh giá, chấm điểm {w.esc(subject)} của {w.esc(w.body_name(unit))}./."
        ),
    ]
    title = f"Kết quả đánh giá, chấm điểm {subject} của {w.unit_full_name(unit)}"
    appendix = Appendix(
        label="Phụ lục",
        title=f"Bảng điểm {subject}",
        subtitle=f"(Kèm theo Báo cáo số {w.number_ref('', wording.report_symbol)} của {w.unit_full_name(unit)})",
        blocks=[_detail_table(view)],
    )
    return _draft(
        unit,
        wording,
        kind_label="BÁO CÁO",
        number_symbol=f"/{wording.report_symbol}",
        title=w.esc(title),
        blocks=blocks,
        appendices=[appendix],
        recipients=w.recipient_list([wording.coordinating_agency], wording),
    )


# --- the explanation form --------------------------------------------------------------------------


def lowered_scores(sheet: Sheet) -> list[Score]:
    """The scores of a sheet whose appraised score is below the self-score, in the framework's order."""
    out = []
    for s in sheet.scores.select_related("node").order_by("node__order"):
        appraised = effective(s, "appraisal")
        if s.not_applicable or s.self_score is None or appraised is None:
            continue
        if appraised < s.self_score:
            out.append(s)
    return out


def explanation_document(sheet: Sheet) -> OfficialDocument:
    """The explanation form of a unit (see the module). Whether ``user`` may see the appraisal is the
    caller's to check (``permissions.sees_stage(user, sheet, "appraisal")``)."""
    rnd, unit = sheet.round, sheet.unit
    wording = wording_for(unit, "letter")
    precision = rnd.framework.precision
    subject = f"{index_subject(rnd)} năm {rnd.year}"
    rows = []
    for i, s in enumerate(lowered_scores(sheet), start=1):
        rows.append(
            [
                str(i),
                f"{w.esc(s.node.code)}. {w.esc(nfc(s.node.name_vi))}",
                _max_text(s.node),
                _points(s.self_score, precision),
                _points(effective(s, "appraisal"), precision),
                w.esc(s.appraisal_comment.strip()),
                w.esc(s.explanation.strip()) or BLANK_EXPLANATION,
            ]
        )
    deadline = rnd.explanation_deadline
    blocks: list = [
        Paragraph(
            f"Thực hiện việc xác định {w.esc(subject)} của {w.body_name(rnd.province, full=True)}, sau khi "
            f"nghiên cứu kết quả thẩm định, {w.esc(w.body_name(unit))} giải trình đối với các tiêu chí có điểm thẩm định thấp "
            "hơn điểm tự đánh giá như sau:"
        )
    ]
    if rows:
        blocks.append(
            Table(
                columns=[
                    "TT",
                    "Tiêu chí",
                    "Điểm tối đa",
                    "Tự đánh giá",
                    "Thẩm định",
                    "Ý kiến thẩm định",
                    "Nội dung giải trình của đơn vị",
                ],
                rows=rows,
                widths=[5, 28, 8, 9, 9, 18, 23],
                number_columns={0, 2, 3, 4},
            )
        )
    else:
        blocks.append(
            Paragraph("Không có tiêu chí nào có điểm thẩm định thấp hơn điểm tự đánh giá.", italic=True)
        )
    blocks.append(
        Paragraph(
            "Tài liệu kiểm chứng bổ sung (nếu có) được cập nhật tại từng tiêu chí trên hệ thống theo dõi chỉ số "
            "(chiso)" + (f" trước ngày {format_date(deadline)}" if deadline else "") + "."
        )
    )
    blocks.append(
        Paragraph(
            f"{w.esc(w.upper_first(w.body_name(unit)))} kính đề nghị {wording.coordinating_agency} xem xét, thẩm "
            "định lại./."
        )
    )
    return _draft(
        unit,
        wording,
        number_symbol="",
        subject=f"V/v giải trình kết quả thẩm định {subject}",
        salutation=f"Kính gửi: {wording.coordinating_agency}.",
        blocks=blocks,
        recipients=w.recipient_list(["Như trên"], wording),
    )


# --- rendering and file names ----------------------------------------------------------------------


def render_decision(rnd: Round, fmt: str) -> bytes:
    return render(decision_document(rnd), "decision", fmt, unit=rnd.province)


def render_score_report(sheet: Sheet, user, fmt: str) -> bytes:
    return render(score_report_document(sheet, user), "report", fmt, unit=sheet.unit)


def render_explanation(sheet: Sheet, fmt: str) -> bytes:
    return render(explanation_document(sheet), "letter", fmt, unit=sheet.unit)


def decision_filename(rnd: Round, fmt: str) -> str:
    return w.document_filename("quyet-dinh-cong-bo", "", f"{index_subject(rnd)} {rnd.year}", fmt)


def score_report_filename(sheet: Sheet, fmt: str) -> str:
    return w.document_filename("bang-diem", "", f"{sheet.unit.short_name} {sheet.round.year}", fmt)


def explanation_filename(sheet: Sheet, fmt: str) -> str:
    return w.document_filename("giai-trinh", "", f"{sheet.unit.short_name} {sheet.round.year}", fmt)
