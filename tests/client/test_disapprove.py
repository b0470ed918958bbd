"""Disapprove a task on the live sandbox."""

from __future__ import annotations

import pytest

from reviewer.sendai import Client, Refused
from tests.conftest import make_key, make_task

pytestmark = pytest.mark.usefixtures("live")


def disapprove():
    return Client(make_key()).disapprove("team_123456", "proj_123456", "task_abcdef123456")


def test_it_disapproves_an_approved_task():
    make_task(status="COMPLETED", approved=True)
    assert disapprove().task.approved is False


def test_it_refuses_a_task_that_was_never_approved():
    make_task()
    with pytest.raises(Refused) as e:
        disapprove()
    assert e.value.code == "already_disapproved"
