"""IDs are checked against the contract's pattern before anything is sent, and quoted into the URL."""

from __future__ import annotations

import pytest

from reviewer.sendai import Client, InvalidId, InvalidKey, Issue, SendaiError, check_id

BAD_IDS = ["", "../etc", "a/b", "a b", "-a", ".a", "_a", "a" * 129, "abc\n", "a%2Fb", "a?b", "a#b", "tâche", None, 7]


@pytest.mark.parametrize("value", ["a", "A1", "task_abc-1.2", "a" * 128, "1..2"])
def test_it_accepts_ids_of_the_contract(value):
    assert check_id(value, "task") == value


@pytest.mark.parametrize("value", BAD_IDS)
def test_it_refuses_any_other_id(value):
    with pytest.raises(InvalidId) as e:
        check_id(value, "task")
    assert str(e.value) == (
        "That is not a valid task ID: use 1 to 128 letters, digits, '_', '.' or '-', starting with a letter or a digit."
    )
    assert isinstance(e.value, ValueError)
    assert isinstance(e.value, SendaiError)


@pytest.mark.parametrize("value", BAD_IDS)
@pytest.mark.parametrize("position", range(4))
def test_it_sends_nothing_for_a_bad_id(upstream, api, value, position):
    ids = ["team_1", "proj_1", "task_1", "page_1"]
    ids[position] = value
    with pytest.raises(InvalidId):
        api.page_image(*ids)
    assert upstream.received == []


@pytest.mark.parametrize("method", ["get", "complete", "discard", "approve", "disapprove", "unlock"])
def test_it_checks_the_ids_of_every_endpoint(upstream, api, method):
    with pytest.raises(InvalidId, match="not a valid task ID"):
        getattr(api, method)("team_1", "proj_1", "../../admin")
    with pytest.raises(InvalidId, match="not a valid team ID"):
        api.report("team 1", "proj_1", "task_1", [Issue("Other", "other")])
    with pytest.raises(InvalidId, match="not a valid project ID"):
        api.list("team_1", "proj/1")
    assert upstream.received == []


def test_it_puts_ids_into_the_path(upstream, api, doc_task):
    upstream.reply(json_body={"payload": doc_task})
    api.unlock("Team.1", "proj-1", "task_1.v2")
    assert upstream.received[0].path == "/sendai/v2/Team.1/project/proj-1/task/task_1.v2/unlock"


@pytest.mark.parametrize("key", ["", "sk_with space", "sk_line\nbreak", "sk_tab\t", "sk_ünicode", None])
def test_it_sends_nothing_with_a_key_that_cannot_be_one(upstream, key):
    with pytest.raises(InvalidKey) as e:
        Client(key).get("team_1", "proj_1", "task_1")
    assert str(e.value) == "The API key is empty or has characters that an API key cannot have."
    assert upstream.received == []


@pytest.mark.parametrize("request_id", ["", "a b", "x" * 129, "line\nbreak"])
def test_it_refuses_a_request_id_that_cannot_be_a_header(upstream, api, request_id):
    with pytest.raises(ValueError, match="request ID"):
        api.get("team_1", "proj_1", "task_1", request_id=request_id)
    assert upstream.received == []
