from django.urls import path

from reviewer.audit import views

urlpatterns = [
    path("audit/approvals/", views.approvals, name="audit-approvals"),
    path("audit/activity/", views.activity, name="audit-activity"),
    path("audit/task/<str:team_id>/<str:project_id>/<str:task_id>/", views.task_history, name="audit-task"),
    path("audit/figures/", views.figures, name="audit-figures"),
    path("audit/samples/", views.samples, name="audit-samples"),
    path("audit/samples/<int:sample_id>/", views.sample, name="audit-sample"),
    path("audit/samples/items/<int:item_id>/verdict/", views.verdict, name="audit-verdict"),
]
