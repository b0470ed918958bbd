"""An upstream slower than the read timeout: Unavailable, quickly, and never retried."""

from __future__ import annotations

import time

import pytest

from reviewer.sendai import Unavailable


@pytest.mark.parametrize("action", ["get", "complete"])
def test_it_gives_up_after_the_read_timeout(upstream, api, doc_task, action):
    upstream.reply(json_body={"payload": doc_task}, delay=3)
    started = time.monotonic()
    with pytest.raises(Unavailable) as e:
        getattr(api, action)("team_123456", "proj_123456", "task_abcdef123456")
    assert time.monotonic() - started < 1.5
    assert str(e.value) == "Send.ai did not answer within 0.5 seconds."
    assert e.value.status is None
    assert len(e.value.request_id) == 32
    assert len(upstream.received) == 1  # a slow upstream is not asked twice


def test_it_uses_the_timeout_from_settings(upstream, api, doc_task, settings):
    settings.SENDAI_READ_TIMEOUT = 0.2
    upstream.reply(json_body={"payload": doc_task}, delay=0.6)
    started = time.monotonic()
    with pytest.raises(Unavailable, match="within 0.2 seconds"):
        api.get("team_123456", "proj_123456", "task_abcdef123456")
    assert time.monotonic() - started < 0.55


def test_it_waits_for_an_answer_within_the_timeout(upstream, api, doc_task):
    upstream.reply(json_body={"payload": doc_task}, delay=0.2)
    assert api.get("team_123456", "proj_123456", "task_abcdef123456").task.id == "task_abcdef123456"
