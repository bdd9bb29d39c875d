"""Pages where a coordinator adjusts the layout and standard wording of her province's official documents
(YAML over the shipped default), an administrator also the installation's, and both download a sample
document to check it. Thin: who may edit what, validation and writing are in ``services``.

The layouts shown are those of one scope: ``?tinh=<id>`` (a province) or ``?tinh=chung`` (the
installation's); without it, the first the user may edit."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from chiso.units.models import Unit

from . import services
from .model import FIELDS, LayoutError, shipped_layout_text
from .models import DocumentLayout
from .samples import sample_for

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
#: ``?tinh=`` value of the installation's layouts.
INSTALLATION = "chung"

STARTER = """# Chỉ ghi các khóa muốn đổi so với mẫu chuẩn (xem bên dưới), cùng nhóm như mẫu chuẩn. Ví dụ:
# margins_mm:
#   left: 35
# sizes_pt:
#   body: 13
# wording:
#   coordinating_agency: Sở Nội vụ
"""


def _kind_or_404(kind: str) -> str:
    if kind not in services.KINDS:
        raise Http404
    return kind


def _scope(request) -> tuple[Unit | None, list[Unit | None]]:
    """(the province whose layouts the page shows — None: the installation's —, every scope the user
    may edit); 403 when she may edit none or not the one asked, 404 for no such province."""
    scopes = services.layout_scopes(request.user)
    if not scopes:
        raise PermissionDenied
    raw = request.GET.get("tinh", "").strip()
    if not raw:
        return scopes[0], scopes
    if raw == INSTALLATION:
        province = None
    elif raw.isdigit():
        province = get_object_or_404(Unit, pk=int(raw), kind=Unit.Kind.PROVINCE)
    else:
        raise Http404
    services.check_may_edit(request.user, province)
    return province, scopes


def _scope_value(province: Unit | None) -> str:
    return str(province.pk) if province is not None else INSTALLATION


def _scope_context(province: Unit | None, scopes: list[Unit | None]) -> dict:
    """The scope shown (its ``?tinh=`` parameter and name) and the choice of the others."""
    return {
        "province": province,
        "scope_param": f"tinh={_scope_value(province)}",
        "scope_label": province.name if province is not None else _("Mẫu chung của hệ thống (mọi tỉnh)"),
        "scopes": [
            {
                "value": _scope_value(p),
                "name": p.name if p is not None else _("Mẫu chung của hệ thống"),
                "selected": p == province,
            }
            for p in scopes
        ],
    }


def _shown(value) -> object:
    return "; ".join(value) if isinstance(value, tuple) else value


def _effective(kind: str, province: Unit | None) -> list[tuple[str, str, object]]:
    layout = services.layout_for(kind, province)
    return [(spec.key, spec.label_for(get_language()), _shown(getattr(layout, spec.attr))) for spec in FIELDS]


def layout_list(request):
    province, scopes = _scope(request)
    rows = {
        row.kind: row for row in DocumentLayout.objects.filter(province=province).select_related("updated_by")
    }
    kinds = []
    for kind, label in DocumentLayout.Kind.choices:
        layout = services.layout_for(kind, province)
        kinds.append({"kind": kind, "label": label, "row": rows.get(kind), "layout": layout})
    context = {"kinds": kinds, **_scope_context(province, scopes)}
    return render(request, "documents/layout_list.html", context)


def layout_edit(request, kind: str):
    kind = _kind_or_404(kind)
    province, scopes = _scope(request)
    row = DocumentLayout.objects.filter(kind=kind, province=province).first()
    errors: list[str] = []
    text = row.yaml if row and row.yaml.strip() else STARTER
    scope = _scope_context(province, scopes)
    if request.method == "POST":
        text = request.POST.get("yaml", "")
        try:
            services.save_layout(kind, text, province=province, user=request.user)
        except services.LayoutInvalid as exc:
            errors = exc.errors
        else:
            messages.success(request, _("Đã lưu mẫu thể thức. Tải văn bản mẫu để xem thử."))
            return redirect(request.get_full_path())
    context = {
        "kind": kind,
        "label": DocumentLayout.Kind(kind).label,
        "row": row,
        "text": text,
        "errors": errors,
        "effective": _effective(kind, province),
        "shipped": shipped_layout_text(),
        "history": row.history.select_related("history_user")[:10] if row else [],
        **scope,
    }
    return render(request, "documents/layout_edit.html", context, status=400 if errors else 200)


def layout_preview(request, kind: str, fmt: str):
    kind = _kind_or_404(kind)
    if fmt not in CONTENT_TYPES:
        raise Http404
    province, _scopes = _scope(request)
    try:
        data = services.render(sample_for(kind), kind, fmt, unit=province)
    except LayoutError as exc:  # pragma: no cover - layout_for always falls back to a valid layout
        return HttpResponse("; ".join(exc.errors), status=400, content_type="text/plain; charset=utf-8")
    resp = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    resp["Content-Disposition"] = f'attachment; filename="van-ban-mau-{kind}.{fmt}"'
    return resp
