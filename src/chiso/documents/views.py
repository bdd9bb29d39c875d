"""Pages where a coordinator adjusts the layout of official documents (YAML over the shipped default)
and downloads a sample document to check it. Thin: validation and writing are in ``services``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from . import services
from .model import FIELDS, LayoutError, shipped_layout_text
from .models import DocumentLayout
from .samples import sample_for

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}

STARTER = """# Chỉ ghi các khóa muốn đổi so với mẫu chuẩn (xem bên dưới), cùng nhóm như mẫu chuẩn. Ví dụ:
# margins_mm:
#   left: 35
# sizes_pt:
#   body: 13
"""


def _kind_or_404(kind: str) -> str:
    if kind not in services.KINDS:
        raise Http404
    return kind


def _effective(kind: str) -> list[tuple[str, str, object]]:
    layout = services.layout_for(kind)
    return [(spec.key, spec.label, getattr(layout, spec.attr)) for spec in FIELDS]


@permission_required("chiso.edit_frameworks", raise_exception=True)
def layout_list(request):
    rows = {row.kind: row for row in DocumentLayout.objects.select_related("updated_by")}
    kinds = []
    for kind, label in DocumentLayout.Kind.choices:
        layout = services.layout_for(kind)
        kinds.append({"kind": kind, "label": label, "row": rows.get(kind), "layout": layout})
    return render(request, "documents/layout_list.html", {"kinds": kinds})


@permission_required("chiso.edit_frameworks", raise_exception=True)
def layout_edit(request, kind: str):
    kind = _kind_or_404(kind)
    row = DocumentLayout.objects.filter(kind=kind).first()
    errors: list[str] = []
    text = row.yaml if row and row.yaml.strip() else STARTER
    if request.method == "POST":
        text = request.POST.get("yaml", "")
        try:
            services.save_layout(kind, text, user=request.user)
        except services.LayoutInvalid as exc:
            errors = exc.errors
        else:
            messages.success(request, _("Đã lưu mẫu thể thức. Tải văn bản mẫu để xem thử."))
            return redirect("documents:layout_edit", kind=kind)
    context = {
        "kind": kind,
        "label": DocumentLayout.Kind(kind).label,
        "row": row,
        "text": text,
        "errors": errors,
        "effective": _effective(kind),
        "shipped": shipped_layout_text(),
        "history": row.history.select_related("history_user")[:10] if row else [],
    }
    return render(request, "documents/layout_edit.html", context, status=400 if errors else 200)


@permission_required("chiso.edit_frameworks", raise_exception=True)
def layout_preview(request, kind: str, fmt: str):
    kind = _kind_or_404(kind)
    if fmt not in CONTENT_TYPES:
        raise Http404
    try:
        data = services.render(sample_for(kind), kind, fmt)
    except LayoutError as exc:  # pragma: no cover - layout_for always falls back to a valid layout
        return HttpResponse("; ".join(exc.errors), status=400, content_type="text/plain; charset=utf-8")
    resp = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    resp["Content-Disposition"] = f'attachment; filename="van-ban-mau-{kind}.{fmt}"'
    return resp
