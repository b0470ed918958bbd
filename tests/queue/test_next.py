"""Start reviewing / next task: claims the oldest task the upstream confirms is in review, and opens it."""

from __future__ import annotations

import datetime as dt

import pytest

from reviewer.accounts.models import Profile
from reviewer.queue.models import ClaimEvent, Entry, Skip
from reviewer.sandbox.models import Status, Task
from tests.conftest import give_key, make_key, make_project, make_task
from tests.queue.conftest import expire, make_entry
from tests.review.conftest import HTMX


@pytest.fixture
def reviewer(client, people, upstream):
    give_key(people.reviewer, make_key(project=make_project()))
    client.force_login(people.reviewer)
    return client


def _queue(*tasks):
    for i, task in enumerate(tasks):
        make_entry(task.task_id, minutes=i, status="REVIEWING")


def test_it_opens_the_oldest_task_in_review(reviewer, people):
    _queue(make_task("task_1"), make_task("task_2"))
    response = reviewer.post("/queue/next/")
    assert response.status_code == 302
    assert response["Location"] == "/review/team_123456/proj_123456/task_1/"
    assert Entry.objects.get(task_id="task_1").claimed_by == people.reviewer
    page = reviewer.get(response["Location"]).content.decode()
    assert "You hold this task until" in page
    assert 'hx-trigger="every 60s"' in page


def test_it_passes_over_tasks_no_longer_in_review(reviewer):
    _queue(make_task("task_1", status=Status.COMPLETED), make_task("task_2"))
    make_entry("task_gone", minutes=-1)  # not upstream at all
    response = reviewer.post("/queue/next/")
    assert response["Location"].endswith("/task_2/")
    # The 404 came before the key was known to reach the project, so it may mean "no access"
    # (contract §1): skipped for this reviewer only (tests/queue/test_reach.py has the gone case).
    assert dict(Entry.objects.values_list("task_id", "status")) == {
        "task_1": "COMPLETED",
        "task_2": "REVIEWING",
        "task_gone": "REVIEWING",
    }
    assert Skip.objects.get().kind == "no_access"
    assert ClaimEvent.objects.filter(kind="dropped").count() == 1


def test_an_empty_queue_says_so(reviewer):
    response = reviewer.post("/queue/next/", follow=True)
    assert "Nothing is waiting for review" in response.content.decode()


def test_htmx_gets_a_client_redirect(reviewer):
    _queue(make_task("task_1"))
    response = reviewer.post("/queue/next/", **HTMX)
    assert response["HX-Redirect"] == "/review/team_123456/proj_123456/task_1/"


def test_someone_elses_task_can_only_be_looked_at(reviewer, client, people):
    _queue(make_task("task_1"))
    client.force_login(people.lead)
    give_key(people.lead, make_key(project=make_project()))
    client.post("/queue/next/")
    client.force_login(people.reviewer)
    page = client.get("/review/team_123456/proj_123456/task_1/").content.decode()
    assert "leo is working on this task" in page
    assert 'data-action="complete" aria-disabled="true"' in page
    response = client.post("/review/team_123456/proj_123456/task_1/act/complete/", {"token": "x1"})
    assert response.status_code == 409
    assert Task.objects.get(task_id="task_1").status == Status.REVIEWING


def test_a_lead_releases_a_claim_from_the_task_page(reviewer, client, people):
    _queue(make_task("task_1"))
    reviewer.post("/queue/next/")
    client.force_login(people.lead)
    give_key(people.lead, make_key(project=make_project()))
    page = client.get("/review/team_123456/proj_123456/task_1/").content.decode()
    assert "Release rita's claim" in page
    entry = Entry.objects.get()
    client.post(f"/queue/{entry.pk}/release-claim/", {"next": "/review/team_123456/proj_123456/task_1/"})
    assert ClaimEvent.objects.filter(kind="released_by_lead").exists()


