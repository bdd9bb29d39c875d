"""Routes of the plans API (plans, targets, tasks, progress reports and their evidence, periodic
reports, reminders; one module per resource), mounted at ``/api/`` by ``chiso.api.urls``."""

from django.urls import path

from . import periodic, plans, reminders, reports, targets, tasks

urlpatterns = [
    path("plans/", plans.PlanListView.as_view(), name="api-plans"),
    path("plans/<int:pk>/", plans.PlanDetailView.as_view(), name="api-plan"),
    path("plans/<int:pk>/transition/", plans.PlanTransitionView.as_view(), name="api-plan-transition"),
    path("plans/<int:plan_id>/targets/", targets.PlanTargetListView.as_view(), name="api-plan-targets"),
    path(
        "plans/<int:plan_id>/target-review/",
        targets.PlanTargetReviewView.as_view(),
        name="api-plan-target-review",
    ),
    path("plans/<int:plan_id>/tasks/", tasks.PlanTaskListView.as_view(), name="api-plan-tasks"),
    path("targets/<int:pk>/", targets.TargetDetailView.as_view(), name="api-target"),
    path("tasks/<int:pk>/", tasks.TaskDetailView.as_view(), name="api-task"),
    path("tasks/<int:pk>/answer/", tasks.TaskAnswerView.as_view(), name="api-task-answer"),
    path("tasks/<int:task_id>/reports/", reports.TaskReportListView.as_view(), name="api-task-reports"),
    path("reports/<int:pk>/", reports.ReportDetailView.as_view(), name="api-report"),
    path("reports/<int:pk>/evidence/", reports.ReportEvidenceView.as_view(), name="api-report-evidence"),
    path(
        "plans/<int:plan_id>/periodic-reports/",
        periodic.PlanPeriodicReportListView.as_view(),
        name="api-plan-periodic-reports",
    ),
    path(
        "periodic-reports/<int:pk>/", periodic.PeriodicReportDetailView.as_view(), name="api-periodic-report"
    ),
    path("reminders/", reminders.ReminderListView.as_view(), name="api-reminders"),
]
