"""Races between reviewers, run with real threads against the test database and the live sandbox.

Where an interleaving matters, a thread is paused at the exact point (after its upstream call
answered, before it writes what it saw) by a client that waits for the test's signal; the test
then waits for outcomes, never for time.
"""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connection
from django.test import Client

from reviewer import sendai
from reviewer.queue import claims
from reviewer.queue.models import ClaimEvent, Entry
from reviewer.sandbox.models import Status, Task
from tests.conftest import give_key, make_key, make_person, make_project, make_task
from tests.queue.conftest import make_entry

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
    bob, cleo = make_person("bob", "reviewer"), make_person("cleo", "reviewer")
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
