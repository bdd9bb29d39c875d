"""Routes of the assessment API (rounds, sheets and scores, evidence, score imports, assignments, the
province's own self-assessment; one
module per resource), mounted at ``/api/assessment/`` by ``chiso.api.urls``."""

from django.urls import path

from . import assignments, evidence, province, rounds, score_imports, sheets
from .routes import resource

urlpatterns = [
    path("rounds/", rounds.RoundListView.as_view(), name="api-rounds"),
    *resource(
        "rounds/<int:pk>/",
        "api-round",
        {"": rounds.RoundDetailView, "advance": rounds.RoundAdvanceView, "summary": rounds.RoundSummaryView},
    ),
    path("rounds/<int:pk>/import-scores/", score_imports.RoundImportView.as_view(), name="api-round-import"),
    *resource(
        "rounds/<int:pk>/province/",
        "api-province",
        {
            "": province.ProvinceCriteriaView,
            "assign": province.ProvinceAssignView,
            "propose": province.ProvinceProposeView,
            "consolidate": province.ProvinceConsolidateView,
            "forecast": province.ProvinceForecastView,
            "differences": province.ProvinceDifferencesView,
            "ministry-import": province.ProvinceMinistryImportView,
            "add-lost": province.ProvinceAddLostView,
        },
    ),
    *resource(
        "rounds/<int:round_id>/",
        "api-round",
        {"sheets": sheets.RoundSheetListView, "assignments": assignments.RoundAssignmentListView},
    ),
    path("assignments/<int:pk>/", assignments.AssignmentDetailView.as_view(), name="api-assignment"),
    *resource(
        "sheets/<int:pk>/",
        "api-sheet",
        {
            "": sheets.SheetDetailView,
            "scores": sheets.SheetScoresView,
            "submit": sheets.SheetSubmitView,
            "reopen": sheets.SheetReopenView,
            "evidence": evidence.SheetEvidenceView,
            "evidence/files": evidence.SheetEvidenceFilesView,
            "evidence/links": evidence.SheetEvidenceLinksView,
        },
    ),
    path("evidence-files/<int:pk>/", evidence.EvidenceFileView.as_view(), name="api-evidence-file"),
    path("evidence-links/<int:pk>/", evidence.EvidenceLinkView.as_view(), name="api-evidence-link"),
]
