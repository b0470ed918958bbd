"""The task page: header, overlays drawn from the coordinates, the item list, partial renderings."""

from __future__ import annotations

import json
import re

import pytest

from reviewer.review.models import ActionRecord
from reviewer.sandbox.models import Status
from tests.conftest import doc_pages, make_task
from tests.review.conftest import TASK_URL


def _drawn(html: str) -> list[list]:
    """The rows review.js draws the page's regions from (overlays.compact)."""
    found = re.search(r'<script id="page-items" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(found.group(1)) if found else []


def _count(html: str, kind: str) -> int:
    return sum(1 for row in _drawn(html) if row[1] == kind)


def test_it_shows_the_task_with_every_item_drawn(reviewer_client):
    make_task(meta=[{"name": "category", "value": "invoice"}])
    response = reviewer_client.get(TASK_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Document Analysis Task" in html
    assert "REVIEWING" in html
    assert "upl_123456789" in html
    assert "category" in html and "invoice" in html
    for kind in ("annotation", "checkbox", "segment", "signature"):
        assert _count(html, kind) == 1, kind
    assert 'viewBox="0 0 2480 3508"' in html
    assert [100, 100, 120, 100, 120, 120, 100, 120] in [row[5] for row in _drawn(html)]
    assert "$1,234.56" in html
    assert html.count('data-select="') == 4


def test_it_records_that_the_task_was_opened(reviewer_client, people):
    make_task()
    reviewer_client.get(TASK_URL)
    record = ActionRecord.objects.get()
    assert (record.action, record.outcome, record.username, record.task_status) == ("open", "ok", "rita", "REVIEWING")
    assert (record.team_id, record.project_id, record.task_id) == ("team_123456", "proj_123456", "task_abcdef123456")


def test_it_flags_malformed_geometry_instead_of_failing(reviewer_client):
    pages = doc_pages()
    pages[0]["checkboxes"].append(
        {"id": "cb_two", "confidence": 0.5, "checked": False, "coordinates": [[1, 1], [2, 2]]}
    )
    pages[0]["segments"].append({"id": "seg_nan", "confidence": 0.4, "coordinates": [[1, 1], ["abc", 2], [3, 3]]})
    pages[0]["segments"].append({"id": "seg_off", "confidence": 0.4, "coordinates": [[1, 1], [99999, 2], [3, 3]]})
    pages[0]["annotations"].append({"id": "ann_bad", "entity_id": "x", "confidence": 0.3, "content": "?", "top": "a"})
    make_task(pages=pages)
    response = reviewer_client.get(TASK_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("Cannot be drawn") == 4
    assert html.count('data-select="') == 8
    assert _count(html, "checkbox") == 1
    assert _count(html, "segment") == 1


def test_it_shows_a_chosen_page_of_a_multi_page_task(reviewer_client):
    pages = doc_pages() + [
        {
            "id": "page_2",
            "width": 1000,
            "height": 1400,
            "annotations": [],
            "checkboxes": [],
            "segments": [],
            "signatures": [],
        }
    ]
    make_task(pages=pages)
    html = reviewer_client.get(TASK_URL + "?page=2").content.decode()
    assert 'viewBox="0 0 1000 1400"' in html
    assert "Nothing was found on this page." in html
    assert 'aria-current="page" data-page-link="2"' in html
    html = reviewer_client.get(TASK_URL + "?page=99").content.decode()
    assert 'viewBox="0 0 1000 1400"' in html  # out of range: the last page
    assert 'viewBox="0 0 2480 3508"' in reviewer_client.get(TASK_URL + "?page=x").content.decode()


def test_it_renders_only_the_viewer_for_htmx_page_switches(reviewer_client):
    make_task()
    response = reviewer_client.get(TASK_URL + "?page=1", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="viewer")
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="viewer"')
    assert "<html" not in html
    assert not ActionRecord.objects.exists()  # a partial is not an opening


def test_it_orders_items_by_confidence_lowest_first(reviewer_client):
    make_task()
    html = reviewer_client.get(TASK_URL + "?order=confidence").content.decode()
    labels = re.findall(r'<span class="label">([^<]+)</span>', html)
    assert labels == ["sig_1", "seg_1", "cb_1", "total_amount"]


@pytest.mark.parametrize(("threshold", "low"), [("0.95", 3), ("0.9", 2), ("0.5", 0), ("nan", 0), ("7", 4), ("x", 0)])
def test_it_marks_items_below_the_threshold(reviewer_client, threshold, low):
    make_task()
    html = reviewer_client.get(f"{TASK_URL}?threshold={threshold}").content.decode()
    assert len(re.findall(r'<li class="entry kind-\w+ low', html)) == low


@pytest.mark.parametrize(
    ("status", "approved", "offered"),
    [
        (Status.REVIEWING, False, {"complete", "approve"}),
        (Status.COMPLETED, True, {"disapprove", "unlock"}),
        (Status.PROCESSING, False, set()),
    ],
)
def test_it_offers_the_actions_the_contract_allows_and_says_why_not(reviewer_client, status, approved, offered):
    make_task(status=status, approved=approved)
    html = reviewer_client.get(TASK_URL).content.decode()
    for action in ("complete", "approve", "disapprove", "unlock"):
        disabled = re.search(rf'data-action="{action}" aria-disabled="true" aria-describedby="why-{action}"', html)
        assert bool(disabled) == (action not in offered), action
    if status == Status.PROCESSING:
        assert "cannot be approved while it is processing" in html
        assert 'hx-trigger="every 2s"' in html
    else:
        assert 'hx-trigger="every 2s"' not in html


def test_it_escapes_upstream_text(reviewer_client):
    pages = doc_pages()
    pages[0]["annotations"][0]["content"] = "<script>alert(1)</script>"
    make_task(name="<img src=x onerror=alert(1)>", pages=pages, meta=[{"name": "<b>", "value": '"><svg onload=1>'}])
    html = reviewer_client.get(TASK_URL).content.decode()
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '"><svg onload' not in html


def test_it_proxies_the_page_image_with_the_users_key(reviewer_client):
    make_task()
    response = reviewer_client.get(TASK_URL + "page/page_1/image/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Cache-Control"] == "private, max-age=3600"
    assert b"sk_sbx_" not in response.content


def test_a_missing_image_is_404(reviewer_client):
    make_task(has_images=False)
    assert reviewer_client.get(TASK_URL + "page/page_1/image/").status_code == 404
    assert reviewer_client.get(TASK_URL + "page/..x/image/").status_code == 404


def test_an_unknown_task_is_a_404_page(reviewer_client):
    response = reviewer_client.get("/review/team_123456/proj_123456/task_nope/")
    assert response.status_code == 404
    assert b"Task not found" in response.content


def test_an_unreachable_upstream_says_so_with_a_retry(reviewer_client, settings):
    make_task()
    settings.SENDAI_API_URL = "http://127.0.0.1:9/sandbox"
    response = reviewer_client.get(TASK_URL)
    assert response.status_code == 503
    assert b"Send.ai is unavailable" in response.content
    assert b"Try again" in response.content
