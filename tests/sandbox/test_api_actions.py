"""Every row and every refusal of the contract's action table (§3), over real HTTP."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from reviewer.sandbox.models import ApiKey, Event, Status, Task, TrainingExample, ValidationRule
from tests.conftest import make_key, make_task
from tests.sandbox.conftest import TASK, error_of

OTHER_THAN_REVIEWING = [s for s in Status if s != Status.REVIEWING]


def test_it_completes_a_reviewing_task(api, settings):
    settings.SANDBOX_PROCESSING_DELAY = 60
    task, key = make_task(), make_key()
    r = api.post(TASK + "/complete", key)
    assert r.status_code == 200
    body = r.json()
    assert body["message"] == "Task processing started"
    assert body["payload"]["status"] == "PROCESSING"
    assert body["payload"]["pages"] == task.pages
    task.refresh_from_db()
    assert task.status == Status.PROCESSING


def test_it_moves_a_completed_task_on_after_the_processing_delay(api, settings):
    settings.SANDBOX_PROCESSING_DELAY = 60
    task, key = make_task(), make_key()
    assert api.post(TASK + "/complete", key).status_code == 200
    assert api.get(TASK, key).json()["payload"]["status"] == "PROCESSING"
    Task.objects.filter(pk=task.pk).update(processing_until=timezone.now() - dt.timedelta(seconds=1))
    assert api.get(TASK, key).json()["payload"]["status"] == "COMPLETED"
    assert Event.objects.filter(event="task_status_changed", task__status="COMPLETED").count() == 1


@pytest.mark.parametrize("status", OTHER_THAN_REVIEWING)
def test_it_refuses_to_complete_a_task_not_in_review(api, status):
    task, key = make_task(status=status), make_key()
    r = api.post(TASK + "/complete", key)
    assert r.status_code == 400
    error = error_of(r)
    assert error["code"] == "invalid_status"
    assert status in error["message"]
    task.refresh_from_db()
    assert task.status == status


def test_it_refuses_to_complete_a_task_that_fails_validation(api):
    task = make_task()
    ValidationRule.objects.create(project=task.project, rule="amount", entity_id="total_amount", category="invoice")
    ValidationRule.objects.create(project=task.project, rule="required", entity_id="invoice_date")
    task.pages[0]["annotations"][0]["content"] = "$1,2E4.S6"
    task.save()
    r = api.post(TASK + "/complete", make_key())
    assert r.status_code == 400
    error = error_of(r)
    assert error["code"] == "validation_failed"
    assert error["message"] == 'Validation failed: total_amount: not an amount ("$1,2E4.S6"); invoice_date: missing'
    task.refresh_from_db()
    assert task.status == Status.REVIEWING


def test_it_discards_a_reviewing_task(api):
    task = make_task()
    r = api.post(TASK + "/discard", make_key())
    assert r.status_code == 200
    assert r.json()["payload"]["status"] == "DISCARDED"
    task.refresh_from_db()
    assert task.status == Status.DISCARDED


@pytest.mark.parametrize("status", OTHER_THAN_REVIEWING)
def test_it_refuses_to_discard_a_task_not_in_review(api, status):
    make_task(status=status)
    r = api.post(TASK + "/discard", make_key())
    assert r.status_code == 400
    assert error_of(r)["code"] == "invalid_status"


@pytest.mark.parametrize("status", OTHER_THAN_REVIEWING + [Status.REVIEWING])
def test_it_approves_a_task_in_any_state_but_processing(api, status):
    task, key = make_task(status=status), make_key(name="approver")
    r = api.post(TASK + "/approve", key)
    if status == Status.PROCESSING:
        assert r.status_code == 400
        assert error_of(r)["code"] == "invalid_status"
        assert not TrainingExample.objects.exists()
        return
    assert r.status_code == 200
    assert r.json()["payload"]["approved"] is True
    assert r.json()["payload"]["status"] == status
    task.refresh_from_db()
    assert task.approved
    assert task.approved_at is not None
    assert task.approved_by == ApiKey.objects.get(name="approver")
    assert TrainingExample.objects.get(task=task).added_by == task.approved_by
    assert Event.objects.get(event="task_approved").task["id"] == task.task_id


def test_it_refuses_to_approve_twice(api):
    make_task(approved=True)
    r = api.post(TASK + "/approve", make_key())
    assert r.status_code == 400
    assert error_of(r)["code"] == "already_approved"


def test_it_disapproves_an_approved_task(api):
    key = make_key()
    task = make_task(status=Status.COMPLETED)
    assert api.post(TASK + "/approve", key).status_code == 200
    r = api.post(TASK + "/disapprove", key)
    assert r.status_code == 200
    assert r.json()["payload"]["approved"] is False
    task.refresh_from_db()
    assert (task.approved, task.approved_at, task.approved_by) == (False, None, None)
    assert not TrainingExample.objects.filter(task=task).exists()
    event = Event.objects.get(event="task_de_approved")
    assert (event.event_level, event.task["approved"]) == ("TASK", False)


def test_it_refuses_to_disapprove_a_task_never_approved(api):
    make_task()
    r = api.post(TASK + "/disapprove", make_key())
    assert r.status_code == 400
    assert error_of(r)["code"] == "already_disapproved"


def test_it_refuses_to_disapprove_while_processing(api):
    task = make_task(status=Status.PROCESSING, approved=True)
    r = api.post(TASK + "/disapprove", make_key())
    assert r.status_code == 400
    assert error_of(r)["code"] == "invalid_status"
    task.refresh_from_db()
    assert task.approved


@pytest.mark.parametrize("status", [Status.COMPLETED, Status.DISCARDED, Status.FILTERED])
def test_it_unlocks_a_finished_task_of_an_upload_still_in_progress(api, status):
    task = make_task(status=status)
    make_task("task_sibling", status=Status.REVIEWING)
    r = api.post(TASK + "/unlock", make_key())
    assert r.status_code == 200
    assert r.json()["payload"]["status"] == "REVIEWING"
    task.refresh_from_db()
    assert task.status == Status.REVIEWING
    assert Event.objects.filter(event="IN_REVIEW", event_level="UPLOAD").exists()


@pytest.mark.parametrize("status", [Status.REVIEWING, Status.PROCESSING, Status.FAILED])
def test_it_refuses_to_unlock_a_task_that_is_not_finished(api, status):
    make_task(status=status)
    make_task("task_sibling", status=Status.REVIEWING)
    r = api.post(TASK + "/unlock", make_key())
    assert r.status_code == 400
    error = error_of(r)
    assert error["code"] == "invalid_status"
    assert status in error["message"]


def test_it_refuses_to_unlock_an_exported_task(api):
    make_task(status=Status.COMPLETED, exported_at=timezone.now())
    make_task("task_sibling", status=Status.REVIEWING)
    r = api.post(TASK + "/unlock", make_key())
    assert r.status_code == 400
    assert error_of(r)["code"] == "task_exported"


def test_it_refuses_to_unlock_a_task_of_a_fully_processed_upload(api):
    task = make_task(status=Status.COMPLETED)
    make_task("task_sibling", status=Status.DISCARDED)
    r = api.post(TASK + "/unlock", make_key())
    assert r.status_code == 400
    error = error_of(r)
    assert error["code"] == "upload_processed"
    assert "upl_123456789" in error["message"]
    task.refresh_from_db()
    assert task.status == Status.COMPLETED


def test_it_publishes_processed_when_the_last_task_of_an_upload_finishes(api):
    make_task(status=Status.REVIEWING)
    make_task("task_sibling", status=Status.COMPLETED)
    assert api.post(TASK + "/discard", make_key()).status_code == 200
    event = Event.objects.get(event="PROCESSED")
    assert (event.event_level, event.upload) == ("UPLOAD", {"id": "upl_123456789", "processed": True})
