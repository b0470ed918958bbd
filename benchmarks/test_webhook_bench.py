"""Benchmark of the webhook under a flood of upload events, printed as ratios against a reference
measured in the same run. Run with `make bench` (a test never asserts a duration).

- answer to an upload event: the webhook's request (signature, two inserts, the job enqueued),
  against the sync of that upload's tasks (2 pages of 200 from the live sandbox), which the
  receiver did inside the request before the worker took it over.
"""

from __future__ import annotations

import statistics
import time

from django.test import Client

from reviewer.queue.models import SyncRun
from tests.conftest import give_key, make_key, make_project, make_task, run_tasks
from tests.queue.test_webhook import event, post

EVENTS = 20


def test_upload_event_answer_against_its_sync(people, upstream, settings):
    settings.WEBHOOK_SECRET = "hook-secret"  # noqa: S105 (what post() signs with)
    settings.QUEUE_SYNC_USER = "leo"
    project = make_project("team_1", "proj_1")
    for i in range(400):
        make_task(f"task_{i:03}", project=project, upload_id="upl_9")
    give_key(people.lead, make_key(project=project), team_id="team_1", project_id="proj_1")
    client = Client()
    body = {"event_level": "UPLOAD", "event": "IN_REVIEW", "upload": {"id": "upl_9"}, "task": None}
    answers = []
    for i in range(EVENTS):
        started = time.perf_counter()
        assert post(client, event(**{**body, "id": f"evt_{i}"})).status_code == 202
        answers.append(time.perf_counter() - started)
    started = time.perf_counter()
    run_tasks()
    syncs = (time.perf_counter() - started) / EVENTS
    assert SyncRun.objects.filter(status="done").count() == EVENTS
    answer = statistics.median(answers)
    print(
        f"\nwebhook upload event: answer {answer * 1000:.1f} ms (median of {EVENTS}),"
        f" its sync {syncs * 1000:.1f} ms; the answer takes {answer / syncs:.3f}× the sync it used to wait for"
    )
