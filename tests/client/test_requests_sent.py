"""What each endpoint sends: method, path under SENDAI_API_URL, headers and body."""

from __future__ import annotations

import re

import pytest

from reviewer.sendai import Issue
from tests.client.conftest import KEY

TASK = "/sendai/v2/team_123456/project/proj_123456/task/task_abcdef123456"


@pytest.mark.parametrize(
    ("call", "method", "path"),
    [
        ("get", "GET", TASK),
        ("complete", "POST", f"{TASK}/complete"),
        ("discard", "POST", f"{TASK}/discard"),
        ("approve", "POST", f"{TASK}/approve"),
        ("disapprove", "POST", f"{TASK}/disapprove"),
        ("unlock", "POST", f"{TASK}/unlock"),
    ],
)
def test_it_sends_each_action(upstream, api, doc_task, call, method, path):
    upstream.reply(json_body={"payload": doc_task})
    result = getattr(api, call)("team_123456", "proj_123456", "task_abcdef123456")
    assert result.task.id == "task_abcdef123456"
    (sent,) = upstream.received
    assert (sent.method, sent.path) == (method, path)
    assert sent.headers["Authorization"] == f"Bearer {KEY}"
    assert sent.headers["Accept"] == "application/json"
    assert re.fullmatch(r"[0-9a-f]{32}", sent.headers["X-Request-ID"])
    assert sent.headers["X-Request-ID"] == result.request_id
    assert sent.headers["User-Agent"] == "Reviewer (Send.ai review console)"
    assert "Cookie" not in sent.headers
    assert sent.body == b""


def test_it_sends_a_report_as_json(upstream, api, doc_task):
    upstream.reply(201, json_body={"payload": doc_task, "error": None})
    issues = [Issue("Poor Document Quality", "poor_quality"), Issue("Wrong Document Type", "wrong_type")]
    result = api.report("team_123456", "proj_123456", "task_abcdef123456", issues, "Blurry.")
    assert result.warning is None
    (sent,) = upstream.received
    assert (sent.method, sent.path) == ("POST", f"{TASK}/report")
    assert sent.headers["Authorization"] == f"Bearer {KEY}"
    assert sent.headers["Content-Type"] == "application/json"
    assert sent.json() == {
        "issues": [
            {"label": "Poor Document Quality", "value": "poor_quality"},
            {"label": "Wrong Document Type", "value": "wrong_type"},
        ],
        "message": "Blurry.",
    }


def test_it_returns_completes_message(upstream, api, doc_task):
    doc_task["status"] = "PROCESSING"
    upstream.reply(json_body={"payload": doc_task, "message": "Task processing started"})
    result = api.complete("team_123456", "proj_123456", "task_abcdef123456")
    assert result.task.status == "PROCESSING"
    assert result.message == "Task processing started"


def test_it_keeps_the_path_prefix_of_the_base_url(upstream, api, doc_task, settings):
    settings.SENDAI_API_URL = upstream.url.replace("/sendai", "/some/prefix")
    upstream.reply(json_body={"payload": doc_task})
    api.get("team_123456", "proj_123456", "task_abcdef123456")
    assert upstream.received[0].path == "/some/prefix/v2/team_123456/project/proj_123456/task/task_abcdef123456"
