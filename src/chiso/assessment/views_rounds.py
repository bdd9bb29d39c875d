"""Views of rounds: the list, opening a round, the round page (units, totals, ranks, classes, deadlines,
workflow steps, timeline, reopening a unit), the appraisers' assignments and the monitoring page. Thin:
who may see and do what is asked of ``chiso.assessment.permissions``, every write goes through
``services.rounds`` / ``services.assignments``, whose ValidationError is shown on the form's fields."""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chiso.accounts.scope import covered, roles_on
from chiso.core.text import vi_sort_key
from chiso.core.workflow import WorkflowError
from chiso.frameworks.models import Framework
from chiso.frameworks.permissions import coordinated_provinces
from chiso.results.importer import ImportRefused
from chiso.units.models import Unit
from chiso.validation import show_errors

from . import permissions
from .forms import AssignmentForm, OpenRoundForm, ReopenForm, appraiser_choices, user_by_pk
from .models import Assignment, Round, Sheet
from .services import assignments as assignment_svc
from .services import rounds
from .services.monitoring import round_monitor
from .services.results import UnitResult, summary
from .services.structure import structure
from .views_documents import round_documents

WORKS = ("self", "appraisal", "explanation", "final")


def url_or_none(name: str, *args) -> str | None:
    """A page of another part of chiso, or None while that part does not exist."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def visible_round(request, pk: int) -> Round:
    """The round if the user may see it; 404 otherwise (it does not exist for her)."""
    rnd = get_object_or_404(
        Round.objects.select_related("framework__index", "province", "published_batch"), pk=pk
    )
    if not permissions.visible_rounds(request.user).filter(pk=rnd.pk).exists():
        raise Http404
    return rnd


def _run_round(request, pk: int) -> Round:
    rnd = visible_round(request, pk)
    if not permissions.can_run(request.user, rnd):
        raise PermissionDenied(_("Chỉ chuyên viên điều phối của tỉnh làm được việc này."))
    return rnd


def phases(rnd: Round, today: dt.date | None = None) -> list[dict]:
    """Each work of the round: the state that opens it (its label), its deadline, whether it is the
    current one and whether its deadline has passed."""
    wf = rnd.workflow()
    today = today or timezone.localdate()
    out = []
    for work in WORKS:
        state = wf.state_opening(work)
        if state is None:
            continue
        deadline = rnd.deadline_of(work)
        out.append(
            {
                "work": work,
                "label": wf.label(state, get_language()),
                "deadline": deadline,
                "current": rnd.opens == work,
                "passed": deadline is not None and today > deadline,
            }
        )
    return out


# --------------------------------------------------------------------------------------------- list


def round_list(request):
    user = request.user
    rnds = list(
        permissions.visible_rounds(user)
        .select_related("framework__index", "province")
        .order_by("-year", "-pk")
    )
    n_units = dict(
        Sheet.objects.filter(round__in=rnds)
        .values_list("round")
        .annotate(n=Count("pk"))
        .values_list("round", "n")
    )
    own_units = covered(user, permissions.UNIT_ROLES)
    mine: dict[int, list[Sheet]] = {}
    if own_units:
        for s in Sheet.objects.filter(round__in=rnds, unit_id__in=own_units).select_related("unit"):
            mine.setdefault(s.round_id, []).append(s)
    appraised = set(Assignment.objects.filter(user=user, round__in=rnds).values_list("round_id", flat=True))
    rows = [
        {
            "round": r,
            "sheets": mine.get(r.pk, []),
            "appraiser": r.pk in appraised,
            "units": n_units.get(r.pk, 0),
            "deadline": r.deadline_of(r.opens) if r.opens else None,
        }
        for r in rnds
    ]
    return render(
        request,
        "assessment/round_list.html",
        {"rows": rows, "can_open": bool(coordinated_provinces(user))},
    )


# ------------------------------------------------------------------------------------------ opening


def _frameworks_for(provinces: list[Unit]) -> list[Framework]:
    this_year = timezone.localdate().year
    qs = (
        Framework.objects.filter(Q(index__owner__in=provinces) | Q(index__owner__isnull=True))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=this_year - 1))
        .select_related("index")
        .order_by("index__owner", "index__order", "-valid_from")
    )
    return sorted(qs, key=lambda f: (f.index.owner_id is None, f.index.order, f.index.code, -f.valid_from))


def round_open(request):
    provinces = coordinated_provinces(request.user)
    if not provinces:
        raise PermissionDenied(_("Chỉ chuyên viên điều phối của tỉnh mở được đợt đánh giá."))
    frameworks = _frameworks_for(provinces)
    kwargs = {"provinces": provinces, "frameworks": frameworks}
    if request.method != "POST":
        today = timezone.localdate()
        own = next((f for f in frameworks if f.index.owner_id), None)
        initial = {
            "province": provinces[0].pk,
            "framework": own.pk if own else None,
            "year": today.year if today.month >= 10 else today.year - 1,
            "scope": Round.Scope.DEPARTMENT,
        }
        return render(
            request, "assessment/round_open.html", {"form": OpenRoundForm(initial=initial, **kwargs)}
        )
    form = OpenRoundForm(request.POST, **kwargs)
    if form.is_valid():
        data = form.cleaned_data
        province = next(p for p in provinces if p.pk == data["province"])
        framework = next(f for f in frameworks if f.pk == data["framework"])
        try:
            rnd = rounds.open_round(
                framework,
                data["year"],
                province,
                data["scope"],
                request.user,
                deadlines=form.deadlines(),
                title=data["title"],
            )
        except ValidationError as exc:
            show_errors(form, exc, {"units": "scope"})
        else:
            messages.success(
                request,
                _("Đã mở «{title}» cho {n} đơn vị.").format(title=rnd.title, n=rnd.sheets.count()),
            )
            return redirect("assessment:round", pk=rnd.pk)
    return render(request, "assessment/round_open.html", {"form": form}, status=400)


# ------------------------------------------------------------------------------------------- a round


def shown_result(user, r: UnitResult) -> UnitResult:
    """A unit's line of the summary with what the user may not see of it blanked
    (``permissions.hidden_fields``: the appraisal before it is handed to the unit, the final scores,
    percent, rank and class before the results are published; every total of the province's own sheet for
    a department's officer, who sees only her criteria of it, ``permissions.criteria_limit``)."""
    hidden = permissions.hidden_fields(user, r.sheet)
    if permissions.criteria_limit(user, r.sheet) is not None:
        hidden |= {"self_total", "appraised_total", "final_total", "percent", "rank", "klass"}
    if not hidden:
        return r
    values = permissions.mask(
        {
            f: getattr(r, f)
            for f in ("self_total", "appraised_total", "final_total", "percent", "rank", "klass")
        },
        hidden,
    )
    values["klass"] = values["klass"] or ""
    return dataclasses.replace(r, **values)


def _round_context(request, rnd: Round, reopen_form=None) -> dict:
    user = request.user
    wf = rnd.workflow()
    run = permissions.can_run(user, rnd)
    visible = {s.pk for s in permissions.visible_sheets(user, rnd)}
    results = [shown_result(user, r) for r in summary(rnd, refresh=False) if r.sheet.pk in visible]
    steps = []
    if run:
        for t in wf.available(rnd.status, roles_on(user, rnd.province_id)):
            steps.append(
                {
                    "target": t.target,
                    "label": t.label_for(get_language()),
                    "closes": wf.state(t.target).public,
                }
            )
    events = [
        {
            "event": e,
            "from_label": wf.label(e.from_status, get_language()),
            "to_label": wf.label(e.to_status, get_language()),
        }
        for e in rnd.events.select_related("user").order_by("at", "pk")
    ]
    index = rnd.framework.index
    analysis = {}
    if rnd.published_batch_id and not index.is_national:
        for r in results:
            url = url_or_none("analysis:page", index.code, r.unit.pk, rnd.year)
            if url:
                analysis[r.sheet.pk] = url
    sheets = sorted((r.sheet for r in results), key=lambda s: vi_sort_key(s.unit.short_name))
    if run and rnd.opens and reopen_form is None:
        reopen_form = ReopenForm(sheets=sheets)
    return {
        "round": rnd,
        "phases": phases(rnd),
        "results": results,
        "provisional": bool(rnd.opens),
        "can_import": bool(rnd.opens)
        and any(permissions.can_import(user, rnd, stage) for stage in permissions.IMPORT_STAGES),
        "documents": round_documents(user, rnd),
        "analysis": analysis,
        "steps": steps,
        "events": events,
        "can_run": run,
        "oversees": permissions.oversees(user, rnd),
        "reopen_form": reopen_form if run and rnd.opens else None,
        "assignments": list(rnd.assignments.select_related("user").prefetch_related("units")),
        "my_assignment": permissions.assignment(user, rnd),
        "score_imports": permissions.visible_imports(user, rnd),
    }


def round_detail(request, pk: int):
    rnd = visible_round(request, pk)
    return render(request, "assessment/round_detail.html", _round_context(request, rnd))


@require_POST
def round_advance(request, pk: int):
    rnd = _run_round(request, pk)
    target = request.POST.get("to") or None
    wf = rnd.workflow()
    if target and target in wf.states and wf.state(target).public and not request.POST.get("confirm"):
        messages.error(request, _("Đánh dấu ô xác nhận trước khi kết thúc và công bố kết quả."))
        return redirect("assessment:round", pk=rnd.pk)
    try:
        rnd = rounds.advance(rnd, request.user, to=target, expected=request.POST.get("from") or None)
    except (WorkflowError, ValidationError) as exc:
        messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
    except ImportRefused as exc:
        messages.error(
            request, _("Không công bố được kết quả: {problems}").format(problems="; ".join(exc.messages[:5]))
        )
    else:
        messages.success(request, _("Đợt đánh giá chuyển sang giai đoạn «{s}».").format(s=rnd.status_label))
    return redirect("assessment:round", pk=rnd.pk)


@require_POST
def round_reopen(request, pk: int):
    rnd = _run_round(request, pk)
    sheets = sorted(rnd.sheets.select_related("unit"), key=lambda s: vi_sort_key(s.unit.short_name))
    form = ReopenForm(request.POST, sheets=sheets)
    if form.is_valid():
        sheet = next(s for s in sheets if s.pk == form.cleaned_data["sheet"])
        try:
            rounds.reopen(sheet, request.user, form.cleaned_data["until"], form.cleaned_data["reason"])
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(
                request,
                _("Đã mở lại cho {unit} đến hết ngày {day}.").format(
                    unit=sheet.unit.short_name, day=form.cleaned_data["until"].strftime("%d/%m/%Y")
                ),
            )
            return redirect("assessment:round", pk=rnd.pk)
    ctx = _round_context(request, rnd, reopen_form=form)
    return render(request, "assessment/round_detail.html", ctx, status=400)


# ------------------------------------------------------------------------------------- appraisers


def _assignment_page(request, rnd: Round, form=None, status: int = 200):
    units = sorted(
        (s.unit for s in rnd.sheets.select_related("unit")), key=lambda u: vi_sort_key(u.short_name)
    )
    if form is None:
        form = AssignmentForm(users=appraiser_choices(rnd), units=units)
    rows = list(rnd.assignments.select_related("user").prefetch_related("units").order_by("user__username"))
    return render(
        request,
        "assessment/assignments.html",
        {"round": rnd, "form": form, "assignments": rows, "editable": bool(rnd.opens)},
        status=status,
    )


def assignments(request, pk: int):
    rnd = _run_round(request, pk)
    if request.method != "POST":
        return _assignment_page(request, rnd)
    units = {s.unit.pk: s.unit for s in rnd.sheets.select_related("unit")}
    form = AssignmentForm(request.POST, users=appraiser_choices(rnd), units=units.values())
    if form.is_valid():
        user = user_by_pk(form.cleaned_data["user"])
        try:
            a = assignment_svc.save_assignment(
                rnd,
                request.user,
                user,
                units=[units[pk] for pk in form.cleaned_data["units"]],
                criteria=form.criteria_codes(structure(rnd.framework)),
                assignment=rnd.assignments.filter(user=user).first(),  # the same person: hers changes
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(
                request,
                _("Đã phân công {who} thẩm định.").format(who=a.user.get_full_name() or a.user.username),
            )
            return redirect("assessment:assignments", pk=rnd.pk)
    return _assignment_page(request, rnd, form, status=400)


@require_POST
def assignment_remove(request, pk: int, assignment: int):
    rnd = _run_round(request, pk)
    a = get_object_or_404(Assignment, pk=assignment, round=rnd)
    try:
        assignment_svc.delete_assignment(a, request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("Đã bỏ phân công {who}.").format(who=a.user.get_full_name() or a.user.username)
        )
    return redirect("assessment:assignments", pk=rnd.pk)


# ------------------------------------------------------------------------------------- monitoring


def monitoring(request, pk: int):
    rnd = visible_round(request, pk)
    if not permissions.oversees(request.user, rnd):
        raise PermissionDenied(_("Trang theo dõi dành cho chuyên viên điều phối và lãnh đạo."))
    mon = round_monitor(rnd)
    return render(
        request,
        "assessment/monitoring.html",
        {
            "round": rnd,
            "mon": mon,
            "phases": phases(rnd),
            "states": [(value, label, len(mon.by_state(value))) for value, label in Sheet.State.choices],
        },
    )
