"""The page of a round on the province itself (its PAR INDEX self-assessment, issue 8 point 7), at
/danh-gia/<round>/tinh/: every criterion of the appraisal part with its lead and coordinating departments,
their proposed scores and evidence, and the province's consolidated self-score; the forecast of the official
total; the ministry's appraisal imported from a file (preview, then all or nothing) and the difference per
criterion, whose lost points go into a chosen plan's shortcomings appendix.

Who: those who oversee the round (coordinators, leaders, viewers of the province) see every criterion, the
forecast and the differences; the officers of a department see only the criteria their department proposes
(``permissions.proposes_criterion``), propose their score and add evidence (the criterion page,
``views_evidence``) while the self-assessment is open; only the coordinators assign, consolidate, import and
add the lost points to a plan. Thin: every rule is in ``services.province`` / ``services.ministry``.
"""

from __future__ import annotations

import base64

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from chiso.accounts.scope import covered
from chiso.plans import permissions as plan_perms
from chiso.plans.models import Plan
from chiso.results.reader import ALLOWED_EXTENSIONS, extension_of

from . import permissions
from .models import Proposal, Round, Sheet
from .services import ministry, province, rounds
from .services.sheets import closed_message
from .services.structure import structure
from .views_rounds import visible_round

#: The ministry's file travels from its preview to its commit signed in the form (no copy on the server).
PENDING_SALT = "chiso.assessment.ministry-import"
PENDING_MAX_AGE = 6 * 3600
PENDING_MAX_BYTES = 2 * 1024 * 1024


def province_round(request, pk: int) -> tuple[Round, Sheet]:
    """The round on the province itself and the province's sheet (404 for any other round or a user who
    does not see it)."""
    rnd = visible_round(request, pk)
    sheet = rnd.sheets.select_related("unit", "round__framework__index", "round__province").filter(
        unit=rnd.province
    )
    sheet = sheet.first()
    if rnd.scope != Round.Scope.PROVINCE or sheet is None:
        raise Http404
    return rnd, sheet


