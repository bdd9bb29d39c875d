"""Downloads of an assessment round's documents and evidence package (thin: who may see what is
``permissions``', the content ``documents``' and ``services.package``'s).

- the decision announcing the results (DOCX/PDF): those who oversee the round (coordinators, leaders,
  viewers of its province); not for a round on the province itself (404);
- a unit's score report (DOCX/PDF): anyone who may see the sheet, with the stages she may see;
- the explanation form (DOCX/PDF): anyone who may see the sheet once the appraisal is handed to the unit
  (403 before, saying so);
- the evidence package (ZIP, streamed): anyone who may see the sheet; ``?ten=khong-dau`` folds every name
  in it to ASCII for old unzip tools.

A department's officer who sees only her criteria of the province's sheet (a round on the province
itself, ``permissions.criteria_limit``) gets none of the sheet's documents: 403, saying why.

A round or sheet the user may not see is 404 (it does not exist for her)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET

from chiso.documents.responses import document_response

from . import documents, permissions
from .models import Round, Sheet
from .services import package

_SHEET_RELATED = ("round__framework__index", "round__province", "unit", "unit__parent")


def visible_sheet(user, round_id: int, unit_id: int, *, whole: bool = False) -> Sheet:
    """The sheet if the user may see it (404 otherwise); ``whole``: a document of the whole sheet, refused
    to a department's officer who sees only her criteria of the province's sheet
    (``permissions.criteria_limit``)."""
    sheet = get_object_or_404(
        Sheet.objects.select_related(*_SHEET_RELATED), round_id=round_id, unit_id=unit_id
    )
    if not permissions.can_view_sheet(user, sheet):
        raise Http404
    if whole and permissions.criteria_limit(user, sheet) is not None:
        raise PermissionDenied(WHOLE_SHEET_REFUSAL)
    return sheet


#: Why a department's officer gets no document of the province's whole sheet.
WHOLE_SHEET_REFUSAL = _lazy(
    "Văn bản này gồm mọi tiêu chí của tỉnh: chỉ chuyên viên điều phối và lãnh đạo tỉnh tải được. "
    "Sở của bạn xem và bổ sung tài liệu kiểm chứng ở trang từng tiêu chí được phân công."
)


@require_GET
def decision_file(request, round_id: int, fmt: str):
    rnd = get_object_or_404(Round.objects.select_related("framework__index", "province"), pk=round_id)
    if not permissions.oversees(request.user, rnd) or rnd.scope not in documents.SCOPE_WORDS:
        raise Http404
    return document_response(documents.render_decision(rnd, fmt), fmt, documents.decision_filename(rnd, fmt))


@require_GET
def score_report_file(request, round_id: int, unit_id: int, fmt: str):
    sheet = visible_sheet(request.user, round_id, unit_id, whole=True)
    data = documents.render_score_report(sheet, request.user, fmt)
    return document_response(data, fmt, documents.score_report_filename(sheet, fmt))


@require_GET
def explanation_file(request, round_id: int, unit_id: int, fmt: str):
    sheet = visible_sheet(request.user, round_id, unit_id, whole=True)
    if not permissions.sees_stage(request.user, sheet, "appraisal"):
        raise PermissionDenied(
            _("Kết quả thẩm định chưa được gửi đến đơn vị: biểu mẫu giải trình có từ giai đoạn giải trình.")
        )
    data = documents.render_explanation(sheet, fmt)
    return document_response(data, fmt, documents.explanation_filename(sheet, fmt))


@require_GET
def package_file(request, round_id: int, unit_id: int):
    sheet = visible_sheet(request.user, round_id, unit_id, whole=True)
    ascii_names = request.GET.get("ten") == "khong-dau"
    resp = StreamingHttpResponse(
        package.stream(sheet, ascii_names=ascii_names), content_type="application/zip"
    )
    resp["Content-Disposition"] = f'attachment; filename="{package.filename(sheet)}"'
    resp["X-Content-Type-Options"] = "nosniff"
    resp["Cache-Control"] = "private, no-store"
    return resp


# --- the links the pages show (each only to those who may download it) ------------------------------


def sheet_documents(user, sheet: Sheet, limit: frozenset[str] | None = None) -> list[dict]:
    """The documents of a unit's sheet the user may download: the score report (with the stages she
    sees), the explanation form once the appraisal is handed to the unit, the evidence package; none to
    one who sees only some criteria of the sheet (``limit``, ``permissions.criteria_limit``)."""
    if limit is not None:
        return []
    args = [sheet.round_id, sheet.unit_id]
    docs = [
        {
            "label": _("Bảng điểm của đơn vị (DOCX)"),
            "url": reverse("assessment:score_report_docx", args=args),
        },
        {"label": _("Bảng điểm của đơn vị (PDF)"), "url": reverse("assessment:score_report_pdf", args=args)},
    ]
    if documents.appraisal_handed_over(sheet.round) and permissions.sees_stage(user, sheet, "appraisal"):
        docs += [
            {
                "label": _("Biểu mẫu giải trình (DOCX)"),
                "url": reverse("assessment:explanation_docx", args=args),
            },
            {
                "label": _("Biểu mẫu giải trình (PDF)"),
                "url": reverse("assessment:explanation_pdf", args=args),
            },
        ]
    docs.append(
        {"label": _("Hồ sơ tài liệu kiểm chứng (ZIP)"), "url": reverse("assessment:package", args=args)}
    )
    return docs


def round_documents(user, rnd: Round) -> list[dict]:
    """The round's decision announcing the results (DOCX, PDF) for those who oversee it, once the round
    is closed (before: a draft with provisional ranks, said so); not for a round on the province
    itself."""
    if not permissions.oversees(user, rnd) or rnd.scope not in documents.SCOPE_WORDS:
        return []
    draft = bool(rnd.opens)
    suffix = _(" — dự thảo, kết quả tạm tính") if draft else ""
    return [
        {
            "label": _("Quyết định công bố kết quả (DOCX)") + suffix,
            "url": reverse("assessment:decision_docx", args=[rnd.pk]),
        },
        {
            "label": _("Quyết định công bố kết quả (PDF)") + suffix,
            "url": reverse("assessment:decision_pdf", args=[rnd.pk]),
        },
    ]
