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
from .services import (
    AnalysisError,
    analyse,
    available_years,
    gap,
    opening_text,
    partial_year_note,
    what_if,
    year_figures,
)


def visible_index(user, code: str) -> Index:
    """The index of ``code`` if ``user`` may read it, else 404. A national index is read by everyone
    signed in (``visible_indices`` always includes it), so only a province's own index costs the
    membership look-up — the analysis page is the busiest page."""
    idx = Index.objects.filter(code=code).first()
    if idx is None or not may_read(user, idx):
        raise Http404
    return idx


def may_read(user, idx: Index) -> bool:
    return idx.is_national or visible_indices(user).filter(pk=idx.pk).exists()


def analysis_pick(request):
    """Choose what to analyse: an index, a year with results, a unit with results that year. A GET
    form (works without JavaScript); once all three are valid it goes to the analysis page. Values
    that make no sense (``unit=abc``, a year out of range) are said on the form, never a server error."""
    from chiso.core.text import vi_sort_key
    from chiso.results.models import Result
    from chiso.web.views import home_unit

    indices = [i for i in visible_indices(request.user) if available_years(i.code)]
    errors: list[str] = []
    index = next((i for i in indices if i.code == (request.GET.get("index") or "").strip().lower()), None)
    if request.GET.get("index") and index is None:
        errors.append(_("Không có chỉ số này, hoặc chỉ số chưa có kết quả."))
    index = index or (indices[0] if indices else None)
    years = available_years(index.code) if index else []
    year: int | None = None
    raw_year = (request.GET.get("year") or "").strip()
    if raw_year:
        year = int(raw_year) if raw_year.isdigit() and len(raw_year) <= 4 else None
        if year not in years:
            errors.append(_("Chỉ số này không có kết quả năm «{year}».").format(year=raw_year[:10]))
            year = None
    year = year or (years[-1] if years else None)
    units: list[Unit] = []
    if index and year:
        ids = Result.objects.filter(framework__index=index, year=year).values_list("unit_id", flat=True)
        units = sorted(Unit.objects.filter(pk__in=ids.distinct()), key=lambda u: vi_sort_key(u.short_name))
    unit: Unit | None = None
    raw_unit = (request.GET.get("unit") or "").strip()
    if raw_unit:
        unit = next((u for u in units if str(u.pk) == raw_unit), None)
        if unit is None:
            errors.append(_("Đơn vị đã chọn không có kết quả của chỉ số này năm đó."))
    if index and year and unit and not errors:
        return redirect("analysis:page", index=index.code, unit=unit.pk, year=year)
    home = home_unit(request.user)
    default = unit or next((u for u in units if home and u.pk == home.pk), None)
    if default is None and home is not None:
        default = next((u for u in units if u.code == home.code and u.kind == home.kind), None)
    return render(
        request,
        "analysis/pick.html",
        {
            "indices": indices,
            "index": index,
            "years": list(reversed(years)),
            "year": year,
            "units": units,
            "unit": default,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


def analysis_page(request, index: str, unit: int, year: int):
    """The analysis page. Its body depends only on the data (never on the user), so it is cached
    per index, unit, year, data version and language, with the index and unit the header names: a
    repeated request reads no index, unit or result — only whether this user may read a province's
    own index — and renders only the header."""
    version = current_data_version()
    key = f"analysis-body:{index}:{unit}:{year}:{version}:{get_language()}"
    cached = cache.get(key)
    if cached is not None:
        idx, u, body = cached
        if not may_read(request.user, idx):
            raise Http404
    else:
        idx = visible_index(request.user, index)
        u = get_object_or_404(Unit, pk=unit)
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
        cache.set(key, (idx, u, body), 3600)
    return render(request, "analysis/page.html", {"index": idx, "unit": u, "year": year, "cached_body": body})


def gap_partial(request, index: str, unit: int, year: int):
    visible_index(request.user, index)
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
            if goal in ("places", "top"):
                if not float(number).is_integer():  # "5,7 bậc": refused, never truncated to 5
                    raise AnalysisError(
                        _("Số bậc và số đơn vị dẫn đầu phải là số nguyên (nhận “{value}”).").format(
                            value=value
                        )
                    )
                kwargs[goal] = int(number)
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
    visible_index(request.user, index)
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
    ctx = year_figures(index, year)
    return render(
        request,
        "analysis/page.html#whatif",
        {
            "w": result,
            "whatif_error": error,
            "a": a,
            "changes": changes,
            "partial_note": partial_year_note(ctx) if ctx else "",
        },
        status=200 if result else 400,
    )


def chart(request, index: str, unit: int, year: int, kind: str):
    visible_index(request.user, index)
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
            d = ctx.derived
            if d.full_coverage:
                title = _("{index} {year}: {unit} so với cả nước").format(
                    index=a.index.label_for(get_language()), year=year, unit=u.short_name
                )
            else:  # one rule with the rank card: the published rank, never a rank among those with data
                title = _(
                    "{index} {year}: {unit} và {n}/{expected} đơn vị có số liệu (chưa đủ để xếp hạng)"
                ).format(
                    index=a.index.label_for(get_language()),
                    year=year,
                    unit=u.short_name,
                    n=d.n_with_data,
                    expected=d.expected,
                )
            svg = charts.distribution(
                totals,
                u.short_name,
                a.national_mean,
                title,
                rank_text=_rank_text(a),
            )
        elif kind == "profile":
            rows = [(f"{n.code} {n.name[:40]}", n.score, n.mean, n.max) for n in a.nodes if n.depth == 1]
            svg = charts.profile(
                rows,
                _("Điểm từng nội dung so với trung bình cả nước ({year})").format(year=year)
                if ctx.derived.full_coverage
                else _(
                    "Điểm từng nội dung ({year}); năm chưa đủ số liệu cả nước nên không có trung bình"
                ).format(year=year),
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
                _("{index} qua các năm ({scales}: đường bị ngắt)").format(
                    index=a.index.label_for(get_language()), scales=scales
                )
                if scales
                else _("{index} qua các năm").format(index=a.index.label_for(get_language())),
            )
        else:
            raise Http404
        cache.set(key, svg, 3600)
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=600"
    return response


def _rank_text(a) -> str:
    """The unit's rank as the rank card says it ("43/63 theo công bố"), or "" when it has none."""
    if not a.rank:
        return ""
    text = f"{a.rank}/{a.rank_of}" if a.rank_of else str(a.rank)
    if a.rank_source == "published":
        text += " " + _("theo công bố")
    return text


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
    visible_index(request.user, index)
    u = get_object_or_404(Unit, pk=unit)
    try:
        a = analyse(index, u, year)
    except AnalysisError as exc:
        raise Http404(str(exc)) from exc
    return HttpResponse(opening_text(a), content_type="text/plain; charset=utf-8")


__all__ = ["format_number"]
