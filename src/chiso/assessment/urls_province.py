"""Routes of a round on the province itself (its PAR INDEX self-assessment), relative to the assessment
pages' prefix (/danh-gia/): included by chiso.assessment.urls (namespace "assessment")."""

from django.urls import path

from . import views_province as v

urlpatterns = [
    path("<int:pk>/tinh/", v.province_page, name="province"),
    path("<int:pk>/tinh/phan-cong-so/", v.assign, name="province_assign"),
    path("<int:pk>/tinh/de-xuat/", v.propose, name="province_propose"),
    path("<int:pk>/tinh/tong-hop/", v.consolidate, name="province_consolidate"),
    path("<int:pk>/tinh/ket-qua-bo/", v.ministry_import, name="province_ministry"),
    path("<int:pk>/tinh/dua-vao-ke-hoach/", v.add_lost, name="province_add_lost"),
]
