"""The receiver of Send.ai's notification events: `POST /webhooks/sendai/` (docs/webhooks.md).

An event is taken only with a valid signature: the header `X-Sendai-Signature: t=<unix time>,
v1=<hex>` carries an HMAC-SHA256, under WEBHOOK_SECRET, of `<t>.<the body as sent>`, made
within five minutes of now. Several `v1=` may be given (while a secret is being changed); one
must match. A task event is then applied and recorded in one go (sources.receive_event); a
delivery that failed on our side leaves no record, so Send.ai's retry is applied. An upload
event is recorded and answered at once (202): the worker lists the upload's tasks, at its own
pace, retrying a failed listing (docs/background-work.md).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from reviewer.queue import sources

logger = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024
SIGNATURE_HEADER = "X-Sendai-Signature"
TOLERANCE = 5 * 60  # seconds either side of now


class BadSignature(Exception):
    """The signature is missing, malformed, too old or too new, or does not match; the message says which."""


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of `<timestamp>.<body>` under `secret`."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def check_signature(header: str, body: bytes, secret: str, now: float) -> None:
    """Raise BadSignature unless `header` signs `body` with `secret`, within TOLERANCE of `now`."""
    timestamp, given = None, []
    for part in header.split(","):
        name, _sep, value = part.strip().partition("=")
        if name == "t" and value.isascii() and value.isdigit() and len(value) <= 12:
            timestamp = int(value)
        elif name == "v1" and value:
            given.append(value)
    if timestamp is None or not given:
        raise BadSignature(f"the {SIGNATURE_HEADER} header is missing or malformed (t=<unix time>,v1=<hex HMAC>).")
    if abs(now - timestamp) > TOLERANCE:
        raise BadSignature("the signature was made more than five minutes from now.")
    expected = signature(secret, timestamp, body).encode()
    # Compare every candidate, so the time taken says nothing about which matched.
    if not sum(hmac.compare_digest(expected, v.encode()) for v in given):
        raise BadSignature("the signature does not match the body.")


def _refuse(status: int, reason: str) -> JsonResponse:
    logger.warning("webhook event refused (%s): %s", status, reason)
    return JsonResponse({"error": reason}, status=status)


@login_not_required
@csrf_exempt
@require_POST
def webhook(request: HttpRequest) -> HttpResponse:
    """Send.ai's notification events, signed with the shared secret."""
    if not settings.WEBHOOK_SECRET:
        return _refuse(503, "The webhook receiver is not configured.")
    length = request.headers.get("Content-Length") or "0"
    if not length.isdigit():
        return _refuse(400, "The Content-Length is not a number.")
    if int(length) > MAX_BODY:
        return _refuse(413, "The event is too large.")
    body = request.body
    try:
        check_signature(request.headers.get(SIGNATURE_HEADER, ""), body, settings.WEBHOOK_SECRET, time.time())
    except BadSignature as e:
        return _refuse(401, f"Unauthorized: {e}")
    try:
        event = json.loads(body)
    except (ValueError, RecursionError):
        return _refuse(400, "The body is not JSON.")
    try:
        new, outcome = sources.receive_event(event)
    except sources.BadEvent as e:
        return _refuse(400, str(e))
    logger.info("webhook event %s: %s", "taken" if new else "replayed", outcome)
    queued = new and event.get("event_level") == "UPLOAD"  # its sync runs in the worker
    return JsonResponse({"ok": True, "new": new, "outcome": outcome}, status=202 if queued else 200)
