"""JSON of the wrong shape: ProtocolError naming the field; over HTTP, with request ID and a log line."""

from __future__ import annotations

import logging

import pytest

from reviewer.sendai import ProtocolError


def test_it_names_the_field_of_a_wrong_type(upstream, api, doc_task, caplog):
    checkboxes = doc_task["pages"][0]["checkboxes"]
    checkboxes += [dict(checkboxes[0], id="cb_2"), dict(checkboxes[0], id=3)]
    upstream.reply(json_body={"payload": doc_task})
    with pytest.raises(ProtocolError) as e:
        api.get("team_123456", "proj_123456", "task_abcdef123456", request_id="req-shape")
    assert e.value.field == "payload.pages[0].checkboxes[2].id"
    assert str(e.value) == (
        "Send.ai sent an answer the console cannot read: payload.pages[0].checkboxes[2].id is not a string."
    )
    assert e.value.request_id == "req-shape"
    assert e.value.status == 200
    assert any(
        r.levelno == logging.WARNING and "payload.pages[0].checkboxes[2].id" in r.getMessage() for r in caplog.records
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"data": {}}, "payload"),
        ({"payload": None}, "payload"),
        ({"payload": []}, "payload"),
        ({"payload": {"name": "x"}}, "payload.id"),
    ],
)
def test_it_refuses_an_answer_without_a_task(upstream, api, body, field):
    upstream.reply(json_body=body)
    with pytest.raises(ProtocolError) as e:
        api.approve("team_123456", "proj_123456", "task_abcdef123456")
    assert e.value.field == field


def test_it_refuses_pages_that_are_not_a_list(upstream, api, doc_task):
    doc_task["pages"] = {"page_1": {}}
    upstream.reply(json_body={"payload": doc_task})
    with pytest.raises(ProtocolError) as e:
        api.get("team_123456", "proj_123456", "task_abcdef123456")
    assert e.value.field == "payload.pages"


def test_it_skips_a_list_item_of_the_wrong_shape_and_says_why(upstream, api, doc_task):
    # One unreadable task leaves the rest of the page readable (b78a92c): it is skipped, with the reason.
    upstream.reply(json_body={"payload": [doc_task, {"id": 7}], "next_cursor": None})
    listing = api.list("team_123456", "proj_123456")
    assert [t.id for t in listing.tasks] == ["task_abcdef123456"]
    assert listing.skipped == ("Send.ai sent an answer the console cannot read: payload[1].id is not a string.",)


@pytest.mark.parametrize(
    ("body", "field"),
    [({"payload": {}}, "payload"), ({"payload": [], "next_cursor": 5}, "next_cursor")],
)
def test_it_refuses_a_list_of_the_wrong_shape(upstream, api, body, field):
    upstream.reply(json_body=body)
    with pytest.raises(ProtocolError) as e:
        api.list("team_123456", "proj_123456")
    assert e.value.field == field
