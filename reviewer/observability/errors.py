"""Error reporting to Sentry (SENTRY_DSN), with every secret scrubbed before an event leaves.

The console holds people's Send.ai API keys: an event must never carry one. So: no local
variables in stack frames, no personal data by default, and `scrub` (before_send) walks the
whole event, replacing the value of every key that names a secret (Authorization, Cookie,
api_key, password, …) and every "Bearer …" or Fernet-looking token in any string.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings

FILTERED = "[Filtered]"
SECRET_NAMES = re.compile(
    r"(authorization|cookie|api[-_]?key|apikey|password|passwd|secret|token|session|csrf|fernet|signature|_key$|^key$|^db\.params$)",
    re.IGNORECASE,
)
SECRET_TEXT = [
    (re.compile(r"(Bearer|Basic|Token)\s+[\x21-\x7e]+", re.IGNORECASE), r"\1 " + FILTERED),
    # sk_live_…, sk_test_…: the shape of Send.ai's keys and the sandbox's.
    (re.compile(r"\bsk_[A-Za-z0-9_]{8,}"), FILTERED),
]


def _clean(value: Any, depth: int = 0) -> Any:
    if depth > 20:
        return FILTERED
    if isinstance(value, dict):
        return {
            k: (FILTERED if isinstance(k, str) and SECRET_NAMES.search(k) else _clean(v, depth + 1))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        # Headers may come as [name, value] pairs.
        if len(value) == 2 and isinstance(value[0], str) and SECRET_NAMES.search(value[0]):
            return [value[0], FILTERED]
        return [_clean(v, depth + 1) for v in value]
    if isinstance(value, str):
        for pattern, replacement in SECRET_TEXT:
            value = pattern.sub(replacement, value)
        return value
    return value


def scrub(event: dict, hint: dict | None = None) -> dict:
    """Sentry's before_send: the event with every secret replaced."""
    return _clean(event)


def init(dsn: str, **options: Any) -> None:
    """Start reporting errors to `dsn` (from settings.SENTRY_DSN, in the app's ready())."""
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.redis import RedisIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=settings.SENTRY_ENVIRONMENT or None,
        release=settings.SENTRY_RELEASE or None,
        integrations=[DjangoIntegration()],
        # Redis commands name their keys: session keys and one-time action tokens.
        disabled_integrations=[RedisIntegration()],
        # No user identity, request bodies, query parameters (a session key, a stored key's
        # ciphertext) or local variables of stack frames.
        data_collection={
            "user_info": False,
            "http_bodies": [],
            "stack_frame_variables": False,
            "database_query_data": False,
        },
        traces_sample_rate=settings.SENTRY_TRACES_SAMPLE_RATE,
        before_send=scrub,
        before_send_transaction=scrub,
        **options,
    )
