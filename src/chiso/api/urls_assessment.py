"""Routes of the assessment API (rounds, sheets and scores, evidence, score imports, assignments, the
province's own self-assessment; one
module per resource), mounted at ``/api/assessment/`` by ``chiso.api.urls``."""

from django.urls import path

from . import assignments, evidence, province, rounds, score_imports, sheets

urlpatterns = [
    path("rounds/", rounds.RoundListView.as_view(), name="api-rounds"),
    path("rounds/<int:pk>/", rounds.RoundDetailView.as_view(), name="api-round"),
    path("rounds/<int:pk>/advance/", rounds.RoundAdvanceView.as_view(), name="api-round-advance"),
    path("rounds/<int:pk>/summary/", rounds.RoundSummaryView.as_view(), name="api-round-summary"),
    path("rounds/<int:pk>/import-scores/", score_imports.RoundImportView.as_view(), name="api-round-import"),
    path("rounds/<int:pk>/province/", province.ProvinceCriteriaView.as_view(), name="api-province"),
    path(
        "rounds/<int:pk>/province/assign/", province.ProvinceAssignView.as_view(), name="api-province-assign"
    ),
    path(
        "rounds/<int:pk>/province/propose/",
        province.ProvinceProposeView.as_view(),
        name="api-province-propose",
    ),
    path(
        "rounds/<int:pk>/province/consolidate/",
        province.ProvinceConsolidateView.as_view(),
        name="api-province-consolidate",
    ),
    path(
        "rounds/<int:pk>/province/forecast/",
        province.ProvinceForecastView.as_view(),
        name="api-province-forecast",
    ),
    path(
        "rounds/<int:pk>/province/differences/",
        province.ProvinceDifferencesView.as_view(),
        name="api-province-differences",
    ),
    path(
        "rounds/<int:pk>/province/ministry-import/",
        province.ProvinceMinistryImportView.as_view(),
        name="api-province-ministry-import",
    ),
    path(
        "rounds/<int:pk>/province/add-lost/",
        province.ProvinceAddLostView.as_view(),
        name="api-province-add-lost",
    ),
    path("rounds/<int:round_id>/sheets/", sheets.RoundSheetListView.as_view(), name="api-round-sheets"),
    path(
        "rounds/<int:round_id>/assignments/",
        assignments.RoundAssignmentListView.as_view(),
        name="api-round-assignments",
    ),
    path("assignments/<int:pk>/", assignments.AssignmentDetailView.as_view(), name="api-assignment"),
    path("sheets/<int:pk>/", sheets.SheetDetailView.as_view(), name="api-sheet"),
    path("sheets/<int:pk>/scores/", sheets.SheetScoresView.as_view(), name="api-sheet-scores"),
    path("sheets/<int:pk>/submit/", sheets.SheetSubmitView.as_view(), name="api-sheet-submit"),
    path("sheets/<int:pk>/reopen/", sheets.SheetReopenView.as_view(), name="api-sheet-reopen"),
    path("sheets/<int:pk>/evidence/", evidence.SheetEvidenceView.as_view(), name="api-sheet-evidence"),
    path(
        "sheets/<int:pk>/evidence/files/",
        evidence.SheetEvidenceFilesView.as_view(),
        name="api-sheet-evidence-files",
    ),
    path(
        "sheets/<int:pk>/evidence/links/",
        evidence.SheetEvidenceLinksView.as_view(),
        name="api-sheet-evidence-links",
    ),
    path("evidence-files/<int:pk>/", evidence.EvidenceFileView.as_view(), name="api-evidence-file"),
    path("evidence-links/<int:pk>/", evidence.EvidenceLinkView.as_view(), name="api-evidence-link"),
]
