"""Bad input gets the error envelope with the right 4xx code; nothing answers 500."""

from __future__ import annotations

import pytest

from reviewer.sandbox.models import Report, Status
from tests.conftest import make_key, make_task
from tests.sandbox.conftest import TASK, TASKS, error_of

REPORT = TASK + "/report"


@pytest.fixture
def key():
    make_task()
    return make_key()


def test_it_refuses_malformed_json(api, key):
    r = api.post(REPORT, key, data=b'{"issues": [', headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    error = error_of(r)
    assert error["code"] == "invalid_json"
    assert "line 1" in error["message"]


def test_it_refuses_a_body_that_is_not_utf8(api, key):
    r = api.post(REPORT, key, data=b'{"issues": "\xff"}', headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert error_of(r)["code"] == "invalid_json"


def test_it_refuses_deeply_nested_json(api, key):
    body = b"[" * 100_000 + b"]" * 100_000
    r = api.post(REPORT, key, data=body[:60_000], headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert error_of(r)["code"] == "invalid_json"


def test_it_refuses_an_oversize_body(api, key):
    body = b'{"issues": [{"label": "x", "value": "y"}], "message": "' + b"a" * 70_000 + b'"}'
    r = api.post(REPORT, key, data=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert error_of(r)["code"] == "payload_too_large"
    assert not Report.objects.exists()


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"])
def test_it_refuses_a_report_that_is_not_json(api, key, content_type):
    r = api.post(REPORT, key, data=b'{"issues": []}', headers={"Content-Type": content_type})
    assert r.status_code == 415
    assert error_of(r)["code"] == "unsupported_media_type"


def test_it_accepts_json_with_a_charset(api, key):
    r = api.post(
        REPORT,
        key,
        data=b'{"issues": [{"label": "a", "value": "b"}]}',
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert r.status_code == 201


@pytest.mark.parametrize(
    "task_id", ["task%20one", "..", ".hidden", "task;drop", "t%C3%A9", "a" * 129, "-x", "task%00", "x%27y"]
)
def test_it_refuses_ids_with_odd_characters(api, key, task_id):
    r = api.get(f"{TASKS}/{task_id}", key)
    assert r.status_code in (400, 404)
    error = error_of(r)
    if r.status_code == 400:
        assert error["code"] == "invalid_id"


def test_an_id_with_a_space_is_named_in_the_error(api, key):
    r = api.get(f"{TASKS}/task%20one", key)
    assert r.status_code == 400
    assert "task_id" in error_of(r)["message"]


def test_an_encoded_slash_in_an_id_is_a_path_separator(api, key):
    """WSGI decodes %2F before routing; the result is an ordinary refusal, never a 500."""
    r = api.get(f"{TASKS}/task_abcdef123456%2Fcomplete", key)
    assert r.status_code == 405
    assert error_of(r)["code"] == "method_not_allowed"


@pytest.mark.parametrize("action", ["archive", "delete", "COMPLETE", "approve.json"])
def test_it_answers_404_to_unknown_actions(api, key, action):
    r = api.post(f"{TASK}/{action}", key)
    assert r.status_code == 404
    assert error_of(r)["code"] == "not_found"


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("POST", TASK, "GET"),
        ("DELETE", TASK, "GET"),
        ("PUT", TASK + "/unlock", "POST"),
        ("PUT", TASK + "/discard", "POST"),
        ("GET", TASK + "/complete", "POST"),
        ("GET", TASK + "/report", "POST"),
        ("PATCH", TASKS, "GET"),
        ("POST", TASK + "/page/page_1/image", "GET"),
    ],
)
def test_it_answers_405_to_wrong_methods(api, key, method, path, allowed):
    task = make_task("task_other")
    r = api.request(method, path, key)
    assert r.status_code == 405
    assert r.headers["Allow"] == allowed
    assert error_of(r)["code"] == "method_not_allowed"
    task.refresh_from_db()
    assert task.status == Status.REVIEWING


@pytest.mark.parametrize("path", ["/", "/v2", "/v1/team_123456/project/proj_123456/task/x", TASK + "/", "/nope.php"])
def test_it_answers_404_to_unknown_endpoints(api, key, path):
    r = api.get(path, key)
    assert r.status_code == 404
    assert error_of(r)["code"] == "not_found"


def test_it_ignores_unknown_fields_in_a_report(api, key):
    body = {"issues": [{"label": "a", "value": "b"}], "priority": "high", "nested": {"x": [1, 2]}}
    assert api.post(REPORT, key, json=body).status_code == 201
