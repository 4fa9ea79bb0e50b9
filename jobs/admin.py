from django.contrib import admin

from jobs.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "scope_code", "user", "state", "done", "total", "created_at")
    list_filter = ("state", "kind")
    search_fields = ("title", "scope_code", "user__username")
    raw_id_fields = ("user",)
    filter_horizontal = ("watchers",)
