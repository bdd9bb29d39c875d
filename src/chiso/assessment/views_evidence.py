"""Views of a criterion's evidence on a unit's sheet: the criterion page (its scores, notes and comments at
every stage; its files with their SHA-256; its links to plan tasks and reports; the tasks offered as
evidence, one click each; the upload form), and adding, removing and downloading evidence. Thin: every
rule is in ``services.evidence``; who may see is ``permissions.can_view_sheet``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chiso.files.responses import download
from chiso.plans.models import Task
from chiso.tracking.models import ProgressReport

from . import permissions
from .forms import LinkForm, anchor_of
from .models import EvidenceFile, EvidenceLink, Score, Sheet
from .services import evidence
from .services.history import import_record
from .services.structure import structure
from .views_rounds import url_or_none
from .views_sheets import user_work, visible_sheet


def _criterion(request, pk: int, unit: int, code: str) -> tuple[Sheet, Score | None]:
    """The sheet and the criterion's score row (None while the criterion has none)."""
    sheet = visible_sheet(request, pk, unit)
    crit = structure(sheet.round.framework).by_code.get(code)
    if crit is None or not permissions.sees_criterion(request.user, sheet, code):
        raise Http404  # a department's officer on the province's sheet sees only her criteria
    return sheet, sheet.scores.select_related("node").filter(node=crit.node).first()


def _back(sheet: Sheet, code: str):
    return redirect("assessment:criterion", pk=sheet.round_id, unit=sheet.unit_id, code=code)


def _refused(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def criterion_page(request, pk: int, unit: int, code: str, *, status: int = 200, link_form=None):
    sheet, score = _criterion(request, pk, unit, code)
    user = request.user
    crit = structure(sheet.round.framework).by_code[code]
    files = list(score.files.select_related("uploaded_by").order_by("uploaded_at")) if score else []
    links = (
        list(score.links.select_related("task__plan", "report__task", "added_by").order_by("added_at"))
        if score
        else []
    )
    may = evidence.may_change(user, sheet, code=code)
    for item in (*files, *links):
        item.removable = may and evidence.removable(user, item)
    for link in links:
        task_id = link.task_id or (link.report.task_id if link.report_id else None)
        link.url = url_or_none("tracking:task", task_id) if task_id else None
    work, is_open = user_work(user, sheet)
    return render(
        request,
        "assessment/criterion.html",
        {
            "sheet": sheet,
            "round": sheet.round,
            "crit": crit,
            "anchor": anchor_of(crit.code),
            "score": score,
            "files": files,
            "links": links,
            "suggestions": evidence.suggested_links(sheet, code) if may else [],
            "may_change": may,
            "work": work,
            "is_open": is_open,
            "link_form": link_form or LinkForm(),
            "oversees": permissions.oversees(user, sheet.round),
            "imported": import_record(score, permissions.stages_seen(user, sheet)) if score else None,
            "sees_appraisal": permissions.sees_stage(user, sheet, "appraisal"),
            "sees_final": permissions.sees_stage(user, sheet, "final"),
        },
        status=status,
    )


@require_POST
def upload(request, pk: int, unit: int, code: str):
    sheet, _score = _criterion(request, pk, unit, code)
    try:
        added = evidence.add_files(sheet, code, request.user, request.FILES.getlist("file"))
    except ValidationError as exc:
        _refused(request, exc)
        return criterion_page(request, pk, unit, code, status=400)
    messages.success(
        request,
        _("Đã thêm {n} tệp vào tài liệu kiểm chứng của tiêu chí {code}.").format(n=len(added), code=code),
    )
    return _back(sheet, code)


@require_POST
def link(request, pk: int, unit: int, code: str):
    sheet, _score = _criterion(request, pk, unit, code)
    form = LinkForm(request.POST)
    if not form.is_valid() or not (form.cleaned_data["task"] or form.cleaned_data["report"]):
        messages.error(request, _("Chọn một nhiệm vụ hoặc báo cáo để làm tài liệu kiểm chứng."))
        return criterion_page(request, pk, unit, code, status=400, link_form=form)
    data = form.cleaned_data
    try:
        if data["report"]:  # a report of the task done: its product and its files
            report = get_object_or_404(ProgressReport.objects.select_related("task__plan"), pk=data["report"])
            added = evidence.link(sheet, code, request.user, report=report, note=data["note"])
        else:
            task = get_object_or_404(Task.objects.select_related("plan"), pk=data["task"])
            added = evidence.link(sheet, code, request.user, task=task, note=data["note"])
    except ValidationError as exc:
        _refused(request, exc)
        return criterion_page(request, pk, unit, code, status=400, link_form=form)
    messages.success(request, _("Đã thêm vào tài liệu kiểm chứng: {label}").format(label=added.label))
    return _back(sheet, code)


def _evidence_sheet(request, obj) -> Sheet:
    sheet = Sheet.objects.select_related("round__framework__index", "round__province", "unit").get(
        pk=obj.score.sheet_id
    )
    if not permissions.can_view_sheet(request.user, sheet) or not permissions.sees_criterion(
        request.user, sheet, obj.score.node.code
    ):
        raise Http404
    return sheet


def _remove(request, item, remove, done: str):
    sheet = _evidence_sheet(request, item)
    try:
        remove(item, request.user)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, done)
    return _back(sheet, item.score.node.code)


@require_POST
def file_remove(request, pk: int):
    f = get_object_or_404(EvidenceFile.objects.select_related("score__node"), pk=pk)
    return _remove(request, f, evidence.remove_file, _("Đã xoá tệp «{name}».").format(name=f.name))


@require_POST
def link_remove(request, pk: int):
    ln = get_object_or_404(EvidenceLink.objects.select_related("score__node"), pk=pk)
    return _remove(request, ln, evidence.remove_link, _("Đã bỏ liên kết «{label}».").format(label=ln.label))


def file_download(request, pk: int):
    f = get_object_or_404(EvidenceFile.objects.select_related("score__node"), pk=pk)
    _evidence_sheet(request, f)
    return download(f)
