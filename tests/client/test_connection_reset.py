"""A connection reset in the middle of the answer's body: Unavailable, and the POST is not resent."""

from __future__ import annotations

import json

import pytest

from reviewer.sendai import Unavailable


@pytest.mark.parametrize(("action", "method"), [("get", "GET"), ("discard", "POST")])
def test_it_raises_unavailable_when_the_connection_breaks_mid_body(upstream, api, doc_task, action, method):
    upstream.reply(json_body={"payload": doc_task}, reset_after=100)
    upstream.reply(json_body={"payload": doc_task})  # would succeed, if it were asked again
    with pytest.raises(Unavailable) as e:
        getattr(api, action)("team_123456", "proj_123456", "task_abcdef123456")
    assert str(e.value) == "The connection to Send.ai broke before its answer was complete."
    assert [r.method for r in upstream.received] == [method]


def test_it_raises_unavailable_when_the_answer_is_cut_short(upstream, api, doc_task):
    body = json.dumps({"payload": doc_task}).encode()
    upstream.reply(body=body, headers={"Content-Type": "application/json"}, reset_after=len(body) // 2)
    with pytest.raises(Unavailable):
        api.get("team_123456", "proj_123456", "task_abcdef123456")
