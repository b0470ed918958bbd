"""Complete a task on the live sandbox: REVIEWING → PROCESSING, or refused with a reason."""

from __future__ import annotations

import pytest

from reviewer.sandbox.models import Task, ValidationRule
from reviewer.sendai import Client, MissingScope, Refused, ValidationFailed
from tests.conftest import make_key, make_task

pytestmark = pytest.mark.usefixtures("live")


def complete(key: str):
    return Client(key).complete("team_123456", "proj_123456", "task_abcdef123456")


def test_it_completes_a_task_in_review():
    make_task()
    result = complete(make_key())
    assert result.task.status == "PROCESSING"
    assert result.message == "Task processing started"
    assert Task.objects.get().status == "PROCESSING"


def test_it_sees_the_task_completed_after_the_processing_delay(settings):
    settings.SANDBOX_PROCESSING_DELAY = 0
    make_task()
    key = make_key()
    complete(key)
    assert Client(key).get("team_123456", "proj_123456", "task_abcdef123456").task.status == "COMPLETED"


def test_it_raises_validation_failed_with_the_upstreams_reasons():
    task = make_task()
    ValidationRule.objects.create(project=task.project, rule="required", entity_id="invoice_date")
    ValidationRule.objects.create(project=task.project, rule="required", entity_id="due_date")
    with pytest.raises(ValidationFailed) as e:
        complete(make_key())
    assert e.value.status == 400
    assert e.value.code == "validation_failed"
    assert "invoice_date: missing; due_date: missing" in e.value.upstream_message
    assert str(e.value).startswith("Send.ai refused to complete the task: ")
    assert [(f["rule"], f["entity_id"], f["message"]) for f in e.value.failures] == [
        ("required", "invoice_date", "missing"),
        ("required", "due_date", "missing"),
    ]
    assert Task.objects.get().status == "REVIEWING"


def test_it_refuses_a_task_that_is_not_in_review():
    make_task(status="COMPLETED")
    with pytest.raises(Refused) as e:
        complete(make_key())
    assert not isinstance(e.value, ValidationFailed)
    assert e.value.code == "invalid_status"
    assert "REVIEWING" in str(e.value)


def test_it_raises_missing_scope_for_a_read_only_key():
    make_task()
    with pytest.raises(MissingScope) as e:
        complete(make_key(("task.read",)))
    assert str(e.value) == "The API key is not allowed to complete the task: it lacks the task.edit scope."
    assert Task.objects.get().status == "REVIEWING"
