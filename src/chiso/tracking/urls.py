"""Routes of chiso.tracking, mounted at /ke-hoach/ beside chiso.plans (namespace "tracking"): the inbox,
tasks and their progress reports, the dashboard, periodic reports and the documents of execution."""

from django.urls import path

from . import views_documents, views_execution, views_monitoring

app_name = "tracking"
urlpatterns = [
    path("viec-cua-toi/", views_execution.inbox, name="inbox"),
    path("nhiem-vu/<int:pk>/", views_execution.task_detail, name="task"),
    path("nhiem-vu/<int:pk>/bao-cao/", views_execution.report, name="report"),
    path("minh-chung/<int:pk>/", views_execution.evidence, name="evidence"),
    path("theo-doi/", views_monitoring.dashboard, name="dashboard"),
    path("bao-cao-dinh-ky/ke-hoach/<int:plan_pk>/", views_monitoring.periodic_list, name="periodic_list"),
    path("bao-cao-dinh-ky/ke-hoach/<int:plan_pk>/lap/", views_monitoring.periodic_new, name="periodic_new"),
    path("bao-cao-dinh-ky/<int:pk>/", views_monitoring.periodic_detail, name="periodic_detail"),
    path("bao-cao-dinh-ky/<int:pk>/sua/", views_monitoring.periodic_edit, name="periodic_edit"),
    path(
        "bao-cao-dinh-ky/<int:pk>/chuyen-trang-thai/",
        views_monitoring.periodic_transition,
        name="periodic_transition",
    ),
    path(
        "bao-cao-dinh-ky/<int:pk>/bao-cao.docx",
        views_documents.periodic_file,
        {"fmt": "docx"},
        name="periodic_docx",
    ),
    path(
        "bao-cao-dinh-ky/<int:pk>/bao-cao.pdf",
        views_documents.periodic_file,
        {"fmt": "pdf"},
        name="periodic_pdf",
    ),
    path("<int:pk>/cong-van-don-doc.docx", views_documents.letter_file, {"fmt": "docx"}, name="letter_docx"),
    path("<int:pk>/cong-van-don-doc.pdf", views_documents.letter_file, {"fmt": "pdf"}, name="letter_pdf"),
]
