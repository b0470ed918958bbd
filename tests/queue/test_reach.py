"""What a person's key reaches: the queue shows and hands out only those teams and projects, and
a 404 (which may mean "this key has no access", contract §1) only skips the task for them."""

from __future__ import annotations

import pytest
from django.test import Client

from reviewer.queue.models import ClaimEvent, Entry
from tests.conftest import give_key, make_key, make_person, make_project, make_task
from tests.queue.conftest import make_entry


@pytest.fixture
def teams(people, upstream):
    """Team A's task_a1, task_a2 (Rita's key reaches team A) and team B's task_b1 (Bob's key)."""
    a, b = make_project("team_aaaa", "proj_aaaa"), make_project("team_bbbb", "proj_bbbb")
    make_task("task_a1", project=a)
    make_task("task_a2", project=a)
    make_task("task_b1", project=b)
    make_entry("task_a1", team_id="team_aaaa", project_id="proj_aaaa", minutes=0)
    make_entry("task_a2", team_id="team_aaaa", project_id="proj_aaaa", minutes=1)
    make_entry("task_b1", team_id="team_bbbb", project_id="proj_bbbb", minutes=2)
    rita = Client()
    give_key(people.reviewer, make_key(project=a), "team_aaaa", "proj_aaaa")
    rita.force_login(people.reviewer)
    bob_user = make_person("bob", "reviewer")
    give_key(bob_user, make_key(project=b), "team_bbbb", "proj_bbbb")
    bob = Client()
    bob.force_login(bob_user)
    return {"rita": rita, "bob": bob, "bob_user": bob_user}


def test_a_404_for_a_key_without_access_skips_the_task_only_for_that_reviewer(teams, people):
    """Bob's defaults name team A, but his key only opens team B: his next finds team A's 404s."""
    give_key(teams["bob_user"], make_key(project=make_project("team_bbbb", "proj_bbbb")), "team_aaaa", "proj_aaaa")
    response = teams["bob"].post("/queue/next/")
    assert response["Location"] == "/review/team_bbbb/proj_bbbb/task_b1/" or "/queue/" in response["Location"]
    assert set(Entry.objects.filter(team_id="team_aaaa").values_list("status", flat=True)) == {"REVIEWING"}
    assert not ClaimEvent.objects.filter(kind="dropped").exists()
    assert teams["rita"].post("/queue/next/")["Location"] == "/review/team_aaaa/proj_aaaa/task_a1/"


def test_a_404_for_a_key_known_to_reach_the_project_marks_the_task_gone(teams, people):
    rita = teams["rita"]
    assert rita.get("/review/team_aaaa/proj_aaaa/task_a2/").status_code == 200  # her key opens team A
    rita.post(f"/queue/{Entry.objects.get(task_id='task_a2').pk}/release/")
    from reviewer.sandbox.models import Task

    Task.objects.filter(task_id="task_a1").delete()  # gone upstream
    assert rita.post("/queue/next/")["Location"] == "/review/team_aaaa/proj_aaaa/task_a2/"
    assert Entry.objects.get(task_id="task_a1").status == "GONE"


def test_the_queue_shows_a_reviewer_only_what_their_key_reaches(teams):
    rita = teams["rita"].get("/queue/").content.decode()
    assert "task_a1" in rita and "task_b1" not in rita and "team_bbbb" not in rita
    bob = teams["bob"].get("/queue/").content.decode()
    assert "task_b1" in bob and "task_a1" not in bob


def test_a_lead_sees_their_teams(teams, people):
    give_key(people.lead, make_key(project=make_project("team_bbbb", "proj_bbbb"), whole_team=True), "team_bbbb", "")
    lead = Client()
    lead.force_login(people.lead)
    html = lead.get("/queue/").content.decode()
    assert "task_b1" in html and "task_a1" not in html


def test_next_hands_out_only_what_the_key_reaches(teams):
    assert teams["bob"].post("/queue/next/")["Location"] == "/review/team_bbbb/proj_bbbb/task_b1/"


def test_a_skipped_task_comes_back_only_after_every_other_and_shows_as_skipped(teams, people):
    """Rita skips task_a1 (say it fails validation): it goes behind task_a2 for her, and says so."""
    rita = teams["rita"]
    assert rita.post("/queue/next/")["Location"].endswith("/task_a1/")
    assert rita.post("/queue/next/")["Location"].endswith("/task_a2/")  # skipped task_a1
    html = rita.get("/queue/").content.decode()
    row = html.split(">task_a1</a>")[1].split("</tr>")[0]
    assert "skipped by you" in row
    assert "skipped by you" not in html.split(">task_a2</a>")[1].split("</tr>")[0]
    assert rita.post("/queue/next/")["Location"].endswith("/task_a1/")  # nothing else left: back to it
    cleo = Client()
    cleo_user = make_person("cleo", "reviewer")
    give_key(cleo_user, make_key(project=make_project("team_aaaa", "proj_aaaa")), "team_aaaa", "proj_aaaa")
    cleo.force_login(cleo_user)
    assert cleo.post("/queue/next/")["Location"].endswith("/task_a2/")  # others are not affected
    assert cleo.post("/queue/next/")["Location"].endswith("/queue/")  # task_a1 is Rita's now
    rita.post("/queue/next/")  # Rita skips task_a1 again; so does Cleo
    assert cleo.post("/queue/next/")["Location"].endswith("/task_a1/")
    cleo.post("/queue/next/")
    give_key(people.lead, make_key(project=make_project("team_aaaa", "proj_aaaa")), "team_aaaa", "proj_aaaa")
    lead = Client()
    lead.force_login(people.lead)
    make_entry("task_a3", team_id="team_aaaa", project_id="proj_aaaa", minutes=9)  # skipped by no one
    html = lead.get("/queue/?skipped=several").content.decode().split('id="entries-h"')[1]
    assert "task_a1" in html and "task_a3" not in html
    assert "Skipped by" in html
    assert "task_a3" in lead.get("/queue/").content.decode()
