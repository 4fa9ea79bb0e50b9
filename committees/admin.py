from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from committees.models import Membership, Organization, Person, Qualification, Training


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
