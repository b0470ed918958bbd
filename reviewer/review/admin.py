from django.contrib import admin

from reviewer.review.models import IssueType


@admin.register(IssueType)
class IssueTypeAdmin(admin.ModelAdmin):
    list_display = ("label", "value", "active")
