"""Races between reviewers, run with real threads against the test database and the live sandbox.

Where an interleaving matters, a thread is paused at the exact point (after its upstream call
answered, before it writes what it saw) by a client that waits for the test's signal; the test
then waits for outcomes, never for time.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import close_old_connections, connection
from django.test import Client

from reviewer import sendai
from reviewer.queue import claims
from reviewer.queue.models import ClaimEvent, Entry
from reviewer.sandbox.models import Status, Task
from tests.conftest import give_key, make_key, make_project, make_task
from tests.queue.conftest import make_claimer, make_entry

WAIT = 60  # seconds a thread may take before the test gives up on it (an outcome, not a timing)


class Pause:
    """Makes every upstream GET made in a thread named "paused" wait, once answered, for `go`."""

    def __init__(self, monkeypatch) -> None:
        self.answered, self.go = threading.Event(), threading.Event()
        self.gets: list[str] = []
        original = sendai.Client.get

        def get(client, *ids, **kwargs):
            result = original(client, *ids, **kwargs)
            if threading.current_thread().name == "paused":
                self.gets.append(ids[2])
                self.answered.set()
                assert self.go.wait(WAIT)
            return result

        monkeypatch.setattr(sendai.Client, "get", get)


@pytest.fixture
def pause(monkeypatch) -> Pause:
    return Pause(monkeypatch)


def in_thread(target, *args, name: str = "paused") -> tuple[threading.Thread, dict]:
    outcome: dict = {}

    def run():
        try:
            outcome["value"] = target(*args)
        except BaseException as e:  # noqa: BLE001 (the test asserts on it)
            outcome["error"] = e
        finally:
            close_old_connections()
            connection.close()

    thread = threading.Thread(target=run, name=name)
    thread.start()
    return thread, outcome


def reviewer_client(user, key: str) -> Client:
    give_key(user, key)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def team(people, upstream, settings):
    """Three reviewers with keys for the project, one task in review, in the queue."""
    settings.SANDBOX_PROCESSING_DELAY = 600  # a completed task stays PROCESSING for the test
    key = make_key(project=make_project())
    make_task("task_1")
    make_entry("task_1", minutes=0)
    bob, cleo = make_claimer("bob"), make_claimer("cleo")
    return {"rita": reviewer_client(people.reviewer, key), "bob": bob, "cleo": cleo, "key": key}


def _complete_while_paused(team, pause, target, *args):
    """Run `target` in a paused thread; once its GET saw task_1 in review, Rita claims and completes it."""
    thread, outcome = in_thread(target, *args)
    assert pause.answered.wait(WAIT)
    rita = team["rita"]
    assert rita.post("/queue/next/")["Location"] == "/review/team_123456/proj_123456/task_1/"
    assert rita.post("/review/team_123456/proj_123456/task_1/act/complete/", {"token": "t1"}).status_code == 302
    assert Task.objects.get(task_id="task_1").status == Status.PROCESSING
    pause.go.set()
    thread.join(WAIT)
    assert "error" not in outcome, outcome.get("error")
    return outcome["value"]


def _never_handed_out_again(team):
    entry = Entry.objects.get(task_id="task_1")
    assert entry.status == "PROCESSING"  # the older answer did not write REVIEWING back
    assert entry.holder() is None
    assert claims.claim_next(team["cleo"]) is None  # a completed task is never handed out
    assert not ClaimEvent.objects.filter(kind="dropped").exists()


def test_a_page_opened_before_a_complete_does_not_reopen_or_claim_the_task(team, pause):
    """Bob opens task_1; his GET answers before Rita completes it, his page is written after."""
    bob = Client()
    bob.force_login(team["bob"])
    give_key(team["bob"], team["key"])
    response = _complete_while_paused(team, pause, bob.get, "/review/team_123456/proj_123456/task_1/")
    assert response.status_code == 200
    _never_handed_out_again(team)


def test_a_fetch_ahead_that_answered_before_a_complete_does_not_reopen_the_task(team, pause):
    """Bob's page fetches task_1 ahead; Rita claims and completes it before Bob's answer is written."""
    give_key(team["bob"], team["key"])
    _complete_while_paused(team, pause, claims.fetch_ahead, team["bob"], sendai.Client(team["key"]))
    _never_handed_out_again(team)
    bob = Client()
    bob.force_login(team["bob"])
    assert "Nothing is waiting for review" in bob.post("/queue/next/", follow=True).content.decode()


def test_a_copy_fetched_ahead_is_not_used_once_the_queue_knows_newer(team):
    """Bob's page fetched task_1 ahead; then the task changed upstream and Rita saw it so."""
    give_key(team["bob"], team["key"])
    claims.fetch_ahead(team["bob"], sendai.Client(team["key"]))
    Task.objects.filter(task_id="task_1").update(name="Invoice, scanned again")
    assert team["rita"].get("/review/team_123456/proj_123456/task_1/").status_code == 200  # a newer sighting
    bob = Client()
    bob.force_login(team["bob"])
    Entry.objects.update(claimed_by=None, claimed_at=None, claim_expires_at=None)
    response = bob.post("/queue/next/", follow=True)
    assert response.request["PATH_INFO"] == "/review/team_123456/proj_123456/task_1/"
    assert "Invoice, scanned again" in response.content.decode()  # asked again, not the older copy


