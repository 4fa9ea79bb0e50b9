from django.contrib import admin

from supervision.models import (
    Assessment,
    AssessmentItem,
    Exemption,
    NoticeEvent,
    NoticeItem,
    RectificationNotice,
)


class NoticeItemInline(admin.TabularInline):
    model = NoticeItem
    extra = 0
    raw_id_fields = ["standard"]


class NoticeEventInline(admin.TabularInline):
    model = NoticeEvent
    extra = 0
    fields = ["kind", "actor", "at", "text", "evidence_link", "evidence_note", "attachment"]
    readonly_fields = ["at"]
    raw_id_fields = ["actor"]


@admin.register(RectificationNotice)
class RectificationNoticeAdmin(admin.ModelAdmin):
    list_display = ["code", "community", "state", "issued_on", "due_on", "closed_on", "issued_by"]
    list_filter = ["state"]
    search_fields = ["code", "community__name", "instructions"]
    raw_id_fields = ["community", "issued_by"]
    list_select_related = ["community", "issued_by"]
    inlines = [NoticeItemInline, NoticeEventInline]
    show_full_result_count = False


@admin.register(Exemption)
class ExemptionAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "community",
        "standard",
        "state",
        "raised_on",
        "decided_by",
        "expires_on",
    ]
    list_filter = ["state"]
    search_fields = ["code", "community__name", "standard__code", "reason"]
    raw_id_fields = ["community", "standard", "raised_by", "decided_by"]
    list_select_related = ["community", "standard", "decided_by"]
    show_full_result_count = False


class AssessmentItemInline(admin.TabularInline):
    model = AssessmentItem
    extra = 0
    raw_id_fields = ["standard"]


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ["year", "title", "code", "state", "exempted_rule", "published_at"]
    list_filter = ["state", "year"]
    search_fields = ["title", "code"]
    raw_id_fields = ["created_by", "published_by"]
    inlines = [AssessmentItemInline]
    # Published scores are a frozen record: read them on the portal, never edit them here.
    readonly_fields = ["state", "as_of", "published_at", "published_by"]
