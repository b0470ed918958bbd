"""Drafts of corrections: saved change by change on the server, checked as they are saved, never lost."""

from __future__ import annotations

import json

import pytest

from reviewer.review.models import Draft
from reviewer.sandbox.models import Status, Task
from tests.conftest import give_key, make_key, make_person, make_task
from tests.review.conftest import TASK_URL, act_url

DRAFT_URL = TASK_URL + "draft/"
JSON = {"HTTP_ACCEPT": "application/json"}
ANN_ORIGINAL = {"entity_id": "total_amount", "content": "$1,234.56", "top": 120.5, "left_of_line": 340.0}


def change(**fields) -> dict:
    """The fields the panel posts for a correction of the example task's annotation."""
    data = {
        "op": "update",
        "kind": "annotation",
        "page_id": "page_1",
        "item_id": "ann_1",
        "original": json.dumps(ANN_ORIGINAL),
        "confidence": "0.98",
        "page_width": "2480",
        "page_height": "3508",
        "entity_id": "total_amount",
        "content": "$1,234.65",
    }
    data.update(fields)
    return data


def save(client, **fields):
    return client.post(DRAFT_URL, change(**fields), **JSON)


def draft() -> Draft:
    return Draft.objects.get()


@pytest.fixture
def task(db):
    return make_task()


def test_it_saves_a_change_at_once_and_counts_it(reviewer_client, task):
    response = save(reviewer_client)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["complete_label"] == "Complete with 1 correction"
    assert body["key"] == "page_1/annotation/ann_1"
    assert body["change"]["fields"] == {"content": "$1,234.65"}
    assert body["change"]["original"] == {"content": "$1,234.56"}
    assert "<del" in body["fragment"] and "$1,234.65" in body["fragment"]
    assert draft().changes["page_1/annotation/ann_1"]["fields"] == {"content": "$1,234.65"}


def test_it_drops_a_change_that_returns_to_the_ais_value(reviewer_client, task):
    save(reviewer_client)
    body = save(reviewer_client, content="$1,234.56").json()
    assert body["count"] == 0
    assert body["change"] is None
    assert draft().changes == {}


def test_the_task_page_shows_the_change_after_a_reload(reviewer_client, task):
    save(reviewer_client, content="<script>alert(1)</script>")
    html = reviewer_client.get(TASK_URL).content.decode()
    assert "Complete with 1 correction" in html
    assert "<del" in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" not in html
    assert 'id="draft-changes"' in html


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"content": "x" * 2001}, "content: at most 2,000 characters"),
        ({"content": "two\nlines"}, "content: must be one line without control characters"),
        ({"content": "nul\x00"}, "content: must be one line without control characters"),
        ({"entity_id": "no spaces allowed"}, "entity_id: use 1 to 128 letters"),
    ],
)
def test_it_keeps_a_value_that_breaks_a_limit_with_its_error(reviewer_client, task, fields, error):
    body = save(reviewer_client, **fields).json()
    assert body["change"]["error"].startswith(error)
    stored = draft().changes["page_1/annotation/ann_1"]
    assert stored["error"].startswith(error)
    # Nothing typed is lost (a NUL, which PostgreSQL's JSON cannot hold, is kept as ␀).
    assert stored["fields"]["content"] == fields.get("content", "$1,234.65").replace("\x00", "\u2400")


def region(kind: str, item_id: str, original: dict, **values) -> dict:
    """What the panel posts for a checkbox, segment or signature: no text fields."""
    data = change(kind=kind, item_id=item_id, original=json.dumps(original), **values)
    del data["entity_id"], data["content"]
    return data


SEGMENT = {"coordinates": [[50, 50], [400, 50], [400, 200], [50, 200]]}


@pytest.mark.parametrize(
    ("coordinates", "error"),
    [
        ("[[100, 100], [120, 100]]", "a polygon needs 3 to 100 points"),
        ('[[100, 100], ["a", 100], [120, 120]]', "must be a number"),
        ("[[100, 100], [9000, 100], [120, 120]]", "is outside the page"),
        ("[[100, 100], [110, 100], [120, 100]]", "the points lie on one line"),
        ("not json", "must be a list of [x, y] points"),
    ],
)
def test_it_refuses_polygons_that_are_not_polygons(reviewer_client, task, coordinates, error):
    body = reviewer_client.post(DRAFT_URL, region("segment", "seg_1", SEGMENT, coordinates=coordinates), **JSON)
    assert error in body.json()["change"]["error"]


def test_it_saves_a_checkbox_tick_and_a_nudged_polygon(reviewer_client, task):
    original = {"checked": True, "coordinates": [[100, 100], [120, 100], [120, 120], [100, 120]]}
    moved = "[[98, 99], [121, 100], [120, 121], [100, 120]]"
    body = reviewer_client.post(
        DRAFT_URL, region("checkbox", "cb_1", original, checked="false", coordinates=moved), **JSON
    ).json()
    assert body["change"]["error"] == ""
    assert body["change"]["fields"] == {
        "checked": False,
        "coordinates": [[98.0, 99.0], [121.0, 100.0], [120.0, 121.0], [100.0, 120.0]],
    }
    assert body["change"]["original"] == {"checked": True, "coordinates": original["coordinates"]}


