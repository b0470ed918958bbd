"""Success statuses with a body that is not JSON: ProtocolError, never a crash."""

from __future__ import annotations

import json

import pytest

from reviewer.sendai import ProtocolError


@pytest.mark.parametrize(
    ("body", "content_type", "error"),
    [
        ("<html><body>Sign in to continue</body></html>", "text/html", "Send.ai sent an answer that is not JSON."),
        ("", "application/json", "Send.ai sent an empty answer."),
        ("  \n", "application/json", "Send.ai sent an empty answer."),
        ('{"payload": {"id": "task_abcdef123456", "na', "application/json", "Send.ai sent an answer that is not JSON."),
        (b"\xff\xfe\x00garbage", "application/json", "Send.ai sent an answer that is not JSON."),
        ("[" * 100_000, "application/json", "Send.ai sent an answer that is not JSON."),
    ],
)
@pytest.mark.parametrize("action", ["get", "complete"])
def test_it_raises_protocol_error_for_a_body_that_is_not_json(upstream, api, body, content_type, error, action):
    upstream.reply(200, body, headers={"Content-Type": content_type})
    with pytest.raises(ProtocolError) as e:
        getattr(api, action)("team_123456", "proj_123456", "task_abcdef123456")
    assert str(e.value) == error
    assert e.value.status == 200
    assert len(e.value.request_id) == 32


def test_it_raises_protocol_error_for_json_that_is_not_an_object(upstream, api):
    upstream.reply(200, json.dumps(["payload"]), headers={"Content-Type": "application/json"})
    with pytest.raises(ProtocolError) as e:
        api.get("team_123456", "proj_123456", "task_abcdef123456")
    assert str(e.value) == "Send.ai sent an answer the console cannot read: the answer is not an object."


def test_it_refuses_a_task_larger_than_the_cap(upstream, api, doc_task, monkeypatch):
    from reviewer.sendai import client

    monkeypatch.setattr(client, "MAX_BYTES", 500)
    upstream.reply(json_body={"payload": doc_task})
    with pytest.raises(ProtocolError, match="larger than"):
        api.get("team_123456", "proj_123456", "task_abcdef123456")
