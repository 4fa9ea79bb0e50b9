from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from committees.models import (
    Community,
    Division,
    Membership,
    Organization,
    Person,
    Qualification,
    Training,
)


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


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["person"]
    fields = ["person", "position", "start_date", "end_date", "term_ends_on", "full_time", "source"]


@admin.register(Organization)
class OrganizationAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "community",
        "kind",
        "subkind",
        "party_member_count",
        "established_on",
        "dissolved_on",
    ]
    list_filter = ["kind", "subkind"]
    search_fields = ["name", "community__name", "community__code"]
    raw_id_fields = ["community"]
    list_select_related = ["community"]
    inlines = [MembershipInline]
    show_full_result_count = False


class TrainingInline(admin.TabularInline):
    model = Training
    extra = 0


class QualificationInline(admin.TabularInline):
    model = Qualification
    extra = 0


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "community",
        "gender",
        "birth_date",
        "political_status",
        "lives_in_community",
        "registered_in_community",
    ]
    list_filter = ["gender", "political_status", "education", "lives_in_community"]
    search_fields = ["name", "community__name", "community__code"]
    raw_id_fields = ["community"]
    list_select_related = ["community"]
    inlines = [TrainingInline, QualificationInline]
    show_full_result_count = False


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = [
        "person",
        "organization",
        "position",
        "start_date",
        "end_date",
        "full_time",
        "source",
    ]
    list_filter = ["position", "source", "full_time"]
    search_fields = ["person__name", "organization__name", "organization__community__code"]
    raw_id_fields = ["person", "organization"]
    list_select_related = ["person", "organization"]
    show_full_result_count = False


@admin.register(Training)
class TrainingAdmin(SimpleHistoryAdmin):
    list_display = ["person", "date", "course", "hours", "organizer"]
    search_fields = ["person__name", "course"]
    raw_id_fields = ["person"]
    list_select_related = ["person"]
