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
from tests.client.conftest import serving
from tests.conftest import DOC_TASK, give_key

TASK_URL = "/review/team_123456/proj_123456/task_abcdef123456/"
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "task-state"}
HUGE = int("9" * 400)


def act_url(action: str) -> str:
    return f"{TASK_URL}act/{action}/"


@pytest.fixture
def faulty(settings):
    """A local upstream that misbehaves on demand, with short timeouts."""
    with serving(settings) as server:
        yield server


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


# A hung upstream must not starve the console


@pytest.fixture
def over_http(live_server, rita):
    """A requests session signed in as rita, against the console served by a live server."""
    import requests

    session = requests.Session()
    session.cookies.set("sessionid", rita.cookies["sessionid"].value)
    session.base = live_server.url
    yield session
    session.close()


def test_a_hung_upstream_leaves_the_console_responsive(over_http, faulty, settings):
    """Before: every opening waited on the hung upstream, holding a server thread each
    (under gunicorn, /health/ and /queue/ then waited seconds); now the ones beyond
    SENDAI_MAX_WAITING are answered at once and are never sent."""
    settings.SENDAI_MAX_WAITING, settings.SENDAI_READ_TIMEOUT = 2, 20
    hold = threading.Event()
    faulty.reply(json_body={"payload": task_json()}, hold=hold)
    base, answers = over_http.base, []
    hung = [threading.Thread(target=lambda: answers.append(over_http.get(base + TASK_URL, timeout=30))) for _ in "ab"]
    for thread in hung:
        thread.start()
    try:
        faulty.wait_for(2)
        assert over_http.get(base + "/health/", timeout=30).text == "OK"
        assert over_http.get(base + "/queue/", timeout=30).status_code == 200
        busy = over_http.get(base + TASK_URL, timeout=30)
        assert busy.status_code == 503
        assert "so this one was not sent; try again in a moment." in busy.text
        assert '<h1 id="problem-title">Reviewer is waiting on Send.ai for too many requests</h1>' in busy.text
        fragment = over_http.get(base + TASK_URL + "?page=1", headers={"HX-Request": "true", "HX-Target": "viewer"})
        assert fragment.status_code == 503
        assert fragment.text.lstrip().startswith('<section id="viewer"')
        assert "so this one was not sent" in fragment.text
        assert len(faulty.received) == 2  # neither was sent
    finally:
        hold.set()
        for thread in hung:
            thread.join()
    assert [a.status_code for a in answers] == [200, 200]
    assert list(ActionRecord.objects.filter(action="open").values_list("outcome", flat=True).order_by("outcome")) == [
        "ok",
        "ok",
        "unavailable",
    ]


# The typed report survives 401, 403 and 404; the key stays usable after a 401


REPORT = {"token": "t-report", "issues": ["wrong_type"], "message": "Page 2 is upside down"}


