"""Routes of chiso.assessment, mounted at /danh-gia/ (namespace "assessment"); each part keeps its own list.
Minimal for now: the documents and the evidence package (the round and sheet pages add theirs here)."""

from . import urls_documents

app_name = "assessment"
urlpatterns = [
    *urls_documents.urlpatterns,
]
