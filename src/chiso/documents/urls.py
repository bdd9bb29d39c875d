from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("mau/", views.layout_list, name="layouts"),
    path("mau/<str:kind>/", views.layout_edit, name="layout_edit"),
    path("mau/<str:kind>/xem-thu.<str:fmt>", views.layout_preview, name="layout_preview"),
]
