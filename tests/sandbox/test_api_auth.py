"""Keys, scopes and grants: 401, 403 and 404 as the contract says, on every endpoint."""

from __future__ import annotations

import pytest
from django.utils import timezone

from reviewer.sandbox.models import ApiKey, Status, Task
from tests.conftest import make_key, make_project, make_task
from tests.sandbox.conftest import TASK, TASKS, error_of

READS = [TASK, TASKS, TASK + "/page/page_1/image"]
EDITS = ["complete", "discard", "approve", "disapprove", "unlock", "report"]
REPORT = {"issues": [{"label": "Poor Document Quality", "value": "poor_quality"}]}


def _post(api, action, key=None, **kwargs):
    return api.post(f"{TASK}/{action}", key, json=REPORT if action == "report" else None, **kwargs)


@pytest.mark.parametrize("path", READS)
def test_it_requires_a_key_to_read(api, path):
    make_task()
    r = api.get(path)
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == "Bearer"
    assert error_of(r)["code"] == "unauthorized"


@pytest.mark.parametrize("action", EDITS)
def test_it_requires_a_key_to_act(api, action):
    task = make_task()
    r = _post(api, action)
    assert r.status_code == 401
    task.refresh_from_db()
    assert task.status == Status.REVIEWING


@pytest.mark.parametrize(
    "header", ["Bearer sk_sbx_not-a-real-key", "Basic dXNlcjpwYXNz", "Bearer", "Bearer    ", "sk_sbx_x"]
)
def test_it_refuses_an_invalid_key(api, header):
    make_task()
    make_key()
    r = api.get(TASK, headers={"Authorization": header})
    assert r.status_code == 401
    assert error_of(r)["code"] == "invalid_api_key"


def test_it_refuses_a_revoked_key(api):
    make_task()
    key = make_key()
    ApiKey.objects.update(revoked_at=timezone.now())
    assert api.get(TASK, key).status_code == 401


def test_it_records_when_a_key_was_last_used(api):
    make_task()
    key = make_key()
    assert ApiKey.objects.get().last_used_at is None
    assert api.get(TASK, key).status_code == 200
    assert ApiKey.objects.get().last_used_at is not None


@pytest.mark.parametrize("action", EDITS)
def test_it_refuses_actions_to_a_read_only_key(api, action):
    task = make_task(status=Status.COMPLETED)
    make_task("task_sibling")
    key = make_key(scopes=("task.read",))
    assert api.get(TASK, key).status_code == 200
    r = _post(api, action, key)
    assert r.status_code == 403
    error = error_of(r)
    assert error["code"] == "insufficient_scope"
    assert "task.edit" in error["message"]
    task.refresh_from_db()
    assert (task.status, task.approved, task.reports.count()) == (Status.COMPLETED, False, 0)


@pytest.mark.parametrize("path", READS)
def test_it_refuses_reads_to_an_edit_only_key(api, path):
    make_task()
    r = api.get(path, make_key(scopes=("task.edit",)))
    assert r.status_code == 403
    assert "task.read" in error_of(r)["message"]


def test_a_team_grant_covers_every_project_of_the_team(api):
    other = make_project(project_id="proj_other")
    make_task(project=other)
    key = make_key(project=make_project(), whole_team=True)
    r = api.get("/v2/team_123456/project/proj_other/task/task_abcdef123456", key)
    assert r.status_code == 200


def test_a_project_grant_covers_only_its_project(api):
    other = make_project(project_id="proj_other")
    make_task(project=other)
    key = make_key(project=make_project())
    r = api.get("/v2/team_123456/project/proj_other/task/task_abcdef123456", key)
    assert r.status_code == 404


@pytest.mark.parametrize("path", READS)
def test_a_foreign_task_looks_exactly_like_an_unknown_one(api, path):
    """A key must not be able to probe other teams' task IDs."""
    make_task(project=make_project("team_other", "proj_123456"))
    stranger = make_key(project=make_project("team_mine", "proj_mine"))
    foreign = api.get(path.replace("team_123456", "team_other"), stranger)
    unknown = api.get(path.replace("team_123456", "team_nobody"), stranger)
    assert foreign.status_code == unknown.status_code == 404
    assert foreign.json() == unknown.json()
    if path != TASKS:
        missing = api.get(path.replace("team_123456", "team_mine").replace("proj_123456", "proj_mine"), stranger)
        assert missing.status_code == 404
        assert missing.json() == foreign.json()


@pytest.mark.parametrize("action", EDITS)
def test_it_refuses_actions_on_foreign_tasks(api, action):
    task = make_task(project=make_project("team_other", "proj_123456"), status=Status.COMPLETED)
    stranger = make_key(project=make_project("team_mine", "proj_mine"))
    path = f"{TASK}/{action}".replace("team_123456", "team_other")
    r = api.post(path, stranger, json=REPORT if action == "report" else None)
    assert r.status_code == 404
    assert error_of(r)["code"] == "not_found"
    task.refresh_from_db()
    assert (task.status, task.approved, task.reports.count()) == (Status.COMPLETED, False, 0)
    assert Task.objects.count() == 1
