from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from governance.models import Disclosure, FinanceLine, Meeting, Resolution


class ResolutionInline(admin.TabularInline):
    model = Resolution
    extra = 0
    fields = [
        "title",
        "present",
        "votes_for",
        "votes_against",
        "abstentions",
        "passed",
        "rule",
        "published",
    ]


@admin.register(Meeting)
class MeetingAdmin(SimpleHistoryAdmin):
    list_display = ["date", "title", "community", "kind", "entitled", "attended", "held"]
    list_filter = ["kind", "held"]
    search_fields = ["title", "community__name", "community__code"]
    raw_id_fields = ["community", "facility"]
    list_select_related = ["community"]
    inlines = [ResolutionInline]
    show_full_result_count = False


class FinanceLineInline(admin.TabularInline):
    model = FinanceLine
    extra = 0


@admin.register(Disclosure)
class DisclosureAdmin(SimpleHistoryAdmin):
    list_display = ["title", "community", "category", "published_on", "channel"]
    list_filter = ["category", "channel"]
    search_fields = ["title", "community__name", "community__code"]
    raw_id_fields = ["community"]
    list_select_related = ["community"]
    inlines = [FinanceLineInline]
    show_full_result_count = False
