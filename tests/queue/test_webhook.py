"""The webhook receiver: events signed with the shared secret, replays ignored, bad payloads refused."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import pytest

from reviewer.queue.models import Entry, SyncRun, WebhookDelivery
from reviewer.sandbox.models import Status
from tests.conftest import give_key, make_key, make_project, make_task, run_tasks

URL = "/webhooks/sendai/"
TASK = {
    "id": "task_w1",
    "name": "Invoice 7",
    "created_at": "2026-11-01T10:00:00Z",
    "meta": [],
    "status": "REVIEWING",
    "step_type": "EXTRACT",
    "upload_id": "upl_1",
    "project_id": "proj_1",
    "approved": False,
    "exported_at": None,
    "export_failed_at": None,
    "last_opened_at": None,
}


def event(**over) -> dict:
    body = {
        "id": "evt_1",
        "event": "task_status_changed",
        "event_level": "TASK",
        "team_id": "team_1",
        "project_id": "proj_1",
        "upload": {"id": "upl_1"},
        "task": TASK,
    }
    body.update(over)
    return body


@pytest.fixture
def secret(settings):
    settings.WEBHOOK_SECRET = "hook-secret"
    return "hook-secret"


def signed(data: bytes, secret: str = "hook-secret", at: int | None = None) -> str:
    """The X-Sendai-Signature header for `data`, as docs/webhooks.md describes it."""
    at = int(time.time()) if at is None else at
    mac = hmac.new(secret.encode(), f"{at}.".encode() + data, hashlib.sha256).hexdigest()
    return f"t={at},v1={mac}"


def post(client, body, secret="hook-secret", **headers):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    data = data.encode() if isinstance(data, str) else data
    headers.setdefault("HTTP_X_SENDAI_SIGNATURE", signed(data, secret))
    return client.post(URL, data, content_type="application/json", **headers)


def test_a_task_event_adds_the_task(client, db, secret):
    response = post(client, event())
    assert response.status_code == 200
    assert response.json()["new"] is True
    entry = Entry.objects.get()
    assert (entry.team_id, entry.project_id, entry.task_id, entry.status, entry.name, entry.source) == (
        "team_1",
        "proj_1",
        "task_w1",
        "REVIEWING",
        "Invoice 7",
        "webhook",
    )


def test_a_replayed_event_changes_nothing(client, db, secret):
    post(client, event())
    changed = event(task={**TASK, "status": "COMPLETED"})
    response = post(client, changed)
    assert response.status_code == 200
    assert response.json() == {"ok": True, "new": False, "outcome": "Already received."}
    assert Entry.objects.get().status == "REVIEWING"
    assert WebhookDelivery.objects.count() == 1


def test_a_later_event_updates_the_task(client, db, secret):
    post(client, event())
    post(client, event(id="evt_2", task={**TASK, "status": "COMPLETED"}))
    assert Entry.objects.get().status == "COMPLETED"


@pytest.mark.parametrize("given", ["", "wrong", "hook-secret ", "HOOK-SECRET"])
def test_it_refuses_a_signature_made_with_another_secret(client, db, secret, given):
    response = post(client, event(), secret=given)
    assert response.status_code == 401
    assert not Entry.objects.exists()


@pytest.mark.parametrize(
    "header",
    [
        "",
        "hook-secret",
        "t=,v1=",
        "v1=" + "0" * 64,
        "t=12x,v1=" + "0" * 64,
        "t=" + "9" * 400 + ",v1=" + "0" * 64,
        "t=1700000000",
    ],
)
def test_it_refuses_a_missing_or_malformed_signature(client, db, secret, header):
    response = post(client, event(), HTTP_X_SENDAI_SIGNATURE=header)
    assert response.status_code == 401
    assert not Entry.objects.exists()


def test_the_static_secret_header_is_not_enough(client, db, secret):
    response = post(client, event(), HTTP_X_SENDAI_SIGNATURE="", HTTP_X_SENDAI_SECRET="hook-secret")
    assert response.status_code == 401


@pytest.mark.parametrize("age", [-301, 301, 3600, -86400])
def test_it_refuses_a_signature_older_or_newer_than_five_minutes(client, db, secret, age):
    data = json.dumps(event()).encode()
    response = post(client, data, HTTP_X_SENDAI_SIGNATURE=signed(data, at=int(time.time()) - age))
    assert response.status_code == 401
    assert "five minutes" in response.json()["error"]


def test_it_accepts_a_signature_within_the_window(client, db, secret):
    data = json.dumps(event()).encode()
    assert post(client, data, HTTP_X_SENDAI_SIGNATURE=signed(data, at=int(time.time()) - 240)).status_code == 200


def test_a_signature_covers_the_body(client, db, secret):
    data = json.dumps(event()).encode()
    other = json.dumps(event(task={**TASK, "status": "COMPLETED"})).encode()
    response = post(client, other, HTTP_X_SENDAI_SIGNATURE=signed(data))
    assert response.status_code == 401
    assert not Entry.objects.exists()


def test_a_second_signature_for_a_new_secret_is_accepted(client, db, secret):
    data = json.dumps(event()).encode()
    both = signed(data, "new-secret") + "," + signed(data).split(",")[1]
    assert post(client, data, HTTP_X_SENDAI_SIGNATURE=both).status_code == 200


def test_event_ids_are_kept_whole(client, db, secret):
    """Two events whose IDs share their first 128 characters are two events."""
    first, second = "evt_" + "x" * 200 + "1", "evt_" + "x" * 200 + "2"
    assert post(client, event(id=first)).json()["new"] is True
    assert post(client, event(id=second, task={**TASK, "status": "COMPLETED"})).json()["new"] is True
    assert Entry.objects.get().status == "COMPLETED"
    assert post(client, event(id=first)).json() == {"ok": True, "new": False, "outcome": "Already received."}


def test_it_is_closed_until_a_secret_is_configured(client, db, settings):
    settings.WEBHOOK_SECRET = ""
    assert post(client, event(), secret="").status_code == 503


def test_it_needs_no_session_and_no_csrf_token(db, secret):
    from django.test import Client

    assert post(Client(enforce_csrf_checks=True), event()).status_code == 200


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("{not json", "not JSON"),
        ("[1, 2]", "JSON object"),
        (event(id=""), "id: expected a non-empty string"),
        (event(event_level="PAGE"), "event_level"),
        (event(team_id="../etc"), "team"),
        (event(task="task_w1"), "task: expected the task object"),
        (event(task={**TASK, "created_at": 7}), "created_at"),
        (event(task={k: v for k, v in TASK.items() if k != "id"}), "id"),
        (event(event_level="UPLOAD", upload=None), "upload"),
    ],
)
def test_it_refuses_malformed_events_with_a_reason(client, db, secret, body, fragment):
    response = post(client, body)
    assert response.status_code == 400
    assert fragment in response.json()["error"]
    assert not Entry.objects.exists()


def test_a_malformed_event_can_be_sent_again_once_fixed(client, db, secret):
    assert post(client, event(task="bad")).status_code == 400
    assert post(client, event()).json()["new"] is True


def test_an_upload_event_syncs_that_uploads_tasks(client, people, upstream, secret, settings):
    project = make_project("team_1", "proj_1")
    make_task("task_u1", project=project, upload_id="upl_9")
    make_task("task_u2", project=project, upload_id="upl_9", status=Status.COMPLETED)
    make_task("task_other", project=project, upload_id="upl_8")
    give_key(people.lead, make_key(project=project), team_id="team_1", project_id="proj_1")
    settings.QUEUE_SYNC_USER = "leo"
    response = post(client, event(event_level="UPLOAD", event="IN_REVIEW", upload={"id": "upl_9"}, task=None))
    assert response.status_code == 202  # acknowledged at once: the worker lists the upload's tasks
    assert response.json()["outcome"].startswith("Upload upl_9: its tasks are being synced")
    assert not Entry.objects.exists()
    run_tasks()
    assert dict(Entry.objects.values_list("task_id", "status")) == {"task_u1": "REVIEWING", "task_u2": "COMPLETED"}
    assert WebhookDelivery.objects.get().outcome == "Upload upl_9: 2 tasks synced."
    run = SyncRun.objects.get()
    assert (run.kind, run.upload_id, run.status, run.seen) == ("upload", "upl_9", "done", 2)


def test_an_upload_event_without_a_sync_user_says_so(client, db, secret, settings):
    settings.QUEUE_SYNC_USER = ""
    response = post(client, event(event_level="UPLOAD", event="PROCESSED", upload={"id": "upl_9"}))
    assert response.status_code == 202
    run_tasks()
    run = SyncRun.objects.get()
    assert run.status == "failed" and "No QUEUE_SYNC_USER" in run.error
    assert "No QUEUE_SYNC_USER" in WebhookDelivery.objects.get().outcome


def test_the_sandbox_delivers_its_events_to_the_console(client, people, upstream, live_server, settings):
    """End to end: an action in the sandbox reaches the queue through the webhook."""
    settings.WEBHOOK_SECRET = settings.SANDBOX_WEBHOOK_SECRET = "shared"
    settings.SANDBOX_WEBHOOK_URL = live_server.url + URL
    task = make_task(status=Status.COMPLETED)
    make_task("task_sibling")
    key = make_key()
    import requests

    r = requests.post(
        f"{upstream}/v2/team_123456/project/proj_123456/task/{task.task_id}/unlock",
        headers={"Authorization": f"Bearer {key}"},
        timeout=10,
    )
    assert r.status_code == 200
    assert not Entry.objects.exists()  # the worker delivers the sandbox's events
    run_tasks()
    entry = Entry.objects.get(task_id=task.task_id)
    assert (entry.status, entry.source) == ("REVIEWING", "webhook")
