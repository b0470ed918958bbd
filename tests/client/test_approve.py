"""Approve a task on the live sandbox."""

from __future__ import annotations

import pytest

from reviewer.sandbox.models import TrainingExample
from reviewer.sendai import Client, Refused
from tests.conftest import make_key, make_task

pytestmark = pytest.mark.usefixtures("live")


def approve():
    return Client(make_key()).approve("team_123456", "proj_123456", "task_abcdef123456")


def test_it_approves_a_task():
    make_task(status="COMPLETED")
    assert approve().task.approved is True
    assert TrainingExample.objects.count() == 1


def test_it_refuses_a_task_that_is_already_approved():
    make_task(approved=True)
    with pytest.raises(Refused) as e:
        approve()
    assert e.value.code == "already_approved"
    assert str(e.value) == "Send.ai refused to approve the task: This task is already approved."


def test_it_refuses_a_task_being_processed():
    make_task(status="PROCESSING")
    with pytest.raises(Refused) as e:
        approve()
    assert e.value.code == "invalid_status"
