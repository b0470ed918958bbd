"""The action log in the admin: to look, never to add, change or delete (it is append-only)."""

from django.contrib import admin

from reviewer.review.models import ActionRecord


@admin.register(ActionRecord)
class ActionRecordAdmin(admin.ModelAdmin):
    list_display = ("at", "username", "action", "outcome", "team_id", "project_id", "task_id", "task_approved")
    list_filter = ("action", "outcome")
    search_fields = ("=username", "=task_id")
    ordering = ("-at", "-pk")
    show_full_result_count = False
    actions = None

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
