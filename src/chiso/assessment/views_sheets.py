"""Views of a unit's score sheet: the sheet (one row per leaf criterion grouped by field, the columns of
the stages reached, inputs for the work open to the user), saving it, submitting it, and its history.
Thin: the rows are built and read by ``forms.SheetRows``; every rule is in ``services.sheets``."""

from __future__ import annotations

import functools
import hashlib

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import json_script
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from chiso.results.version import current_data_version
from chiso.tracking.version import plans_version
from chiso.web.templatetags.vn import vn

from . import permissions
from .forms import SheetRows
from .models import Score, Sheet
from .services import rounds, sheets
from .services.evidence import sheet_suggestions
from .services.history import sheet_history
from .services.structure import structure
from .views_documents import sheet_documents

STAGES = ("self", "appraisal", "explanation", "final")


def column_meta(stage: str) -> dict[str, str]:
    """A stage's column: its heading, what its score input and its text are called."""
    return {
        "self": {"heading": _("Tự đánh giá"), "score_label": _("điểm tự chấm"),
                 "note_label": _("Thuyết minh, tài liệu kiểm chứng")},
        "appraisal": {"heading": _("Thẩm định"), "score_label": _("điểm thẩm định"),
                      "note_label": _("Ý kiến thẩm định")},
        "explanation": {"heading": _("Giải trình của đơn vị"), "score_label": "",
                        "note_label": _("Giải trình")},
        "final": {"heading": _("Thẩm định lại"), "score_label": _("điểm thẩm định lại"),
                  "note_label": _("Ý kiến thẩm định lại")},
    }[stage] | {"stage": stage}  # fmt: skip


def summary_label(stage: str) -> str:
    return {
        "self": _("Tổng điểm tự chấm"),
        "appraisal": _("Tổng điểm sau thẩm định"),
        "final": _("Tổng điểm sau thẩm định lại"),
    }[stage]


def visible_sheet(request, pk: int, unit: int) -> Sheet:
    """The sheet if the user may see it; 404 otherwise."""
    sheet = get_object_or_404(
        Sheet.objects.select_related("round__framework__index", "round__province", "unit"),
        round_id=pk,
        unit_id=unit,
    )
    if not permissions.can_view_sheet(request.user, sheet):
        raise Http404
    return sheet


def user_work(user, sheet: Sheet) -> tuple[str | None, bool]:
    """The work the round's phase opens if the user does it on this sheet, and whether it is open now
    (its deadline not passed, or the unit reopened)."""
    rnd = sheet.round
    work = rnd.opens or None
    if work is None or not permissions.can_work(user, sheet, work):
        return None, False
    return work, rounds.work_open(rnd, sheet, work)


def _columns(user, sheet: Sheet, work: str | None) -> list[str]:
    """The stages shown: those reached; a unit sees an appraisal once it is over (or her explanation
    is open), and the re-appraisal once the round is closed."""
    rnd = sheet.round
    current = rnd.opens
    reached = list(STAGES[: STAGES.index(current) + 1]) if current in STAGES else list(STAGES)
    seen = permissions.stages_seen(user, sheet)  # the one rule of what a stage shows to whom
    reached = [s for s in reached if s not in permissions.APPRAISAL_WORKS or s in seen]
    if work and work not in reached:
        reached.append(work)
    return reached


def _notice(user, sheet: Sheet, work: str | None, is_open: bool) -> tuple[str, str]:
    """(kind, text) said above the sheet: which work is open until when, or why it is locked."""
    rnd = sheet.round
    if not rnd.opens:
        return "info", _("Đợt đánh giá đã kết thúc, kết quả đã công bố: phiếu chỉ để xem.")
    if work and is_open:
        deadline = rnd.deadline_of(work)
        text = (
            _("Giai đoạn «{state}» đang mở đến hết ngày {day}.").format(
                state=rnd.status_label, day=deadline.strftime("%d/%m/%Y")
            )
            if deadline
            else _("Giai đoạn «{state}» đang mở (chưa đặt hạn).").format(state=rnd.status_label)
        )
        if deadline and timezone.localdate() > deadline and sheet.reopened_until:
            text += " " + _("Đã mở lại cho đơn vị đến hết ngày {day}: {reason}").format(
                day=sheet.reopened_until.strftime("%d/%m/%Y"), reason=sheet.reopen_reason
            )
        return "success", text
    if work:
        return "warning", sheets.closed_message(rnd, work)
    for own in (*permissions.SELF_WORKS, *permissions.APPRAISAL_WORKS):
        if permissions.can_work(user, sheet, own):
            return "info", sheets.closed_message(rnd, own)
    return "info", _("Bạn xem phiếu này; giai đoạn hiện tại: «{state}».").format(state=rnd.status_label)


