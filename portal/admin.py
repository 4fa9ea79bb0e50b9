from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from portal.models import (
    Assignment,
    Finding,
    JurisdictionFinding,
    PolicyDocument,
    Standard,
    User,
)


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 1


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [AssignmentInline]
    list_display = ["username", "full_name", "is_staff", "is_active", "last_login"]
    search_fields = ["username", "full_name", "email"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("平台"), {"fields": ["full_name"]}),
    )


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "code"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__full_name", "code"]
    raw_id_fields = ["user"]


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
    list_display = ["code", "standard", "as_of", "status", "measured", "expected", "is_current"]
    list_filter = ["status", "is_current", "as_of"]
    search_fields = ["code"]
    raw_id_fields = ["community", "standard"]
    list_select_related = ["standard"]
    show_full_result_count = False


@admin.register(JurisdictionFinding)
class JurisdictionFindingAdmin(admin.ModelAdmin):
    list_display = ["code", "standard", "as_of", "status", "measured", "expected", "is_current"]
    list_filter = ["status", "is_current"]
    search_fields = ["code"]
    raw_id_fields = ["standard"]
