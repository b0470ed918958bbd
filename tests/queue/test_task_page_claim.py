"""The claim on the task page: a lead's release leaves no holder, the holder's notice is said
once, and moving on after a complete names the task that was completed."""

from __future__ import annotations

import pytest
from django.test import Client

from reviewer.queue.models import ClaimEvent, Entry
from tests.conftest import give_key, make_key, make_project, make_task
from tests.queue.conftest import make_entry

TASK_1 = "/review/team_123456/proj_123456/task_1/"


@pytest.fixture
def held(people, upstream, settings):
    """Rita holds task_1 (task_2 waits); Leo, a lead with a key, looks at it."""
    settings.SANDBOX_PROCESSING_DELAY = 60
    key = make_key(project=make_project())
    make_task("task_1", name="Invoice 2026-0001")
    make_task("task_2")
    make_entry("task_1", minutes=0)
    make_entry("task_2", minutes=1)
    rita, leo = Client(), Client()
    give_key(people.reviewer, key)
    give_key(people.lead, key)
    rita.force_login(people.reviewer)
    leo.force_login(people.lead)
    assert rita.post("/queue/next/")["Location"] == TASK_1
    return rita, leo


def test_a_leads_release_from_the_task_page_leaves_no_holder(held):
    _, leo = held
    entry = Entry.objects.get(task_id="task_1")
    response = leo.post(f"/queue/{entry.pk}/release-claim/", {"next": TASK_1}, follow=True)
    assert response.status_code == 200
    entry.refresh_from_db()
    assert entry.holder() is None
    assert not ClaimEvent.objects.filter(kind="claimed", username="leo").exists()
    assert "You hold this task" not in response.content.decode()


def test_the_holders_notice_is_said_once(held):
    _, leo = held
    page = leo.get(TASK_1).content.decode()
    assert page.count("rita is working on this task") == 1


def test_moving_on_after_a_complete_names_the_task_completed(held):
    rita, _ = held
    response = rita.post(f"{TASK_1}act/complete/", {"token": "c1"}, follow=True)
    assert response.request["PATH_INFO"] == "/review/team_123456/proj_123456/task_2/"
    page = response.content.decode()
    assert "Invoice 2026-0001" in page and "task_1" in page.split("Invoice 2026-0001")[1][:200]
