"""Claims per second with 20 concurrent claimers, on the database the run is configured with.

Run with `make bench` (SQLite, the embedded default) or with DATABASE_URL set (PostgreSQL).
Each claimer works as a reviewer's "next" does in the database: it claims the oldest free
task, reads the queue's count as the queue page does, marks the task as moved on and gives the
claim back. The reference is one claimer alone over the same number of tasks, in the same run.
Errors (such as SQLite's "database is locked") are counted and printed; the run expects none.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import close_old_connections, connection

from reviewer.queue import claims
from reviewer.queue.models import Entry
from tests.queue.conftest import BASE, make_claimer

TASKS = 1000
THREADS = 20


def _fill(prefix: str) -> None:
    Entry.objects.bulk_create(
        Entry(team_id="team_1", project_id="proj_1", task_id=f"{prefix}_{i}", status="REVIEWING", created_at=BASE)
        for i in range(TASKS)
    )


def _run(users) -> tuple[float, int, list[BaseException]]:
    done: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(users) + 1)

    def work(user):
        try:
            barrier.wait()
            while True:
                try:
                    entry = claims.claim_next(user)
                    if entry is None:
                        return
                    claims.available().count()
                    Entry.objects.filter(pk=entry.pk).update(status="PROCESSING")
                    claims.release(entry.pk, user)
                    done.append(entry.pk)
                except Exception as e:  # noqa: BLE001 (counted and printed)
                    errors.append(e)
                    if len(errors) > 100:
                        return
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=work, args=(u,)) for u in users]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    return time.perf_counter() - started, len(done), errors


@pytest.mark.django_db(transaction=True)
def test_claims_per_second_with_twenty_claimers():
    users = [make_claimer(f"bench{i}", "team_1", "proj_1") for i in range(THREADS)]
    _fill("alone")
    alone_s, alone_n, alone_errors = _run(users[:1])
    Entry.objects.all().delete()
    _fill("many")
    many_s, many_n, many_errors = _run(users)
    vendor = connection.vendor
    print()
    print(f"claims on {vendor}, {TASKS} tasks each run")
    print(f"{'claimers':>8} {'claims':>7} {'seconds':>8} {'claims/s':>9} {'errors':>7} {'× one':>6}")
    print(f"{1:>8} {alone_n:>7} {alone_s:>8.2f} {alone_n / alone_s:>9.1f} {len(alone_errors):>7} {1.0:>6.2f}")
    ratio = (many_n / many_s) / (alone_n / alone_s)
    print(f"{THREADS:>8} {many_n:>7} {many_s:>8.2f} {many_n / many_s:>9.1f} {len(many_errors):>7} {ratio:>6.2f}")
    if many_errors:
        print("first errors:", [repr(e) for e in many_errors[:3]])
    assert not alone_errors and not many_errors, many_errors[:3]
    assert alone_n == many_n == TASKS
