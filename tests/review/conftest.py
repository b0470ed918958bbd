"""Fixtures for the review screen: a reviewer with a working key, signed in, and the live sandbox upstream."""

from __future__ import annotations

import pytest

from tests.conftest import give_key, make_key, make_project

TASK_URL = "/review/team_123456/proj_123456/task_abcdef123456/"


def act_url(action: str) -> str:
    return f"{TASK_URL}act/{action}/"


@pytest.fixture
def reviewer_client(client, people, upstream):
    """The test client, signed in as the reviewer, whose key reads and acts on team_123456/proj_123456."""
    give_key(people.reviewer, make_key(project=make_project()))
    client.force_login(people.reviewer)
    return client


HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "task-state"}
