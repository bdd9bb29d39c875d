from __future__ import annotations

from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from chiso.core.text import format_number, parse_number
from chiso.frameworks.models import Index
from chiso.frameworks.permissions import visible_indices
from chiso.results.version import current_data_version
from chiso.units.models import Unit

from . import charts
from .services import AnalysisError, analyse, available_years, gap, opening_text, what_if, year_figures


def analysis_pick(request):
    index = (
        request.GET.get("index")
        or Index.objects.filter(frameworks__isnull=False).values_list("code", flat=True).first()
    )
    unit_id = request.GET.get("unit")
    year = request.GET.get("year")
    if unit_id and year and index and unit_id.isdigit() and year.isdigit():
        return redirect("analysis:page", index=index, unit=unit_id, year=year)
    raise Http404


def analysis_page(request, index: str, unit: int, year: int):
    """The analysis page. Its body depends only on the data (never on the user), so it is cached
    per index, unit, year, data version and language; only the header is rendered per request."""
    idx = get_object_or_404(visible_indices(request.user), code=index)
    u = get_object_or_404(Unit, pk=unit)
    version = current_data_version()
    key = f"analysis-body:{index}:{unit}:{year}:{version}:{get_language()}"
    body = cache.get(key)
    if body is None:
        try:
            a = analyse(index, u, year)
        except AnalysisError as exc:
            return render(
                request,
                "analysis/page.html",
                {"index": idx, "unit": u, "year": year, "error": str(exc), "years": available_years(index)},
                status=404,
            )
        ctx = year_figures(index, year)
        group_labels = [b.label for b in ctx.rule.groups] if ctx.rule else []
        editable = [n for n in a.nodes if n.is_leaf and n.contributes and n.max is not None]
        context = {
            "index": idx,
            "unit": u,
            "year": year,
            "a": a,
            "years": [
                y
                for y in available_years(index)
                if (yc := year_figures(index, y)) and u.pk in yc.derived.units
            ],
            "opening": opening_text(a),
            "group_labels": group_labels,
            "editable": editable,
            "version": version,
        }
        body = mark_safe(render_to_string("analysis/page.html#body", context, request))  # noqa: S308
        cache.set(key, body, 3600)
    return render(request, "analysis/page.html", {"index": idx, "unit": u, "year": year, "cached_body": body})


def gap_partial(request, index: str, unit: int, year: int):
    get_object_or_404(visible_indices(request.user), code=index)
    u = get_object_or_404(Unit, pk=unit)
    goal = request.GET.get("goal", "places")
    value = request.GET.get("value", "").strip()
    kwargs = {}
    error = None
    try:
        if goal == "group":
            kwargs["group"] = value
        else:
            number = parse_number(value)
            if number is None:
                raise ValueError
            if goal == "places":
                kwargs["places"] = int(number)
            elif goal == "top":
                kwargs["top"] = int(number)
            else:
                kwargs["score"] = number
        result = gap(index, u, year, **kwargs)
    except AnalysisError as exc:  # a ValueError too: caught first so its own message is shown
        result, error = None, str(exc)
    except ValueError:
        result, error = None, _("Giá trị “{value}” không hợp lệ.").format(value=value)
    return render(
        request,
        "analysis/page.html#gap",
        {"g": result, "gap_error": error, "index": index},
        status=200 if result else 400,
    )


def whatif_partial(request, index: str, unit: int, year: int):
    get_object_or_404(visible_indices(request.user), code=index)
    u = get_object_or_404(Unit, pk=unit)
    changes = {}
    error = None
    for key, value in request.GET.items():
        if key.startswith("n:") and value.strip():
            try:
                number = parse_number(value)
            except ValueError:
                error = _("“{value}” không phải là số.").format(value=value)
                break
            if number is not None:
                changes[key[2:]] = number
    result = None
    if error is None:
        try:
            result = what_if(index, u, year, changes)
        except (AnalysisError, ValueError) as exc:
            error = str(exc)
    a = analyse(index, u, year)
    return render(
        request,
        "analysis/page.html#whatif",
        {"w": result, "whatif_error": error, "a": a, "changes": changes},
        status=200 if result else 400,
    )


def chart(request, index: str, unit: int, year: int, kind: str):
    get_object_or_404(visible_indices(request.user), code=index)
    u = get_object_or_404(Unit, pk=unit)
    key = f"chart:{index}:{unit}:{year}:{kind}:{current_data_version()}:{get_language()}"
    svg = cache.get(key)
    if svg is None:
        try:
            a = analyse(index, u, year)
        except AnalysisError as exc:
            raise Http404(str(exc)) from exc
        ctx = year_figures(index, year)
        if kind == "distribution":
            totals = [
                (ctx.units[k].short_name, ud.total)
                for k, ud in ctx.derived.units.items()
                if ud.complete and ud.total is not None
            ]
            svg = charts.distribution(
                totals,
                u.short_name,
                a.national_mean,
                _("{index} {year}: {unit} so với cả nước").format(
                    index=a.index.short_name, year=year, unit=u.short_name
                ),
            )
        elif kind == "profile":
            rows = [(f"{n.code} {n.name[:40]}", n.score, n.mean, n.max) for n in a.nodes if n.depth == 1]
            svg = charts.profile(
                rows, _("Điểm từng nội dung so với trung bình cả nước ({year})").format(year=year)
            )
        elif kind == "history":
            series = [
                (
                    _("{unit} (trước sáp nhập)").format(unit=m["unit"].short_name)
                    if m["is_predecessor"]
                    else m["unit"].short_name,
                    [(p["year"], p["total"], p["max"]) for p in m["series"] if p["total"] is not None],
                )
                for m in a.history
            ]
            scales = _scale_changes([p for _name, points in series for p in points])
            svg = charts.history(
                series,
                _("{index} qua các năm ({scales}: đường bị ngắt)").format(index=a.index.label, scales=scales)
                if scales
                else _("{index} qua các năm").format(index=a.index.label),
            )
        else:
            raise Http404
        cache.set(key, svg, 3600)
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=600"
    return response


def _scale_changes(points: list[tuple[int, float, float | None]]) -> str:
    """ "thang 60 điểm đến 2017, 80 điểm từ 2018" when the maximum changed over the years (the chart
    breaks its line there); "" when it did not."""
    by_year = {year: maximum for year, _total, maximum in sorted(points) if maximum}
    spans: list[list] = []  # [maximum, first year, last year]
    for year, maximum in sorted(by_year.items()):
        if spans and spans[-1][0] == maximum:
            spans[-1][2] = year
        else:
            spans.append([maximum, year, year])
    if len(spans) < 2:
        return ""
    parts = [_("thang {max} điểm đến {year}").format(max=format_number(spans[0][0]), year=spans[0][2])]
    parts += [
        _("{max} điểm từ {year}").format(max=format_number(m), year=first) for m, first, _last in spans[1:]
    ]
    return ", ".join(parts)


def opening_partial(request, index: str, unit: int, year: int):
    get_object_or_404(visible_indices(request.user), code=index)
    u = get_object_or_404(Unit, pk=unit)
    try:
        a = analyse(index, u, year)
    except AnalysisError as exc:
        raise Http404(str(exc)) from exc
    return HttpResponse(opening_text(a), content_type="text/plain; charset=utf-8")


__all__ = ["format_number"]
