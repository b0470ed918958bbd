"""The item panel: header fields, line items as a table in the page's line order, the other kinds, their counts."""

from __future__ import annotations

import json
import re

from reviewer import sendai
from reviewer.review import overlays, panel
from tests.conftest import DOC_TASK, doc_pages, make_task
from tests.queue.conftest import make_entry
from tests.review.conftest import TASK_URL

DRAFT_URL = TASK_URL + "draft/"


def _annotation(n: int, entity: str, content: str, top: float, left: float, confidence: float = 0.95) -> dict:
    return {"id": f"ann_{n}", "entity_id": entity, "confidence": confidence, "content": content, "top": top,
            "left_of_line": left}  # fmt: skip


def _invoice_page() -> dict:
    """A page with two header fields and three lines, given out of their order on the page."""
    page = doc_pages()[0]
    page["annotations"] = [
        _annotation(1, "invoice_number", "INV-1", 100, 100),
        _annotation(2, "line_item_description", "Third line", 900, 100),
        _annotation(3, "line_item_amount", "€ 3,00", 901.5, 1800, confidence=0.4),
        _annotation(4, "line_item_description", "First line", 700, 100),
        _annotation(5, "line_item_amount", "€ 1,00", 700, 1800),
        _annotation(6, "line_item_description", "Second line", 800, 100),
        _annotation(7, "line_item_amount", "€ 2,00", 800, 1800, confidence=0.5),
        _annotation(8, "line_item_vat_rate", "21%", 700, 1500),  # once only, but a sibling of the repeated ones
        _annotation(9, "total_amount", "€ 6,00", 1100, 1800, confidence=0.3),
    ]
    return page


def _groups(page: dict, threshold: float = 0.8) -> dict[str, panel.Group]:
    parsed = sendai.parse_task({**DOC_TASK, "pages": [page]}).pages[0]
    items = overlays.page_items(parsed, prefix="p1-")
    return {g.key: g for g in panel.groups(items, [], threshold, overlays.line_height(parsed))}


def test_repeated_entities_and_their_siblings_are_line_items_in_rows_from_the_top():
    groups = _groups(_invoice_page())
    assert [i.entity for i in groups["fields"].items] == ["invoice_number", "total_amount"]
    lines = groups["lines"]
    assert lines.count == 7
    assert [heading for _, heading in lines.columns] == ["description", "vat rate", "amount"]  # left to right
    rows = [[[i.detail for i in cell] for cell in row.cells] for row in lines.rows]
    assert rows == [
        [["First line"], ["21%"], ["€ 1,00"]],
        [["Second line"], [], ["€ 2,00"]],
        [["Third line"], [], ["€ 3,00"]],  # 1.5 below its description: the same line
    ]


def test_each_group_counts_its_low_and_flagged_items():
    page = _invoice_page()
    bad = {"id": "ann_bad", "entity_id": "line_item_amount", "confidence": 0.9, "content": "?", "top": "a"}
    page["annotations"].append(bad)
    groups = _groups(page)
    assert (groups["lines"].count, groups["lines"].low, groups["lines"].flagged) == (8, 2, 1)
    assert (groups["fields"].count, groups["fields"].low, groups["fields"].flagged) == (2, 1, 0)
    assert groups["lines"].rows[-1].top is None  # the item with no position comes last, in a row of its own
    for kind in ("checkbox", "segment", "signature"):
        assert groups[kind].count == 1
    assert _groups(page, threshold=0.2)["lines"].low == 0


def test_a_dotted_parent_makes_line_items_and_a_page_without_repeats_has_none():
    page = doc_pages()[0]
    page["annotations"] = [
        _annotation(1, "lines.amount", "1", 500, 900),
        _annotation(2, "lines.amount", "2", 600, 900),
        _annotation(3, "lines.article", "A", 500, 100),
        _annotation(4, "vendor", "V", 100, 100),
    ]
    groups = _groups(page)
    assert [h for _, h in groups["lines"].columns] == ["article", "amount"]
    assert [i.entity for i in groups["fields"].items] == ["vendor"]
    assert "lines" not in _groups(doc_pages()[0])


def test_the_page_shows_the_groups_and_a_table_of_lines(reviewer_client):
    make_task(pages=[_invoice_page()])
    html = reviewer_client.get(TASK_URL).content.decode()
    assert re.findall(r'<details class="group group-(\w+)" open data-group', html) == [
        "fields", "lines", "checkbox", "segment", "signature"
    ]  # fmt: skip
    table = html[html.index('<table class="lines">') : html.index("</table>")]
    assert re.findall(r'<span class="detail">([^<]+)</span>', table) == [
        "First line", "21%", "€ 1,00", "Second line", "€ 2,00", "Third line", "€ 3,00"
    ]  # fmt: skip
    assert html.count('data-select="') == 12
    assert "data-add-target" in html


