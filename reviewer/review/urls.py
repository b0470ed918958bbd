from django.urls import path

from reviewer.review import views

urlpatterns = [
    path("review/open/", views.open_task, name="open-task"),
    path("review/issue-types/", views.issue_types, name="issue-types"),
    path("review/view-settings/", views.view_prefs, name="view-prefs"),
    path("review/issue-types/<int:type_id>/toggle/", views.issue_type_toggle, name="issue-type-toggle"),
    path("review/<str:team_id>/<str:project_id>/<str:task_id>/", views.task, name="task"),
    path("review/<str:team_id>/<str:project_id>/<str:task_id>/act/<str:action>/", views.act, name="task-act"),
    path("review/<str:team_id>/<str:project_id>/<str:task_id>/draft/", views.draft, name="task-draft"),
    path("review/<str:team_id>/<str:project_id>/<str:task_id>/draft/undo/", views.draft_undo, name="task-draft-undo"),
    path(
        "review/<str:team_id>/<str:project_id>/<str:task_id>/draft/discard/",
        views.draft_discard,
        name="task-draft-discard",
    ),
    path(
        "review/<str:team_id>/<str:project_id>/<str:task_id>/page/<str:page_id>/image/",
        views.page_image,
        name="page-image",
    ),
]
