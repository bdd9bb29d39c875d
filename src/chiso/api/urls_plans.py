"""Routes of the plans API (plans, targets, tasks, progress reports and their evidence, periodic
reports, reminders; one module per resource), mounted at ``/api/`` by ``chiso.api.urls``."""

from django.urls import path

from . import periodic, plans, reminders, reports, targets, tasks
from .routes import resource

urlpatterns = [
    path("plans/", plans.PlanListView.as_view(), name="api-plans"),
    *resource(
        "plans/<int:pk>/", "api-plan", {"": plans.PlanDetailView, "transition": plans.PlanTransitionView}
    ),
    *resource(
        "plans/<int:plan_id>/",
        "api-plan",
        {
            "targets": targets.PlanTargetListView,
            "target-review": targets.PlanTargetReviewView,
            "tasks": tasks.PlanTaskListView,
            "periodic-reports": periodic.PlanPeriodicReportListView,
        },
    ),
    path("targets/<int:pk>/", targets.TargetDetailView.as_view(), name="api-target"),
    *resource("tasks/<int:pk>/", "api-task", {"": tasks.TaskDetailView, "answer": tasks.TaskAnswerView}),
    path("tasks/<int:task_id>/reports/", reports.TaskReportListView.as_view(), name="api-task-reports"),
    *resource(
        "reports/<int:pk>/",
        "api-report",
        {"": reports.ReportDetailView, "evidence": reports.ReportEvidenceView},
    ),
    path(
        "periodic-reports/<int:pk>/", periodic.PeriodicReportDetailView.as_view(), name="api-periodic-report"
    ),
    path("reminders/", reminders.ReminderListView.as_view(), name="api-reminders"),
]
