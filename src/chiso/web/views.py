from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chiso.analysis.services import available_years, unit_history, year_figures
from chiso.core.text import fold, vi_sort_key
from chiso.frameworks.models import Index
from chiso.frameworks.permissions import visible_indices
from chiso.units.lineage import carried_units
from chiso.units.models import Unit
from chiso.units.services import create_department


@login_not_required
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


def home_unit(user) -> Unit | None:
    membership = (
        user.memberships.select_related("unit").order_by("id").first() if user.is_authenticated else None
    )
    if membership:
        return membership.unit
    return (
        Unit.objects.filter(kind=Unit.Kind.PROVINCE, code=settings.CHISO_HOME_UNIT_CODE)
        .order_by("valid_from")
        .first()
    )


def home(request):
    """Where the province stands in each index: the latest year with a published score (a year
    known only by its published rank is used when no score was ever published). A merged province
    shows each predecessor's card, labelled as such."""
    unit = home_unit(request.user)
    cards = []
    if unit is not None:
        members = carried_units(unit)
        for index in visible_indices(request.user):
            years = available_years(index.code)
            for member in members:
                found = []
                for y in reversed(years):
                    ctx = year_figures(index.code, y)
                    if ctx and member.pk in ctx.derived.units:
                        found.append((y, ctx, ctx.derived.units[member.pk]))
                if not found:
                    continue
                # The newest year, even when only its rank is published (PAR INDEX is often printed
                # as "58/63" first); the newest published score is then shown beside it.
                y, ctx, ud = found[0]
                scored = next(((fy, fc, fu) for fy, fc, fu in found[1:] if fu.total is not None), None)
                prev = None
                pctx = year_figures(index.code, y - 1) if y - 1 in years else None
                if pctx is not None:
                    prev = pctx.derived.units.get(member.pk)
                same_scale = pctx is not None and pctx.derived.maximum == ctx.derived.maximum
                cards.append(
                    {
                        "index": index,
                        "unit": member,
                        "label": _("{unit} (trước 01/07/2025)").format(unit=member.short_name)
                        if member.pk != unit.pk and member.valid_to
                        else member.short_name,
                        "year": y,
                        "ud": ud,
                        "max": ctx.derived.maximum,
                        "n_scored": ctx.derived.n_scored,
                        "mean": ctx.derived.stats[ctx.derived.root].mean,
                        "delta": (ud.total - prev.total)
                        if same_scale and prev and prev.total is not None and ud.total is not None
                        else None,
                        "delta_rank": (prev.rank - ud.rank) if prev and prev.rank and ud.rank else None,
                        "framework": ctx.framework,
                        "scored": {
                            "year": scored[0],
                            "total": scored[2].total,
                            "framework": scored[1].framework,
                        }
                        if ud.total is None and scored
                        else None,
                    }
                )
    return render(request, "web/home.html", {"unit": unit, "cards": cards})


def unit_list(request):
    q = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", Unit.Kind.PROVINCE)
    period = request.GET.get("period", "all")
    units = Unit.objects.filter(kind=kind).select_related("parent")
    if period == "before":
        units = units.filter(valid_from__isnull=True)
    elif period == "after":
        units = units.exclude(valid_to__isnull=False)
    if q:
        for word in fold(q).split():
            units = units.filter(search_text__contains=word)
    units = sorted(units, key=lambda u: (vi_sort_key(u.short_name), str(u.valid_from or "")))
    page = Paginator(units, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "web/unit_list.html",
        {"page": page, "q": q, "kind": kind, "period": period, "kinds": Unit.Kind.choices},
    )


def unit_detail(request, pk: int):
    unit = get_object_or_404(Unit.objects.select_related("parent"), pk=pk)
    histories = []
    for index in Index.objects.all():
        h = unit_history(index.code, unit)
        if any(m["series"] for m in h):
            years = sorted({p["year"] for m in h for p in m["series"]})
            histories.append({"index": index, "members": h, "years": years})
    departments = unit.children.filter(kind=Unit.Kind.DEPARTMENT).order_by("name")
    return render(
        request,
        "web/unit_detail.html",
        {
            "unit": unit,
            "histories": histories,
            "predecessors": unit.predecessors(),
            "successors": unit.successors(),
            "regions": unit.regions.all(),
            "departments": sorted(departments, key=lambda u: vi_sort_key(u.name)),
            "children_count": unit.children.count(),
        },
    )


@require_POST
@permission_required("chiso.manage_units", raise_exception=True)
def department_add(request, pk: int):
    unit = get_object_or_404(Unit, pk=pk)
    name = request.POST.get("name", "")
    code = request.POST.get("code", "").strip()
    if not code:
        messages.error(request, _("Cần nhập mã cơ quan."))
        return redirect("web:unit", pk=pk)
    try:
        dept = create_department(
            parent=unit, name=name, code=code, short_name=request.POST.get("short_name", "")
        )
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Đã thêm {name}.").format(name=dept.name))
    return redirect("web:unit", pk=pk)
