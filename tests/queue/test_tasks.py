"""The background tasks, run for real by the worker's own loop: syncs that are safe to run twice
and go on where a lost worker left them, lease sweeping, pruning, and the periodic work."""

from __future__ import annotations

import datetime as dt
import io
import threading

import pytest
from django.core.management import call_command
from django.utils import timezone

from reviewer import background, sendai
from reviewer.accounts.roles import profile_of
from reviewer.queue import sources, tasks
from reviewer.queue.models import ClaimEvent, Entry, SyncRun
from reviewer.review.models import ActionRecord
from tests.audit.conftest import rec
from tests.conftest import enqueued, give_key, make_key, make_project, make_task, run_tasks
from tests.queue.conftest import expire, make_entry


@pytest.fixture
def listed(people, upstream):
    """450 tasks upstream (three pages of the sync's 200), and the lead's key to list them."""
    for i in range(450):
        make_task(f"task_{i:03}")
    give_key(people.lead, make_key(project=make_project()))
    return people


def _run(people) -> SyncRun:
    return SyncRun.objects.create(
        kind=SyncRun.Kind.MANUAL, team_id="team_123456", project_id="proj_123456", started_by=people.lead
    )


def test_it_syncs_every_page_and_records_the_progress(listed):
    run = _run(listed)
    background.enqueue(tasks.run_sync, run.pk)
    run_tasks()
    run.refresh_from_db()
    assert (run.status, run.pages, run.seen, run.attempts, run.cursor) == ("done", 3, 450, 1, "")
    assert run.finished_at is not None
    assert Entry.objects.count() == 450


def test_a_sync_run_twice_changes_nothing_the_second_time(listed):
    run = _run(listed)
    background.enqueue(tasks.run_sync, run.pk)
    background.enqueue(tasks.run_sync, run.pk)  # the same job twice, as a redelivery would
    run_tasks()
    run.refresh_from_db()
    assert (run.status, run.pages, run.seen, run.attempts) == ("done", 3, 450, 1)
    assert Entry.objects.count() == 450


def test_a_sync_whose_worker_died_goes_on_from_its_last_page(listed, settings):
    run = _run(listed)
    run.status = SyncRun.Status.RUNNING  # as the dead worker left it: one page stored, then nothing
    run.attempts = 1
    run.save()
    profile = profile_of(listed.lead)
    assert sources.sync_page(sendai.Client(profile.api_key()), run) is True
    SyncRun.objects.filter(pk=run.pk).update(
        updated_at=timezone.now() - dt.timedelta(seconds=settings.TASK_STALE_SECONDS + 1)
    )
    tasks.recover_syncs.enqueue()
    run_tasks()
    run.refresh_from_db()
    assert (run.status, run.pages, run.seen, run.attempts) == ("done", 3, 450, 2)
    assert Entry.objects.count() == 450


def test_the_recovery_leaves_live_and_waiting_syncs_alone(listed):
    live = _run(listed)
    SyncRun.objects.filter(pk=live.pk).update(status=SyncRun.Status.RUNNING)
    waiting = _run(listed)
    SyncRun.objects.filter(pk=waiting.pk).update(
        status=SyncRun.Status.RETRYING,
        updated_at=timezone.now() - dt.timedelta(days=1),
        next_attempt_at=timezone.now() + dt.timedelta(hours=1),
    )
    assert tasks.recover_syncs.call() == 0


def test_a_sync_that_gave_up_leaves_its_error(listed, settings):
    settings.SENDAI_API_URL = "http://127.0.0.1:9"
    settings.TASK_MAX_ATTEMPTS = 1
    run = _run(listed)
    background.enqueue(tasks.run_sync, run.pk)
    run_tasks()
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("failed", 1)
    assert run.error
    assert not Entry.objects.exists()


def test_a_sync_without_a_task_list_fails_at_once(listed, settings, monkeypatch):
    def no_list(*args, **kwargs):
        raise sendai.ListingUnavailable("no task list")

    monkeypatch.setattr(sendai.Client, "list", no_list)
    run = _run(listed)
    background.enqueue(tasks.run_sync, run.pk)
    run_tasks()
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("failed", 1)  # not retried: a retry cannot mend it
    assert "no task list" in run.error


def test_it_sweeps_lapsed_leases(people):
    entry = make_entry()
    Entry.objects.filter(pk=entry.pk).update(claimed_by=people.reviewer, claimed_at=timezone.now())
    expire(entry)
    tasks.sweep_leases.enqueue()
    run_tasks()
    entry.refresh_from_db()
    assert entry.claimed_by is None
    assert ClaimEvent.objects.get().kind == ClaimEvent.Kind.EXPIRED


def test_it_prunes_old_records(people, settings):
    settings.RECORD_RETENTION_DAYS = 30
    rec(at=timezone.now() - dt.timedelta(days=31), task="old")
    rec(at=timezone.now(), task="today")
    tasks.prune_records.enqueue()
    run_tasks()
    assert list(ActionRecord.objects.values_list("task_id", flat=True)) == ["today"]


def test_the_periodic_loop_enqueues_each_task_on_its_interval(db, settings):
    settings.PERIODIC_TASKS = [("reviewer.queue.tasks.sweep_leases", 60), ("reviewer.queue.tasks.prune_records", 600)]
    stop = threading.Event()
    ticks = iter([0, 0, 0, 30, 30, 61, 61, 125, 125])

    def clock() -> float:  # a clock the test moves on; the loop stops when it runs out
        try:
            return next(ticks)
        except StopIteration:
            stop.set()
            return 1000

    background.run_periodic(stop, clock)
    paths = enqueued()
    assert paths.count("reviewer.queue.tasks.sweep_leases") == 3  # at 0, 61 and 125
    assert paths.count("reviewer.queue.tasks.prune_records") == 1


def test_the_worker_command_runs_the_periodic_work_once_in_batch_mode(transactional_db, people, settings):
    """The worker's own command, as `make demo` and the image run it (committed data: RQ forks)."""
    entry = make_entry()
    Entry.objects.filter(pk=entry.pk).update(claimed_by=people.reviewer, claimed_at=timezone.now())
    expire(entry)
    call_command("run_worker", batch=True, verbosity=0, stdout=io.StringIO())
    entry.refresh_from_db()
    assert entry.claimed_by is None


def test_the_sync_command_records_its_failure(people, settings):
    from django.core.management import CommandError

    give_key(people.lead, make_key(project=make_project()))
    settings.SENDAI_API_URL = "http://127.0.0.1:9"
    with pytest.raises(CommandError):
        call_command("queue_sync", team="team_123456", project="proj_123456", user="leo", stdout=io.StringIO())
    run = SyncRun.objects.get()
    assert run.status == "failed" and run.error  # not taken for a lost worker's run
    assert tasks.recover_syncs.call() == 0


def test_the_pruning_also_drops_old_task_results(db, settings):
    """The database backend keeps every finished task's row until pruned (RQ expires its own)."""
    settings.TASK_BACKEND = "database"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    from django_tasks_db.models import DBTaskResult

    tasks.sweep_leases.enqueue()
    run_tasks()
    DBTaskResult.objects.update(finished_at=timezone.now() - dt.timedelta(days=tasks.TASK_RESULT_DAYS + 1))
    tasks.prune_records.enqueue()
    run_tasks()
    assert list(DBTaskResult.objects.values_list("task_path", flat=True)) == ["reviewer.queue.tasks.prune_records"]
