"""Get, list (extension) and page image (extension), over real HTTP."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from reviewer.sandbox.models import Status, Task
from tests.conftest import DOC_TASK, make_key, make_task
from tests.sandbox.conftest import TASK, TASKS, error_of


def test_it_gets_a_task_shaped_like_the_documentation(api):
    make_task(created_at=dt.datetime(2024, 1, 15, 10, 30, tzinfo=dt.UTC), status=Status.COMPLETED)
    r = api.get(TASK, make_key())
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/json"
    payload = r.json()["payload"]
    opened = payload.pop("last_opened_at")
    expected = dict(DOC_TASK)
    expected.pop("last_opened_at")
    assert payload == expected
    assert opened.endswith("Z")


def test_it_records_when_a_task_was_last_opened(api):
    task = make_task()
    assert task.last_opened_at is None
    api.get(TASK, make_key())
    task.refresh_from_db()
    assert task.last_opened_at is not None


def test_it_echoes_a_request_id(api):
    make_task()
    r = api.get(TASK, make_key(), headers={"X-Request-ID": "abc123"})
    assert r.headers["X-Request-ID"] == "abc123"


def test_it_keeps_unknown_step_types_and_extra_page_fields(api):
    pages = [{**DOC_TASK["pages"][0], "rotation": 90}]
    make_task(step_type="TRANSLATE", pages=pages)
    payload = api.get(TASK, make_key()).json()["payload"]
    assert payload["step_type"] == "TRANSLATE"
    assert payload["pages"][0]["rotation"] == 90


def _list(api, key, **params):
    r = api.get(TASKS, key, params=params)
    assert r.status_code == 200, r.text
    return r.json()


def test_it_lists_tasks_oldest_first_without_pages(api):
    base = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    for i in (3, 1, 2):
        make_task(f"task_{i}", created_at=base + dt.timedelta(days=i))
    body = _list(api, make_key())
    assert [t["id"] for t in body["payload"]] == ["task_1", "task_2", "task_3"]
    assert "pages" not in body["payload"][0]
    assert body["next_cursor"] is None


def test_it_pages_through_tasks_with_a_cursor(api):
    base = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    for i in range(7):
        # Two tasks share each timestamp, so the cursor must break ties.
        make_task(f"task_{i}", created_at=base + dt.timedelta(hours=i // 2))
    key = make_key()
    seen, cursor = [], None
    while True:
        body = _list(api, key, limit=3, **({"cursor": cursor} if cursor else {}))
        seen += [t["id"] for t in body["payload"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"task_{i}" for i in range(7)]


def test_it_filters_the_list_by_status_and_upload(api):
    make_task("task_a", status=Status.REVIEWING)
    make_task("task_b", status=Status.COMPLETED)
    make_task("task_c", status=Status.REVIEWING, upload_id="upl_other")
    key = make_key()
    assert [t["id"] for t in _list(api, key, status="REVIEWING")["payload"]] == ["task_a", "task_c"]
    assert [t["id"] for t in _list(api, key, status="REVIEWING,COMPLETED")["payload"]] == ["task_a", "task_b", "task_c"]
    assert [t["id"] for t in _list(api, key, upload_id="upl_other")["payload"]] == ["task_c"]


def test_it_settles_processing_tasks_before_listing(api, settings):
    task = make_task(status=Status.PROCESSING, processing_until=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    body = _list(api, make_key(), status="COMPLETED")
    assert [t["id"] for t in body["payload"]] == [task.task_id]


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"status": "DONE"}, "invalid_request"),
        ({"limit": "0"}, "invalid_request"),
        ({"limit": "201"}, "invalid_request"),
        ({"limit": "ten"}, "invalid_request"),
        ({"cursor": "not-a-cursor"}, "invalid_cursor"),
        ({"cursor": "%%%"}, "invalid_cursor"),
        ({"upload_id": "../x"}, "invalid_id"),
    ],
)
def test_it_refuses_bad_list_parameters(api, params, code):
    make_task()
    r = api.get(TASKS, make_key(), params=params)
    assert r.status_code == 400
    assert error_of(r)["code"] == code


def test_it_serves_a_page_image_of_the_page_size(api):
    make_task()
    r = api.get(TASK + "/page/page_1/image", make_key())
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "image/svg+xml"
    assert "default-src 'none'" in r.headers["Content-Security-Policy"]
    root = ET.fromstring(r.content)
    assert root.get("viewBox") == "0 0 2480 3508"
    assert "$1,234.56" in r.text


def test_it_answers_404_for_an_unknown_page_or_a_task_without_images(api):
    make_task()
    make_task("task_noimg", has_images=False)
    key = make_key()
    assert api.get(TASK + "/page/page_9/image", key).status_code == 404
    r = api.get(TASKS + "/task_noimg/page/page_1/image", key)
    assert r.status_code == 404
    assert error_of(r)["code"] == "not_found"


def test_reading_an_image_does_not_count_as_opening_the_task(api):
    task = make_task()
    api.get(TASK + "/page/page_1/image", make_key())
    assert Task.objects.get(pk=task.pk).last_opened_at is None