def test_it_saves_a_removal_and_an_added_field_without_a_position(reviewer_client, task):
    reviewer_client.post(DRAFT_URL, {**change(op="remove", kind="signature", item_id="sig_1")}, **JSON)
    body = reviewer_client.post(
        DRAFT_URL,
        {
            "op": "add",
            "key": "new/abc123",
            "kind": "annotation",
            "page_id": "page_1",
            "page_width": "2480",
            "page_height": "3508",
            "entity_id": "invoice_date",
            "content": "12-10-2026",
        },
        **JSON,
    ).json()
    assert body["count"] == 2
    assert draft().changes["new/abc123"]["item"] == {"entity_id": "invoice_date", "content": "12-10-2026"}
    html = reviewer_client.get(TASK_URL).content.decode()
    assert "invoice_date" in html and "(no position on the page)" in html
    assert "signature sig_1: removed" in html


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"op": "rename"}, "op"),
        ({"kind": "table"}, "kind"),
        ({"page_id": "../x"}, "page_id"),
        ({"item_id": ""}, "item_id"),
    ],
)
def test_it_refuses_a_change_of_no_known_shape_and_stores_nothing(reviewer_client, task, fields, field):
    response = save(reviewer_client, **fields)
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert not Draft.objects.exists()


def test_another_tab_is_told_that_the_draft_changed(reviewer_client, task):
    first = save(reviewer_client, version="0").json()
    assert first["conflict"] == ""
    # A second tab, which also saw version 0, writes: last write wins, and that tab is told.
    second = save(reviewer_client, content="$9.99", version="0").json()
    assert "another tab" in second["conflict"]
    assert draft().changes["page_1/annotation/ann_1"]["fields"] == {"content": "$9.99"}
    assert reviewer_client.get(DRAFT_URL, **JSON).json()["version"] == 2


def test_undo_and_discard(reviewer_client, task):
    save(reviewer_client)
    reviewer_client.post(DRAFT_URL, {**change(op="remove", kind="signature", item_id="sig_1")}, **JSON)
    body = reviewer_client.post(DRAFT_URL + "undo/", {"key": "page_1/annotation/ann_1"}, **JSON).json()
    assert body["count"] == 1
    body = reviewer_client.post(DRAFT_URL + "discard/", {}, **JSON).json()
    assert body["discarded"] == 1
    assert not Draft.objects.exists()


def test_a_signed_out_script_gets_a_401_that_names_the_sign_in_page(client, task):
    response = client.post(DRAFT_URL, change(), HTTP_REFERER="http://testserver" + TASK_URL, **JSON)
    assert response.status_code == 401
    body = response.json()
    assert body["signed_out"] is True
    assert body["login_url"] == "/accounts/login/?next=/review/team_123456/proj_123456/task_abcdef123456/"


def test_a_signed_out_htmx_request_is_not_swapped(client, task):
    response = client.post(act_url("complete"), {}, HTTP_HX_REQUEST="true")
    assert response.status_code == 401
    assert response["HX-Reswap"] == "none"
    assert "reviewer:signed-out" in response["HX-Trigger"]


def test_editing_is_hidden_and_refused_when_corrections_are_off(reviewer_client, task, settings):
    settings.CORRECTIONS_MODE = "off"
    assert save(reviewer_client).status_code == 404
    assert "editor-template" not in reviewer_client.get(TASK_URL).content.decode()


def test_a_lead_sees_the_unsent_corrections_of_others_and_a_reviewer_does_not(reviewer_client, client, task, people):
    save(reviewer_client)
    other = make_person("otto", "reviewer")
    client.force_login(other)
    give_key(other, make_key())
    assert "Unsent corrections by others" not in client.get(TASK_URL).content.decode()
    give_key(people.lead, make_key())
    client.force_login(people.lead)
    html = client.get(TASK_URL).content.decode()
    assert "Unsent corrections by others" in html
    assert "rita" in html and "total_amount: $1,234.56 → $1,234.65" in html


def test_a_draft_of_a_task_someone_else_now_holds_is_kept_for_its_owner(reviewer_client, task):
    save(reviewer_client)
    Task.objects.filter(pk=task.pk).update(status=Status.COMPLETED)
    html = reviewer_client.get(TASK_URL).content.decode()
    assert "Your corrections <span" in html and "total_amount: $1,234.56 → $1,234.65" in html
    assert draft().changes


def test_changes_someone_else_left_in_this_browser_are_not_saved_as_mine(reviewer_client, task, people):
    response = save(reviewer_client, owner=str(people.lead.pk))
    assert response.status_code == 409
    assert "someone else" in response.json()["error"]
    assert not Draft.objects.exists()
