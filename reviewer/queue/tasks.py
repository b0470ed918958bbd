"""The console's background tasks (docs/background-work.md): syncs, lease sweeping, pruning.

Each takes the ID of a record and is safe to run twice: a sync run that is finished is left
alone, and one cut short goes on from its last stored page. A sync that failed in a way a
retry may mend (the upstream was down, slow, or busy) is tried again with back-off, at most
TASK_MAX_ATTEMPTS times in all; its run keeps the error, and the queue page shows it.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from reviewer import background, sendai
from reviewer.accounts.crypto import UndecryptableKey
from reviewer.accounts.roles import profile_of
from reviewer.queue import claims, reach, sources
from reviewer.queue.models import SyncRun, WebhookDelivery

logger = logging.getLogger(__name__)

TASK_RESULT_DAYS = 14  # how long the database backend keeps a finished task's result


class GiveUp(Exception):
    """The sync cannot succeed by trying again (no key, no task list): it fails at once."""


@task()
def run_sync(run_id: int) -> str:
    """Run (or go on with) sync run `run_id`, page by page; retried with back-off when it fails."""
    with transaction.atomic():
        run = SyncRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or not run.active:
            return "nothing to do"  # finished already: a second copy of this task
        if run.attempts >= settings.TASK_MAX_ATTEMPTS:
            _finish(run, SyncRun.Status.FAILED, run.error or "Gave up: the sync's worker was lost too often.")
            return run.status
        run.status = SyncRun.Status.RUNNING
        run.attempts += 1
        run.updated_at = timezone.now()
        run.next_attempt_at = None
        run.save()
    try:
        client = _client(run)
        while sources.sync_page(client, run):
            pass
    except (GiveUp, sendai.InvalidKey, sendai.MissingScope) as e:
        _finish(run, SyncRun.Status.FAILED, str(e))
    except sendai.ListingUnavailable:
        _finish(run, SyncRun.Status.FAILED, "This Send.ai API offers no task list: import task IDs instead.")
    except (sendai.SendaiError, sources.RetryLater) as e:
        _retry_or_fail(run, str(e))
    except Exception as e:  # a fault of ours: kept, retried (bounded), and in the task's own result
        _retry_or_fail(run, f"{type(e).__name__}: {e}")
        raise
    run.refresh_from_db()
    if run.status == SyncRun.Status.DONE:
        _done(run)
    return run.status


def _client(run: SyncRun) -> sendai.Client:
    """The key a run lists with: the lead's who started it, or QUEUE_SYNC_USER's for an upload event."""
    if run.kind == SyncRun.Kind.UPLOAD:
        client = sources.sync_client()  # RetryLater when the key cannot be read
        if client is None:
            raise GiveUp("No QUEUE_SYNC_USER with a working key is set, so the upload's tasks were not listed.")
        return client
    if run.started_by is None:
        raise GiveUp("The person who started this sync is gone.")
    profile = profile_of(run.started_by)
    if not profile.key_works:
        raise GiveUp("Set your Send.ai API key first: the sync lists tasks with it.")
    try:
        return sendai.Client(profile.api_key())
    except UndecryptableKey as e:
        raise GiveUp(str(e)) from None


def _retry_or_fail(run: SyncRun, error: str) -> None:
    with transaction.atomic():
        current = SyncRun.objects.select_for_update().get(pk=run.pk)
        if not current.active:
            return
        current.error = error[:2000]
        current.updated_at = timezone.now()
        if current.attempts < settings.TASK_MAX_ATTEMPTS:
            delay = background.backoff(current.attempts)
            current.status = SyncRun.Status.RETRYING
            current.next_attempt_at = current.updated_at + dt.timedelta(seconds=delay)
            current.save()
            background.enqueue(run_sync, current.pk, delay=delay)
            logger.warning("sync %s failed (attempt %s), retried in %ss: %s", run.pk, current.attempts, delay, error)
        else:
            _finish(current, SyncRun.Status.FAILED, error)
    run.refresh_from_db()


def _finish(run: SyncRun, status: str, error: str) -> None:
    run.status, run.error = status, error[:2000]
    run.finished_at = run.updated_at = timezone.now()
    run.next_attempt_at = None
    run.save()
    if status == SyncRun.Status.FAILED:
        logger.error("sync %s failed for good after %s attempt(s): %s", run.pk, run.attempts, error)
        _tell_deliveries(run, f"Upload {run.upload_id}: the sync failed: {error}")


def _done(run: SyncRun) -> None:
    if run.kind == SyncRun.Kind.MANUAL and run.started_by is not None:
        reach.learn(run.started_by, run.team_id, run.project_id)  # the lead's key listed this project
    skipped = f" {run.skipped} skipped as unreadable (see the log)." if run.skipped else ""
    _tell_deliveries(run, f"Upload {run.upload_id}: {run.seen} tasks synced.{skipped}")


def _tell_deliveries(run: SyncRun, outcome: str) -> None:
    WebhookDelivery.objects.filter(sync_run=run).update(outcome=outcome[:200])


@task()
def recover_syncs() -> int:
    """Enqueue again every unfinished sync whose worker was lost (no sign of life for
    TASK_STALE_SECONDS past when it was due); the number enqueued."""
    stale = timezone.now() - dt.timedelta(seconds=settings.TASK_STALE_SECONDS)
    runs = SyncRun.objects.filter(status__in=SyncRun.ACTIVE, updated_at__lt=stale).exclude(next_attempt_at__gte=stale)
    count = 0
    for run_id in runs.values_list("pk", flat=True):
        SyncRun.objects.filter(pk=run_id).update(updated_at=timezone.now())  # not again at the next sweep
        background.enqueue(run_sync, run_id)
        count += 1
    if count:
        logger.warning("%s sync(s) had lost their worker and were enqueued again", count)
    return count


@task()
def sweep_leases() -> int:
    """Return lapsed claims to the queue (claims also lapse by themselves; this records it)."""
    sweep = getattr(claims, "sweep_lapsed", None) or claims.expire_lapsed
    return sweep()


@task()
def prune_records() -> str:
    """Delete action records past RECORD_RETENTION_DAYS (`manage.py prune_records`), and the
    database backend's finished task results after TASK_RESULT_DAYS (RQ expires its own)."""
    if settings.TASK_BACKEND == "database":
        call_command("prune_db_task_results", queue_name="*", min_age_days=TASK_RESULT_DAYS, verbosity=0)
    if settings.RECORD_RETENTION_DAYS <= 0:
        return "kept: RECORD_RETENTION_DAYS is 0"
    call_command("prune_records", verbosity=0)
    return "pruned"
