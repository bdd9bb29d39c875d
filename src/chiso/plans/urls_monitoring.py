"""Routes of the monitoring part of chiso.plans (included by chiso.plans.urls)."""

from django.urls import path

from . import views_monitoring as v

urlpatterns: list = [
    path("theo-doi/", v.dashboard, name="dashboard"),
    path("bao-cao-dinh-ky/ke-hoach/<int:plan_pk>/", v.periodic_list, name="periodic_list"),
    path("bao-cao-dinh-ky/ke-hoach/<int:plan_pk>/lap/", v.periodic_new, name="periodic_new"),
    path("bao-cao-dinh-ky/<int:pk>/", v.periodic_detail, name="periodic_detail"),
    path("bao-cao-dinh-ky/<int:pk>/sua/", v.periodic_edit, name="periodic_edit"),
    path("bao-cao-dinh-ky/<int:pk>/chuyen-trang-thai/", v.periodic_transition, name="periodic_transition"),
]
