"""List tasks (an extension): pages of tasks with a cursor, or ListingUnavailable where not offered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from reviewer.sendai import Client, InvalidId, ListingUnavailable, NotFound, Refused
from tests.client.conftest import KEY
from tests.conftest import make_key, make_task


def make_tasks() -> None:
    start = datetime(2024, 1, 15, tzinfo=UTC)
    make_task("task_1", created_at=start)
    make_task("task_2", created_at=start + timedelta(hours=1), status="COMPLETED")
    make_task("task_3", created_at=start + timedelta(hours=2), upload_id="upl_2")


@pytest.mark.usefixtures("live")
def test_it_lists_tasks_oldest_first_page_by_page():
    make_tasks()
    client = Client(make_key())
    first = client.list("team_123456", "proj_123456", limit=2)
    assert [t.id for t in first.tasks] == ["task_1", "task_2"]
    assert all(t.pages == () for t in first.tasks)
    assert first.next_cursor

    second = client.list("team_123456", "proj_123456", limit=2, cursor=first.next_cursor)
    assert [t.id for t in second.tasks] == ["task_3"]
    assert second.next_cursor is None


@pytest.mark.usefixtures("live")
def test_it_filters_by_status_and_upload():
    make_tasks()
    client = Client(make_key())
    assert [t.id for t in client.list("team_123456", "proj_123456", status="REVIEWING").tasks] == ["task_1", "task_3"]
    assert [t.id for t in client.list("team_123456", "proj_123456", upload_id="upl_2").tasks] == ["task_3"]


@pytest.mark.usefixtures("live")
def test_it_raises_not_found_for_a_project_the_key_cannot_see():
    make_tasks()
    with pytest.raises(NotFound):
        Client(make_key()).list("team_123456", "proj_other")


@pytest.mark.usefixtures("live")
def test_it_passes_on_a_refused_cursor():
    make_tasks()
    with pytest.raises(Refused) as e:
        Client(make_key()).list("team_123456", "proj_123456", cursor="not-a-cursor")
    assert e.value.code == "invalid_cursor"


def test_it_sends_the_query(upstream, api, doc_task):
    del doc_task["pages"]
    upstream.reply(json_body={"payload": [doc_task], "next_cursor": None})
    result = api.list("team_123456", "proj_123456", status="REVIEWING", limit=10, cursor="abc=", upload_id="upl_1")
    assert [t.id for t in result.tasks] == ["task_abcdef123456"]
    (sent,) = upstream.received
    assert sent.method == "GET"
    assert sent.path == (
        "/sendai/v2/team_123456/project/proj_123456/task?status=REVIEWING&limit=10&cursor=abc%3D&upload_id=upl_1"
    )
    assert sent.headers["Authorization"] == f"Bearer {KEY}"


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (404, "<html><body><h1>Not Found</h1></body></html>"),
        (404, '{"detail": "Not Found"}'),
        (404, ""),
        (405, '{"payload": null, "error": {"code": "method_not_allowed", "message": "No."}}'),
        (501, "Not Implemented"),
    ],
)
def test_it_raises_listing_unavailable_where_the_upstream_offers_no_list(upstream, api, status, body):
    upstream.reply(status, body)
    with pytest.raises(ListingUnavailable) as e:
        api.list("team_123456", "proj_123456")
    assert str(e.value) == "This Send.ai API does not offer a task list: open tasks by their ID."
    assert e.value.status == status
    assert len(upstream.received) == 1


def test_it_raises_not_found_for_a_404_envelope(upstream, api):
    upstream.reply(404, json_body={"payload": None, "error": {"code": "not_found", "message": "No access."}})
    with pytest.raises(NotFound):
        api.list("team_123456", "proj_123456")


@pytest.mark.parametrize("limit", [0, -1, 2.5, True, "50"])
def test_it_refuses_a_bad_limit_without_sending(upstream, api, limit):
    with pytest.raises(ValueError, match="limit"):
        api.list("team_123456", "proj_123456", limit=limit)
    assert upstream.received == []


def test_it_checks_the_upload_id(upstream, api):
    with pytest.raises(InvalidId):
        api.list("team_123456", "proj_123456", upload_id="../x")
    assert upstream.received == []