def test_after_completing_the_reviewer_moves_on_by_themselves(reviewer, settings):
    settings.SANDBOX_PROCESSING_DELAY = 60
    _queue(make_task("task_1"), make_task("task_2"))
    reviewer.post("/queue/next/")
    response = reviewer.post("/review/team_123456/proj_123456/task_1/act/complete/", {"token": "a1"}, **HTMX)
    assert response["HX-Redirect"] == "/review/team_123456/proj_123456/task_2/"
    assert Entry.objects.get(task_id="task_1").claimed_by is None
    assert Entry.objects.get(task_id="task_1").status == "PROCESSING"
    kinds = list(ClaimEvent.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds == ["claimed", "released", "claimed"]


def test_moving_on_is_a_personal_choice(reviewer, people):
    Profile.objects.filter(user=people.reviewer).update(auto_advance=False)
    _queue(make_task("task_1"), make_task("task_2"))
    reviewer.post("/queue/next/")
    response = reviewer.post("/review/team_123456/proj_123456/task_1/act/discard/", {"token": "a2"})
    assert response["Location"] == "/review/team_123456/proj_123456/task_1/"


def test_the_task_page_renews_the_claim(reviewer, people, settings):
    settings.QUEUE_LEASE_SECONDS = 600
    _queue(make_task("task_1"))
    reviewer.post("/queue/next/")
    entry = Entry.objects.get()
    Entry.objects.filter(pk=entry.pk).update(claim_expires_at=entry.claim_expires_at - dt.timedelta(minutes=9))
    assert reviewer.post(f"/queue/{entry.pk}/renew/").status_code == 204
    entry.refresh_from_db()
    assert (entry.claim_expires_at - entry.claimed_at).total_seconds() > 500


def test_renewing_after_a_lapse_that_someone_used_fails(reviewer, client, people):
    _queue(make_task("task_1"))
    reviewer.post("/queue/next/")
    entry = Entry.objects.get()
    expire(entry)
    give_key(people.lead, make_key(project=make_project()))
    client.force_login(people.lead)
    client.post("/queue/next/")
    client.force_login(people.reviewer)
    assert client.post(f"/queue/{entry.pk}/renew/").status_code == 409


def test_leaving_the_page_releases_the_claim(reviewer):
    _queue(make_task("task_1"))
    reviewer.post("/queue/next/")
    entry = Entry.objects.get()
    assert reviewer.post(f"/queue/{entry.pk}/release/", {"beacon": "1"}).status_code == 204
    assert Entry.objects.get().claimed_by is None


def test_without_a_key_the_reviewer_is_sent_to_set_one(client, people):
    client.force_login(people.reviewer)
    response = client.post("/queue/next/")
    assert response["Location"] == "/account/"


def test_the_next_task_is_fetched_ahead_so_moving_on_needs_no_upstream_call(reviewer, settings):
    _queue(make_task("task_1"), make_task("task_2"))
    reviewer.post("/queue/next/")
    page = reviewer.get("/review/team_123456/proj_123456/task_1/").content.decode()
    assert 'hx-get="/queue/ahead/"' in page
    assert reviewer.get("/queue/ahead/").status_code == 204  # what the page asks for while task_1 is reviewed
    settings.SENDAI_API_URL = "http://127.0.0.1:9/sandbox"  # from here on, the upstream cannot be reached
    response = reviewer.post("/queue/next/")
    assert response["Location"] == "/review/team_123456/proj_123456/task_2/"
    page = reviewer.get(response["Location"])
    assert page.status_code == 200
    assert "You hold this task" in page.content.decode()


def test_a_task_fetched_ahead_is_used_until_it_changes(reviewer, settings, people):
    from reviewer.queue import copies

    _queue(make_task("task_1"))
    assert reviewer.get("/queue/ahead/").status_code == 204
    settings.SENDAI_API_URL = "http://127.0.0.1:9/sandbox"
    reviewer.post("/queue/next/")
    assert reviewer.get("/review/team_123456/proj_123456/task_1/").status_code == 200
    assert reviewer.get("/review/team_123456/proj_123456/task_1/").status_code == 200  # a reload: the same copy
    copies.forget(("team_123456", "proj_123456", "task_1"))  # an event, an action: the copy is out of date
    assert reviewer.get("/review/team_123456/proj_123456/task_1/").status_code == 503  # asked upstream again


def test_a_key_marked_rejected_by_an_earlier_401_is_still_tried_and_the_mark_cleared(client, people, upstream):
    """A 401 may be transient: the key stays suspect, never locked; Send.ai decides (issue #12)."""
    give_key(people.reviewer, make_key(project=make_project()), state="rejected")
    client.force_login(people.reviewer)
    _queue(make_task("task_1"))
    response = client.post("/queue/next/")
    assert response["Location"] == "/review/team_123456/proj_123456/task_1/"
    assert Profile.objects.get(user=people.reviewer).key_state == "set"


def test_a_key_that_send_ai_rejects_on_next_is_marked_and_the_person_told(client, people, upstream):
    give_key(people.reviewer, "sk_not_a_key_send_ai_knows_0000000000")
    client.force_login(people.reviewer)
    _queue(make_task("task_1"))
    response = client.post("/queue/next/", follow=True)
    assert "Send.ai rejected your API key" in response.content.decode()
    assert Profile.objects.get(user=people.reviewer).key_state == "rejected"
    assert Entry.objects.get(task_id="task_1").claimed_by is None
