"""The client against an upstream that misbehaves in the ways issue #12 found.

Each test says what the client did before the fix; each was run against the old code and failed.
"""

from __future__ import annotations

import json
import threading

import pytest

from reviewer.sendai import Busy, Client, Issue, Unavailable
from reviewer.sendai import client as client_module

IDS = ("team_123456", "proj_123456", "task_abcdef123456")


# A deadline for the whole answer


def test_it_stops_reading_a_body_that_trickles_past_the_deadline(upstream, api, doc_task):
    """Before: each byte came within the 0.5 s read timeout, so the call took as long as the body did."""
    upstream.reply(json_body={"payload": doc_task}, trickle=0.05)  # ~1,000 bytes: ~50 s in all
    with pytest.raises(Unavailable) as e:
        api.get(*IDS)
    assert str(e.value) == "Send.ai did not send its whole answer within 0.5 seconds."
    assert len(upstream.received) == 1  # a timeout is not retried


def test_it_stops_waiting_for_a_head_that_trickles_past_the_deadline(upstream, api, doc_task):
    upstream.reply(json_body={"payload": doc_task}, trickle=0.05, trickle_head=True)
    with pytest.raises(Unavailable) as e:
        api.approve(*IDS)
    assert str(e.value) == "Send.ai did not answer within 0.5 seconds."


def test_an_answer_that_comes_whole_in_time_is_read(upstream, api, doc_task, settings):
    settings.SENDAI_READ_TIMEOUT = 60  # far beyond the ~0.5 s the trickle takes, even on a busy machine
    upstream.reply(json_body={"payload": doc_task}, trickle=0.0005)
    assert api.get(*IDS).task.id == "task_abcdef123456"


# How many calls may wait on Send.ai at once


def test_it_refuses_at_once_a_call_beyond_the_waiting_limit(upstream, doc_task, settings):
    """Before: every call waited on the hung upstream, however many there were."""
    settings.SENDAI_MAX_WAITING, settings.SENDAI_READ_TIMEOUT = 2, 20
    hold = threading.Event()
    upstream.reply(json_body={"payload": doc_task}, hold=hold)
    results = []
    threads = [threading.Thread(target=lambda: results.append(Client("sk_a").get(*IDS))) for _ in range(2)]
    for thread in threads:
        thread.start()
    try:
        upstream.wait_for(2)
        with pytest.raises(Busy) as e:
            Client("sk_b").get(*IDS, request_id="req-busy")
        assert str(e.value) == (
            "Reviewer is already waiting on Send.ai for as many requests as it lets wait at once, "
            "so this one was not sent; try again in a moment."
        )
        assert e.value.request_id == "req-busy"
        assert isinstance(e.value, Unavailable)
        assert len(upstream.received) == 2  # the third was not sent
    finally:
        hold.set()
        for thread in threads:
            thread.join()
    assert len(results) == 2
    assert client_module.gate.waiting == 0
    assert Client("sk_b").get(*IDS).task.id == "task_abcdef123456"  # room again


# Retry-After of any length


@pytest.mark.parametrize("digits", [400, 5000])
def test_it_reads_a_retry_after_of_any_length(upstream, api, digits):
    """Before: 400 digits raised OverflowError, 5,000 a ValueError inside urllib3: a 500 either way."""
    upstream.reply(503, headers={"Retry-After": "9" * digits})
    with pytest.raises(Unavailable) as e:
        api.get(*IDS)
    assert str(e.value) == (
        "Send.ai could not answer (HTTP 503); try again later (Send.ai asks to wait more than an hour)."
    )
    assert e.value.retry_after == client_module.RETRY_AFTER_LONGEST
    assert len(upstream.received) == 2  # retried once, after the capped wait


def test_it_reads_a_long_retry_after_on_an_action(upstream, api):
    upstream.reply(429, headers={"Retry-After": "9" * 400})
    with pytest.raises(Unavailable) as e:
        api.report(*IDS, [Issue("Other", "other")])
    assert e.value.retry_after == client_module.RETRY_AFTER_LONGEST
    assert len(upstream.received) == 1


@pytest.mark.parametrize("value", ["\u00b2", "1e3", "-5", "Wed, 99 Foo 2024 99:99:99 GMT"])
def test_an_unreadable_retry_after_is_ignored(upstream, api, value):
    upstream.reply(429, headers={"Retry-After": value})
    with pytest.raises(Unavailable) as e:
        api.approve(*IDS)
    assert e.value.retry_after is None
    assert str(e.value) == "Send.ai is receiving too many requests; try again in a moment."


# A pooled connection that the server closed


def test_it_retries_a_get_once_when_the_server_closed_the_pooled_connection(upstream, api, doc_task):
    """Before: the second GET, sent on the kept-alive connection the server then closed, failed at once."""
    upstream.reply(json_body={"payload": doc_task}, keep_alive=True)
    upstream.reply(drop=True)
    upstream.reply(json_body={"payload": doc_task})
    api.get(*IDS)
    assert api.get(*IDS).task.id == "task_abcdef123456"
    assert [r.method for r in upstream.received] == ["GET", "GET", "GET"]


def test_it_sends_an_action_once_when_the_server_closed_the_pooled_connection(upstream, api, doc_task):
    upstream.reply(json_body={"payload": doc_task}, keep_alive=True)
    upstream.reply(drop=True)
    upstream.reply(json_body={"payload": doc_task})
    api.get(*IDS)
    with pytest.raises(Unavailable) as e:
        api.complete(*IDS)
    assert str(e.value) == "Send.ai could not be reached: the connection was refused or broken."
    assert [r.method for r in upstream.received] == ["GET", "POST"]


def test_it_does_not_retry_a_get_that_timed_out(upstream, api, doc_task):
    upstream.reply(json_body={"payload": doc_task}, delay=2)
    with pytest.raises(Unavailable, match="did not answer within"):
        api.get(*IDS)
    assert len(upstream.received) == 1


def test_the_waiting_gate_is_left_even_when_a_call_fails(upstream, api, settings):
    settings.SENDAI_MAX_WAITING = 1
    upstream.reply(body=json.dumps({"no": "payload"}), headers={"Content-Type": "application/json"})
    for _ in range(3):
        with pytest.raises(Exception, match="payload is missing"):
            api.get(*IDS)
    assert client_module.gate.waiting == 0


# 207 on an action other than report


@pytest.mark.parametrize("action", ["complete", "approve", "disapprove", "discard", "unlock"])
def test_a_207_on_any_action_is_done_with_a_warning(upstream, api, doc_task, action):
    """Before: ProtocolError, 'check that SENDAI_API_URL points at the v2 API'."""
    upstream.reply(207, json_body={"payload": doc_task, "error": {"code": "export_failed", "message": "Export failed"}})
    result = getattr(api, action)(*IDS)
    assert result.warning == "Export failed"
    upstream.reply(207, json_body={"payload": doc_task})
    upstream.replies.pop(0)
    assert getattr(api, action)(*IDS).warning == "Send.ai did it, but a call it triggers failed (HTTP 207)."