def _refuse(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _back(rnd: Round, anchor: str = ""):
    return redirect(reverse("assessment:province", args=[rnd.pk]) + anchor)


def editable_plans(user, rnd: Round) -> list[Plan]:
    """The plans the user may write the lost points into: those she edits, the round's index first."""
    plans = [
        p
        for p in plan_perms.visible_plans(user).select_related("issuing_unit").order_by("-year", "-pk")[:200]
        if plan_perms.can_edit_plan(user, p)
    ]
    code = rnd.framework.index.code
    return sorted(plans, key=lambda p: (code not in (p.indices or []), -p.year, -p.pk))


def _rows(user, rnd: Round, sheet: Sheet, oversees: bool) -> list[dict]:
    """One row per criterion of the appraisal part the user sees."""
    st = structure(rnd.framework)
    scores = {
        s.node.code: s
        for s in sheet.scores.select_related("node").prefetch_related(
            "proposals__unit", "proposals__updated_by"
        )
    }
    mine = covered(user, permissions.UNIT_ROLES)
    counts: dict[int, int] = {}
    for s in scores.values():
        counts[s.pk] = 0
    for model in ("files", "links"):
        for pk in sheet.scores.filter(**{f"{model}__isnull": False}).values_list("pk", flat=True):
            counts[pk] = counts.get(pk, 0) + 1
    rows = []
    for crit in province.appraisal_criteria(st):
        score = scores.get(crit.code)
        proposals = sorted(score.proposals.all(), key=lambda p: (not p.lead, p.pk)) if score else []
        for p in proposals:
            p.own = mine is None or p.unit_id in (mine or set())
        own = [p for p in proposals if p.own and mine is not None]
        if not oversees and not own:
            continue
        rows.append(
            {
                "crit": crit,
                "score": score,
                "proposals": proposals,
                "own": own,
                "evidence": counts.get(score.pk, 0) if score else 0,
                "proposed": [p for p in proposals if p.proposed_score is not None],
            }
        )
    return rows


def province_page(request, pk: int, *, status: int = 200, pending: dict | None = None):
    rnd, sheet = province_round(request, pk)
    user = request.user
    oversees = permissions.oversees(user, rnd)
    run = permissions.can_run(user, rnd)
    self_open = rnd.opens == "self" and rounds.work_open(rnd, sheet, "self")
    rows = _rows(user, rnd, sheet, oversees)
    see_official = permissions.sees_stage(user, sheet, "appraisal")
    diffs = []
    if see_official:
        shown = {r["crit"].code for r in rows}
        diffs = [d for d in province.differences(rnd) if d.criterion.code in shown]
    importing = run and rnd.opens in permissions.APPRAISAL_WORKS
    ctx = {
        "round": rnd,
        "sheet": sheet,
        "rows": rows,
        "oversees": oversees,
        # the whole sheet's documents (the evidence package): not for a department's officer
        "whole": permissions.criteria_limit(user, sheet) is None,
        "can_run": run,
        "self_open": self_open,
        "closed_text": "" if self_open else closed_message(rnd, "self"),
        "forecast": province.forecast(rnd) if oversees else None,
        "differences": diffs,
        "lost": sum(-d.difference for d in diffs if d.difference is not None and d.difference < 0),
        "plans": editable_plans(user, rnd) if run and diffs else [],
        "importing": importing,
        "pending": pending,
        "stage_label": _("thẩm định lại") if rnd.opens == "final" else _("thẩm định"),
    }
    return render(request, "assessment/province.html", ctx, status=status)


@require_POST
def assign(request, pk: int):
    rnd, _sheet = province_round(request, pk)
    try:
        out = province.assign_departments(rnd, request.user)
    except ValidationError as exc:
        _refuse(request, exc)
        return _back(rnd)
    messages.success(
        request,
        _("Đã phân công {n} tiêu chí cho các sở theo bản đồ trách nhiệm.").format(n=len(out.proposals)),
    )
    if out.unassigned:
        messages.warning(
            request,
            _(
                "Chưa có sở nào chịu trách nhiệm: {codes}. Bổ sung bản đồ trách nhiệm rồi phân công lại."
            ).format(codes=", ".join(c.code for c in out.unassigned)),
        )
    return _back(rnd)


@require_POST
def propose(request, pk: int):
    rnd, sheet = province_round(request, pk)
    proposal = get_object_or_404(
        Proposal.objects.select_related("unit", "score__node"),
        pk=request.POST.get("proposal") or 0,
        score__sheet=sheet,
    )
    code = proposal.score.node.code
    entry = {"score": request.POST.get("score", ""), "note": request.POST.get("note", "")}
    try:
        province.propose(rnd, request.user, proposal.unit, code, entry)
    except ValidationError as exc:
        _refuse(request, exc)
        return province_page(request, pk, status=400)
    messages.success(
        request, _("{unit} đã đề xuất điểm tiêu chí {code}.").format(unit=proposal.unit.short_name, code=code)
    )
    return _back(rnd, f"#tc-{code}")


@require_POST
def consolidate(request, pk: int):
    rnd, sheet = province_round(request, pk)
    if not permissions.can_run(request.user, rnd):
        raise PermissionDenied(_("Chỉ chuyên viên điều phối của tỉnh tổng hợp được điểm của tỉnh."))
    code = (request.POST.get("code") or "").strip()
    choice = request.POST.get("choice") or "own"
    version = request.POST.get("version")
    versions = {code: int(version)} if version and version.isdigit() else None
    kwargs: dict = {}
    if choice != "own":
        kwargs["proposal"] = Proposal.objects.filter(
            pk=choice if choice.isdigit() else 0, score__sheet=sheet
        ).first()
        kwargs["note"] = request.POST.get("note", "")
        if kwargs["proposal"] is None:
            messages.error(request, _("Đề xuất đã chọn không còn; hãy tải lại trang."))
            return province_page(request, pk, status=400)
    else:
        kwargs["entry"] = {"score": request.POST.get("score", ""), "note": request.POST.get("note", "")}
    try:
        province.consolidate(rnd, request.user, code, versions=versions, require_versions=True, **kwargs)
    except ValidationError as exc:
        _refuse(request, exc)
        return province_page(request, pk, status=400)
    messages.success(request, _("Đã tổng hợp điểm tự đánh giá của tỉnh ở tiêu chí {code}.").format(code=code))
    return _back(rnd, f"#tc-{code}")


# --------------------------------------------------------------------------- the ministry's appraisal


def _pending(request, rnd: Round) -> tuple[bytes, str, str] | None:
    """The file (content, name, source) signed into the preview's form, if it is this user's, this
    round's and recent."""
    token = request.POST.get("pending") or ""
    try:
        data = signing.loads(token, salt=PENDING_SALT, max_age=PENDING_MAX_AGE)
    except signing.BadSignature:
        return None
    if data.get("round") != rnd.pk or data.get("user") != request.user.pk:
        return None
    return base64.b64decode(data["data"]), data["name"], data.get("source", "")


@require_POST
def ministry_import(request, pk: int):
    """Preview (a file chosen) or commit (``pending``: the previewed file, signed) the ministry's appraisal."""
    rnd, _sheet = province_round(request, pk)
    if not permissions.imports_ministry_appraisal(request.user, rnd):
        raise PermissionDenied(_("Chỉ chuyên viên điều phối của tỉnh nhập kết quả thẩm định của Bộ Nội vụ."))
    limit = min(settings.CHISO_MAX_IMPORT_BYTES, PENDING_MAX_BYTES)
    if request.POST.get("action") == "commit":
        pending = _pending(request, rnd)
        if pending is None:
            messages.error(request, _("Bản xem trước đã hết hạn hoặc không hợp lệ; hãy chọn lại tệp."))
            return province_page(request, pk, status=400)
        data, name, source = pending
        try:
            done = ministry.commit_ministry(rnd, data, name, request.user, source, max_bytes=limit)
        except ValidationError as exc:
            messages.error(request, _("Không ghi gì vì tệp có lỗi."))
            preview = ministry.preview_ministry(rnd, data, name, user=request.user, max_bytes=limit)
            return province_page(
                request, pk, status=400, pending={"preview": preview, "errors": exc.messages}
            )
        messages.success(
            request,
            ngettext(
                "Đã ghi kết quả thẩm định của Bộ cho {n} tiêu chí.",
                "Đã ghi kết quả thẩm định của Bộ cho {n} tiêu chí.",
                done.written,
            ).format(n=done.written),
        )
        return _back(rnd, "#chenh-lech")
    upload = request.FILES.get("file")
    source = (request.POST.get("source") or "").strip()
    error = None
    if upload is None:
        error = _("Chưa chọn tệp kết quả thẩm định.")
    elif extension_of(upload.name) not in ALLOWED_EXTENSIONS:
        error = _("Tệp “{name}” không đúng định dạng: chỉ nhận CSV, XLSX, XLS hoặc ODS.").format(
            name=upload.name
        )
    elif upload.size > limit:
        error = _("Tệp quá lớn (giới hạn {n} MB).").format(n=limit // (1024 * 1024))
    if error:
        messages.error(request, error)
        return province_page(request, pk, status=400)
    data = upload.read()
    preview = ministry.preview_ministry(rnd, data, upload.name, user=request.user, max_bytes=limit)
    token = signing.dumps(
        {
            "round": rnd.pk,
            "user": request.user.pk,
            "name": upload.name,
            "source": source,
            "data": base64.b64encode(data).decode(),
        },
        salt=PENDING_SALT,
        compress=True,
    )
    return province_page(
        request,
        pk,
        status=200 if preview.ok else 400,
        pending={"preview": preview, "token": token, "source": source},
    )


@require_POST
def add_lost(request, pk: int):
    rnd, _sheet = province_round(request, pk)
    if not permissions.can_run(request.user, rnd):
        raise PermissionDenied(_("Chỉ chuyên viên điều phối của tỉnh đưa điểm bị mất vào kế hoạch."))
    plan = next((p for p in editable_plans(request.user, rnd) if str(p.pk) == request.POST.get("plan")), None)
    if plan is None:
        messages.error(request, _("Chọn một kế hoạch bạn được sửa (chưa ban hành)."))
        return province_page(request, pk, status=400)
    try:
        rows = province.add_lost_to_plan(rnd, plan, request.user)
    except ValidationError as exc:
        _refuse(request, exc)
        return province_page(request, pk, status=400)
    messages.success(
        request,
        _("Đã đưa {n} tiêu chí bị mất điểm vào phụ lục tồn tại, hạn chế của «{plan}».").format(
            n=len(rows), plan=plan.title
        ),
    )
    return _back(rnd, "#chenh-lech")
