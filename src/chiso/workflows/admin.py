from django.contrib import admin

from .models import WorkflowEvent


@admin.register(WorkflowEvent)
class WorkflowEventAdmin(admin.ModelAdmin):
    list_display = ("at", "content_type", "object_id", "action", "from_status", "to_status", "user")
    list_filter = ("content_type", "action")
    readonly_fields = [f.name for f in WorkflowEvent._meta.fields]
