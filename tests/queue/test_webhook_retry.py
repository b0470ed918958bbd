"""A task event is recorded only once it was applied; an upload event is acknowledged at once and its
sync retried by the worker with back-off, visibly, and run again on a replay once it failed for good.
Bad IDs are refused at the door."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from reviewer.queue.models import Entry, SyncRun, WebhookDelivery
from reviewer.sandbox.models import Status
from tests.conftest import give_key, make_key, make_project, make_task, run_tasks
from tests.queue.test_webhook import TASK, event, post


@pytest.fixture
def secret(settings):
    settings.WEBHOOK_SECRET = "hook-secret"  # what post() signs with


UPLOAD = {"event_level": "UPLOAD", "event": "IN_REVIEW", "upload": {"id": "upl_9"}, "task": None}


def _tasks():
    project = make_project("team_1", "proj_1")
    make_task("task_u1", project=project, upload_id="upl_9")
    make_task("task_u2", project=project, upload_id="upl_9", status=Status.COMPLETED)
    return project


def test_an_upload_event_is_acknowledged_and_a_failed_listing_retried_with_back_off(
    client, people, upstream, secret, settings
):
    project = _tasks()
    give_key(people.lead, make_key(project=project), team_id="team_1", project_id="proj_1")
    settings.QUEUE_SYNC_USER = "leo"
    settings.TASK_RETRY_DELAY = 30
    settings.SENDAI_API_URL = "http://127.0.0.1:9"  # unreachable while the worker first tries
    response = post(client, event(**UPLOAD))
    assert response.status_code == 202
    assert response.json()["new"] is True
    run_tasks()
    run = SyncRun.objects.get()
    assert (run.status, run.attempts, run.pages) == ("retrying", 1, 0)
    assert run.error  # kept, and shown to the leads
    assert (run.next_attempt_at - run.updated_at).total_seconds() == 30
    assert WebhookDelivery.objects.get().sync_run == run  # recorded, never silently dropped
    assert post(client, event(**UPLOAD)).json()["new"] is False  # a replay while it is retried
    run_tasks()  # the retry waits out its back-off
    assert SyncRun.objects.get().attempts == 1
    settings.SENDAI_API_URL = "http://127.0.0.1:9"
    run_tasks(due=True)
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("retrying", 2)
    assert (run.next_attempt_at - run.updated_at).total_seconds() == 60  # twice as long
    settings.SENDAI_API_URL = upstream
    run_tasks(due=True)
    run.refresh_from_db()
    assert (run.status, run.attempts, run.seen, run.error) == ("done", 3, 2, "")
    assert Entry.objects.count() == 2
    assert WebhookDelivery.objects.get().outcome == "Upload upl_9: 2 tasks synced."


def test_a_sync_that_keeps_failing_fails_for_good_and_a_replay_runs_it_again(
    client, people, upstream, secret, settings
):
    project = _tasks()
    give_key(people.lead, make_key(project=project), team_id="team_1", project_id="proj_1")
    settings.QUEUE_SYNC_USER = "leo"
    settings.TASK_MAX_ATTEMPTS = 3
    settings.SENDAI_API_URL = "http://127.0.0.1:9"
    post(client, event(**UPLOAD))
    for _attempt in range(5):
        run_tasks(due=True)
    run = SyncRun.objects.get()
    assert (run.status, run.attempts) == ("failed", 3)  # bounded
    assert run.error
    assert "the sync failed" in WebhookDelivery.objects.get().outcome
    client.force_login(people.lead)
    page = client.get("/queue/").content.decode()
    assert "Failed" in page and run.error in page
    settings.SENDAI_API_URL = upstream
    replay = post(client, event(**UPLOAD))
    assert (replay.status_code, replay.json()["new"]) == (202, True)  # processed again
    run_tasks()
    assert WebhookDelivery.objects.count() == 1
    assert WebhookDelivery.objects.get().sync_run.status == "done"
    assert Entry.objects.count() == 2


def test_an_unreadable_sync_key_is_retried_until_an_admin_sets_it_again(client, people, upstream, secret, settings):
    project = _tasks()
    raw = make_key(project=project)
    profile = give_key(people.lead, raw, team_id="team_1", project_id="proj_1")
    profile.encrypted_key = Fernet(Fernet.generate_key()).encrypt(raw.encode()).decode()
    profile.save()
    settings.QUEUE_SYNC_USER = "leo"
    assert post(client, event(**UPLOAD)).status_code == 202
    run_tasks()
    run = SyncRun.objects.get()
    assert run.status == "retrying" and "cannot be read" in run.error
    give_key(people.lead, raw, team_id="team_1", project_id="proj_1")  # an admin sets it again
    run_tasks(due=True)
    assert SyncRun.objects.get().status == "done"
    assert Entry.objects.count() == 2


def test_a_flood_of_upload_events_is_answered_before_any_is_processed(client, people, upstream, secret, settings):
    project = _tasks()
    give_key(people.lead, make_key(project=project), team_id="team_1", project_id="proj_1")
    settings.QUEUE_SYNC_USER = "leo"
    answers = [post(client, event(**{**UPLOAD, "id": f"evt_{i}"})).status_code for i in range(50)]
    assert answers == [202] * 50
    assert not Entry.objects.exists()  # nothing was listed inside a webhook request
    assert SyncRun.objects.filter(status="queued").count() == 50
    run_tasks()  # the worker, at its own pace
    assert SyncRun.objects.filter(status="done").count() == 50
    assert Entry.objects.count() == 2


def test_a_task_event_that_failed_to_apply_leaves_no_record(client, db, secret, monkeypatch):
    from reviewer.queue import sources

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(sources, "remember", broken)
    client.raise_request_exception = False
    assert post(client, event()).status_code == 500
    monkeypatch.undo()
    response = post(client, event())
    assert response.json()["new"] is True
    assert Entry.objects.get().status == "REVIEWING"


def test_a_task_id_outside_the_contract_is_refused_and_the_queue_still_opens(client, people, secret, caplog):
    for bad in ("a/b", "../x", "", "t" * 129, "a b"):
        response = post(client, event(id=f"evt_{len(bad)}_{bad}", task={**TASK, "id": bad}))
        assert response.status_code == 400, bad
        assert "task" in response.json()["error"]
    response = post(client, event(task={**TASK, "upload_id": "upl/1"}))
    assert response.status_code == 400
    assert not Entry.objects.exists()
    assert "refused" in caplog.text
    client.force_login(people.reviewer)
    assert client.get("/queue/").status_code == 200
