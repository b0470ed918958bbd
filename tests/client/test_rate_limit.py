"""429: a GET is retried once after Retry-After (capped); what remains is Unavailable with retry_after."""

from __future__ import annotations

import time

import pytest

from reviewer.sendai import Unavailable


def test_it_retries_a_get_after_retry_after(upstream, api, doc_task):
    upstream.reply(429, headers={"Retry-After": "1"})
    upstream.reply(json_body={"payload": doc_task})
    started = time.monotonic()
    result = api.get("team_123456", "proj_123456", "task_abcdef123456")
    assert time.monotonic() - started >= 1
    assert result.task.id == "task_abcdef123456"
    assert len(upstream.received) == 2
    first, second = upstream.received
    assert first.headers["X-Request-ID"] == second.headers["X-Request-ID"] == result.request_id


def test_it_caps_the_wait_before_the_retry(upstream, api):
    upstream.reply(429, headers={"Retry-After": "3600"})
    started = time.monotonic()
    with pytest.raises(Unavailable) as e:
        api.get("team_123456", "proj_123456", "task_abcdef123456")
    assert 2 <= time.monotonic() - started < 3.5
    assert len(upstream.received) == 2
    assert e.value.retry_after == 3600
    assert str(e.value) == "Send.ai is receiving too many requests; try again in 3600 seconds."


def test_it_reads_retry_after_as_an_http_date(upstream, api):
    upstream.reply(429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})  # in the past: 0 s
    with pytest.raises(Unavailable) as e:
        api.approve("team_123456", "proj_123456", "task_abcdef123456")
    assert e.value.retry_after == 0
    assert str(e.value) == "Send.ai is receiving too many requests; try again in a moment."


def test_it_never_retries_a_post(upstream, api):
    upstream.reply(429, headers={"Retry-After": "1"})
    with pytest.raises(Unavailable) as e:
        api.complete("team_123456", "proj_123456", "task_abcdef123456")
    assert e.value.status == 429
    assert e.value.retry_after == 1
    assert str(e.value) == "Send.ai is receiving too many requests; try again in 1 second."
    assert len(upstream.received) == 1


def test_it_ignores_an_unreadable_retry_after(upstream, api):
    upstream.reply(429, headers={"Retry-After": "soon"})
    with pytest.raises(Unavailable) as e:
        api.complete("team_123456", "proj_123456", "task_abcdef123456")
    assert e.value.retry_after is None
