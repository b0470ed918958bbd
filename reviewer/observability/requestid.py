"""A request ID for every request: from the trusted proxy's X-Request-ID, else a fresh one.

The ID is set on the response (X-Request-ID), put on the request (`request.request_id`), kept
in a context variable for the request's thread, so that every log line (RequestIdFilter) and
every Send.ai call made while answering (reviewer/sendai/client.py) carries it, and tagged on
any error reported to Sentry. An incoming ID is believed only from a trusted proxy
(TRUSTED_PROXIES) and only in the shape Send.ai accepts; anything else is replaced.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse

from reviewer.observability.proxy import client_address, from_trusted_proxy

HEADER = "X-Request-ID"
PATTERN = re.compile(r"[A-Za-z0-9_.:-]{8,128}")

_current: ContextVar[str | None] = ContextVar("request_id", default=None)
_client: ContextVar[str | None] = ContextVar("client_address", default=None)


def current() -> str | None:
    """The ID of the request being answered in this context, if any."""
    return _current.get()


def new() -> str:
    return uuid.uuid4().hex


def of(request: HttpRequest) -> str:
    incoming = request.META.get("HTTP_X_REQUEST_ID", "")
    if incoming and PATTERN.fullmatch(incoming) and from_trusted_proxy(request):
        return incoming
    return new()


def _forget(**kwargs) -> None:
    """Once the answer has gone (and Django has logged it), the thread holds no request's ID."""
    _current.set(None)
    _client.set(None)


request_finished.connect(_forget, dispatch_uid="observability.forget_request_id")


class RequestIdMiddleware:
    """First in MIDDLEWARE, so that everything after it logs with the ID."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = of(request)
        request.request_id = request_id
        # Not reset on the way out: Django logs a 4xx/5xx after the middleware has answered;
        # request_finished clears it.
        _current.set(request_id)
        _client.set(client_address(request))
        try:
            import sentry_sdk

            sentry_sdk.get_isolation_scope().set_tag("request_id", request_id)
        except ImportError:  # pragma: no cover (sentry-sdk is a requirement)
            pass
        response = self.get_response(request)
        # A response that names its own keeps it: the sandbox echoes its caller's, as Send.ai does.
        response.setdefault(HEADER, request_id)
        return response


class RequestIdFilter(logging.Filter):
    """Gives every record `request_id` and `client` ("-" outside a request), for the formatters."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _current.get() or "-"
        record.client = _client.get() or "-"
        return True
