"""The database holds the load of many reviewers: a long read never blocks a claim, and
20 concurrent claimers each doing a claimer's whole step meet no "database is locked"."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connection

from reviewer.queue import claims
from reviewer.queue.models import ClaimEvent, Entry
from tests.queue.conftest import BASE, make_claimer

THREADS = 20


def _entries(n: int) -> None:
    Entry.objects.bulk_create(
        Entry(team_id="team_1", project_id="proj_1", task_id=f"task_{i}", status="REVIEWING", created_at=BASE)
        for i in range(n)
    )


def _in_thread(target) -> threading.Thread:
    def run():
        try:
            target()
        finally:
            close_old_connections()
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True)
def test_a_long_read_does_not_block_a_claim():
    """A page that reads the queue while someone claims: the claim is not held up by the read."""
    _entries(50)
    claimer = make_claimer("claimer", "team_1", "proj_1")
    reading, done, outcome = threading.Event(), threading.Event(), {}

    def read():
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM queue_entry ORDER BY id")
            cursor.fetchone()  # the statement stays open: a read in progress
            reading.set()
            done.wait(60)

    def claim():
        try:
            outcome["entry"] = claims.claim_next(claimer)
        except Exception as e:  # noqa: BLE001 (asserted below)
            outcome["error"] = e

    readers = _in_thread(read)
    assert reading.wait(60)
    claiming = _in_thread(claim)
    claiming.join(60)  # the claim finishes while the read is still open
    done.set()
    readers.join(60)
    assert "error" not in outcome, outcome.get("error")
    assert outcome["entry"].claimed_by_id == claimer.pk


@pytest.mark.django_db(transaction=True)
def test_twenty_claimers_working_the_queue_meet_no_lock_errors():
    """Each claimer claims, reads the queue as its page would, and releases, until the queue is empty."""
    _entries(200)
    users = [make_claimer(f"worker{i}", "team_1", "proj_1") for i in range(THREADS)]
    done: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(THREADS)

    def work(user):
        def run():
            try:
                barrier.wait()
                while (entry := claims.claim_next(user)) is not None:
                    claims.available().count()
                    Entry.objects.filter(pk=entry.pk).update(status="PROCESSING")
                    claims.release(entry.pk, user)
                    done.append(entry.pk)
            except BaseException as e:  # noqa: BLE001 (reported below)
                errors.append(e)

        return run

    threads = [_in_thread(work(u)) for u in users]
    for t in threads:
        t.join(300)
    assert not errors, errors[:3]
    assert sorted(done) == sorted(Entry.objects.values_list("pk", flat=True))
    assert ClaimEvent.objects.filter(kind="released").count() == 200