def _rows(user, sheet: Sheet, work: str | None, is_open: bool) -> tuple[SheetRows, list[Score]]:
    scores = list(sheet.scores.select_related("node", "updated_by").prefetch_related("files", "links"))
    by_code = {s.node.code: s for s in scores}
    st = structure(sheet.round.framework)
    editing = work if is_open else None

    def can_edit(code: str) -> bool:
        if editing in permissions.APPRAISAL_WORKS:
            return permissions.can_work(user, sheet, editing, code)
        if editing == "explanation":  # where the appraisal changed the score or said something
            s = by_code.get(code)
            changed = s is not None and s.appraised_score is not None and s.appraised_score != s.self_score
            return bool(s and (changed or s.appraisal_comment or s.explanation))
        return True

    rows = SheetRows(
        sheet,
        st,
        editing,
        can_edit,
        by_code,
        precision=sheet.round.framework.precision,
        only=permissions.criteria_limit(user, sheet),
    )
    for r in rows.rows:
        if r.score is not None:
            r.files, r.links = list(r.score.files.all()), list(r.score.links.all())
    return rows, scores


def _summary(sheet: Sheet, rows: SheetRows, scores: list[Score], stage: str) -> dict:
    """Totals as the services add them up (field subtotals, total, percent of the applicable maximum),
    and the data the page's script recomputes them from."""
    st = rows.structure
    t = sheets.sheet_totals(sheet, stage, scores)
    fields = {}
    for node in st.fields:
        if node.bonus:
            template = _("{score} điểm thưởng (tối đa {limit})").replace("{limit}", vn(node.max_score))
        elif (node.max_score or 0) <= 0 and (node.min_score or 0) < 0:
            template = _("{score} điểm trừ (tối đa {limit})").replace("{limit}", vn(node.min_score))
        else:
            template = _("{score} / {max} điểm")
        fields[node.code] = {
            "template": template,
            "text": template.replace("{score}", vn(t.score.get(node.code, 0.0))).replace(
                "{max}", vn(t.applicable.get(node.code))
            ),
        }
    typed = {c.code for c in st.criteria if not c.survey}
    missing = len([c for c in t.missing if c in typed])
    script = {
        "stage": stage,
        "root": st.root,
        "survey": {c.code: True for c in st.criteria if c.survey},
        "items": [
            {
                "code": i.code,
                "parent": i.parent,
                "max": i.max,
                "min": i.min,
                "aggregation": i.aggregation,
                "contributes": i.contributes,
                "bonus": i.bonus,
                "may_be_na": i.may_be_na,
            }
            for i in st.items
        ],
        "rules": {
            c.code: {
                "kind": c.rule.kind,
                "on": c.rule.on,
                "full_at": c.rule.full_at,
                "inputs": list(c.rule.input_codes),
                "choices": {ch.code: ch.score for ch in c.rule.choices},
                "bands": [[b.lower, b.score] for b in c.rule.bands],
                "max": c.node.max_score,
            }
            for c in st.criteria
            if c.rule is not None
        },
    }
    return {
        "stage": stage,
        "total": t.total,
        "applicable": t.applicable.get(t.root),
        "percent": t.percent(),
        "missing_template": _("Chưa chấm: {n} tiêu chí"),
        "missing_text": _("Chưa chấm: {n} tiêu chí").format(n=missing),
        "fields": fields,
        "script": script,
    }


#: How long the rendered rows of a sheet are kept (their key changes whenever what they show changes).
PARTS_TTL = 3600


