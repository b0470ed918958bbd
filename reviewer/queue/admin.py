from django.contrib import admin

from reviewer.queue.models import SyncRun


@admin.register(SyncRun)
class SyncRunAdmin(admin.ModelAdmin):
    """The syncs the worker ran or runs, with their progress and last error: read only."""

    list_display = (
        "pk",
        "kind",
        "team_id",
        "project_id",
        "upload_id",
        "status",
        "pages",
        "seen",
        "attempts",
        "created_at",
    )
    list_filter = ("status", "kind")
    search_fields = ("team_id", "project_id", "upload_id", "error")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
