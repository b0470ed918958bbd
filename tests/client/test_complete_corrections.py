"""Complete with corrections (API.md §5): what is sent, and every way an upstream can refuse it."""

from __future__ import annotations

import pytest

from reviewer.sendai import CorrectionsRefused, ProtocolError, Refused, ValidationFailed

OPS = [
    {"op": "update", "page_id": "page_1", "item_id": "ann_1", "kind": "annotation", "fields": {"content": "$9.99"}},
    {"op": "remove", "page_id": "page_1", "item_id": "sig_1", "kind": "signature"},
]


def complete(api, corrections=OPS):
    return api.complete("team_123456", "proj_123456", "task_abcdef123456", corrections)


def test_it_sends_the_corrections_as_json(upstream, api, doc_task):
    doc_task["status"] = "PROCESSING"
    doc_task["pages"][0]["annotations"][0].update(content="$9.99", corrected=True, original={"content": "$1,234.56"})
    doc_task["pages"][0]["signatures"] = []
    doc_task["pages"][0]["removed"] = [{"id": "sig_1", "kind": "signature", "original": {}}]
    upstream.reply(200, json_body={"payload": doc_task, "message": "Task processing started"})
    result = complete(api)
    sent = upstream.received[0]
    assert (sent.method, sent.path) == (
        "POST",
        "/sendai/v2/team_123456/project/proj_123456/task/task_abcdef123456/complete",
    )
    assert sent.headers["Content-Type"] == "application/json"
    assert sent.json() == {"corrections": OPS}
    page = result.task.pages[0]
    assert page.annotations[0].corrected is True
    assert page.annotations[0].content == "$9.99"
    assert page.removed == ("sig_1",)


def test_no_corrections_is_the_plain_complete_with_no_body(upstream, api, doc_task):
    upstream.reply(200, json_body={"payload": doc_task, "message": "Task processing started"})
    complete(api, [])
    assert upstream.received[0].body == b""


def test_it_names_the_refused_operation(upstream, api):
    message = "corrections[1].item_id: no signature sig_9 on page page_1."
    upstream.reply(400, json_body={"payload": None, "error": {"code": "invalid_corrections", "message": message}})
    with pytest.raises(CorrectionsRefused) as e:
        complete(api)
    assert e.value.index == 1
    assert not e.value.unsupported
    assert str(e.value) == f"Send.ai refused to complete the task with your corrections: {message}"


def test_an_upstream_that_takes_no_body_is_told_apart(upstream, api):
    upstream.reply(415, json_body={"payload": None, "error": {"code": "unsupported_media_type", "message": "no"}})
    with pytest.raises(CorrectionsRefused) as e:
        complete(api)
    assert e.value.unsupported
    assert "does not take corrections" in str(e.value)


def test_a_415_to_a_plain_complete_is_still_a_protocol_error(upstream, api):
    upstream.reply(415, "")
    with pytest.raises(ProtocolError) as e:
        complete(api, [])
    assert not isinstance(e.value, CorrectionsRefused)


def test_validation_failures_come_from_the_failures_list(upstream, api):
    failures = [
        {"rule": "required", "entity_id": "invoice_date", "message": "missing", "page_id": None, "item_id": None},
        {
            "rule": "amount",
            "entity_id": "total_amount",
            "message": "not an amount",
            "page_id": "page_1",
            "item_id": "ann_9",
        },
        {"entity_id": 7},  # unreadable: left out
    ]
    error = {"code": "validation_failed", "message": "Validation failed: …", "failures": failures}
    upstream.reply(400, json_body={"payload": None, "error": error})
    with pytest.raises(ValidationFailed) as e:
        complete(api)
    assert [(f["entity_id"], f["message"], f["item_id"]) for f in e.value.failures] == [
        ("invoice_date", "missing", None),
        ("total_amount", "not an amount", "ann_9"),
    ]


def test_validation_failures_are_read_from_the_message_when_there_is_no_list(upstream, api):
    error = {
        "code": "validation_failed",
        "message": "Validation failed: invoice_date: missing; total_amount: not a valid amount",
    }
    upstream.reply(400, json_body={"payload": None, "error": error})
    with pytest.raises(ValidationFailed) as e:
        complete(api)
    assert [(f["entity_id"], f["message"]) for f in e.value.failures] == [
        ("invoice_date", "missing"),
        ("total_amount", "not a valid amount"),
    ]


def test_a_failure_message_never_carries_the_key(upstream, api):
    from tests.client.conftest import KEY

    error = {"code": "validation_failed", "message": "x", "failures": [{"entity_id": "a", "message": f"key {KEY}"}]}
    upstream.reply(400, json_body={"payload": None, "error": error})
    with pytest.raises(ValidationFailed) as e:
        complete(api)
    assert KEY not in e.value.failures[0]["message"]


def test_other_refusals_stay_refusals(upstream, api):
    error = {"code": "invalid_status", "message": "Only tasks in REVIEWING can be completed; this task is PROCESSING."}
    upstream.reply(400, json_body={"payload": None, "error": error})
    with pytest.raises(Refused) as e:
        complete(api)
    assert type(e.value) is Refused
    assert e.value.code == "invalid_status"
