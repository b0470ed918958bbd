"""Report: stored with its issues and message, any status, 201 or 207, and every refusal."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from reviewer.sandbox.models import Report, Status
from tests.conftest import make_key, make_task
from tests.sandbox.conftest import TASK, error_of

ISSUE = {"label": "Poor Document Quality", "value": "poor_quality"}


@pytest.fixture
def hook():
    """A local receiver for the report's outgoing call; answers with `hook.status`."""
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        status = 200

        def do_POST(self):
            length = int(self.headers["Content-Length"])
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(Handler.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.received = received
    server.handler = Handler
    server.url = f"http://127.0.0.1:{server.server_port}/hook"
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("status", list(Status))
def test_it_stores_a_report_in_any_status(api, status):
    task = make_task(status=status)
    r = api.post(TASK + "/report", make_key(), json={"issues": [ISSUE], "message": "Blurry scan."})
    assert r.status_code == 201
    body = r.json()
    assert body["error"] is None
    assert body["payload"]["status"] == status
    report = Report.objects.get(task=task)
    assert (report.issues, report.message) == ([ISSUE], "Blurry scan.")
    task.refresh_from_db()
    assert task.status == status


def test_it_accepts_a_report_without_message_or_with_null(api):
    task = make_task()
    key = make_key()
    assert api.post(TASK + "/report", key, json={"issues": [ISSUE]}).status_code == 201
    assert api.post(TASK + "/report", key, json={"issues": [ISSUE], "message": None}).status_code == 201
    assert list(Report.objects.filter(task=task).values_list("message", flat=True)) == [None, None]


def test_it_keeps_only_label_and_value_of_each_issue(api):
    task = make_task()
    issue = {**ISSUE, "extra": "ignored"}
    assert api.post(TASK + "/report", make_key(), json={"issues": [issue]}).status_code == 201
    assert Report.objects.get(task=task).issues == [ISSUE]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({}, "issues: this field is required"),
        ({"issues": []}, "issues: must be a non-empty list"),
        ({"issues": "poor_quality"}, "issues: must be a non-empty list"),
        ({"issues": ["poor_quality"]}, "issues[0]: must be an object"),
        ({"issues": [{"label": "Poor"}]}, "issues[0].value: must be a non-empty string"),
        ({"issues": [{"label": "", "value": "x"}]}, "issues[0].label: must be a non-empty string"),
        ({"issues": [{"label": "   ", "value": "x"}]}, "issues[0].label: must be a non-empty string"),
        ({"issues": [ISSUE, {"label": 3, "value": "x"}]}, "issues[1].label: must be a non-empty string"),
        ({"issues": [ISSUE], "message": 42}, "message: must be a string"),
        ({"issues": [ISSUE], "message": ["a"]}, "message: must be a string"),
        ([ISSUE], "must be a JSON object"),
        ({"issues": [ISSUE] * 51}, "at most 50 issues"),
        ({"issues": [{"label": "x" * 501, "value": "x"}]}, "at most 500 characters"),
    ],
)
def test_it_refuses_an_invalid_report(api, body, fragment):
    task = make_task()
    r = api.post(TASK + "/report", make_key(), json=body)
    assert r.status_code == 400
    error = error_of(r)
    assert error["code"] == "invalid_request"
    assert fragment in error["message"]
    assert not Report.objects.filter(task=task).exists()


def test_it_makes_the_outgoing_call_and_answers_201(api, settings, hook):
    settings.SANDBOX_REPORT_HOOK_URL = hook.url
    task = make_task()
    r = api.post(TASK + "/report", make_key(), json={"issues": [ISSUE], "message": "m"})
    assert r.status_code == 201
    assert r.json()["error"] is None
    [call] = hook.received
    assert call["task"]["id"] == "task_abcdef123456"
    assert (call["issues"], call["message"]) == ([ISSUE], "m")
    assert Report.objects.get(task=task).hook_status == "sent"


def test_it_answers_207_when_the_outgoing_call_fails(api, settings, hook):
    settings.SANDBOX_REPORT_HOOK_URL = hook.url
    hook.handler.status = 502
    task = make_task()
    r = api.post(TASK + "/report", make_key(), json={"issues": [ISSUE]})
    assert r.status_code == 207
    body = r.json()
    assert body["payload"]["id"] == "task_abcdef123456"
    assert body["error"]["code"] == "external_call_failed"
    assert "HTTP 502" in body["error"]["message"]
    report = Report.objects.get(task=task)
    assert (report.hook_status, report.hook_error) == ("failed", "The external call answered HTTP 502.")


def test_it_answers_207_when_the_outgoing_call_cannot_connect(api, settings, hook):
    settings.SANDBOX_REPORT_HOOK_URL = hook.url
    hook.shutdown()
    hook.server_close()
    make_task()
    r = api.post(TASK + "/report", make_key(), json={"issues": [ISSUE]})
    assert r.status_code == 207
    assert "ConnectionError" in r.json()["error"]["message"]
    assert Report.objects.count() == 1
