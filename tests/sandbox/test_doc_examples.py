"""The documentation's examples (../shared/seeds/) run as written against the live sandbox.

The Python functions are copied from the pages with only the host and the key replaced; the curl
commands are the pages' text with the same two replacements, run by bash. Each page's IDs
(team_123456, proj_123456, task_abcdef123456) are the ones that `make_task` uses.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess

import pytest
import requests
from django.utils import timezone

from reviewer.sandbox.models import ApiKey, Event, Report, Status, Task, TrainingExample, hash_key
from tests.conftest import DOC_TASK, make_key, make_task

DOC_HOST = "https://api.send.ai"
DOC_KEY = "YOUR_API_KEY"
CREATED_AT = dt.datetime(2024, 1, 15, 10, 30, tzinfo=dt.UTC)  # the documentation's example task

# The cURL tab of each page, as printed.
DISAPPROVE_CURL = """curl -X POST \\
'https://api.send.ai/v2/team_123456/project/proj_123456/task/task_abcdef123456/disapprove' \\
-H 'Authorization: Bearer YOUR_API_KEY'"""

APPROVE_CURL = """curl -X POST \\
'https://api.send.ai/v2/team_123456/project/proj_123456/task/task_abcdef123456/approve' \\
-H 'Authorization: Bearer YOUR_API_KEY'"""

DISCARD_CURL = """curl -X POST \\
'https://api.send.ai/v2/team_123456/project/proj_123456/task/task_abcdef123456/discard' \\
-H 'Authorization: Bearer YOUR_API_KEY'"""

REPORT_CURL = """curl -X POST \\
'https://api.send.ai/v2/team_123456/project/proj_123456/task/task_abcdef123456/report' \\
-H 'Authorization: Bearer YOUR_API_KEY' \\
-H 'Content-Type: application/json' \\
-d '{
"message": "The document is blurry and text cannot be read clearly.",
"issues": [{"label": "Poor Document Quality", "value": "poor_quality"}]
}'"""


