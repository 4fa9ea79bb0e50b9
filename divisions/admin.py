from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from divisions.models import Community, Division


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]
    list_select_related = ["parent"]
    show_full_result_count = False


@admin.register(Community)
class CommunityAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "street", "kind", "households", "population", "multi_ethnic"]
    list_filter = ["kind", "multi_ethnic"]
    search_fields = ["code", "name"]
    raw_id_fields = ["street"]
    list_select_related = ["street"]
    # Counting 124,650 rows on every changelist page is wasted work.
    show_full_result_count = False
