from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "reviewer.sandbox"
    label = "sandbox"
    verbose_name = "Send.ai sandbox"
