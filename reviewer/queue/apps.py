from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QueueConfig(AppConfig):
    name = "reviewer.queue"
    label = "queue"
    verbose_name = _("Work queue")
