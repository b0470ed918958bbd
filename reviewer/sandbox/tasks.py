"""The sandbox's background tasks: delivering its notification events (docs/background-work.md).

An event is stored when an action publishes it and delivered by the worker: never in the
request that published it, which would call back into the same server. A failed delivery is
tried again with back-off, at most events.MAX_ATTEMPTS times; the event keeps its last error.
"""

from __future__ import annotations

from django_tasks import task

from reviewer import background
from reviewer.sandbox import events
from reviewer.sandbox.models import Event


@task()
def deliver_event(event_pk: int) -> str:
    """Deliver one event; on failure enqueue the next attempt, after a longer wait each time."""
    if events.deliver(event_pk):
        return "delivered"
    event = Event.objects.filter(pk=event_pk, delivered_at__isnull=True).first()
    if event is None:
        return "nothing to do"  # delivered already, by another copy of this task
    if event.attempts >= events.MAX_ATTEMPTS:
        return f"given up after {event.attempts} attempts: {event.last_error}"
    background.enqueue(deliver_event, event_pk, delay=background.backoff(event.attempts))
    return f"retried later: {event.last_error}"


@task()
def deliver_pending() -> str:
    """Try every undelivered event that has attempts left (a lost worker's, say)."""
    delivered, failed = events.deliver_pending()
    return f"{delivered} delivered, {failed} failed"
