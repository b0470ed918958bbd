"""Concurrent claimers never receive the same task (at least 20 threads, over 1,000 tasks), and
each holds one claim at a time."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import close_old_connections, connection

from reviewer.queue import claims
from reviewer.queue.models import ClaimEvent, Entry
from tests.queue.conftest import BASE, make_claimer

THREADS = 20
TASKS = 1000


@pytest.mark.django_db(transaction=True)
def test_concurrent_claimers_never_share_a_task():
    Entry.objects.bulk_create(
        Entry(
            team_id="team_1",
            project_id="proj_1",
            task_id=f"task_{i}",
            status="REVIEWING",
            created_at=BASE,
            source="list",
        )
        for i in range(TASKS)
    )
    users = [make_claimer(f"claimer{i}", "team_1", "proj_1") for i in range(THREADS)]
    got: list[list[int]] = [[] for _ in users]
    errors: list[BaseException] = []
    barrier = threading.Barrier(THREADS)

    def work(i: int) -> None:
        try:
            barrier.wait()
            while (entry := claims.claim_next(users[i])) is not None:
                got[i].append(entry.pk)
                # Done with it (as a complete leaves it): the claimer's next claim gives it back.
                Entry.objects.filter(pk=entry.pk).update(status="PROCESSING")
        except BaseException as e:  # noqa: BLE001 (reported below)
            errors.append(e)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors[:3]
    claimed = [pk for pks in got for pk in pks]
    assert len(claimed) == TASKS
    assert len(set(claimed)) == TASKS, [pk for pk, n in Counter(claimed).items() if n > 1][:10]
    assert ClaimEvent.objects.filter(kind="claimed").count() == TASKS
    assert sum(1 for pks in got if pks) > 1  # the work really was spread over threads
    assert sorted(Counter(Entry.objects.exclude(claimed_by=None).values_list("claimed_by", flat=True)).values()) == [
        1
    ] * (sum(1 for pks in got if pks))  # everyone still holds their last claim, and only that one
