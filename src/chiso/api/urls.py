"""Routes of the read-only API, mounted at ``/api/`` by ``chiso.urls``.

``schema/`` and ``docs/`` are declared here too: this module is included before the project's own
``api/schema/`` and ``api/docs/`` routes, so these (which require the ``chiso.view_data`` rule) are
the ones that answer; drf-spectacular's default views would serve the schema to anyone.
"""

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, URLResolver, include, path

from . import analysis, frameworks, results, schema, surveys, units

urlpatterns = [
    # first: the public intake is the busiest address (hundreds of responses a second at a counter's peak)
    path(
        "public/surveys/<int:pk>/responses/", surveys.PublicResponseView.as_view(), name="api-survey-intake"
    ),
    path("surveys/<int:pk>/estimates/", surveys.SurveyEstimatesView.as_view(), name="api-survey-estimates"),
    path("surveys/<int:pk>/quotas/", surveys.SurveyQuotasView.as_view(), name="api-survey-quotas"),
    path("units/", units.UnitListView.as_view(), name="api-units"),
    path("units/resolve/", units.UnitResolveView.as_view(), name="api-unit-resolve"),
    path("units/<int:pk>/", units.UnitDetailView.as_view(), name="api-unit"),
    path("regions/", units.RegionListView.as_view(), name="api-regions"),
    path("indices/", frameworks.IndexListView.as_view(), name="api-indices"),
    path("frameworks/", frameworks.FrameworkListView.as_view(), name="api-frameworks"),
    path("frameworks/<int:pk>/", frameworks.FrameworkDetailView.as_view(), name="api-framework"),
    path("results/", results.ResultListView.as_view(), name="api-results"),
    path("figures/<str:index>/<int:year>/", results.FiguresView.as_view(), name="api-figures"),
    path(
        "analysis/<str:index>/<int:unit_id>/<int:year>/", analysis.AnalysisView.as_view(), name="api-analysis"
    ),
    path("gap/<str:index>/<int:unit_id>/<int:year>/", analysis.GapView.as_view(), name="api-gap"),
    path("whatif/<str:index>/<int:unit_id>/<int:year>/", analysis.WhatIfView.as_view(), name="api-whatif"),
    path("", include("chiso.api.urls_plans")),
    path("assessment/", include("chiso.api.urls_assessment")),
    path("schema/", schema.SchemaView.as_view(), name="api-schema"),
    path("docs/", schema.SwaggerView.as_view(), name="api-docs"),
]


def _answered_by_drf(patterns) -> None:
    """The API authenticates its clients itself (session or HTTP Basic) and answers 401/403 in JSON:
    Django's sign-in redirect does not apply to it."""
    for p in patterns:
        if isinstance(p, URLResolver):
            _answered_by_drf(p.url_patterns)
        elif isinstance(p, URLPattern):
            login_not_required(p.callback)


_answered_by_drf(urlpatterns)
