"""Routes of an assessment round's documents and evidence package, relative to the assessment pages'
prefix (/danh-gia/): included by chiso.assessment.urls (namespace "assessment")."""

from django.urls import path

from . import views_documents as v

urlpatterns = [
    path("<int:round_id>/quyet-dinh-cong-bo.docx", v.decision_file, {"fmt": "docx"}, name="decision_docx"),
    path("<int:round_id>/quyet-dinh-cong-bo.pdf", v.decision_file, {"fmt": "pdf"}, name="decision_pdf"),
    path(
        "<int:round_id>/<int:unit_id>/bang-diem.docx",
        v.score_report_file,
        {"fmt": "docx"},
        name="score_report_docx",
    ),
    path(
        "<int:round_id>/<int:unit_id>/bang-diem.pdf",
        v.score_report_file,
        {"fmt": "pdf"},
        name="score_report_pdf",
    ),
    path(
        "<int:round_id>/<int:unit_id>/giai-trinh.docx",
        v.explanation_file,
        {"fmt": "docx"},
        name="explanation_docx",
    ),
    path(
        "<int:round_id>/<int:unit_id>/giai-trinh.pdf",
        v.explanation_file,
        {"fmt": "pdf"},
        name="explanation_pdf",
    ),
    path("<int:round_id>/<int:unit_id>/ho-so-minh-chung.zip", v.package_file, name="package"),
]
