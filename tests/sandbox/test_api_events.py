"""Notification events: delivered to the subscribed URL, signed with the shared secret, failures kept."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import CommandError, call_command

from reviewer.queue.webhook import BadSignature, check_signature
from reviewer.sandbox.events import MAX_ATTEMPTS
from reviewer.sandbox.models import Event
from tests.conftest import make_key, make_task, run_tasks
from tests.sandbox.conftest import TASK


@pytest.fixture
def receiver():
    """A local webhook receiver that records (headers, body) and answers `receiver.status`."""
    received: list[tuple[dict, dict]] = []
    raws: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        status = 204

        def do_POST(self):
            raw = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((dict(self.headers), json.loads(raw)))
            raws.append(raw)
            self.send_response(Handler.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.received = received
    server.raws = raws
    server.handler = Handler
    server.url = f"http://127.0.0.1:{server.server_port}/webhook"
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def subscribed(settings, receiver):
    settings.SANDBOX_WEBHOOK_URL = receiver.url
    settings.SANDBOX_WEBHOOK_SECRET = "s3cret"
    return receiver


def test_it_delivers_an_approval_event_signed_with_the_secret(api, subscribed):
    make_task()
    assert api.post(TASK + "/approve", make_key()).status_code == 200
    assert subscribed.received == []  # not from the request: the worker delivers it
    run_tasks()
    [(headers, body)] = subscribed.received
    assert "X-Sendai-Secret" not in headers
    check_signature(headers["X-Sendai-Signature"], subscribed.raws[0], "s3cret", time.time())
    with pytest.raises(BadSignature):
        check_signature(headers["X-Sendai-Signature"], subscribed.raws[0], "other", time.time())
    assert body["event"] == "task_approved"
    assert body["event_level"] == "TASK"
    assert (body["team_id"], body["project_id"]) == ("team_123456", "proj_123456")
    assert body["task"]["id"] == "task_abcdef123456"
    assert body["task"]["approved"] is True
    assert body["upload"]["id"] == "upl_123456789"
    event = Event.objects.get()
    assert body["id"] == str(event.event_id)
    assert event.delivered_at is not None


def test_it_delivers_task_and_upload_events_for_a_status_change(api, subscribed):
    make_task()
    assert api.post(TASK + "/discard", make_key()).status_code == 200
    run_tasks()
    events = [(b["event_level"], b["event"]) for _, b in subscribed.received]
    assert events == [("TASK", "task_status_changed"), ("UPLOAD", "PROCESSED")]


def test_a_failed_delivery_is_retried_with_back_off_until_delivered(api, subscribed, settings):
    settings.TASK_RETRY_DELAY = 30
    subscribed.handler.status = 500
    make_task()
    assert api.post(TASK + "/approve", make_key()).status_code == 200
    run_tasks()
    event = Event.objects.get()
    assert (event.delivered_at, event.attempts, event.last_error) == (None, 1, "HTTP 500")
    run_tasks()  # the next attempt waits out its back-off
    event.refresh_from_db()
    assert event.attempts == 1
    subscribed.handler.status = 204
    run_tasks(due=True)
    event.refresh_from_db()
    assert (event.attempts, event.last_error) == (2, "")
    assert event.delivered_at is not None
    assert subscribed.received[0][1]["id"] == subscribed.received[1][1]["id"]


def test_a_delivery_that_keeps_failing_is_tried_a_bounded_number_of_times(api, subscribed):
    subscribed.handler.status = 503
    make_task()
    assert api.post(TASK + "/approve", make_key()).status_code == 200
    for _attempt in range(MAX_ATTEMPTS + 2):
        run_tasks(due=True)
    event = Event.objects.get()
    assert (event.delivered_at, event.attempts, event.last_error) == (None, MAX_ATTEMPTS, "HTTP 503")
    assert len(subscribed.received) == MAX_ATTEMPTS


def test_a_failed_delivery_is_kept_and_retried_by_the_command(api, subscribed):
    subscribed.handler.status = 500
    make_task()
    assert api.post(TASK + "/approve", make_key()).status_code == 200
    run_tasks()
    event = Event.objects.get()
    assert (event.delivered_at, event.attempts, event.last_error) == (None, 1, "HTTP 500")
    subscribed.handler.status = 204
    call_command("sandbox_deliver")
    event.refresh_from_db()
    assert event.delivered_at is not None
    assert event.attempts == 2
    assert len(subscribed.received) == 2
    assert subscribed.received[0][1]["id"] == subscribed.received[1][1]["id"]


def test_an_unreachable_subscriber_does_not_fail_the_action(api, settings):
    settings.SANDBOX_WEBHOOK_URL = "http://127.0.0.1:9/webhook"
    settings.SANDBOX_WEBHOOK_SECRET = "s3cret"
    make_task()
    assert api.post(TASK + "/approve", make_key()).status_code == 200
    run_tasks()
    assert Event.objects.get().last_error == "ConnectionError"


def test_the_deliver_command_needs_a_subscription(settings, db):
    settings.SANDBOX_WEBHOOK_URL = ""
    with pytest.raises(CommandError, match="SANDBOX_WEBHOOK_URL"):
        call_command("sandbox_deliver")