def _stamp(sheet: Sheet) -> list[tuple]:
    """What the rows show of the stored data, read in one query: each score's criterion, id, version and
    time of its last save (``Score.updated_at`` moves with every save) and its number of files and links."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(_stamp_sql(), [sheet.pk])
        return cursor.fetchall()


@functools.cache
def _stamp_sql() -> str:
    """``_stamp``'s statement, one plain SELECT (read on every GET of a sheet: building it through the ORM
    cost more CPU than the database takes to answer it)."""
    from .models import EvidenceFile, EvidenceLink

    def table(model) -> str:
        return f'"{model._meta.db_table}"'

    def column(model, name: str) -> str:
        return f'"{model._meta.get_field(name).column}"'

    score = table(Score)
    counts = [
        f"(SELECT COUNT(*) FROM {table(m)} e WHERE e.{column(m, 'score')} = s.{column(Score, 'id')})"
        for m in (EvidenceFile, EvidenceLink)
    ]
    return (
        f"SELECT s.{column(Score, 'node')}, s.{column(Score, 'id')}, s.{column(Score, 'version')}, "
        f"s.{column(Score, 'updated_at')}, {counts[0]}, {counts[1]} FROM {score} s "
        f"WHERE s.{column(Score, 'sheet')} = %s ORDER BY s.{column(Score, 'node')}, s.{column(Score, 'id')}"
    )


def _suggestions(sheet: Sheet, editing: str | None) -> dict[str, int]:
    """{criterion: the number of plan tasks offered as its evidence}, for the unit's own work."""
    if editing not in permissions.SELF_WORKS:
        return {}
    return {code: len(found) for code, found in sheet_suggestions(sheet).items()}


def _parts_key(user, sheet: Sheet, editing: str | None, columns: list[str], limit) -> str:
    """The cache key of a sheet's rendered rows for this user: the stored data they show (``_stamp``), the
    framework's structure (the data version), the language, and everything that makes two users' rows
    differ — the stage columns she sees (``permissions.stages_seen``: a hidden stage is never in the
    key of a page that shows it), the work she may do now and on which criteria, the criteria she sees
    (``permissions.criteria_limit``), and for the unit's own work the plans data its suggestions come
    from (``tracking.version``: tasks, products, reports; the links already made are in the stamp)."""
    editable: tuple = ()
    if editing in permissions.APPRAISAL_WORKS:  # an appraiser edits only the criteria assigned to her
        st = structure(sheet.round.framework)
        editable = tuple(
            c.code for c in st.criteria if not c.survey and permissions.can_work(user, sheet, editing, c.code)
        )
    parts = (
        sheet.pk,
        sheet.round.framework_id,
        sheet.round.framework.precision,
        current_data_version(),
        get_language(),
        editing,
        tuple(columns),
        editable,
        None if limit is None else sorted(limit),
        plans_version() if editing in permissions.SELF_WORKS else None,
        _stamp(sheet),
    )
    digest = hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()
    return f"chiso:sheet-rows:{sheet.pk}:{digest}"


def _render_parts(sheet: Sheet, rows: SheetRows, scores, columns, stage, suggestions, partial=False) -> dict:
    """The sheet's rows, its evidence index, its totals and the data of the page's script, rendered."""
    rows.prepare(columns)
    summary = _summary(sheet, rows, scores, stage)
    ctx = {
        "sheet": sheet,
        "round": sheet.round,
        "rows": rows,
        "groups": rows.groups(),
        "columns": [column_meta(c) for c in columns],
        "work": rows.work,
        "summary": summary,
        "suggestions": suggestions,
        "partial": partial,
    }
    return {
        "rows": mark_safe(render_to_string("assessment/_sheet_rows.html", ctx)),  # noqa: S308 (a template)
        "evidence_index": mark_safe(  # noqa: S308 (a template)
            render_to_string("assessment/_sheet_evidence_index.html", ctx)
        ),
        "script": json_script(summary["script"], "sheet-data") if rows.work else "",
        "summary": {k: v for k, v in summary.items() if k != "script"},
        "editable": rows.editable,
    }


def sheet_parts(user, sheet: Sheet, work, is_open, columns, stage, limit) -> dict:
    """The rendered rows of the sheet for this user, from the cache when nothing they show has changed
    (a page costs a few queries then, instead of building and rendering every row)."""
    editing = work if is_open else None
    key = _parts_key(user, sheet, editing, columns, limit)
    parts = cache.get(key)
    if parts is None:
        suggestions = _suggestions(sheet, editing)
        rows, scores = _rows(user, sheet, work, is_open)
        parts = _render_parts(sheet, rows, scores, columns, stage, suggestions, limit is not None)
        cache.set(key, parts, PARTS_TTL)
    return parts


