"""Routes of the documents part of chiso.plans (included by chiso.plans.urls): DOCX and PDF downloads."""

from django.urls import path

from . import views_documents as v

urlpatterns = [
    path("<int:pk>/ke-hoach.docx", v.plan_file, {"fmt": "docx"}, name="plan_docx"),
    path("<int:pk>/ke-hoach.pdf", v.plan_file, {"fmt": "pdf"}, name="plan_pdf"),
    path("bao-cao-dinh-ky/<int:pk>/bao-cao.docx", v.periodic_file, {"fmt": "docx"}, name="periodic_docx"),
    path("bao-cao-dinh-ky/<int:pk>/bao-cao.pdf", v.periodic_file, {"fmt": "pdf"}, name="periodic_pdf"),
    path("<int:pk>/cong-van-don-doc.docx", v.letter_file, {"fmt": "docx"}, name="letter_docx"),
    path("<int:pk>/cong-van-don-doc.pdf", v.letter_file, {"fmt": "pdf"}, name="letter_pdf"),
]
