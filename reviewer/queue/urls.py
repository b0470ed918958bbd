from django.urls import path

from reviewer.queue import views, webhook

urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("queue/next/", views.next_task, name="queue-next"),
    path("queue/ahead/", views.ahead, name="queue-ahead"),
    path("queue/sync/", views.sync, name="queue-sync"),
    path("queue/syncs/", views.syncs, name="queue-syncs"),
    path("queue/import/", views.import_ids, name="queue-import"),
    path("queue/<int:entry_id>/renew/", views.renew, name="queue-renew"),
    path("queue/<int:entry_id>/release/", views.release, name="queue-release"),
    path("queue/<int:entry_id>/release-claim/", views.release_claim, name="queue-release-claim"),
    path("webhooks/sendai/", webhook.webhook, name="webhook"),
]
