"""Routes of the execution part of chiso.plans (included by chiso.plans.urls)."""

from django.urls import path

from . import views_execution as v

urlpatterns: list = [
    path("viec-cua-toi/", v.inbox, name="inbox"),
    path("nhiem-vu/<int:pk>/", v.task_detail, name="task"),
    path("nhiem-vu/<int:pk>/bao-cao/", v.report, name="report"),
    path("minh-chung/<int:pk>/", v.evidence, name="evidence"),
    path("thong-bao/", v.notifications, name="notifications"),
    path("trien-khai/<int:pk>/", v.cascade, name="cascade"),
    path("trien-khai/<int:pk>/giao-cap-xa/", v.instantiate, name="instantiate"),
]
