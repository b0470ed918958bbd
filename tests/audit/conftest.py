"""Audit fixtures: action records written straight into the log, with exact times."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from reviewer.review.models import ActionRecord, CorrectionRecord, EntityTally

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


def correct(
    record: ActionRecord,
    op: str = "update",
    kind: str = "annotation",
    *,
    item: str = "ann_1",
    entity: str = "",
    before: dict | None = None,
    after: dict | None = None,
    confidence: float | None = None,
    page: str = "page_1",
) -> CorrectionRecord:
    """One correction that `record` sent, as the console writes it beside the record."""
    return CorrectionRecord.objects.create(
        record=record,
        op=op,
        kind=kind,
        page_id=page,
        item_id=item,
        entity_id=entity,
        before=before or {},
        after=after or {},
        confidence=confidence,
    )


def tally(record: ActionRecord, entity: str, items: int, changed: int, changed_sum: float, kept_sum: float):
    """The entity tally of a complete: `items` AI values, `changed` of them changed, and confidence sums."""
    return EntityTally.objects.create(
        record=record,
        entity_id=entity,
        items=items,
        changed=changed,
        changed_confidence=changed_sum,
        unchanged_confidence=kept_sum,
    )


@pytest.fixture
def lead_client(client, people):
    client.force_login(people.lead)
    return client
