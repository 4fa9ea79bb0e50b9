from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from compliance.models import Finding, JurisdictionFinding, PolicyDocument, Standard
from compliance.rules import INFO_RULE, registry


def lacks_rule(standard: Standard) -> bool:
    return standard.rule_key != INFO_RULE and standard.rule_key not in registry


class RuleImplementedFilter(admin.SimpleListFilter):
    """Which standards can be checked: a bureau activating a document sees what is pending."""

    title = _("检查规则")
    parameter_name = "rule"

    def lookups(self, request, model_admin):
        return [("missing", _("尚未实现")), ("implemented", _("已实现")), ("info", _("说明性"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        implemented = sorted(registry.rules)
        if self.value() == "missing":
            return queryset.exclude(rule_key__in=[*implemented, INFO_RULE])
        if self.value() == "implemented":
            return queryset.filter(rule_key__in=implemented)
        if self.value() == "info":
            return queryset.filter(rule_key=INFO_RULE)
        return queryset


class StandardInline(admin.TabularInline):
    model = Standard
    fields = ["code", "title", "article", "rule_key", "rule_state", "level"]
    readonly_fields = ["rule_state"]
    extra = 0
    show_change_link = True

    @admin.display(description=_("可否检查"))
    def rule_state(self, standard: Standard) -> str:
        if not standard.pk:
            return ""
        if standard.rule_key == INFO_RULE:
            return str(_("说明性条款,不作检查"))
        return str(_("检查规则尚未实现")) if lacks_rule(standard) else str(_("可检查"))


@admin.register(PolicyDocument)
class PolicyDocumentAdmin(admin.ModelAdmin):
    list_display = ["key", "title", "number", "status", "tier", "effective_from", "effective_to"]
    list_filter = ["status", "tier"]
    search_fields = ["key", "title", "number", "issuer"]
    inlines = [StandardInline]
    readonly_fields = ["standards_without_rule"]

    @admin.display(description=_("检查规则尚未实现的条款"))
    def standards_without_rule(self, document: PolicyDocument) -> str:
        if not document.pk:
            return ""
        codes = [s.code for s in document.standards.all() if lacks_rule(s)]
        return "、".join(codes) if codes else str(_("无"))


@admin.register(Standard)
class StandardAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "title",
        "document",
        "article",
        "rule_key",
        "rule_implemented",
        "level",
        "is_default",
    ]
    list_filter = [RuleImplementedFilter, "level", "is_default", "document"]
    search_fields = ["code", "title", "quote", "rule_key"]
    list_select_related = ["document"]

    @admin.display(description=_("检查规则已实现"), boolean=True)
    def rule_implemented(self, standard: Standard) -> bool | None:
        return None if standard.rule_key == INFO_RULE else not lacks_rule(standard)


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
