"""The sandbox's routes. IDs match any segment here and are validated by the views,
so that a bad ID gets the contract's error envelope rather than Django's 404 page."""

from django.urls import re_path

from reviewer.sandbox import views

SEG = r"[^/]+"
TASK = rf"^v2/(?P<team_id>{SEG})/project/(?P<project_id>{SEG})/task"

urlpatterns = [
    re_path(r"^openapi\.json$", views.openapi, name="sandbox-openapi"),
    re_path(rf"{TASK}$", views.task_list, name="sandbox-task-list"),
    re_path(rf"{TASK}/(?P<task_id>{SEG})$", views.task_detail, name="sandbox-task"),
    re_path(rf"{TASK}/(?P<task_id>{SEG})/page/(?P<page_id>{SEG})/image$", views.page_image, name="sandbox-page-image"),
    re_path(rf"{TASK}/(?P<task_id>{SEG})/(?P<action>{SEG})$", views.task_action, name="sandbox-task-action"),
    re_path(r"", views.not_found),
]
