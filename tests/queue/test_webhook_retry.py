"""An event is recorded only once it was applied: a delivery that failed on our side answers 503
and Send.ai's retry is applied, not told "Already received". Bad IDs are refused at the door."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from reviewer.queue.models import Entry, WebhookDelivery
from reviewer.sandbox.models import Status
from tests.conftest import give_key, make_key, make_project, make_task
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


def test_an_upload_event_whose_listing_failed_is_applied_on_the_retry(client, people, upstream, secret, settings):
    project = _tasks()
    give_key(people.lead, make_key(project=project), team_id="team_1", project_id="proj_1")
    settings.QUEUE_SYNC_USER = "leo"
    settings.SENDAI_API_URL = "http://127.0.0.1:9"  # unreachable for the first delivery
    response = post(client, event(**UPLOAD))
    assert response.status_code == 503
    assert not WebhookDelivery.objects.exists()
    settings.SENDAI_API_URL = upstream
    retry = post(client, event(**UPLOAD))
    assert retry.status_code == 200
    assert retry.json()["new"] is True
    assert Entry.objects.count() == 2
    assert WebhookDelivery.objects.get().outcome == "Upload upl_9: 2 tasks synced."


def test_an_unreadable_sync_key_answers_503_and_the_retry_is_applied(client, people, upstream, secret, settings):
    project = _tasks()
    raw = make_key(project=project)
    profile = give_key(people.lead, raw, team_id="team_1", project_id="proj_1")
    profile.encrypted_key = Fernet(Fernet.generate_key()).encrypt(raw.encode()).decode()
    profile.save()
    settings.QUEUE_SYNC_USER = "leo"
    response = post(client, event(**UPLOAD))
    assert response.status_code == 503
    assert "cannot be read" in response.json()["error"]
    assert not WebhookDelivery.objects.exists()
    give_key(people.lead, raw, team_id="team_1", project_id="proj_1")  # an admin sets it again
    assert post(client, event(**UPLOAD)).json()["new"] is True
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
