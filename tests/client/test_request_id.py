"""Every call sends an X-Request-ID, the caller's or a fresh one, found again on the result or exception."""

from __future__ import annotations

import re

import pytest

from reviewer.sendai import NotFound


def test_it_sends_a_fresh_request_id_per_call(upstream, api, doc_task):
    upstream.reply(json_body={"payload": doc_task})
    first = api.get("team_1", "proj_1", "task_1")
    second = api.get("team_1", "proj_1", "task_1")
    assert re.fullmatch(r"[0-9a-f]{32}", first.request_id)
    assert first.request_id != second.request_id
    assert [r.headers["X-Request-ID"] for r in upstream.received] == [first.request_id, second.request_id]


def test_it_sends_the_callers_request_id(upstream, api, doc_task):
    upstream.reply(json_body={"payload": doc_task})
    result = api.complete("team_1", "proj_1", "task_1", request_id="f47ac10b-58cc-4372-a567-0e02b2c3d479")
    assert result.request_id == "f47ac10b-58cc-4372-a567-0e02b2c3d479"
    assert upstream.received[0].headers["X-Request-ID"] == "f47ac10b-58cc-4372-a567-0e02b2c3d479"


def test_it_puts_the_request_id_on_the_exception(upstream, api):
    upstream.reply(404)
    with pytest.raises(NotFound) as e:
        api.page_image("team_1", "proj_1", "task_1", "page_1", request_id="req-42")
    assert e.value.request_id == "req-42"
    assert upstream.received[0].headers["X-Request-ID"] == "req-42"


def test_it_puts_the_request_id_on_a_task_list(upstream, api):
    upstream.reply(json_body={"payload": [], "next_cursor": None})
    assert api.list("team_1", "proj_1", request_id="req-43").request_id == "req-43"
