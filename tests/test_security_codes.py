"""An upstream error code enters the action log only as a short token: one that echoes the key,
or any other text, is stored as "unreadable", and so never reaches the log, the pages or the CSV."""

from __future__ import annotations

import threading

import pytest

from reviewer.review.models import ActionRecord
from tests.client.conftest import Upstream
from tests.conftest import give_key

KEY = "sk_live_echoedbackkey_0001"
TASK_URL = "/review/team_123456/proj_123456/task_abcdef123456/"


@pytest.fixture
def faulty(settings):
    server = Upstream()
    thread = threading.Thread(target=server.server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    settings.SENDAI_API_URL = server.url
    settings.SENDAI_CONNECT_TIMEOUT = settings.SENDAI_READ_TIMEOUT = 0.5
    yield server
    server.stopping.set()
    server.server.shutdown()
    server.server.server_close()
    thread.join()


def _refuse_with(faulty, code):
    faulty.reply(400, json_body={"payload": None, "error": {"code": code, "message": "No."}})


@pytest.mark.parametrize(
    ("code", "stored"),
    [
        (KEY, "unreadable"),
        (f"bad key {KEY}", "unreadable"),
        ('=HYPERLINK("http://x")', "unreadable"),
        ("a" * 65, "unreadable"),
        ("invalid\nstatus", "unreadable"),
        ("invalid_status", "invalid_status"),
        ("already_disapproved", "already_disapproved"),
    ],
)
def test_an_upstream_error_code_is_stored_only_as_a_short_token(client, people, faulty, code, stored):
    give_key(people.reviewer, KEY)
    client.force_login(people.reviewer)
    _refuse_with(faulty, code)
    client.post(TASK_URL + "act/approve/")
    record = ActionRecord.objects.get(action="approve")
    assert record.upstream_code == stored


def test_the_key_echoed_as_a_code_reaches_no_page_and_no_csv(client, people, faulty):
    give_key(people.reviewer, KEY)
    client.force_login(people.reviewer)
    _refuse_with(faulty, KEY)
    page = client.post(TASK_URL + "act/approve/").content.decode()
    client.force_login(people.lead)
    pages = [page, client.get("/audit/activity/").content.decode()]
    pages.append(b"".join(client.get("/audit/activity/?format=csv").streaming_content).decode())
    for text in pages:
        assert KEY not in text
    assert "unreadable" in pages[2]
