from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import ImportBatch, Result


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["file_name", "index", "year", "status", "rows_changed", "created_by", "created_at"]
    list_filter = ["status", "index"]


@admin.register(Result)
class ResultAdmin(SimpleHistoryAdmin):
    list_display = ["unit", "node", "year", "value", "published_rank"]
    list_filter = ["framework", "year"]
    raw_id_fields = ["unit", "node", "batch"]