def test_an_addition_is_listed_once_among_the_header_fields_and_not_as_every_item(reviewer_client):
    make_task(pages=[_invoice_page()])
    data = {"op": "add", "key": "new/abc123", "kind": "annotation", "page_id": "page_1", "page_width": "2480",
            "page_height": "3508", "entity_id": "invoice_date", "content": "12-10-2026"}  # fmt: skip
    assert reviewer_client.post(DRAFT_URL, data, HTTP_ACCEPT="application/json").status_code == 200
    html = reviewer_client.get(TASK_URL).content.decode()
    assert html.count('<li class="entry added') == 1
    fields = html[html.index('data-group="fields"') : html.index('data-group="lines"')]
    assert "12-10-2026" in fields and "+1 added" in fields


def test_lowest_confidence_first_is_one_list(reviewer_client):
    make_task(pages=[_invoice_page()])
    html = reviewer_client.get(TASK_URL + "?order=confidence").content.decode()
    assert "data-group=" not in html
    confidences = [float(c) for c in re.findall(r'<li class="entry [^"]*"[^>]*data-confidence="([\d.]+)"', html)]
    assert confidences == sorted(confidences) and len(confidences) == 12


def test_renewing_the_claim_answers_the_header_with_its_new_end(reviewer_client, people):
    make_task()
    entry = make_entry("task_abcdef123456", status="REVIEWING")
    reviewer_client.get(TASK_URL)  # opening it claims it
    entry.refresh_from_db()
    assert entry.claimed_by_id == people.reviewer.pk
    html = reviewer_client.get(TASK_URL).content.decode()
    assert 'id="claim-holder"' in html and 'hx-target="#claim-holder"' in html
    response = reviewer_client.post(f"/queue/{entry.pk}/renew/", HTTP_HX_REQUEST="true")
    entry.refresh_from_db()
    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith('<span id="claim-holder"')
    assert (
        f'until <time datetime="{entry.claim_expires_at.isoformat()}">{entry.claim_expires_at:%H:%M}</time> UTC' in body
    )
    assert reviewer_client.post(f"/queue/{entry.pk}/renew/").status_code == 204  # without htmx: as before


def _long_page(fields: int = 240, boxes: int = 30) -> dict:
    """A page with many header fields (each entity once) and checkboxes: more than one window of entries."""
    page = doc_pages()[0]
    page["annotations"] = [_annotation(n, f"field_{n}", f"value {n}", 100 + n * 12, 100, 0.5) for n in range(fields)]
    box = page["checkboxes"][0]
    page["checkboxes"] = [{**box, "id": f"cb_{n}"} for n in range(boxes)]
    page["segments"], page["signatures"] = [], []
    return page


def _waiting(html: str, key: str) -> list:
    found = re.search(rf'<script id="rest-{key}" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(found.group(1)) if found else []


def test_a_long_list_draws_one_window_and_keeps_the_rest_as_data_for_the_script(reviewer_client):
    make_task(pages=[_long_page()])
    html = reviewer_client.get(TASK_URL).content.decode()
    assert html.count('data-select="') == panel.ITEMS_PER_PAGE  # markup only for the first window
    fields = _waiting(html, "fields")
    assert [len(c[1]) for c in fields] == [100, 40]  # the rest of the fields, in chunks, with their confidences
    assert sum(c[0].count("<li class='entry ") for c in fields) == 140 == sum(c[2] for c in fields)
    assert len(_waiting(html, "checkbox")) == 1  # no checkbox drawn: the window was full
    assert re.findall(r'data-rest="rest-(\w+)" data-chunk="(\d)"', html) == [
        ("fields", "0"),
        ("fields", "1"),
        ("checkbox", "0"),
    ]
    assert "</script" not in "".join(c[0] for c in fields)  # the data cannot end its block
    assert "Items 1–100 of 270" in html and 'rel="next"' in html
    assert "&lt;" not in html.split('id="page-items"')[1][:200]


def test_without_a_script_the_next_items_are_a_page_away(reviewer_client):
    make_task(pages=[_long_page()])
    html = reviewer_client.get(TASK_URL + "?items=200").content.decode()
    assert "Items 201–270 of 270" in html
    assert 'rel="prev"' in html and 'rel="next"' not in html
    shown = re.findall(r'<a href="#(item-p1-\d+)" data-select=', html)
    assert len(shown) == 70
    assert 'data-rest="' not in html  # nothing waits after the last window
    assert "value 200<" in html and "value 199<" not in html
    assert reviewer_client.get(TASK_URL + "?items=oops").status_code == 200


def test_a_short_list_is_drawn_whole_without_a_pager(reviewer_client):
    make_task(pages=[_invoice_page()])
    html = reviewer_client.get(TASK_URL).content.decode()
    assert "data-pager" not in html and "data-rest=" not in html
