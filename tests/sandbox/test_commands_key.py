"""manage.py sandbox_key: a key for a team or a project, printed once, alone on the last line."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from reviewer.sandbox.models import ApiKey, KeyGrant, hash_key
from tests.conftest import make_project, make_task

pytestmark = pytest.mark.django_db


def run(*args: str) -> list[str]:
    out = io.StringIO()
    call_command("sandbox_key", *args, stdout=out)
    return out.getvalue().splitlines()


def test_it_prints_the_key_alone_on_the_last_line():
    project = make_project()
    lines = run(
        "--team", "team_123456", "--project", "proj_123456", "--scopes", "task.read,task.edit", "--name", "demo key"
    )
    raw = lines[-1]
    assert raw.startswith("sk_sbx_")
    assert raw == raw.strip()
    assert " " not in raw
    key = ApiKey.objects.get()
    assert hash_key(raw) == key.digest
    assert raw not in "\n".join(lines[:-1])
    assert lines[:-1] == [
        f'Created key "demo key" ({key.prefix}…) for team_123456/proj_123456, scopes task.read, task.edit. '
        "It is shown only this once:"
    ]
    assert (key.name, key.scopes) == ("demo key", ["task.read", "task.edit"])
    grant = KeyGrant.objects.get(key=key)
    assert (grant.team, grant.project) == (project.team, project)
    assert key.can_access(project)


def test_it_grants_the_whole_team_without_a_project():
    project = make_project()
    other = make_project(project_id="proj_other")
    run("--team", "team_123456", "--scopes", "task.read")
    key = ApiKey.objects.get()
    grant = KeyGrant.objects.get(key=key)
    assert (grant.team, grant.project) == (project.team, None)
    assert key.can_access(project)
    assert key.can_access(other)
    assert key.name == "sandbox key"


def test_it_makes_a_key_that_the_sandbox_api_accepts(client):
    make_task()
    raw = run("--team", "team_123456", "--project", "proj_123456", "--scopes", "task.read")[-1]
    url = "/sandbox/v2/team_123456/project/proj_123456/task/task_abcdef123456"
    response = client.get(url, headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert response.json()["payload"]["id"] == "task_abcdef123456"
    assert client.get(url, headers={"Authorization": f"Bearer {raw}x"}).status_code == 401


def test_it_keeps_each_scope_once_in_the_order_given():
    make_project()
    run("--team", "team_123456", "--scopes", " task.edit , task.read,task.edit,")
    assert ApiKey.objects.get().scopes == ["task.edit", "task.read"]


@pytest.mark.parametrize(
    ("scopes", "message"),
    [
        ("task.write", "Unknown scope 'task.write': use one or more of task.read, task.edit."),
        ("task.read,admin,x", "Unknown scope 'admin', 'x': use one or more of task.read, task.edit."),
        ("", "--scopes is empty: give one or more of task.read, task.edit."),
        (" , ", "--scopes is empty: give one or more of task.read, task.edit."),
    ],
)
def test_it_refuses_unknown_scopes(scopes, message):
    make_project()
    with pytest.raises(CommandError) as error:
        run("--team", "team_123456", "--scopes", scopes)
    assert str(error.value) == message
    assert not ApiKey.objects.exists()


def test_it_refuses_an_unknown_team():
    make_project()
    with pytest.raises(CommandError) as error:
        run("--team", "team_nope", "--scopes", "task.read")
    assert str(error.value) == "Unknown team 'team_nope': create it first (manage.py sandbox_seed or sandbox_load)."
    assert not ApiKey.objects.exists()


def test_it_refuses_a_project_of_another_team():
    make_project()
    make_project(team_id="team_other", project_id="proj_other")
    with pytest.raises(CommandError) as error:
        run("--team", "team_123456", "--project", "proj_other", "--scopes", "task.read")
    assert str(error.value) == "Unknown project 'proj_other' in team team_123456."
    assert not ApiKey.objects.exists()


def test_it_refuses_an_empty_name():
    make_project()
    with pytest.raises(CommandError, match="--name must not be empty"):
        run("--team", "team_123456", "--scopes", "task.read", "--name", " ")
    assert not ApiKey.objects.exists()


def test_it_requires_a_team_and_scopes():
    with pytest.raises(CommandError, match="the following arguments are required: --team, --scopes"):
        run()
