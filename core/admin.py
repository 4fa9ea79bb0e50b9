from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from core.models import Assignment, User


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 1


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [AssignmentInline]
    list_display = ["username", "full_name", "is_staff", "is_active", "last_login"]
    search_fields = ["username", "full_name", "email"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("平台"), {"fields": ["full_name"]}),
    )


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "code"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__full_name", "code"]
    raw_id_fields = ["user"]
