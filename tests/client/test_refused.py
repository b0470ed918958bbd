"""4xx answers, with or without the error envelope, and the other unexpected statuses."""

from __future__ import annotations

import pytest

from reviewer.sendai import InvalidKey, MissingScope, NotFound, ProtocolError, Refused, ValidationFailed

ENVELOPE = {"payload": None, "error": {"code": "invalid_status", "message": "Only tasks in REVIEWING can be completed"}}
OTHER_BODIES = ["", "Bad Request", "<html><body>400 Bad Request</body></html>", '{"detail": "bad"}', "[1, 2]"]


def complete(api):
    return api.complete("team_123456", "proj_123456", "task_abcdef123456")


def test_it_carries_the_upstreams_code_and_message(upstream, api):
    upstream.reply(400, json_body=ENVELOPE)
    with pytest.raises(Refused) as e:
        complete(api)
    assert str(e.value) == "Send.ai refused to complete the task: Only tasks in REVIEWING can be completed."
    assert e.value.code == "invalid_status"
    assert e.value.upstream_message == "Only tasks in REVIEWING can be completed"
    assert e.value.status == 400
    assert len(e.value.request_id) == 32


def test_it_raises_validation_failed_for_its_code(upstream, api):
    error = {"code": "validation_failed", "message": "Validation failed: total is missing."}
    upstream.reply(400, json_body={"payload": None, "error": error})
    with pytest.raises(ValidationFailed) as e:
        complete(api)
    assert str(e.value) == "Send.ai refused to complete the task: Validation failed: total is missing."


@pytest.mark.parametrize("body", OTHER_BODIES)
def test_it_copes_with_a_400_without_the_envelope(upstream, api, body):
    upstream.reply(400, body, headers={"Content-Type": "text/plain"})
    with pytest.raises(Refused) as e:
        complete(api)
    assert type(e.value) is Refused
    assert str(e.value) == "Send.ai refused to complete the task (HTTP 400)."
    assert e.value.code is None
    assert e.value.upstream_message is None


def test_it_makes_a_long_upstream_message_one_short_line(upstream, api):
    upstream.reply(400, json_body={"payload": None, "error": {"code": "x", "message": "Line one\nline two " * 100}})
    with pytest.raises(Refused) as e:
        complete(api)
    assert "\n" not in str(e.value)
    assert len(e.value.upstream_message) == 300


@pytest.mark.parametrize("status", [409, 410, 422, 451])
def test_it_raises_refused_for_other_4xx(upstream, api, status):
    upstream.reply(status, json_body=ENVELOPE)
    with pytest.raises(Refused) as e:
        complete(api)
    assert e.value.status == status
    assert e.value.code == "invalid_status"


def test_it_explains_a_413(upstream, api):
    upstream.reply(413, "Request Entity Too Large")
    with pytest.raises(Refused) as e:
        complete(api)
    assert str(e.value) == "Send.ai refused to complete the task: the request is too large."


@pytest.mark.parametrize(
    ("status", "cls", "message"),
    [
        (401, InvalidKey, "Send.ai did not accept the API key: it is unknown, revoked or mistyped."),
        (403, MissingScope, "The API key is not allowed to complete the task: it lacks the task.edit scope."),
        (404, NotFound, "Send.ai has no such task, or the API key has no access to its project."),
    ],
)
@pytest.mark.parametrize("body", [*OTHER_BODIES, '{"payload": null, "error": {"code": "c", "message": "Upstream."}}'])
def test_it_names_401_403_and_404_whatever_the_body(upstream, api, status, cls, message, body):
    upstream.reply(status, body)
    with pytest.raises(cls) as e:
        complete(api)
    assert str(e.value) == message
    assert e.value.status == status


@pytest.mark.parametrize("status", [405, 415, 202, 204, 301, 302, 307])
def test_it_raises_protocol_error_for_statuses_the_contract_does_not_use_here(upstream, api, status):
    upstream.reply(status, headers={"Location": "https://elsewhere.example/"})
    with pytest.raises(ProtocolError) as e:
        complete(api)
    assert e.value.status == status
    assert "check that SENDAI_API_URL points at the v2 API" in str(e.value)
    assert len(upstream.received) == 1  # a redirect is not followed
