"""What the review screen costs the database: ceilings per action and per open, so they cannot creep back.

Before issue #13, counted the same way (statements, savepoints included): 21 to open a task,
18 for a page switch, 26 for an action (two permission queries, the queue entry read four
times, key_last_used_at written each time, the report form's issue types read again). The
ceilings below are what the console needs now; five of each are the session, the user, the
profile, the role and the permissions. The upstream is the local stand-in of
tests/client/conftest.py (it uses no database).
"""

from __future__ import annotations

import pytest

from reviewer import sendai
from reviewer.queue import claims, copies
from reviewer.queue.models import Entry
from tests.client.conftest import serving
from tests.conftest import give_key
from tests.review.test_upstream_faults import task_json

IDS = ("team_123456", "proj_123456", "task_abcdef123456")
TASK_URL = "/review/team_123456/proj_123456/task_abcdef123456/"
VIEWER = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "viewer"}
STATE = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "task-state"}


def writes(count: int) -> int:
    """What `count` writes to the cache add on PostgreSQL, inside the test's transaction: a
    savepoint each (reviewer/cache.py); in production they mostly run outside one."""
    from django.core.cache import caches
    from django.db import connection

    from reviewer.cache import DatabaseCache

    return 2 * count if connection.vendor == "postgresql" and isinstance(caches["default"], DatabaseCache) else 0


@pytest.fixture(autouse=True)
def _no_culling(monkeypatch):
    """The cache counts its table on every CULL_EVERY-th write: not in these counts."""
    import reviewer.cache

    monkeypatch.setattr(reviewer.cache, "CULL_EVERY", 10**9)


@pytest.fixture
def rita(client, people, settings):
    with serving(settings) as upstream:
        upstream.reply(json_body={"payload": task_json()})
        give_key(people.reviewer, "sk_test_faulty_upstream_key_0001")
        client.force_login(people.reviewer)
        claims.remember(*IDS[:2], sendai.parse_task(task_json()), Entry.Source.IMPORT)
        client.get(TASK_URL)  # she holds it; her session and key are warm
        yield client


def test_opening_a_task_from_the_upstream(rita, django_assert_max_num_queries):
    copies.forget(IDS)  # the copy is out of date: the task is fetched, the queue learns it
    with django_assert_max_num_queries(25 + writes(1)):
        assert rita.get(TASK_URL).status_code == 200


def test_opening_it_again_from_the_copy(rita, django_assert_max_num_queries):
    with django_assert_max_num_queries(17):
        assert rita.get(TASK_URL).status_code == 200


def test_a_page_switch(rita, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        assert rita.get(TASK_URL + "?page=1&threshold=0.5", **VIEWER).status_code == 200


def test_an_action(rita, django_assert_max_num_queries):
    with django_assert_max_num_queries(21 + writes(3)):
        response = rita.post(f"{TASK_URL}act/approve/", {"token": "t-1"}, **STATE)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<dialog id="report-dialog" hx-preserve="true"></dialog>' in html  # the page keeps its own
    assert 'id="discard-dialog"' in html


def test_a_report_sends_its_dialog_again(rita, django_assert_max_num_queries):
    data = {"token": "t-2", "issues": ["incorrect_extraction"], "message": "x"}
    response = rita.post(f"{TASK_URL}act/report/", data, **STATE)
    assert response.status_code == 200
    assert "hx-preserve" not in response.content.decode()
    assert 'id="report-h"' in response.content.decode()
