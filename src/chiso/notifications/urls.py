"""Routes of chiso.notifications, mounted at /ke-hoach/ (namespace "notifications")."""

from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("thong-bao/", views.notifications, name="list"),
]
