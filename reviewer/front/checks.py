"""System checks that refuse a bad configuration with a clear message.

Each has an id (reviewer.E… for errors, reviewer.W… for warnings) and a test in
tests/test_checks.py.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Warning, register


@register()
def check_sendai_api_url(app_configs, **kwargs):
    url = urlsplit(settings.SENDAI_API_URL)
    if url.scheme not in ("http", "https") or not url.hostname:
        return [
            Error(
                f"SENDAI_API_URL={settings.SENDAI_API_URL!r} is not an http(s) URL.",
                hint="Set it to https://api.send.ai, or to the sandbox, http://127.0.0.1:8000/sandbox.",
                id="reviewer.E001",
            )
        ]
    if url.query or url.fragment:
        return [
            Error(
                "SENDAI_API_URL must not carry a query string or a fragment.",
                hint="Give only scheme, host, port and an optional path prefix.",
                id="reviewer.E001",
            )
        ]
    local = url.hostname in ("localhost", "127.0.0.1", "::1")
    if url.scheme == "http" and not local and not settings.DEBUG:
        return [
            Warning(
                "SENDAI_API_URL uses plain http to a remote host: API keys would cross the network unencrypted.",
                hint="Use https.",
                id="reviewer.W001",
            )
        ]
    return []


@register()
def check_timeouts(app_configs, **kwargs):
    from reviewer.sendai.client import RETRY_AFTER_CAP

    # A GET may be tried twice, with a Retry-After wait between; each try's whole answer must
    # arrive within the read timeout of sending (a deadline, not a bound on each read: see
    # reviewer/sendai/client.py), so this is the longest a call can take, not an estimate.
    worst = 2 * (settings.SENDAI_CONNECT_TIMEOUT + settings.SENDAI_READ_TIMEOUT) + RETRY_AFTER_CAP
    if worst >= settings.GUNICORN_TIMEOUT:
        return [
            Error(
                f"A Send.ai call can take up to {worst:g}s (two tries of SENDAI_CONNECT_TIMEOUT + "
                f"SENDAI_READ_TIMEOUT, and a wait), which is not below "
                f"GUNICORN_TIMEOUT ({settings.GUNICORN_TIMEOUT}s).",
                hint="Otherwise a slow upstream gets the worker killed before the console can answer.",
                id="reviewer.E002",
            )
        ]
    return []


@register()
def check_waiting_limit(app_configs, **kwargs):
    # A hung Send.ai holds as many threads as may wait on it; the rest must stay free for
    # /health/, the pages that need no Send.ai, and the sandbox when it is served alongside.
    if settings.SENDAI_MAX_WAITING >= settings.GUNICORN_THREADS:
        return [
            Error(
                f"SENDAI_MAX_WAITING ({settings.SENDAI_MAX_WAITING}) lets every one of the "
                f"GUNICORN_THREADS ({settings.GUNICORN_THREADS}) wait on Send.ai.",
                hint="Keep it below GUNICORN_THREADS (the default is GUNICORN_THREADS - 2), so that a hung "
                "upstream cannot take the threads that /health/ and the queue need.",
                id="reviewer.E007",
            )
        ]
    return []


@register()
def check_sandbox_webhook(app_configs, **kwargs):
    if settings.SANDBOX_WEBHOOK_URL and not settings.SANDBOX_WEBHOOK_SECRET:
        return [
            Error(
                "SANDBOX_WEBHOOK_URL is set but SANDBOX_WEBHOOK_SECRET is empty.",
                hint="Notification events must carry a shared secret; set SANDBOX_WEBHOOK_SECRET.",
                id="reviewer.E003",
            )
        ]
    for name in ("SANDBOX_WEBHOOK_URL", "SANDBOX_REPORT_HOOK_URL"):
        value = getattr(settings, name)
        if value and urlsplit(value).scheme not in ("http", "https"):
            return [Error(f"{name}={value!r} is not an http(s) URL.", id="reviewer.E004")]
    return []


@register()
def check_allowed_hosts(app_configs, **kwargs):
    if not settings.DEBUG and "*" in settings.ALLOWED_HOSTS:
        return [
            Error(
                "ALLOWED_HOSTS contains '*' with DEBUG off.",
                hint="List the host names the console is served under.",
                id="reviewer.E005",
            )
        ]
    return []


@register()
def check_fernet_keys(app_configs, **kwargs):
    from cryptography.fernet import Fernet

    for i, key in enumerate(settings.FERNET_KEYS):
        try:
            Fernet(key.encode())
        except ValueError:
            return [
                Error(
                    f"FERNET_KEYS item {i + 1} is not a Fernet key.",
                    hint="Make one with: python -c 'from cryptography.fernet import Fernet; "
                    "print(Fernet.generate_key().decode())'",
                    id="reviewer.E006",
                )
            ]
    if not settings.FERNET_KEYS and not settings.DEBUG:
        return [
            Warning(
                "FERNET_KEYS is not set: API keys are encrypted with a key derived from SECRET_KEY.",
                hint="Set FERNET_KEYS, so that changing SECRET_KEY does not make the stored API keys unreadable.",
                id="reviewer.W002",
            )
        ]
    return []
