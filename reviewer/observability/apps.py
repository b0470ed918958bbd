from django.apps import AppConfig


class ObservabilityConfig(AppConfig):
    name = "reviewer.observability"
    label = "observability"
    verbose_name = "Observability"

    def ready(self) -> None:
        from django.conf import settings

        if settings.SENTRY_DSN:
            from reviewer.observability import errors

            errors.init(settings.SENTRY_DSN)
