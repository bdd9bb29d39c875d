"""Routes of the plan document (included by chiso.plans.urls): DOCX and PDF downloads."""

from django.urls import path

from . import views_documents as v

urlpatterns = [
    path("<int:pk>/ke-hoach.docx", v.plan_file, {"fmt": "docx"}, name="plan_docx"),
    path("<int:pk>/ke-hoach.pdf", v.plan_file, {"fmt": "pdf"}, name="plan_pdf"),
]
