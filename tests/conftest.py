"""Shared fixtures: sandbox records built through the ORM, and the live sandbox URL."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from reviewer.sandbox.models import ApiKey, Project, Status, Task, Team, Upload

DATA = Path(__file__).parent / "data"
DOC_TASK = json.loads((DATA / "doc_task.json").read_text())["payload"]


def doc_pages() -> list[dict]:
    """The pages of the documentation's example task (one A4 page, one item of each kind)."""
    return copy.deepcopy(DOC_TASK["pages"])


def make_project(team_id: str = "team_123456", project_id: str = "proj_123456") -> Project:
    team, _ = Team.objects.get_or_create(team_id=team_id)
    project, _ = Project.objects.get_or_create(team=team, project_id=project_id)
    return project


def make_task(
    task_id: str = "task_abcdef123456",
    *,
    project: Project | None = None,
    upload_id: str = "upl_123456789",
    status: str = Status.REVIEWING,
    **fields,
) -> Task:
    """A sandbox task shaped like the documentation's example, with `fields` overriding."""
    project = project or make_project()
    upload, _ = Upload.objects.get_or_create(project=project, upload_id=upload_id)
    values = {
        "name": DOC_TASK["name"],
        "meta": copy.deepcopy(DOC_TASK["meta"]),
        "step_type": "EXTRACT",
        "pages": doc_pages(),
    }
    values.update(fields)
    return Task.objects.create(project=project, upload=upload, task_id=task_id, status=status, **values)


def make_key(
    scopes: tuple[str, ...] = ("task.read", "task.edit"),
    *,
    project: Project | None = None,
    whole_team: bool = False,
    name: str = "test key",
) -> str:
    """Create a sandbox key granted to `project` (or its whole team); return the raw key."""
    project = project or make_project()
    grant = (project.team, None if whole_team else project)
    _, raw = ApiKey.create(name=name, scopes=list(scopes), grants=[grant])
    return raw


@pytest.fixture(scope="session", autouse=True)
def collected_static():
    """Collect static files once, so pages render with the manifest storage as in production."""
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


@pytest.fixture
def sandbox_url(live_server) -> str:
    """The base URL of the sandbox served over real HTTP by a live server."""
    return live_server.url + "/sandbox"
