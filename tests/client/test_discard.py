"""Discard a task on the live sandbox."""

from __future__ import annotations

import pytest

from reviewer.sendai import Client, Refused
from tests.conftest import make_key, make_task

pytestmark = pytest.mark.usefixtures("live")


def test_it_discards_a_task_in_review():
    make_task()
    result = Client(make_key()).discard("team_123456", "proj_123456", "task_abcdef123456")
    assert result.task.status == "DISCARDED"
    assert result.message is None


def test_it_refuses_a_task_that_is_not_in_review():
    make_task(status="DISCARDED")
    with pytest.raises(Refused) as e:
        Client(make_key()).discard("team_123456", "proj_123456", "task_abcdef123456")
    assert e.value.code == "invalid_status"
    assert str(e.value).startswith("Send.ai refused to discard the task: ")
