from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Framework, Index


@admin.register(Framework)
class FrameworkAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name_vi", "valid_from", "valid_to", "version", "complete", "active"]
    list_filter = ["index", "active"]


admin.site.register(Index)
