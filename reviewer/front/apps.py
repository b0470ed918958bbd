from django.apps import AppConfig


class FrontConfig(AppConfig):
    name = "reviewer.front"
    label = "front"

    def ready(self) -> None:
        from reviewer.front import checks  # noqa: F401  (registers the system checks)
