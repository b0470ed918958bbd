"""System checks for sign-in and mail (registered when the accounts app is ready)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Warning, register

LOCAL_MAIL = ("django.core.mail.backends.console.EmailBackend", "django.core.mail.backends.locmem.EmailBackend")


@register()
def check_mail_backend(app_configs, **kwargs):
    if not settings.DEBUG and settings.EMAIL_BACKEND in LOCAL_MAIL:
        return [
            Warning(
                f"EMAIL_BACKEND is {settings.EMAIL_BACKEND} with DEBUG off: password-reset mails, with their "
                "links, would land in the server's log (console) or nowhere (locmem).",
                hint="Unset EMAIL_BACKEND (SMTP is the default) and set EMAIL_HOST and its credentials.",
                id="reviewer.accounts.W001",
            )
        ]
    return []
