"""Routes of chiso.plans, mounted at /ke-hoach/ (namespace "plans"); each part keeps its own list."""

from . import urls_documents, urls_drafting, urls_execution, urls_monitoring, urls_plans

app_name = "plans"
urlpatterns = [
    *urls_plans.urlpatterns,
    *urls_drafting.urlpatterns,
    *urls_execution.urlpatterns,
    *urls_monitoring.urlpatterns,
    *urls_documents.urlpatterns,
]
