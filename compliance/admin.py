from django.contrib import admin

from compliance.models import Finding, JurisdictionFinding, PolicyDocument, Standard


class StandardInline(admin.TabularInline):
    model = Standard
    fields = ["code", "title", "article", "rule_key", "level"]
    extra = 0
    show_change_link = True


@admin.register(PolicyDocument)
class PolicyDocumentAdmin(admin.ModelAdmin):
    list_display = ["key", "title", "number", "status", "tier", "effective_from", "effective_to"]
    list_filter = ["status", "tier"]
    search_fields = ["key", "title", "number", "issuer"]
    inlines = [StandardInline]


@admin.register(Standard)
class StandardAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "document", "article", "rule_key", "level", "is_default"]
    list_filter = ["level", "is_default", "document"]
    search_fields = ["code", "title", "quote", "rule_key"]
    list_select_related = ["document"]


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "standard",
        "valid_from",
        "valid_to",
        "status",
        "measured",
        "expected",
        "is_current",
    ]
    list_filter = ["status", "is_current", "valid_from", "valid_to"]
    search_fields = ["code"]
    raw_id_fields = ["community", "standard"]
    list_select_related = ["standard"]
    show_full_result_count = False


@admin.register(JurisdictionFinding)
class JurisdictionFindingAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "standard",
        "valid_from",
        "valid_to",
        "status",
        "measured",
        "expected",
        "is_current",
    ]
    list_filter = ["status", "is_current"]
    search_fields = ["code"]
    raw_id_fields = ["standard"]
