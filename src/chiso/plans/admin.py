from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from . import models


@admin.register(models.Plan)
class PlanAdmin(SimpleHistoryAdmin):
    list_display = ["title", "issuing_unit", "year", "status"]
    list_filter = ["status", "year"]
    raw_id_fields = ["issuing_unit", "amends", "derived_from"]


@admin.register(models.Task)
class TaskAdmin(SimpleHistoryAdmin):
    list_display = ["text", "plan", "lead_unit", "deadline", "progress", "done"]
    raw_id_fields = ["plan", "lead_unit", "origin"]
    filter_horizontal = ["coordinating_units"]


@admin.register(models.LibraryTask)
class LibraryTaskAdmin(SimpleHistoryAdmin):
    list_display = ["key", "index", "text"]
    list_filter = ["index", "shipped"]
