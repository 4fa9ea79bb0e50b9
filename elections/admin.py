from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from elections.models import Election, ElectionCandidate, ElectionCorrection


class ElectionCandidateInline(admin.TabularInline):
    model = ElectionCandidate
    extra = 0
    raw_id_fields = ["person", "membership"]
    # Who is elected is computed by the portal, never ticked by hand.
    readonly_fields = ["outcome"]


class ElectionCorrectionInline(admin.TabularInline):
    model = ElectionCorrection
    extra = 0
    can_delete = False
    readonly_fields = ["made_at", "made_by", "reason", "changes"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Election)
class ElectionAdmin(SimpleHistoryAdmin):
    list_display = [
        "election_day",
        "community",
        "kind",
        "term_number",
        "method",
        "certified_on",
    ]
    list_filter = ["kind", "method"]
    search_fields = ["community__name", "community__code"]
    raw_id_fields = ["community", "election_committee", "certified_by"]
    list_select_related = ["community"]
    readonly_fields = ["result_rule"]
    inlines = [ElectionCandidateInline, ElectionCorrectionInline]
    show_full_result_count = False
