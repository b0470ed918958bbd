"""What every background task shares: enqueueing with the record it serves, back-off, periodic work.

Tasks run on Django's task framework (the django-tasks backport; docs/background-work.md). The
durable record of a piece of work is ours (a SyncRun, a sandbox Event), never the backend's
job: a task only says "work on record N", does nothing when N is done already, and a periodic
sweep enqueues it again when its worker was lost. So a task may run twice, or late, safely.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

MAX_DELAY = 60 * 60  # no retry waits longer than an hour


def backoff(attempt: int) -> int:
    """Seconds to wait after failed attempt number `attempt` (1, 2, …): doubling, at most an hour."""
    return min(settings.TASK_RETRY_DELAY * 2 ** max(attempt - 1, 0), MAX_DELAY)


def enqueue(task, *args, delay: float = 0) -> None:
    """Enqueue `task(*args)`, to run no sooner than `delay` seconds from now.

    With the database backend the job is a row written in the caller's transaction: it is
    committed, or rolled back, with the record it serves. Other backends are told once that
    transaction has committed, so that their worker never looks for a record not yet written.
    """
    if delay:
        task = task.using(run_after=timezone.now() + dt.timedelta(seconds=delay))
    if settings.TASK_BACKEND == "database":
        task.enqueue(*args)
    else:
        transaction.on_commit(lambda: task.enqueue(*args), robust=True)


def enqueue_periodic() -> None:
    """Enqueue each of settings.PERIODIC_TASKS once."""
    for path, _every in settings.PERIODIC_TASKS:
        import_string(path).enqueue()


def run_periodic(stop: threading.Event, clock: Callable[[], float] = time.monotonic) -> None:
    """Enqueue each of settings.PERIODIC_TASKS every so many seconds, the first at once, until `stop`.

    Each periodic task is idempotent, so two workers that both run this only do it twice.
    """
    due = {path: clock() for path, _every in settings.PERIODIC_TASKS}
    while not stop.is_set():
        now = clock()
        for path, every in settings.PERIODIC_TASKS:
            if now >= due[path]:
                due[path] = now + every
                try:
                    import_string(path).enqueue()
                except Exception:  # the backend is down: say so, and try at the next interval
                    logger.exception("periodic task %s could not be enqueued", path)
        stop.wait(max(0.1, min(due.values()) - clock()))
