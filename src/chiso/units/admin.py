from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Region, Unit, UnitLink


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "kind", "valid_from", "valid_to"]
    list_filter = ["kind"]
    search_fields = ["name", "code", "search_text"]
    raw_id_fields = ["parent"]


@admin.register(Region)
class RegionAdmin(SimpleHistoryAdmin):
    list_display = ["name_vi", "code", "kind"]
    filter_horizontal = ["members"]


admin.site.register(UnitLink)
