"""Routes of the drafting part of chiso.plans (included by chiso.plans.urls): the task library, the
responsibility map and drafting a plan from the analysis."""

from django.urls import path

from . import views_drafting as v

urlpatterns: list = [
    path("thu-vien/", v.library_list, name="library"),
    path("thu-vien/moi/", v.library_new, name="library_new"),
    path("thu-vien/<int:pk>/sua/", v.library_edit, name="library_edit"),
    path("trach-nhiem/<slug:index>/", v.responsibility, name="responsibility"),
    path("lap-tu-phan-tich/", v.draft, name="draft"),
]
