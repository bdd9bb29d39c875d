from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from chiso.analysis import views as analysis_views
from chiso.frameworks import views as framework_views
from chiso.results import views as result_views
from chiso.units import views as unit_views
from chiso.web import views as web_views

accounts = (
    [
        path("login/", auth_views.LoginView.as_view(template_name="accounts/login.html"), name="login"),
        path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    ],
    "accounts",
)
web = (
    [
        path("", web_views.home, name="home"),
        path("don-vi/", web_views.unit_list, name="units"),
        path("don-vi/<int:pk>/", web_views.unit_detail, name="unit"),
        path("don-vi/<int:pk>/them-co-quan/", web_views.department_add, name="department_add"),
    ],
    "web",
)
units = (
    [
        path("", unit_views.region_list, name="regions"),
        path("moi/", unit_views.peer_group_edit, name="peer_new"),
        path("<int:pk>/sua/", unit_views.peer_group_edit, name="peer_edit"),
    ],
    "units",
)
frameworks = (
    [
        path("", framework_views.framework_list, name="list"),
        path("mau.xlsx", framework_views.framework_template, name="template"),
        path("nhap/", framework_views.framework_import, name="import"),
        path("<int:pk>/", framework_views.framework_detail, name="detail"),
        path("<int:pk>/xuat.xlsx", framework_views.framework_export, name="export"),
    ],
    "frameworks",
)
results = (
    [
        path("nhap/", result_views.import_list, name="import_list"),
        path("nhap/moi/", result_views.import_new, name="import_new"),
        path("nhap/<int:pk>/", result_views.import_preview, name="import_preview"),
        path("nhap/<int:pk>/ghi/", result_views.import_commit, name="import_commit"),
        path("nhap/<int:pk>/hoan-tac/", result_views.import_revert, name="import_revert"),
        path("nhap/viec/<int:pk>/", result_views.import_job, name="import_job"),
        path("nhap/viec/<int:pk>/huy/", result_views.import_job_cancel, name="import_job_cancel"),
        path("nhap/mau/<str:index>.csv", result_views.results_template, name="template"),
        path("<str:index>/", result_views.results_index, name="index"),
        path("<str:index>/<int:year>/", result_views.results_table, name="table"),
    ],
    "results",
)
analysis = (
    [
        path("", analysis_views.analysis_pick, name="pick"),
        path("<str:index>/<int:unit>/<int:year>/", analysis_views.analysis_page, name="page"),
        path("<str:index>/<int:unit>/<int:year>/khoang-cach/", analysis_views.gap_partial, name="gap"),
        path("<str:index>/<int:unit>/<int:year>/gia-dinh/", analysis_views.whatif_partial, name="whatif"),
        path(
            "<str:index>/<int:unit>/<int:year>/doan-mo-dau.txt",
            analysis_views.opening_partial,
            name="opening",
        ),
        path("<str:index>/<int:unit>/<int:year>/bieu-do/<str:kind>.svg", analysis_views.chart, name="chart"),
    ],
    "analysis",
)

urlpatterns = [
    path("healthz", web_views.healthz),
    # before the pages: the API's addresses (the public survey intake first) are found without trying
    # every page's pattern; no page address starts with api/
    path("api/", include("chiso.api.urls")),
    path("accounts/", include(accounts)),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("", include(web)),
    path("vung/", include(units)),
    path("bo-chi-so/", include(frameworks)),
    path("ket-qua/", include(results)),
    path("phan-tich/", include(analysis)),
    path("ke-hoach/", include("chiso.plans.urls")),
    path("ke-hoach/", include("chiso.tracking.urls")),
    path("ke-hoach/", include("chiso.notifications.urls")),
    path("van-ban/", include("chiso.documents.urls")),
    path("danh-gia/", include("chiso.assessment.urls")),
    path("khao-sat/", include("chiso.surveys.urls")),
    path("phieu/", include("chiso.surveys.urls_public")),
    path("quan-tri/", admin.site.urls),
]

# The API answers its errors in JSON even where none of its views was reached (chiso.web.security).
handler400 = "chiso.web.security.bad_request"
handler403 = "chiso.web.security.permission_denied"
handler404 = "chiso.web.security.page_not_found"
handler500 = "chiso.web.security.server_error"