def _page(request, sheet: Sheet, rows, scores, work, is_open, *, errors=None, status=200):
    """The page; ``rows`` None: a plain GET, its rows from ``sheet_parts``; given: the rows as the user
    posted them (with her input and the messages on them), rendered afresh."""
    user = request.user
    columns = _columns(user, sheet, work)
    stage = "final" if "final" in columns else "appraisal" if "appraisal" in columns else "self"
    editing = work if is_open else None
    kind, notice = _notice(user, sheet, work, is_open)
    limit = permissions.criteria_limit(user, sheet)
    if rows is None:
        parts = sheet_parts(user, sheet, work, is_open, columns, stage, limit)
        faulty = []
    else:
        suggestions = _suggestions(sheet, editing)
        parts = _render_parts(sheet, rows, scores, columns, stage, suggestions, limit is not None)
        faulty = [r for r in rows.rows if r.error]
    general = (errors or {}).get(NON_FIELD_ERRORS, [])
    return render(
        request,
        "assessment/sheet.html",
        {
            "sheet": sheet,
            "round": sheet.round,
            "parts": parts,
            "columns": [column_meta(c) for c in columns],
            "summary_label": summary_label(stage),
            "submitting": request.method == "POST" and request.POST.get("action") == "submit",
            "work": editing,
            "notice": notice,
            "notice_kind": kind,
            "summary": parts["summary"],
            # a department's officer on the province's sheet: only her criteria, not the province's totals
            "partial": limit is not None,
            "errors": errors or {},
            "general_errors": general,
            "faulty": faulty,
            "can_submit": editing == "self",
            "oversees": permissions.oversees(user, sheet.round),
            "documents": sheet_documents(user, sheet, limit),
            "can_import": any(
                permissions.can_import(user, sheet.round, stage) for stage in permissions.IMPORT_STAGES
            )
            and bool(sheet.round.opens),
        },
        status=status,
    )


def sheet_page(request, pk: int, unit: int):
    sheet = visible_sheet(request, pk, unit)
    user = request.user
    work, is_open = user_work(user, sheet)
    if request.method != "POST":
        return _page(request, sheet, None, None, work, is_open)
    rows, scores = _rows(user, sheet, work, is_open)
    if not rows.editable:
        if work is None:
            raise PermissionDenied(_("Bạn không được chấm hoặc giải trình phiếu này ở giai đoạn này."))
        refusal = (
            _("Không có tiêu chí nào bạn ghi được ở giai đoạn này.")
            if is_open
            else sheets.closed_message(sheet.round, work)
        )
        errors = {NON_FIELD_ERRORS: [refusal]}
        return _page(request, sheet, rows, scores, work, is_open, errors=errors, status=400)
    entries, versions = rows.read(request.POST)
    saved = []
    if entries:
        try:
            saved = sheets.save(sheet, user, work, entries, versions=versions, require_versions=True)
        except ValidationError as exc:
            errors = exc.message_dict
            current = {s.node.code: s for s in sheet.scores.select_related("node")}
            rows.show_errors(errors, current)
            return _page(request, sheet, rows, scores, work, is_open, errors=errors, status=400)
    if request.POST.get("action") == "submit":
        try:
            sheets.submit(sheet, user)
        except ValidationError as exc:
            if saved:
                messages.success(request, _("Đã lưu {n} tiêu chí.").format(n=len(saved)))
            sheet.refresh_from_db()
            rows, scores = _rows(user, sheet, work, is_open)
            errors = exc.message_dict
            rows.show_errors(errors, {})
            return _page(request, sheet, rows, scores, work, is_open, errors=errors, status=400)
        messages.success(
            request, _("Đã nộp phiếu tự đánh giá của {unit}.").format(unit=sheet.unit.short_name)
        )
    elif saved:
        messages.success(request, _("Đã lưu {n} tiêu chí.").format(n=len(saved)))
    elif entries:  # what she sent is stored already (the form sent twice): saved by the first sending
        messages.success(request, _("Những gì bạn nhập đã được lưu (phiếu gửi hai lần chỉ ghi một lần)."))
    else:
        messages.info(request, _("Không có thay đổi nào để lưu."))
    return redirect("assessment:sheet", pk=pk, unit=unit)


def sheet_history_page(request, pk: int, unit: int):
    sheet = visible_sheet(request, pk, unit)
    seen = permissions.stages_seen(request.user, sheet)
    return render(
        request,
        "assessment/history.html",
        {
            "sheet": sheet,
            "round": sheet.round,
            "entries": sheet_history(sheet, seen=seen, codes=permissions.criteria_limit(request.user, sheet)),
        },
    )
