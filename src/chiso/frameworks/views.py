from __future__ import annotations

import hashlib
import io

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chiso.core import framework as fwcore

from .models import Framework
from .permissions import visible_indices
from .services import FrameworkInvalid, export_definition, install_framework, known_indices

OUTCOMES = {  # lazy: translated when shown
    "created": gettext_lazy("Đã tạo bộ chỉ số mới."),
    "unchanged": gettext_lazy("Bộ chỉ số giống hệt phiên bản đang dùng: không thay đổi gì."),
    "replaced": gettext_lazy("Đã cập nhật bộ chỉ số (chưa có kết quả nào dùng nó)."),
    "new_version": gettext_lazy(
        "Bộ chỉ số đã có kết quả nên không sửa tại chỗ: đã tạo phiên bản mới, phiên bản cũ được giữ."
    ),
}


def framework_list(request):
    frameworks = (
        Framework.objects.filter(index__in=visible_indices(request.user))
        .select_related("index")
        .order_by("index__order", "valid_from", "version")
    )
    return render(request, "frameworks/list.html", {"frameworks": frameworks})


def framework_detail(request, pk: int):
    framework = get_object_or_404(
        Framework.objects.filter(index__in=visible_indices(request.user)).select_related(
            "index", "supersedes"
        ),
        pk=pk,
    )
    nodes = list(framework.nodes.order_by("order"))
    return render(
        request,
        "frameworks/detail.html",
        {
            "framework": framework,
            "nodes": nodes,
            "in_use": framework.results.exists(),
            "versions": Framework.objects.filter(index=framework.index).order_by("valid_from", "version"),
        },
    )


def framework_export(request, pk: int):
    framework = get_object_or_404(
        Framework.objects.filter(index__in=visible_indices(request.user)).select_related("index"), pk=pk
    )
    buf = io.BytesIO()
    fwcore.write_xlsx(export_definition(framework), buf, framework.index.definition())
    resp = HttpResponse(
        buf.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    resp["Content-Disposition"] = f'attachment; filename="{framework.code}.xlsx"'
    return resp


def framework_template(request):
    buf = io.BytesIO()
    fwcore.write_xlsx(fwcore.empty_framework(), buf)
    resp = HttpResponse(
        buf.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    resp["Content-Disposition"] = 'attachment; filename="mau-bo-chi-so.xlsx"'
    return resp


@permission_required("chiso.edit_frameworks", raise_exception=True)
def framework_import(request):
    errors: list = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None or not upload.name.lower().endswith(".xlsx"):
            errors = [fwcore.FrameworkError(None, None, _("Hãy chọn tệp XLSX theo mẫu bộ chỉ số."))]
        elif upload.size > 5 * 1024 * 1024:
            errors = [fwcore.FrameworkError(None, None, _("Tệp quá lớn (tối đa 5 MB)."))]
        else:
            data = upload.read()
            if not data.startswith(b"PK\x03\x04"):
                errors = [
                    fwcore.FrameworkError(None, None, _("Tệp không phải XLSX hợp lệ (có thể bị đổi đuôi)."))
                ]
            else:
                fw, errors = fwcore.read_xlsx(data, known_indices())
                if not errors and fw is not None:
                    try:
                        framework, outcome = install_framework(
                            fw,
                            user=request.user,
                            file_name=upload.name,
                            file_hash=hashlib.sha256(data).hexdigest(),
                        )
                    except FrameworkInvalid as exc:
                        errors = exc.errors
                    except PermissionDenied as exc:
                        errors = [fwcore.FrameworkError(None, None, str(exc))]
                    else:
                        messages.success(request, str(OUTCOMES[outcome]))
                        return redirect("frameworks:detail", pk=framework.pk)
    return render(request, "frameworks/import.html", {"errors": errors}, status=400 if errors else 200)
