"""Audit fixtures: action records written straight into the log, with exact times."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from reviewer.review.models import ActionRecord

_task_numbers = itertools.count()
# A fixed instant inside the period the tests ask for (UTC days).
T0 = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)


def rec(
    username: str = "rita",
    action: str = "approve",
    outcome: str = "ok",
    *,
    at: dt.datetime | None = None,
    task: str = "task_1",
    team: str = "team_123456",
    project: str = "proj_123456",
    user=None,
    **fields,
) -> ActionRecord:
    """One record in the log, as record_action would have written it (with `at` chosen)."""
    approved = {"approve": True, "disapprove": False}.get(action) if outcome == "ok" else None
    values = {
        "at": at or T0,
        "user": user,
        "username": username,
        "team_id": team,
        "project_id": project,
        "task_id": task,
        "action": action,
        "outcome": outcome,
        "task_approved": approved,
        "task_status": "COMPLETED" if outcome == "ok" else "",
    }
    values.update(fields)
    return ActionRecord.objects.create(**values)


@pytest.fixture
def lead_client(client, people):
    client.force_login(people.lead)
    return client