@pytest.mark.parametrize(
    ("status", "code", "says"),
    [
        (401, "invalid_key", "Send.ai did not accept the API key"),
        (403, "missing_scope", "it lacks the task.edit scope"),
        (404, "not_found", "Send.ai has no such task"),
    ],
)
def test_a_report_refused_for_the_key_or_the_task_keeps_what_was_typed(rita, faulty, status, code, says):
    """Before: HX-Refresh for 401/403 (the page reloaded, the text gone), not_found.html for 404
    (a full page, which htmx did not even swap)."""
    faulty.reply(status, json_body={"payload": None, "error": {"code": code, "message": "No."}})
    response = rita.post(act_url("report"), REPORT, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="task-state"')
    assert says in html
    assert "Page 2 is upside down</textarea>" in html
    assert '<input type="checkbox" name="issues" value="wrong_type" id="id_issues_1" checked>' in html


def test_a_key_rejected_once_is_asked_about_again(rita, faulty, people):
    """Before: after one 401 every call was refused without asking Send.ai ("rejected the last time")."""
    from reviewer.accounts.models import KeyState, Profile

    faulty.reply(401, json_body={"payload": None, "error": {"code": "invalid_key", "message": "No."}})
    faulty.reply(json_body={"payload": task_json()})
    rita.post(act_url("discard"), {"token": "t-401"}, **HTMX)
    assert Profile.objects.get(user=people.reviewer).key_state == KeyState.REJECTED
    sent = len(faulty.received)
    response = rita.get(TASK_URL)
    assert response.status_code == 200
    assert len(faulty.received) == sent + 1  # Send.ai was asked
    assert Profile.objects.get(user=people.reviewer).key_state == KeyState.SET


@pytest.mark.parametrize("action", ["approve", "complete"])
def test_a_key_without_task_edit_says_so_on_the_page(rita, faulty, action):
    """Before: HX-Refresh, the page reloaded with no message; the reason only in the activity log."""
    faulty.reply(403, json_body={"payload": None, "error": {"code": "missing_scope", "message": "No."}})
    faulty.reply(json_body={"payload": task_json("COMPLETED" if action == "approve" else "REVIEWING")})
    response = rita.post(act_url(action), {"token": f"t-{action}"}, **HTMX)
    assert "HX-Refresh" not in response
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="task-state"')
    assert 'class="notice notice-error"' in html
    assert "it lacks the task.edit scope" in html


# htmx swaps error answers, and each is a fragment that says what happened


def test_the_pages_tell_htmx_to_swap_error_answers(rita, faulty):
    faulty.reply(json_body={"payload": task_json()})
    html = rita.get(TASK_URL).content.decode()
    assert '<meta name="htmx-config"' in html
    assert '{"code": "[45]..", "swap": true, "error": true}' in html


@pytest.mark.parametrize(
    ("target", "reply", "status", "says"),
    [
        ("viewer", {"status": 503}, 503, "Send.ai could not answer (HTTP 503)"),
        (
            "viewer",
            {"status": 404, "json_body": {"payload": None, "error": {"code": "nf", "message": "x"}}},
            404,
            "Task not found",
        ),
        ("task-state", {"status": 502}, 503, "Send.ai could not answer (HTTP 502)"),
        ("task-state", {"status": 200, "body": "<html>"}, 503, "not JSON"),
    ],
)
def test_a_partial_that_fails_answers_a_fragment_in_its_place(rita, faulty, target, reply, status, says):
    """The page strip, the confidence order (target viewer) and the PROCESSING poll (target task-state).
    Before: the full error page, which htmx 2 does not swap by default: the click did nothing."""
    faulty.reply(**reply)
    response = rita.get(TASK_URL + "?page=1&order=confidence", HTTP_HX_REQUEST="true", HTTP_HX_TARGET=target)
    assert response.status_code == status
    html = response.content.decode()
    assert html.lstrip().startswith(f'<section id="{target}"')
    assert says in html
    assert "<html" not in html.lower().replace("&lt;html", "")


def test_a_404_on_an_action_answers_a_fragment(rita, faulty):
    faulty.reply(404, json_body={"payload": None, "error": {"code": "not_found", "message": "Gone."}})
    response = rita.post(act_url("approve"), {"token": "t-404"}, **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="task-state"')
    assert "<h1>Task not found</h1>" in html


# Failed openings are in the action log; the failure page says what happened


@pytest.mark.parametrize(
    ("reply", "outcome", "status"),
    [
        ({"status": 503}, "unavailable", 503),
        ({"status": 200, "body": "not json"}, "error", 200),
        ({"status": 404, "json_body": {"payload": None, "error": {"code": "nf", "message": "x"}}}, "refused", 404),
        ({"status": 401, "json_body": {"payload": None, "error": {"code": "k", "message": "x"}}}, "key", 401),
        ({"status": 400, "json_body": {"payload": None, "error": {"code": "bad", "message": "x"}}}, "refused", 400),
    ],
)
def test_a_failed_opening_is_in_the_action_log(rita, faulty, reply, outcome, status):
    """Before: only successful openings were recorded, though the log promises every one."""
    faulty.reply(**reply)
    rita.get(TASK_URL)
    record = ActionRecord.objects.get(action="open")
    assert (record.outcome, record.upstream_status, record.username) == (outcome, status, "rita")
    assert record.request_id


def test_an_unreadable_answer_to_an_action_is_not_called_unreachable(rita, faulty):
    """Before: act_failed.html said "Send.ai could not be reached" although Send.ai had answered."""
    faulty.reply(200, body="<html>oops</html>", headers={"Content-Type": "text/html"})
    response = rita.post(act_url("approve"), {"token": "t-unreadable"}, **HTMX)
    html = response.content.decode()
    assert "Send.ai&#x27;s answer could not be read" in html
    assert "could not be reached" not in html
    assert "Send.ai may have done it all the same: reload the task to see its state." in html
    assert ActionRecord.objects.get(action="approve").outcome == "error"


def test_a_207_on_approve_is_done_with_a_warning(rita, faulty):
    """Before: "Send.ai answered with an unexpected status (HTTP 207): check that SENDAI_API_URL …"."""
    body = {"payload": task_json("COMPLETED") | {"approved": True}, "error": {"code": "x", "message": "Export failed"}}
    faulty.reply(207, json_body=body)
    response = rita.post(act_url("approve"), {"token": "t-207"}, **HTMX)
    html = response.content.decode()
    assert "Export failed" in html
    assert "SENDAI_API_URL" not in html
    assert ActionRecord.objects.get(action="approve").outcome == "warning"