def test_reviewers_fetching_ahead_at_once_fetch_each_task_once(people, upstream, monkeypatch, settings):
    """Twenty reviewers' pages ask for the next task ahead at the same moment."""
    settings.SENDAI_MAX_WAITING = 100  # every GET is sent (none refused as too many at once)
    key = make_key(project=make_project())
    for i in range(30):
        make_task(f"task_{i:02}")
        make_entry(f"task_{i:02}", minutes=i)
    users = [make_claimer(f"ahead{i}") for i in range(20)]
    gets: list[str] = []
    original = sendai.Client.get

    def counting_get(client, *ids, **kwargs):
        gets.append(ids[2])
        return original(client, *ids, **kwargs)

    monkeypatch.setattr(sendai.Client, "get", counting_get)
    barrier = threading.Barrier(len(users))

    def ahead(user):
        barrier.wait()
        return claims.fetch_ahead(user, sendai.Client(key))

    runs = [in_thread(ahead, user, name=f"ahead-{user.pk}") for user in users]
    for thread, _ in runs:
        thread.join(WAIT)
    assert all("error" not in outcome for _, outcome in runs), [o.get("error") for _, o in runs]
    counts = Counter(gets)
    assert counts and max(counts.values()) == 1, counts.most_common(3)  # one GET per task, not one per reviewer
    assert len(counts) == len(users)  # and every reviewer has a task of their own fetched ahead


def test_next_hands_out_the_task_fetched_ahead_for_that_reviewer(team, settings):
    """Rita's copy of task_1 and Bob's of task_2: each one's next needs no upstream call."""
    make_task("task_2")
    make_entry("task_2", minutes=1)
    give_key(team["bob"], team["key"])
    bob = Client()
    bob.force_login(team["bob"])
    assert team["rita"].get("/queue/ahead/").status_code == 204
    assert bob.get("/queue/ahead/").status_code == 204
    settings.SENDAI_API_URL = "http://127.0.0.1:9/sandbox"  # from here on, the upstream cannot be reached
    assert bob.post("/queue/next/")["Location"] == "/review/team_123456/proj_123456/task_2/"
    assert team["rita"].post("/queue/next/")["Location"] == "/review/team_123456/proj_123456/task_1/"


def test_a_reviewer_who_opens_another_task_holds_only_that_one(team, people):
    make_task("task_2")
    make_entry("task_2", minutes=1)
    rita = team["rita"]
    assert rita.post("/queue/next/")["Location"].endswith("/task_1/")
    assert rita.get("/review/team_123456/proj_123456/task_2/").status_code == 200
    held = Entry.objects.filter(claimed_by=people.reviewer)
    assert [e.task_id for e in held] == ["task_2"]
    assert ClaimEvent.objects.filter(kind="released", entry__task_id="task_1").exists()


@pytest.mark.django_db(transaction=True)
def test_one_reviewer_claiming_from_many_requests_at_once_holds_one_claim():
    """A page's next, its fetch-ahead's next and openings in other tabs, all at the same moment."""
    for i in range(20):
        make_entry(f"task_{i:02}", minutes=i)
    user = make_claimer("busy")
    pks = list(Entry.objects.order_by("created_at").values_list("pk", flat=True))
    barrier = threading.Barrier(16)

    def claim(i):
        barrier.wait()
        for _ in range(5):
            if i % 2:
                claims.claim_next(user)
            else:
                claims.hold(pks[i], user)

    runs = [in_thread(claim, i, name=f"claim-{i}") for i in range(16)]
    for thread, _ in runs:
        thread.join(WAIT)
    assert all("error" not in outcome for _, outcome in runs), [o.get("error") for _, o in runs]
    assert Entry.objects.filter(claimed_by=user).count() == 1
    taken = ClaimEvent.objects.filter(kind="claimed").count()
    given_back = ClaimEvent.objects.filter(kind__in=("released", "expired")).count()
    assert taken - given_back == 1  # every claim but the last was given back, and recorded so


def test_renewing_never_creates_a_claim(team, people):
    """Renew for every sequential ID: only a claim one already holds is extended."""
    make_task("task_2")
    other = make_entry("task_2", minutes=1)
    rita = team["rita"]
    for pk in Entry.objects.values_list("pk", flat=True):
        assert rita.post(f"/queue/{pk}/renew/").status_code == 409
    assert not Entry.objects.exclude(claimed_by=None).exists()
    assert not ClaimEvent.objects.exists()
    rita.post("/queue/next/")
    mine = Entry.objects.get(claimed_by=people.reviewer)
    assert rita.post(f"/queue/{mine.pk}/renew/").status_code == 204
    assert ClaimEvent.objects.filter(kind="claimed").count() == 1  # extended, not claimed again
    assert rita.post(f"/queue/{other.pk}/renew/").status_code == 409
    assert Entry.objects.get(pk=other.pk).claimed_by is None
