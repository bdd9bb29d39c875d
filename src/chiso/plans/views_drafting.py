"""Views of the drafting part: the task library, the responsibility map, drafting a plan from the analysis.

Thin: the work is in chiso.plans.services.library and chiso.plans.services.drafting; permissions come from
chiso.plans.permissions (403 when denied, 404 for what the user may not see)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from chiso.accounts.scope import OVERSIGHT_ROLES, covered
from chiso.core.tasklib import GENERAL
from chiso.core.text import fold, format_date, strip_admin_prefix
from chiso.frameworks.permissions import visible_indices
from chiso.frameworks.services import index_choices
from chiso.units.models import Unit

from .forms_drafting import DraftForm, LibraryTaskForm
from .models import LibraryTask, Responsibility, TaskLayout
from .permissions import can_edit_responsibility, can_manage_library
from .services.default_map import default_names
from .services.drafting import DraftError, draft_plan, drafting_units, results_years
from .services.library import (
    LibraryError,
    can_edit_library_task,
    copy_initial,
    framework_parents,
    library_index_choices,
    library_nodes,
    lookup_responsibility,
    province_units,
    responsibility_rows,
    save_library_task,
    save_responsibilities,
    search_library,
)

# --------------------------------------------------------------------------- library


def library_list(request):
    index = request.GET.get("index", "")
    choices = library_index_choices()
    if index not in dict(choices):
        index = ""
    node = request.GET.get("node", "").strip()
    q = request.GET.get("q", "").strip()
    rows = search_library(q, index, node)
    manage = can_manage_library(request.user)
    items = [{"task": t, "editable": manage and can_edit_library_task(request.user, t)} for t in rows]
    return render(
        request,
        "plans/library_list.html",
        {
            "items": items,
            "index": index,
            "node": node,
            "q": q,
            "indices": choices,
            "nodes": library_nodes(index) if index and index != GENERAL else [],
            "can_manage": manage,
            "total": LibraryTask.objects.count(),
        },
    )


def _library_form(request, task: LibraryTask | None):
    if not can_manage_library(request.user):
        raise PermissionDenied(_("Chỉ chuyên viên điều phối được thêm, sửa nhiệm vụ trong thư viện."))
    if task is not None and not can_edit_library_task(request.user, task):
        raise PermissionDenied(_("Nhiệm vụ có sẵn trong thư viện chỉ được xem và sao chép, không được sửa."))
    copied = None
    if request.method == "POST":
        form = LibraryTaskForm(request.POST)
        if form.is_valid():
            try:
                saved = save_library_task(request.user, form.cleaned_data, task)
            except LibraryError as exc:
                for m in exc.messages:
                    form.add_error(None, m)
            except PermissionError as exc:
                raise PermissionDenied(str(exc)) from exc
            else:
                messages.success(request, _("Đã lưu nhiệm vụ “{key}” vào thư viện.").format(key=saved.key))
                return redirect(reverse("plans:library") + f"?index={saved.index}")
    elif task is not None:
        form = LibraryTaskForm(initial={**copy_initial(task), "source": task.source})
    else:
        initial = {}
        copy_pk = request.GET.get("copy", "")
        if copy_pk.isdigit():
            copied = LibraryTask.objects.filter(pk=int(copy_pk)).first()
            if copied is not None:
                initial = copy_initial(copied)
        form = LibraryTaskForm(initial=initial)
    return render(
        request,
        "plans/library_form.html",
        {"form": form, "task": task, "copied": copied},
        status=400 if form.is_bound and form.errors else 200,
    )


def library_new(request):
    return _library_form(request, None)


def library_edit(request, pk: int):
    return _library_form(request, get_object_or_404(LibraryTask, pk=pk))


# --------------------------------------------------------------------------- responsibility map


def _visible_provinces(user) -> list[Unit]:
    scope = covered(user, OVERSIGHT_ROLES)
    provinces = Unit.objects.filter(kind=Unit.Kind.PROVINCE, valid_to__isnull=True).order_by("code")
    if scope is None:
        return list(provinces)
    return [p for p in provinces if p.pk in scope]


def _int_or_none(value: str) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() else None


def responsibility(request, index: str):
    idx = get_object_or_404(visible_indices(request.user), code=index)
    provinces = _visible_provinces(request.user)
    if not provinces:
        raise PermissionDenied(_("Bạn không có vai trò nào trên cấp tỉnh."))
    chosen = _int_or_none(request.GET.get("province", "") or request.POST.get("province", ""))
    province = next((p for p in provinces if p.pk == chosen), None)
    if chosen and province is None:
        raise Http404
    if province is None:
        editable_ones = [p for p in provinces if can_edit_responsibility(request.user, p.pk)]
        province = (editable_ones or provinces)[0]
    editable = can_edit_responsibility(request.user, province.pk)
    errors: list[str] = []
    posted: dict[str, dict] | None = None
    if request.method == "POST":
        if not editable:
            raise PermissionDenied(_("Chỉ chuyên viên điều phối của tỉnh được sửa bản đồ trách nhiệm."))
        _fw, rows = responsibility_rows(province, index)
        posted = {}
        for row in rows:
            code = row.node.code
            if f"present-{code}" not in request.POST:
                continue
            try:
                coord = [int(x) for x in request.POST.getlist(f"coord-{code}") if x]
            except ValueError:
                coord = [-1]
            lead_raw = request.POST.get(f"lead-{code}", "")
            posted[code] = {
                "lead": int(lead_raw) if lead_raw.isdigit() else (-1 if lead_raw.strip() else None),
                "coordinating": coord,
                "lead_text": request.POST.get(f"note-{code}", ""),
            }
        try:
            changed = save_responsibilities(province, index, posted, request.user)
        except LibraryError as exc:
            errors = exc.messages
        except PermissionError as exc:
            raise PermissionDenied(str(exc)) from exc
        else:
            messages.success(
                request,
                _("Đã lưu bản đồ trách nhiệm ({n} nội dung thay đổi).").format(n=changed),
            )
            return redirect(reverse("plans:responsibility", args=[index]) + f"?province={province.pk}")
    framework, rows = responsibility_rows(province, index)
    parents = framework_parents(framework)
    mapped = {row.node.code: row.entry for row in rows if row.entry}
    for row in rows:
        # what a draft uses for a node the province has mapped neither itself nor above it: the shipped
        # default map (the body that usually leads it, by role)
        own = lookup_responsibility(mapped, [row.node.code], parents)
        row.default = "" if own else "; ".join(default_names(index, [row.node.code], parents, None))
        row.lead_id = row.entry.lead_unit_id if row.entry else None
        row.note = row.entry.lead_text if row.entry else ""
        p = (posted or {}).get(row.node.code)
        if p is not None:  # show what was typed, not the stored map
            row.lead_id, row.coordinating_ids, row.note = p["lead"], p["coordinating"], p["lead_text"]
    history = _history(province, index)
    return render(
        request,
        "plans/responsibility_map.html",
        {
            "index": idx,
            "indices": [(i.code, i.label_for(get_language())) for i in visible_indices(request.user)],
            "province": province,
            "provinces": provinces,
            "framework": framework,
            "rows": rows,
            "units": province_units(province),
            "editable": editable,
            "errors": errors,
            "history": history,
        },
        status=400 if errors else 200,
    )


def _history(province: Unit, index: str, limit: int = 30) -> list:
    """The map's changes, newest first; the records one save writes (row, then its coordinating units)
    are shown once."""
    out: list = []
    records = (
        Responsibility.history.filter(province_id=province.pk, index=index)
        .select_related("history_user", "lead_unit")
        .order_by("-history_date", "-history_id")[: limit * 4]
    )
    for h in records:
        last = out[-1] if out else None
        if (
            last is not None
            and last.node_code == h.node_code
            and last.history_user_id == h.history_user_id
            and abs((last.history_date - h.history_date).total_seconds()) < 2
        ):
            if h.history_type == "+":
                last.history_type = "+"
            continue
        out.append(h)
        if len(out) >= limit:
            break
    return out


# --------------------------------------------------------------------------- drafting


def _unit_label(unit: Unit, province: Unit) -> str:
    """ "Quảng Ngãi (từ 01/07/2025)" for the province formed by the merger, "Kon Tum (tỉnh cũ, trước
    01/07/2025)" for a province merged into it; a province never merged is named alone."""
    name = strip_admin_prefix(unit.short_name or unit.name) or unit.name
    if unit.pk == province.pk:
        if unit.valid_from and unit.predecessors().exists():
            return _("{unit} (từ {date})").format(unit=name, date=format_date(unit.valid_from))
        return name
    word = _("thành phố cũ") if fold(unit.name).startswith("thanh pho") else _("tỉnh cũ")
    if unit.valid_to:
        return _("{unit} ({word}, trước {date})").format(
            unit=name, word=word, date=format_date(unit.valid_to + dt.timedelta(days=1))
        )
    return _("{unit} ({word}, nay thuộc {province})").format(
        unit=name, word=word, province=strip_admin_prefix(province.short_name or province.name)
    )


