from django.apps import AppConfig


class QueueConfig(AppConfig):
    name = "reviewer.queue"
    label = "queue"
    verbose_name = "Work queue"
