"""Routes of the plans API (plans, targets, tasks, progress reports and their evidence, periodic
reports, reminders), mounted at ``/api/`` by ``chiso.api.urls``."""

from django.urls import path

from . import plans

urlpatterns = [
    path("plans/", plans.PlanListView.as_view(), name="api-plans"),
    path("plans/<int:pk>/", plans.PlanDetailView.as_view(), name="api-plan"),
    path("plans/<int:pk>/transition/", plans.PlanTransitionView.as_view(), name="api-plan-transition"),
    path("plans/<int:plan_id>/targets/", plans.PlanTargetListView.as_view(), name="api-plan-targets"),
    path("plans/<int:plan_id>/tasks/", plans.PlanTaskListView.as_view(), name="api-plan-tasks"),
    path("targets/<int:pk>/", plans.TargetDetailView.as_view(), name="api-target"),
    path("tasks/<int:pk>/", plans.TaskDetailView.as_view(), name="api-task"),
    path("tasks/<int:task_id>/reports/", plans.TaskReportListView.as_view(), name="api-task-reports"),
    path("reports/<int:pk>/", plans.ReportDetailView.as_view(), name="api-report"),
    path("reports/<int:pk>/evidence/", plans.ReportEvidenceView.as_view(), name="api-report-evidence"),
    path(
        "plans/<int:plan_id>/periodic-reports/",
        plans.PlanPeriodicReportListView.as_view(),
        name="api-plan-periodic-reports",
    ),
    path("periodic-reports/<int:pk>/", plans.PeriodicReportDetailView.as_view(), name="api-periodic-report"),
    path("reminders/", plans.ReminderListView.as_view(), name="api-reminders"),
]
