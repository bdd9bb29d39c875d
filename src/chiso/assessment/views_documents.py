"""Downloads of an assessment round's documents and evidence package (thin: who may see what is
``permissions``', the content ``documents``' and ``services.package``'s).

- the decision announcing the results (DOCX/PDF): those who oversee the round (coordinators, leaders,
  viewers of its province); not for a round on the province itself (404);
- a unit's score report (DOCX/PDF): anyone who may see the sheet, with the stages she may see;
- the explanation form (DOCX/PDF): anyone who may see the sheet once the appraisal is handed to the unit
  (403 before, saying so);
- the evidence package (ZIP, streamed): anyone who may see the sheet; ``?ten=khong-dau`` folds every name
  in it to ASCII for old unzip tools.

A round or sheet the user may not see is 404 (it does not exist for her)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from chiso.documents.responses import document_response

from . import documents, permissions
from .models import Round, Sheet
from .services import package

_SHEET_RELATED = ("round__framework__index", "round__province", "unit", "unit__parent")


def visible_sheet(user, round_id: int, unit_id: int) -> Sheet:
    sheet = get_object_or_404(
        Sheet.objects.select_related(*_SHEET_RELATED), round_id=round_id, unit_id=unit_id
    )
    if not permissions.can_view_sheet(user, sheet):
        raise Http404
    return sheet


@require_GET
def decision_file(request, round_id: int, fmt: str):
    rnd = get_object_or_404(Round.objects.select_related("framework__index", "province"), pk=round_id)
    if not permissions.oversees(request.user, rnd) or rnd.scope not in documents.SCOPE_WORDS:
        raise Http404
    return document_response(documents.render_decision(rnd, fmt), fmt, documents.decision_filename(rnd, fmt))


@require_GET
def score_report_file(request, round_id: int, unit_id: int, fmt: str):
    sheet = visible_sheet(request.user, round_id, unit_id)
    data = documents.render_score_report(sheet, request.user, fmt)
    return document_response(data, fmt, documents.score_report_filename(sheet, fmt))


@require_GET
def explanation_file(request, round_id: int, unit_id: int, fmt: str):
    sheet = visible_sheet(request.user, round_id, unit_id)
    if not permissions.sees_stage(request.user, sheet, "appraisal"):
        raise PermissionDenied(
            _("Kết quả thẩm định chưa được gửi đến đơn vị: biểu mẫu giải trình có từ giai đoạn giải trình.")
        )
    data = documents.render_explanation(sheet, fmt)
    return document_response(data, fmt, documents.explanation_filename(sheet, fmt))


@require_GET
def package_file(request, round_id: int, unit_id: int):
    sheet = visible_sheet(request.user, round_id, unit_id)
    ascii_names = request.GET.get("ten") == "khong-dau"
    resp = StreamingHttpResponse(
        package.stream(sheet, ascii_names=ascii_names), content_type="application/zip"
    )
    resp["Content-Disposition"] = f'attachment; filename="{package.filename(sheet)}"'
    resp["X-Content-Type-Options"] = "nosniff"
    resp["Cache-Control"] = "private, no-store"
    return resp
