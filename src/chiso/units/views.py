"""Regions and peer groups: the socio-economic regions (reference data) and the peer groups a
coordinator defines to compare the province with ("Tây Nguyên", "các tỉnh giáp ranh")."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, redirect, render

from chiso.core.text import vi_sort_key

from .models import Region, Unit
from .services import save_peer_group


def region_list(request):
    regions = sorted(
        Region.objects.prefetch_related("members"), key=lambda r: (r.kind != "peer", vi_sort_key(r.name_vi))
    )
    return render(request, "units/region_list.html", {"regions": regions})


def _provinces():
    """Provinces to choose from: those valid today first, then those before 1 July 2025."""
    today = dt.date.today()
    units = list(Unit.objects.filter(kind=Unit.Kind.PROVINCE))
    current = sorted([u for u in units if u.valid_on(today)], key=lambda u: vi_sort_key(u.short_name))
    former = sorted([u for u in units if not u.valid_on(today)], key=lambda u: vi_sort_key(u.short_name))
    return current, former


@permission_required("chiso.manage_units", raise_exception=True)
def peer_group_edit(request, pk: int | None = None):
    region = get_object_or_404(Region, pk=pk, kind=Region.Kind.PEER) if pk else None
    errors: list[str] = []
    selected = {m.pk for m in region.members.all()} if region else set()
    name = region.name_vi if region else ""
    if request.method == "POST":
        name = request.POST.get("name", "")
        try:
            selected = {int(x) for x in request.POST.getlist("members")}
        except ValueError:
            selected = set()
            errors.append("Danh sách thành viên không hợp lệ.")
        if not errors:
            try:
                region = save_peer_group(
                    name=name, member_ids=sorted(selected), user=request.user, region=region
                )
            except ValueError as exc:
                errors = exc.args[0] if isinstance(exc.args[0], list) else [str(exc)]
            else:
                messages.success(request, f"Đã lưu nhóm so sánh “{region.name_vi}”.")
                return redirect("units:regions")
    current, former = _provinces()
    return render(
        request,
        "units/peer_group_form.html",
        {
            "region": region,
            "name": name,
            "selected": selected,
            "current": current,
            "former": former,
            "errors": errors,
        },
        status=400 if errors else 200,
    )
