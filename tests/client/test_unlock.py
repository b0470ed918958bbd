"""Unlock a task on the live sandbox."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from reviewer.sendai import Client, Refused
from tests.conftest import make_key, make_task

pytestmark = pytest.mark.usefixtures("live")


def unlock():
    return Client(make_key()).unlock("team_123456", "proj_123456", "task_abcdef123456")


def test_it_unlocks_a_completed_task_of_an_upload_still_in_progress():
    make_task(status="COMPLETED")
    make_task("task_other")  # still REVIEWING: the upload is not fully processed
    assert unlock().task.status == "REVIEWING"


def test_it_refuses_an_exported_task_and_says_why():
    make_task(status="COMPLETED", exported_at=datetime(2024, 2, 1, tzinfo=UTC))
    make_task("task_other")
    with pytest.raises(Refused) as e:
        unlock()
    assert e.value.code == "task_exported"
    assert str(e.value) == (
        "Send.ai refused to unlock the task: This task has been exported and can no longer be unlocked."
    )


def test_it_refuses_a_task_in_review():
    make_task()
    with pytest.raises(Refused) as e:
        unlock()
    assert e.value.code == "invalid_status"
