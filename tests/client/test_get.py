"""Get a task from the live sandbox: parsed into typed objects, with every refusal named."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from reviewer.sendai import Annotation, Client, InvalidKey, Meta, MissingScope, NotFound, Task
from tests.conftest import make_key, make_project, make_task

pytestmark = pytest.mark.usefixtures("live")


def test_it_gets_the_task():
    make_task()
    result = Client(make_key()).get("team_123456", "proj_123456", "task_abcdef123456")

    task = result.task
    assert isinstance(task, Task)
    assert task.id == "task_abcdef123456"
    assert task.name == "Document Analysis Task"
    assert task.status == "REVIEWING"
    assert task.step_type == "EXTRACT"
    assert task.upload_id == "upl_123456789"
    assert task.project_id == "proj_123456"
    assert task.approved is False
    assert task.meta == (Meta("category", "invoice"),)
    assert task.exported_at is None
    assert task.last_opened_at is not None  # the sandbox sets it on GET
    assert task.created_at.tzinfo is not None
    assert len(task.pages) == 1
    page = task.pages[0]
    assert (page.id, page.width, page.height) == ("page_1", 2480, 3508)
    assert page.annotations == (
        Annotation(
            id="ann_1", entity_id="total_amount", confidence=0.98, content="$1,234.56", top=120.5, left_of_line=340.0
        ),
    )
    assert page.checkboxes[0].coordinates == ((100.0, 100.0), (120.0, 100.0), (120.0, 120.0), (100.0, 120.0))
    assert page.checkboxes[0].checked is True
    assert page.segments[0].id == "seg_1"
    assert page.signatures[0].geometry_problem is None
    assert len(result.request_id) == 32
    assert result.message is None
    assert result.warning is None


def test_it_keeps_times_in_utc():
    make_task(created_at=datetime(2024, 1, 15, 10, 30, tzinfo=UTC))
    task = Client(make_key()).get("team_123456", "proj_123456", "task_abcdef123456").task
    assert task.created_at == datetime(2024, 1, 15, 10, 30, tzinfo=UTC)


def test_it_raises_not_found_for_an_unknown_task():
    make_task()
    with pytest.raises(NotFound) as e:
        Client(make_key()).get("team_123456", "proj_123456", "task_nope")
    assert e.value.status == 404
    assert str(e.value) == "Send.ai has no such task, or the API key has no access to its project."


def test_it_raises_not_found_for_a_project_the_key_cannot_see():
    make_task(project=make_project("team_other", "proj_other"))
    with pytest.raises(NotFound):
        Client(make_key()).get("team_other", "proj_other", "task_abcdef123456")


def test_it_raises_invalid_key_for_an_unknown_key():
    make_task()
    with pytest.raises(InvalidKey) as e:
        Client("sk_sbx_not-a-key").get("team_123456", "proj_123456", "task_abcdef123456")
    assert e.value.status == 401


def test_it_raises_missing_scope_without_task_read():
    make_task()
    with pytest.raises(MissingScope) as e:
        Client(make_key(("task.edit",))).get("team_123456", "proj_123456", "task_abcdef123456")
    assert str(e.value) == "The API key is not allowed to open the task: it lacks the task.read scope."
