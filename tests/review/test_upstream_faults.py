"""The review screen in front of a misbehaving upstream (issue #12, "The upstream misbehaving").

The console talks to the local stand-in of tests/client/conftest.py (`Upstream`), which answers
each request with the next queued reply; the reviewer has a key for it. Each test says what the
console did before issue #12's fix.
"""

from __future__ import annotations

import copy
import threading

import pytest

from reviewer.review.models import ActionRecord
from tests.client.conftest import Upstream
from tests.conftest import DOC_TASK, give_key

TASK_URL = "/review/team_123456/proj_123456/task_abcdef123456/"
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "task-state"}
HUGE = int("9" * 400)


def act_url(action: str) -> str:
    return f"{TASK_URL}act/{action}/"


@pytest.fixture
def faulty(settings):
    """A local upstream that misbehaves on demand, with short timeouts."""
    server = Upstream()
    thread = threading.Thread(target=server.server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    settings.SENDAI_API_URL = server.url
    settings.SENDAI_CONNECT_TIMEOUT = 0.5
    settings.SENDAI_READ_TIMEOUT = 0.5
    yield server
    server.stopping.set()
    server.server.shutdown()
    server.server.server_close()
    thread.join()


@pytest.fixture
def rita(client, people, faulty):
    give_key(people.reviewer, "sk_test_faulty_upstream_key_0001")
    client.force_login(people.reviewer)
    return client


def task_json(status: str = "REVIEWING", **changes) -> dict:
    task = copy.deepcopy(DOC_TASK)
    task["status"] = status
    task.update(changes)
    return task


def odd_task(status: str = "REVIEWING") -> dict:
    """A task with a 400-digit coordinate and items whose values have the wrong type."""
    task = task_json(status)
    page = task["pages"][0]
    page["segments"][0]["coordinates"][0] = [HUGE, 1]
    page["checkboxes"][0]["confidence"] = "high"
    page["annotations"][0]["confidence"] = None
    page["signatures"][0]["confidence"] = HUGE
    return task


# Bad data in a task


def test_it_opens_a_task_with_bad_values_and_flags_the_items(rita, faulty):
    """Before: 500 (OverflowError) for the 400-digit number; "Send.ai is unavailable" for the rest."""
    faulty.reply(json_body={"payload": odd_task()})
    response = rita.get(TASK_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Cannot be drawn: has a point that is not a pair of numbers" in html
    assert "its confidence (&#x27;high&#x27;) is not a number, so it counts as 0" in html
    assert "its confidence (null or missing) is not a number" in html
    assert "its confidence (a number a float cannot hold) is not a number" in html
    assert ActionRecord.objects.get(action="open").outcome == "ok"


def test_an_action_whose_answer_carries_a_huge_number_is_done_and_recorded(rita, faulty):
    """Before: 500 after Send.ai had approved, and no record of the approval."""
    faulty.reply(json_body={"payload": odd_task("COMPLETED") | {"approved": True}})
    response = rita.post(act_url("approve"), {"token": "t-huge"}, **HTMX)
    assert response.status_code == 200
    assert "Approved: the task joins the training data." in response.content.decode()
    record = ActionRecord.objects.get(action="approve")
    assert (record.outcome, record.upstream_status, record.task_approved) == ("ok", 200, True)


@pytest.mark.parametrize(("field", "value"), [("id", "a/b"), ("project_id", "pg/1")])
def test_an_id_outside_the_contract_is_refused_where_it_enters(rita, faulty, field, value):
    """Before: the page's links were built from it, and reverse() answered 500."""
    faulty.reply(json_body={"payload": task_json(**{field: value})})
    response = rita.get(TASK_URL)
    assert response.status_code == 503
    assert f"payload.{field} is not an ID of the contract&#x27;s form" in response.content.decode()


def test_a_page_id_outside_the_contract_is_refused_where_it_enters(rita, faulty):
    task = task_json()
    task["pages"][0]["id"] = "pg/1"
    faulty.reply(json_body={"payload": task})
    response = rita.get(TASK_URL)
    assert response.status_code == 503
    assert "payload.pages[0].id is not an ID of the contract&#x27;s form" in response.content.decode()
