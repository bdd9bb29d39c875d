"""Pages of surveys for signed-in staff, mounted at ``/khao-sat/``."""

from django.urls import path

from . import views

app_name = "surveys"
urlpatterns = [
    path("", views.survey_list, name="list"),
    path("tao/", views.survey_new, name="new"),
    path("<int:pk>/", views.survey_detail, name="detail"),
    path("<int:pk>/buoc/", views.survey_step, name="step"),
    path("<int:pk>/khung-mau/", views.frame_edit, name="frame"),
    path("<int:pk>/uoc-luong/", views.survey_estimates, name="estimates"),
    path("<int:pk>/so-sanh-sipas/", views.survey_compare, name="compare"),
    path("<int:pk>/cong-bo-lai/", views.republish, name="republish"),
    path("<int:pk>/theo-doi/", views.monitor, name="monitor"),
    path("<int:pk>/theo-doi/theo-ngay.svg", views.monitor_chart, name="monitor_chart"),
    path("<int:pk>/bao-cao.<str:fmt>", views.survey_report, name="report"),
    path("<int:pk>/phieu-giay/", views.paper_entry, name="paper"),
    path("<int:pk>/phieu-hoi/", views.questionnaire_page, name="questionnaire"),
    path("<int:pk>/y-kien/", views.feedback, name="feedback"),
    path("<int:pk>/nhap/", views.import_new, name="import_new"),
    path("<int:pk>/nhap/<str:stored>/", views.import_preview, name="import_preview"),
    path("<int:pk>/ma-qr/<str:code>.pdf", views.point_poster, name="poster"),
]
