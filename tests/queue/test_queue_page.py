"""The queue page: counts, filters, search, and the leads' view of the claims in progress."""

from __future__ import annotations

import pytest

from reviewer.queue import claims
from reviewer.queue.models import Entry
from tests.conftest import give_key, make_key, make_project, make_task, run_tasks
from tests.queue.conftest import make_entry


def test_it_counts_and_lists_entries(client, people):
    make_entry("task_a")
    make_entry("task_b", status="COMPLETED")
    make_entry("task_c", status="")
    client.force_login(people.reviewer)
    html = client.get("/queue/").content.decode()
    assert "2 tasks waiting for review" in html
    assert ">REVIEWING</a>: 1" in html and ">COMPLETED</a>: 1" in html and ">UNKNOWN</a>: 1" in html
    for task_id in ("task_a", "task_b", "task_c"):
        assert task_id in html
    assert "Claims in progress" not in html  # leads only


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("q=task_a", ["task_ab"], ["task_zz"]),
        ("project=proj_other", ["task_zz"], ["task_ab"]),
        ("step_type=CLASSIFY", ["task_zz"], ["task_ab"]),
        ("status=COMPLETED", ["task_zz"], ["task_ab"]),
        ("claimed_by=rita", ["task_ab"], ["task_zz"]),
    ],
)
def test_it_filters(client, people, query, shown, hidden):
    make_entry("task_ab")
    make_entry("task_zz", project_id="proj_other", step_type="CLASSIFY", status="COMPLETED")
    claims.claim_next(people.reviewer)
    client.force_login(people.lead)
    html = client.get(f"/queue/?{query}").content.decode().split('id="entries-h"')[1]
    for task_id in shown:
        assert task_id in html
    for task_id in hidden:
        assert task_id not in html


def test_leads_see_claims_in_progress_and_release_them(client, people):
    entry = make_entry("task_a")
    claims.claim_next(people.reviewer)
    client.force_login(people.lead)
    html = client.get("/queue/").content.decode()
    assert "Claims in progress" in html and "rita" in html
    response = client.post(f"/queue/{entry.pk}/release-claim/", {"next": "https://evil.example/"})
    assert response["Location"] == "/queue/"
    assert Entry.objects.get().claimed_by is None


def test_a_lead_syncs_from_the_task_list(client, people, upstream):
    make_task("task_1")
    make_task("task_2", status="COMPLETED")
    give_key(people.lead, make_key(project=make_project()))
    client.force_login(people.lead)
    response = client.post("/queue/sync/", {"team_id": "team_123456", "project_id": "proj_123456"}, follow=True)
    page = response.content.decode()
    assert "The sync of team_123456/proj_123456 has started" in page
    assert "Waiting for the worker" in page
    assert not Entry.objects.exists()  # the worker lists the tasks, not the request
    run_tasks()
    assert dict(Entry.objects.values_list("task_id", "status")) == {"task_1": "REVIEWING", "task_2": "COMPLETED"}
    page = client.get("/queue/").content.decode()
    assert "Done" in page and "1 page(s) listed, 2 task(s) seen" in page


def test_the_sync_command_pages_through_the_list(people, upstream):
    import io

    from django.core.management import call_command

    for i in range(450):
        make_task(f"task_{i:03}")
    give_key(people.lead, make_key(project=make_project()))
    out = io.StringIO()
    call_command("queue_sync", team="team_123456", project="proj_123456", user="leo", stdout=out)
    assert "Synced 450 tasks" in out.getvalue() and "3 page(s)" in out.getvalue()
    assert Entry.objects.count() == 450


@pytest.mark.parametrize(
    ("persona", "method", "url", "status"),
    [
        ("stranger", "get", "/queue/", 403),
        ("stranger", "post", "/queue/next/", 403),
        ("reviewer", "post", "/queue/sync/", 403),
        ("reviewer", "post", "/queue/1/release-claim/", 403),
        ("reviewer", "get", "/queue/next/", 405),
        ("lead", "get", "/queue/sync/", 405),
    ],
)
def test_it_checks_roles_and_methods(client, people, persona, method, url, status):
    client.force_login(getattr(people, persona))
    assert getattr(client, method)(url).status_code == status


def test_anonymous_people_are_sent_to_sign_in(client, db):
    assert client.get("/queue/")["Location"].startswith("/accounts/login/")
