"""Routes of the assessment rounds, mounted at /danh-gia/ (namespace "assessment"): rounds, a unit's
score sheet, a criterion's evidence, the sheet's history, appraisers and monitoring; the documents and
the evidence package (urls_documents); the province's own PAR INDEX self-assessment (urls_province)."""

from django.urls import path

from . import urls_documents, urls_province, views_evidence, views_imports, views_rounds, views_sheets

app_name = "assessment"
urlpatterns = [
    path("", views_rounds.round_list, name="list"),
    path("mo-dot/", views_rounds.round_open, name="open"),
    path("<int:pk>/", views_rounds.round_detail, name="round"),
    path("<int:pk>/chuyen-giai-doan/", views_rounds.round_advance, name="advance"),
    path("<int:pk>/mo-lai/", views_rounds.round_reopen, name="reopen"),
    path("<int:pk>/phan-cong/", views_rounds.assignments, name="assignments"),
    path("<int:pk>/phan-cong/<int:assignment>/bo/", views_rounds.assignment_remove, name="unassign"),
    path("<int:pk>/theo-doi/", views_rounds.monitoring, name="monitoring"),
    path("<int:pk>/nhap-diem/", views_imports.score_import, name="import"),
    path("<int:pk>/<int:unit>/", views_sheets.sheet_page, name="sheet"),
    path("<int:pk>/<int:unit>/lich-su/", views_sheets.sheet_history_page, name="history"),
    path("<int:pk>/<int:unit>/tieu-chi/<str:code>/", views_evidence.criterion_page, name="criterion"),
    path("<int:pk>/<int:unit>/tieu-chi/<str:code>/tai-len/", views_evidence.upload, name="upload"),
    path("<int:pk>/<int:unit>/tieu-chi/<str:code>/lien-ket/", views_evidence.link, name="link"),
    path("tep/<int:pk>/", views_evidence.file_download, name="file"),
    path("tep/<int:pk>/xoa/", views_evidence.file_remove, name="file_remove"),
    path("lien-ket/<int:pk>/xoa/", views_evidence.link_remove, name="link_remove"),
    *urls_documents.urlpatterns,
    *urls_province.urlpatterns,
]
