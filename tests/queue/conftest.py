"""Queue fixtures: entries made directly, the way a sync or an import would leave them."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from reviewer.queue.models import Entry

_counter = itertools.count()
BASE = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def make_entry(task_id: str | None = None, *, status: str = "REVIEWING", minutes: int | None = None, **fields) -> Entry:
    """An entry in team_123456/proj_123456; `minutes` after BASE sets its age (older first)."""
    n = next(_counter)
    values = {
        "team_id": "team_123456",
        "project_id": "proj_123456",
        "task_id": task_id or f"task_q{n}",
        "status": status,
        "created_at": BASE + dt.timedelta(minutes=n if minutes is None else minutes),
        "source": Entry.Source.LIST,
        "step_type": "EXTRACT",
    }
    values.update(fields)
    return Entry.objects.create(**values)


def expire(entry: Entry) -> None:
    Entry.objects.filter(pk=entry.pk).update(claim_expires_at=timezone.now() - dt.timedelta(seconds=1))


def give_import_key(user, *projects: tuple[str, str]) -> str:
    """Give `user` a sandbox key that reads and acts on each (team, project), made if need be:
    an import asks Send.ai for every new task ID with the importer's own key."""
    from reviewer.sandbox.models import ApiKey
    from tests.conftest import give_key, make_project

    grants = [(p.team, p) for p in (make_project(team, project) for team, project in projects)]
    _key, raw = ApiKey.create(name="import key", scopes=["task.read", "task.edit"], grants=grants)
    give_key(user, raw, *projects[0])
    return raw


@pytest.fixture(autouse=True)
def _personas_reach_the_default_project(request):
    """The personas' profiles name team_123456/proj_123456, where make_entry() puts tasks: the
    queue shows a person what their key reaches, and the profile's defaults count (queue/reach.py)."""
    if "people" not in request.fixturenames:
        return
    from reviewer.accounts.roles import profile_of

    people = request.getfixturevalue("people")
    for user in (people.reviewer, people.lead, people.admin):
        profile = profile_of(user)
        profile.team_id, profile.project_id = "team_123456", "proj_123456"
        profile.save(update_fields=["team_id", "project_id"])


def make_claimer(username: str, team_id: str = "team_123456", project_id: str = "proj_123456"):
    """A reviewer whose profile names the project of the tasks they will claim."""
    from reviewer.accounts.roles import profile_of
    from tests.conftest import make_person

    user = make_person(username, "reviewer")
    profile = profile_of(user)
    profile.team_id, profile.project_id = team_id, project_id
    profile.save(update_fields=["team_id", "project_id"])
    return user
