"""Queue fixtures: entries made directly, the way a sync or an import would leave them."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from reviewer.queue.models import Entry

_counter = itertools.count()
BASE = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def make_entry(task_id: str | None = None, *, status: str = "REVIEWING", minutes: int | None = None, **fields) -> Entry:
    """An entry in team_123456/proj_123456; `minutes` after BASE sets its age (older first)."""
    n = next(_counter)
    values = {
        "team_id": "team_123456",
        "project_id": "proj_123456",
        "task_id": task_id or f"task_q{n}",
        "status": status,
        "created_at": BASE + dt.timedelta(minutes=n if minutes is None else minutes),
        "source": Entry.Source.LIST,
        "step_type": "EXTRACT",
    }
    values.update(fields)
    return Entry.objects.create(**values)


def expire(entry: Entry) -> None:
    Entry.objects.filter(pk=entry.pk).update(claim_expires_at=timezone.now() - dt.timedelta(seconds=1))
