"""Each action is one transaction on a locked row: of concurrent actions, only those allowed succeed."""

from __future__ import annotations

import threading
from collections import Counter

import pytest

from reviewer.sandbox.models import Event, Status, TrainingExample
from tests.conftest import make_key, make_task
from tests.sandbox.conftest import TASK

THREADS = 8


def _race(api, key, actions: list[str]) -> Counter:
    """Fire the actions at once from separate threads; count (action, status code)."""
    barrier = threading.Barrier(len(actions))
    results: list[tuple[str, int]] = []
    lock = threading.Lock()

    def fire(action: str) -> None:
        barrier.wait()
        r = api.post(f"{TASK}/{action}", key)
        with lock:
            results.append((action, r.status_code))

    threads = [threading.Thread(target=fire, args=(a,)) for a in actions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(results) == len(actions)
    return Counter(results)


@pytest.mark.parametrize("action", ["complete", "discard", "approve"])
def test_only_one_of_many_identical_actions_succeeds(api, action, settings):
    settings.SANDBOX_PROCESSING_DELAY = 60
    task = make_task()
    results = _race(api, make_key(), [action] * THREADS)
    assert results == Counter({(action, 200): 1, (action, 400): THREADS - 1})
    task.refresh_from_db()
    if action == "approve":
        assert TrainingExample.objects.filter(task=task).count() == 1
        assert Event.objects.filter(event="task_approved").count() == 1
    else:
        assert Event.objects.filter(event="task_status_changed").count() == 1


def test_complete_and_discard_cannot_both_succeed(api, settings):
    settings.SANDBOX_PROCESSING_DELAY = 60
    task = make_task()
    results = _race(api, make_key(), ["complete", "discard"] * (THREADS // 2))
    successes = [action for (action, status), n in results.items() if status == 200 for _ in range(n)]
    assert len(successes) == 1
    task.refresh_from_db()
    assert task.status == {"complete": Status.PROCESSING, "discard": Status.DISCARDED}[successes[0]]