def run_curl(command: str, base: str, key: str) -> tuple[int, dict]:
    """Run a page's curl command with the sandbox's host and a real key; return status and JSON body.

    Only `--silent --show-error --write-out` are added, to read the status code.
    """
    assert shutil.which("curl"), "curl is needed to run the documentation's curl examples"
    assert DOC_HOST in command
    assert DOC_KEY in command
    command = command.replace(DOC_HOST, base).replace(DOC_KEY, key)
    command += " --silent --show-error --write-out '\\n%{http_code}'"
    result = subprocess.run(
        ["bash", "-c", command],
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    body, _, status = result.stdout.rpartition("\n")
    return int(status), json.loads(body)


def the_doc_task(**changes) -> dict:
    """The documentation's example response payload, with `changes`, less the time it was last opened."""
    expected = {**DOC_TASK, **changes}
    del expected["last_opened_at"]
    return expected


def without_last_opened(payload: dict) -> dict:
    return {k: v for k, v in payload.items() if k != "last_opened_at"}


def approved_task() -> Task:
    key, _ = ApiKey.create(name="another reviewer", scopes=["task.read", "task.edit"], grants=[])
    task = make_task(
        status=Status.COMPLETED, created_at=CREATED_AT, approved=True, approved_at=timezone.now(), approved_by=key
    )
    TrainingExample.objects.create(task=task, added_by=key)
    return task


def assert_disapproved(task: Task) -> None:
    task.refresh_from_db()
    assert task.approved is False
    assert task.approved_at is None
    assert task.approved_by is None
    assert not TrainingExample.objects.filter(task=task).exists()
    assert Event.objects.filter(event="task_de_approved", task__id="task_abcdef123456").count() == 1


def assert_approved(task: Task, key: str) -> None:
    task.refresh_from_db()
    assert task.approved is True
    assert task.approved_at is not None
    assert task.approved_by == ApiKey.objects.get(digest=hash_key(key))
    assert TrainingExample.objects.get(task=task).added_by == task.approved_by
    assert Event.objects.filter(event="task_approved", task__id="task_abcdef123456").count() == 1


def assert_reported(task: Task, key: str) -> None:
    report = Report.objects.get(task=task)
    assert report.issues == [{"label": "Poor Document Quality", "value": "poor_quality"}]
    assert report.message == "The document is blurry and text cannot be read clearly."
    assert report.api_key == ApiKey.objects.get(digest=hash_key(key))
    task.refresh_from_db()
    assert task.status == Status.REVIEWING


# --- Disapprove Task -------------------------------------------------------------------------


def test_it_runs_the_python_example_of_disapprove(sandbox_url):
    task = approved_task()
    api_key = make_key()

    def disapprove_task(team_id, project_id, task_id):
        url = f"{sandbox_url}/v2/{team_id}/project/{project_id}/task/{task_id}/disapprove"
        headers = {"Authorization": f"Bearer {api_key}"}
        response = requests.post(url, headers=headers)
        response.raise_for_status()
        return response.json()

    # Example usage
    result = disapprove_task("team_123456", "proj_123456", "task_abcdef123456")
    print(result)

    assert without_last_opened(result["payload"]) == the_doc_task(status="COMPLETED", approved=False)
    assert_disapproved(task)


def test_it_runs_the_curl_example_of_disapprove(sandbox_url):
    task = approved_task()
    key = make_key()
    status, body = run_curl(DISAPPROVE_CURL, sandbox_url, key)
    assert status == 200
    assert without_last_opened(body["payload"]) == the_doc_task(status="COMPLETED", approved=False)
    assert_disapproved(task)


# --- Approve Task ----------------------------------------------------------------------------


def test_it_runs_the_python_example_of_approve(sandbox_url):
    task = make_task(status=Status.COMPLETED, created_at=CREATED_AT)
    api_key = make_key()

    def approve_task(team_id, project_id, task_id):
        url = f"{sandbox_url}/v2/{team_id}/project/{project_id}/task/{task_id}/approve"
        headers = {"Authorization": f"Bearer {api_key}"}
        response = requests.post(url, headers=headers)
        response.raise_for_status()
        return response.json()

    # Example usage
    result = approve_task("team_123456", "proj_123456", "task_abcdef123456")
    print(result)

    assert without_last_opened(result["payload"]) == the_doc_task(status="COMPLETED", approved=True)
    assert_approved(task, api_key)


def test_it_runs_the_curl_example_of_approve(sandbox_url):
    task = make_task(status=Status.COMPLETED, created_at=CREATED_AT)
    key = make_key()
    status, body = run_curl(APPROVE_CURL, sandbox_url, key)
    assert status == 200
    assert without_last_opened(body["payload"]) == the_doc_task(status="COMPLETED", approved=True)
    assert_approved(task, key)


# --- Discard Task ----------------------------------------------------------------------------


def test_it_runs_the_python_example_of_discard(sandbox_url):
    task = make_task(status=Status.REVIEWING, created_at=CREATED_AT)
    api_key = make_key()

    def discard_task(team_id, project_id, task_id):
        url = f"{sandbox_url}/v2/{team_id}/project/{project_id}/task/{task_id}/discard"
        headers = {"Authorization": f"Bearer {api_key}"}
        response = requests.post(url, headers=headers)
        response.raise_for_status()
        return response.json()

    # Example usage
    result = discard_task("team_123456", "proj_123456", "task_abcdef123456")
    print(result)

    assert without_last_opened(result["payload"]) == the_doc_task(status="DISCARDED", approved=False)
    task.refresh_from_db()
    assert task.status == Status.DISCARDED


def test_it_runs_the_curl_example_of_discard(sandbox_url):
    task = make_task(status=Status.REVIEWING, created_at=CREATED_AT)
    key = make_key()
    status, body = run_curl(DISCARD_CURL, sandbox_url, key)
    assert status == 200
    assert without_last_opened(body["payload"]) == the_doc_task(status="DISCARDED", approved=False)
    task.refresh_from_db()
    assert task.status == Status.DISCARDED


def test_it_raises_from_the_python_example_of_discard_when_the_task_is_not_in_review(sandbox_url):
    task = make_task(status=Status.COMPLETED)
    api_key = make_key()

    def discard_task(team_id, project_id, task_id):
        url = f"{sandbox_url}/v2/{team_id}/project/{project_id}/task/{task_id}/discard"
        headers = {"Authorization": f"Bearer {api_key}"}
        response = requests.post(url, headers=headers)
        response.raise_for_status()
        return response.json()

    # Not `as raised`: a kept exception keeps the example's response, and with it a connection
    # to the live server, which then holds its database connection past the end of the test.
    with pytest.raises(requests.HTTPError, match=r"^400 Client Error: Bad Request for url: "):
        discard_task("team_123456", "proj_123456", "task_abcdef123456")
    task.refresh_from_db()
    assert task.status == Status.COMPLETED


# --- Report Task -----------------------------------------------------------------------------


def test_it_runs_the_python_example_of_report(sandbox_url):
    task = make_task(status=Status.REVIEWING, created_at=CREATED_AT)
    api_key = make_key()

    def report_task(team_id, project_id, task_id, issues, message=None):
        url = f"{sandbox_url}/v2/{team_id}/project/{project_id}/task/{task_id}/report"
        headers = {"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"}
        payload = {"issues": issues, "message": message}
        response = requests.post(url, headers=headers, json=payload)
        # 207 indicates partial success when external export fails
        if response.status_code not in [200, 201, 207]:
            response.raise_for_status()
        return response.json()

    # Example usage
    result = report_task(
        "team_123456",
        "proj_123456",
        "task_abcdef123456",
        issues=[{"label": "Poor Document Quality", "value": "poor_quality"}],
        message="The document is blurry and text cannot be read clearly.",
    )
    print(result)

    assert result["error"] is None
    assert without_last_opened(result["payload"]) == the_doc_task(status="REVIEWING", approved=False)
    assert_reported(task, api_key)


def test_it_runs_the_python_example_of_report_without_a_message(sandbox_url):
    # The example sends "message": null when no message is given.
    task = make_task(status=Status.REVIEWING)
    api_key = make_key()

    def report_task(team_id, project_id, task_id, issues, message=None):
        url = f"{sandbox_url}/v2/{team_id}/project/{project_id}/task/{task_id}/report"
        headers = {"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"}
        payload = {"issues": issues, "message": message}
        response = requests.post(url, headers=headers, json=payload)
        # 207 indicates partial success when external export fails
        if response.status_code not in [200, 201, 207]:
            response.raise_for_status()
        return response.json()

    issues = [{"label": "Wrong Document Type", "value": "wrong_type"}]
    result = report_task("team_123456", "proj_123456", "task_abcdef123456", issues=issues)
    assert result["error"] is None
    report = Report.objects.get(task=task)
    assert report.issues == [{"label": "Wrong Document Type", "value": "wrong_type"}]
    assert report.message is None


def test_it_runs_the_curl_example_of_report(sandbox_url):
    task = make_task(status=Status.REVIEWING, created_at=CREATED_AT)
    key = make_key()
    status, body = run_curl(REPORT_CURL, sandbox_url, key)
    assert status == 201
    assert body["error"] is None
    assert without_last_opened(body["payload"]) == the_doc_task(status="REVIEWING", approved=False)
    assert_reported(task, key)
