"""Notification events: stored when published, delivered by the worker (sandbox/tasks.py).

Delivery goes to `SANDBOX_WEBHOOK_URL`, signed with SANDBOX_WEBHOOK_SECRET: the header
`X-Sendai-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">` (docs/webhooks.md).
A failed delivery stays in the table with its error and is tried again with back-off, up to
MAX_ATTEMPTS times; `manage.py sandbox_deliver` tries the undelivered ones again at once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from typing import Any

import requests
from django.conf import settings
from django.db.models import F
from django.utils import timezone

from reviewer import background
from reviewer.sandbox.models import Event, Task

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


def publish_task(task: Task, name: str, task_body: dict[str, Any]) -> Event:
    return _publish(task, name, "TASK", task_body)


def publish_upload(task: Task, name: str) -> Event:
    return _publish(task, name, "UPLOAD", None)


def _publish(task: Task, name: str, level: str, task_body: dict[str, Any] | None) -> Event:
    event = Event.objects.create(
        event=name,
        event_level=level,
        team_id=task.project.team.team_id,
        project_id=task.project.project_id,
        upload={"id": task.upload.upload_id, "processed": task.upload.is_fully_processed()},
        task=task_body,
    )
    if settings.SANDBOX_WEBHOOK_URL:
        from reviewer.sandbox.tasks import deliver_event  # that module imports this one

        background.enqueue(deliver_event, event.pk)
    return event


def sign(body: bytes, timestamp: int) -> str:
    """The signature header's value for `body`, sent at `timestamp`."""
    mac = hmac.new(settings.SANDBOX_WEBHOOK_SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def deliver(event_pk: int) -> bool:
    """POST one event to the subscribed URL; record the outcome. Returns True when delivered."""
    event = Event.objects.filter(pk=event_pk, delivered_at__isnull=True).first()
    url = settings.SANDBOX_WEBHOOK_URL
    if event is None or not url:
        return False
    timeout = settings.SANDBOX_OUTGOING_TIMEOUT
    body = json.dumps(event.body()).encode()
    headers = {"Content-Type": "application/json", "X-Sendai-Signature": sign(body, int(time.time()))}
    error = ""
    try:
        response = requests.post(url, data=body, headers=headers, timeout=(timeout, timeout))
        if response.status_code >= 300:
            error = f"HTTP {response.status_code}"
    except requests.RequestException as e:
        error = type(e).__name__
    Event.objects.filter(pk=event.pk).update(
        attempts=F("attempts") + 1,
        last_error=error,
        delivered_at=None if error else timezone.now(),
    )
    if error:
        logger.warning("event %s (%s) not delivered: %s", event.event_id, event.event, error)
    return not error


def deliver_pending() -> tuple[int, int]:
    """Try every undelivered event that has attempts left; return (delivered, failed)."""
    delivered = failed = 0
    pending = Event.objects.filter(delivered_at__isnull=True, attempts__lt=MAX_ATTEMPTS).order_by("pk")
    for pk in pending.values_list("pk", flat=True):
        if deliver(pk):
            delivered += 1
        else:
            failed += 1
    return delivered, failed