def draft(request):
    pairs = drafting_units(request.user)
    if not pairs:
        raise PermissionDenied(
            _("Chỉ chuyên viên điều phối cấp tỉnh được lập kế hoạch từ kết quả phân tích.")
        )
    province_of = {u.pk: p for u, p in pairs}
    unit_of = {u.pk: u for u, _p in pairs}
    available = []
    indices = index_choices(with_frameworks=True)
    for u, p in pairs:
        years = {code: results_years(code, u) for code, _label in indices}
        available.append(
            {"unit": u, "label": _unit_label(u, p), "years": years, "year_columns": list(years.values())}
        )
    units = [(u, _unit_label(u, p)) for u, p in pairs]
    notice = ""
    if request.method == "POST":
        form = DraftForm(request.POST, units=units)
        if form.is_valid():
            d = form.cleaned_data
            unit = unit_of[d["unit"]]
            codes = list(d["index"])
            try:
                plan = draft_plan(
                    codes if len(codes) > 1 else codes[0],
                    unit,
                    d["year"],
                    d["ambition_dict"],
                    request.user,
                    weakest=d["weakest"],
                    issuing_unit=province_of[unit.pk],
                    plan_year=d.get("plan_year"),
                    activities=d.get("activities") or (),
                    task_layout=d.get("task_layout") or TaskLayout.DIMENSION,
                )
            except DraftError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _(
                        "Đã lập dự thảo “{title}”: {targets} mục tiêu, {tasks} nhiệm vụ, {rows} dòng phụ lục hạn chế. "
                        "Hãy rà soát, chỉnh sửa trước khi trình."
                    ).format(
                        title=plan.title,
                        targets=plan.targets.count(),
                        tasks=plan.tasks.count(),
                        rows=plan.shortcomings.count(),
                    ),
                )
                try:
                    return redirect(reverse("plans:detail", args=[plan.pk]))
                except NoReverseMatch:  # the plan pages are not installed
                    return redirect(reverse("plans:draft"))
    else:
        index = request.GET.get("index", "").strip().lower()
        if index not in dict(indices):  # the first index with results of the user's province
            index = next((c for c, _l in indices if any(a["years"].get(c) for a in available)), "")
        initial = {"index": [index], "ambition": "places", "value": "5", "weakest": 5}
        unit_pk = _int_or_none(request.GET.get("unit", ""))
        if unit_pk is not None and unit_pk in unit_of:
            initial["unit"] = unit_pk
        elif unit_pk is not None:
            other = Unit.objects.filter(pk=unit_pk).first()
            notice = _(
                "Kết quả của {unit} không dùng được để lập kế hoạch của bạn: chọn tỉnh của bạn hoặc tỉnh đã hợp "
                "nhất vào tỉnh của bạn."
            ).format(unit=other.short_name if other else unit_pk)
        if "unit" not in initial:  # the first unit with results of the index
            initial["unit"] = next((a["unit"].pk for a in available if a["years"].get(index)), pairs[0][0].pk)
        year = _int_or_none(request.GET.get("year", ""))
        if year is None:
            years = next((a["years"].get(index) for a in available if a["unit"].pk == initial["unit"]), [])
            year = years[-1] if years else None
        if year is not None:
            initial["year"] = year
        form = DraftForm(initial=initial, units=units)
    return render(
        request,
        "plans/draft_form.html",
        {
            "form": form,
            "available": available,
            "notice": notice,
            "indices": indices,
            "map_index": indices[0][0] if indices else "",
        },
        status=400 if form.is_bound and form.errors else 200,
    )
