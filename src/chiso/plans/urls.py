"""Routes of chiso.plans, mounted at /ke-hoach/ (namespace "plans"); each part keeps its own list.
Execution and monitoring (same prefix) are chiso.tracking's, notices chiso.notifications'."""

from django.urls import path

from . import urls_documents, urls_drafting, urls_plans, views_cascade

app_name = "plans"
urlpatterns = [
    *urls_plans.urlpatterns,
    *urls_drafting.urlpatterns,
    *urls_documents.urlpatterns,
    path("trien-khai/<int:pk>/", views_cascade.cascade, name="cascade"),
    path("trien-khai/<int:pk>/giao-cap-xa/", views_cascade.instantiate, name="instantiate"),
    path("trien-khai/<int:pk>/phong-ban/", views_cascade.office_add, name="office_add"),
]
