"""GETs are retried once on 502 and 503; an action POST is sent exactly once, whatever happens."""

from __future__ import annotations

import pytest

from reviewer.sendai import Issue, Unavailable

ACTIONS = ["complete", "discard", "approve", "disapprove", "unlock"]


@pytest.mark.parametrize("status", [502, 503])
def test_it_retries_a_get_that_fails_once(upstream, api, doc_task, status):
    upstream.reply(status)
    upstream.reply(json_body={"payload": doc_task})
    assert api.get("team_123456", "proj_123456", "task_abcdef123456").task.id == "task_abcdef123456"
    assert [r.method for r in upstream.received] == ["GET", "GET"]


def test_it_retries_a_get_only_once(upstream, api):
    upstream.reply(502)
    with pytest.raises(Unavailable):
        api.get("team_123456", "proj_123456", "task_abcdef123456")
    assert len(upstream.received) == 2


def test_it_does_not_retry_a_get_on_500(upstream, api):
    upstream.reply(500)
    with pytest.raises(Unavailable):
        api.get("team_123456", "proj_123456", "task_abcdef123456")
    assert len(upstream.received) == 1


@pytest.mark.parametrize("action", ACTIONS)
def test_it_sends_an_action_once_on_502(upstream, api, doc_task, action):
    upstream.reply(502)
    upstream.reply(json_body={"payload": doc_task})
    with pytest.raises(Unavailable):
        getattr(api, action)("team_123456", "proj_123456", "task_abcdef123456")
    assert [r.method for r in upstream.received] == ["POST"]


@pytest.mark.parametrize("action", ACTIONS)
def test_it_sends_an_action_once_on_a_reset(upstream, api, doc_task, action):
    upstream.reply(json_body={"payload": doc_task}, reset_after=10)
    upstream.reply(json_body={"payload": doc_task})
    with pytest.raises(Unavailable):
        getattr(api, action)("team_123456", "proj_123456", "task_abcdef123456")
    assert [r.method for r in upstream.received] == ["POST"]


def test_it_sends_a_report_once_on_503(upstream, api, doc_task):
    upstream.reply(503)
    upstream.reply(201, json_body={"payload": doc_task, "error": None})
    with pytest.raises(Unavailable):
        api.report("team_123456", "proj_123456", "task_abcdef123456", [Issue("Other", "other")])
    assert len(upstream.received) == 1
