"""Routes of the assessment API (rounds, sheets and scores, evidence, score imports, assignments; one
module per resource), mounted at ``/api/assessment/`` by ``chiso.api.urls``."""

from django.urls import path

from . import assignments, evidence, rounds, score_imports, sheets

urlpatterns = [
    path("rounds/", rounds.RoundListView.as_view(), name="api-rounds"),
    path("rounds/<int:pk>/", rounds.RoundDetailView.as_view(), name="api-round"),
    path("rounds/<int:pk>/advance/", rounds.RoundAdvanceView.as_view(), name="api-round-advance"),
    path("rounds/<int:pk>/summary/", rounds.RoundSummaryView.as_view(), name="api-round-summary"),
    path("rounds/<int:pk>/import-scores/", score_imports.RoundImportView.as_view(), name="api-round-import"),
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
