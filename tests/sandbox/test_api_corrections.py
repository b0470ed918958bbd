"""Complete with corrections (API.md §5, docs/corrections.md), over real HTTP.

The task is the documentation's example: one A4 page (2480 × 3508) with ann_1 (total_amount,
"$1,234.56"), cb_1 (ticked), seg_1 and sig_1.
"""

from __future__ import annotations

import copy
import json

import pytest

from reviewer.sandbox import seed
from reviewer.sandbox.models import ApiKey, Correction, Event, Status, Task, TrainingExample, ValidationRule
from tests.conftest import doc_pages, make_key, make_project, make_task
from tests.sandbox.conftest import TASK, error_of

BOX = [[40, 40], [410, 40], [410, 210], [40, 210]]
SQUARE = [[100, 100], [130, 100], [130, 130], [100, 130]]


def complete(api, key, corrections=None, **kwargs):
    if corrections is not None:
        kwargs["json"] = {"corrections": corrections}
    return api.post(TASK + "/complete", key, **kwargs)


def update(item_id: str, kind: str, **fields) -> dict:
    return {"op": "update", "page_id": "page_1", "item_id": item_id, "kind": kind, "fields": fields}


def remove(item_id: str, kind: str) -> dict:
    return {"op": "remove", "page_id": "page_1", "item_id": item_id, "kind": kind}


def add(kind: str, page_id: str = "page_1", **item) -> dict:
    return {"op": "add", "page_id": page_id, "kind": kind, "item": item}


def page_of(response) -> dict:
    return response.json()["payload"]["pages"][0]


def item(page: dict, kind: str, item_id: str) -> dict:
    return next(i for i in page[kind] if i["id"] == item_id)


def test_it_updates_an_item_of_each_kind(api, settings):
    settings.SANDBOX_PROCESSING_DELAY = 60
    task, key = make_task(), make_key(name="rita's key")
    r = complete(
        api,
        key,
        [
            update("ann_1", "annotation", content="$1,234.65", entity_id="amount_due", top=130.0, left_of_line=350),
            update("cb_1", "checkbox", checked=False, coordinates=SQUARE),
            update("seg_1", "segment", coordinates=BOX),
            update("sig_1", "signature", coordinates=[[800, 600], [1100, 600], [950, 760]]),
        ],
    )
    assert r.status_code == 200
    assert r.json()["message"] == "Task processing started"
    assert r.json()["payload"]["status"] == "PROCESSING"
    page = page_of(r)
    assert page["annotations"] == [
        {
            "id": "ann_1",
            "entity_id": "amount_due",
            "confidence": 0.98,
            "content": "$1,234.65",
            "top": 130.0,
            "left_of_line": 350,
            "corrected": True,
            "original": {"content": "$1,234.56", "entity_id": "total_amount", "top": 120.5, "left_of_line": 340.0},
        }
    ]
    assert page["checkboxes"] == [
        {
            "id": "cb_1",
            "confidence": 0.92,
            "checked": False,
            "coordinates": SQUARE,
            "corrected": True,
            "original": {"checked": True, "coordinates": [[100, 100], [120, 100], [120, 120], [100, 120]]},
        }
    ]
    assert item(page, "segments", "seg_1")["original"] == {"coordinates": [[50, 50], [400, 50], [400, 200], [50, 200]]}
    assert item(page, "segments", "seg_1")["coordinates"] == BOX
    assert item(page, "signatures", "sig_1")["corrected"] is True
    assert "removed" not in page
    assert api.get(TASK, key).json()["payload"]["pages"] == r.json()["payload"]["pages"]
    task.refresh_from_db()
    assert task.pages == r.json()["payload"]["pages"]
    rows = list(Correction.objects.order_by("index").values("index", "op", "kind", "page_id", "item_id", "before"))
    assert [(c["index"], c["op"], c["kind"], c["page_id"], c["item_id"]) for c in rows] == [
        (0, "update", "annotation", "page_1", "ann_1"),
        (1, "update", "checkbox", "page_1", "cb_1"),
        (2, "update", "segment", "page_1", "seg_1"),
        (3, "update", "signature", "page_1", "sig_1"),
    ]
    first = Correction.objects.get(index=0)
    assert first.before == {"content": "$1,234.56", "entity_id": "total_amount", "top": 120.5, "left_of_line": 340.0}
    assert first.after == {"content": "$1,234.65", "entity_id": "amount_due", "top": 130.0, "left_of_line": 350}
    assert first.api_key == ApiKey.objects.get(name="rita's key")
    assert first.created_at is not None and first.task == task


def test_it_marks_an_unchanged_value_corrected_without_an_original(api):
    make_task()
    r = complete(api, make_key(), [update("ann_1", "annotation", content="$1,234.56")])
    assert r.status_code == 200
    annotation = page_of(r)["annotations"][0]
    assert annotation["corrected"] is True
    assert "original" not in annotation


def test_it_removes_an_item_of_each_kind(api):
    task, key = make_task(), make_key()
    r = complete(
        api,
        key,
        [
            remove("ann_1", "annotation"),
            remove("cb_1", "checkbox"),
            remove("seg_1", "segment"),
            remove("sig_1", "signature"),
        ],
    )
    assert r.status_code == 200
    page = page_of(r)
    assert (page["annotations"], page["checkboxes"], page["segments"], page["signatures"]) == ([], [], [], [])
    original = doc_pages()[0]
    assert page["removed"] == [
        {
            "id": "ann_1",
            "kind": "annotation",
            "original": {"entity_id": "total_amount", "content": "$1,234.56", "top": 120.5, "left_of_line": 340.0},
        },
        {
            "id": "cb_1",
            "kind": "checkbox",
            "original": {"checked": True, "coordinates": original["checkboxes"][0]["coordinates"]},
        },
        {"id": "seg_1", "kind": "segment", "original": {"coordinates": original["segments"][0]["coordinates"]}},
        {"id": "sig_1", "kind": "signature", "original": {"coordinates": original["signatures"][0]["coordinates"]}},
    ]
    assert api.get(TASK, key).json()["payload"]["pages"][0]["removed"] == page["removed"]
    assert Correction.objects.get(item_id="ann_1").after == {}
    task.refresh_from_db()
    assert task.pages[0]["removed"] == page["removed"]


def test_it_adds_an_item_of_each_kind(api):
    make_task()
    key = make_key()
    r = complete(
        api,
        key,
        [
            add("annotation", entity_id="invoice_date", content="12-10-2026", top=410.0, left_of_line=1440.0),
            add("annotation", entity_id="vat", content="€ 21,00"),
            add("checkbox", checked=True, coordinates=SQUARE),
            add("segment", coordinates=BOX),
            add("signature", coordinates=BOX),
        ],
    )
    assert r.status_code == 200
    page = page_of(r)
    assert page["annotations"][1:] == [
        {
            "id": "ann_c1",
            "entity_id": "invoice_date",
            "confidence": 1.0,
            "content": "12-10-2026",
            "top": 410.0,
            "left_of_line": 1440.0,
            "corrected": True,
        },
        {
            "id": "ann_c2",
            "entity_id": "vat",
            "confidence": 1.0,
            "content": "€ 21,00",
            "top": None,
            "left_of_line": None,
            "corrected": True,
        },
    ]
    assert page["checkboxes"][1] == {
        "id": "cb_c1",
        "confidence": 1.0,
        "checked": True,
        "coordinates": SQUARE,
        "corrected": True,
    }
    assert page["segments"][1] == {"id": "seg_c1", "confidence": 1.0, "coordinates": BOX, "corrected": True}
    assert page["signatures"][1] == {"id": "sig_c1", "confidence": 1.0, "coordinates": BOX, "corrected": True}
    assert api.get(TASK, key).json()["payload"]["pages"][0] == page
    added = Correction.objects.get(item_id="ann_c2")
    assert (added.op, added.before) == ("add", {})
    assert added.after == {
        "id": "ann_c2",
        "entity_id": "vat",
        "confidence": 1.0,
        "content": "€ 21,00",
        "top": None,
        "left_of_line": None,
    }


def test_it_adds_an_annotation_with_both_positions_null(api):
    make_task()
    r = complete(api, make_key(), [add("annotation", entity_id="vat", content="x", top=None, left_of_line=None)])
    assert r.status_code == 200
    assert (page_of(r)["annotations"][1]["top"], page_of(r)["annotations"][1]["left_of_line"]) == (None, None)


def test_it_gives_added_items_ids_unique_within_the_task(api):
    pages = doc_pages()
    second = copy.deepcopy(pages[0])
    second["id"] = "page_2"
    second["annotations"] = [{**second["annotations"][0], "id": "ann_c4"}]
    second["removed"] = [{"id": "cb_c2", "kind": "checkbox", "original": {}}]
    make_task(pages=[pages[0], second])
    r = complete(
        api,
        make_key(),
        [add("annotation", entity_id="vat", content="x"), add("checkbox", checked=False, coordinates=SQUARE)],
    )
    assert r.status_code == 200
    page = page_of(r)
    assert [a["id"] for a in page["annotations"]] == ["ann_1", "ann_c5"]
    assert [c["id"] for c in page["checkboxes"]] == ["cb_1", "cb_c3"]


def test_it_keeps_the_ai_values_as_original_when_a_task_is_corrected_again(api, settings):
    settings.SANDBOX_PROCESSING_DELAY = 0
    task, key = make_task(upload_id="upl_open"), make_key()
    make_task("task_other", upload_id="upl_open")  # keeps the upload open, so that the task can be unlocked
    assert complete(api, key, [update("ann_1", "annotation", content="$1,234.65"), remove("seg_1", "segment")]).ok
    assert api.get(TASK, key).json()["payload"]["status"] == "COMPLETED"
    assert api.post(TASK + "/unlock", key).json()["payload"]["status"] == "REVIEWING"
    r = complete(api, key, [update("ann_1", "annotation", content="$1,234.66"), add("segment", coordinates=BOX)])
    assert r.status_code == 200
    page = page_of(r)
    assert page["annotations"][0]["content"] == "$1,234.66"
    assert page["annotations"][0]["original"] == {"content": "$1,234.56"}
    assert [s["id"] for s in page["segments"]] == ["seg_c1"]
    assert [r["id"] for r in page["removed"]] == ["seg_1"]
    assert Correction.objects.filter(task=task).count() == 4
    second = Correction.objects.get(task=task, item_id="ann_1", after={"content": "$1,234.66"})
    assert second.before == {"content": "$1,234.65"}


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"data": b""},
        {"json": {}},
        {"json": {"corrections": []}},
        {"data": b"", "headers": {"Content-Type": "text/plain"}},
    ],
    ids=["no-body", "empty-body", "empty-object", "empty-list", "empty-body-not-json"],
)
def test_it_completes_plainly_without_corrections(api, kwargs):
    task = make_task()
    r = api.post(TASK + "/complete", make_key(), **kwargs)
    assert r.status_code == 200
    assert r.json()["payload"]["pages"] == doc_pages()
    task.refresh_from_db()
    assert (task.status, task.pages) == (Status.PROCESSING, doc_pages())
    assert not Correction.objects.exists()


GOOD = update("ann_1", "annotation", content="$1,234.65")
LONG = "x" * 2001

REFUSALS = {
    # The body's shape.
    "not-an-object": ([GOOD], 'body: must be a JSON object, {"corrections": [operation, ...]}.'),
    "unknown-top-level-field": (
        {"correction": [GOOD]},
        "correction: unknown field; the body of complete holds only corrections.",
    ),
    "corrections-not-a-list": ({"corrections": {"0": GOOD}}, "corrections: must be a list of operations."),
    "operation-not-an-object": (
        {"corrections": [GOOD, "update"]},
        "corrections[1]: must be an object with op, kind and page_id.",
    ),
    "no-op": (
        {"corrections": [{"page_id": "page_1", "kind": "annotation"}]},
        "corrections[0].op: required (update, remove or add).",
    ),
    "unknown-op": ({"corrections": [{**GOOD, "op": "replace"}]}, "corrections[0].op: must be update, remove or add."),
    "unknown-kind": (
        {"corrections": [{**GOOD, "kind": "table"}]},
        "corrections[0].kind: must be annotation, checkbox, segment or signature.",
    ),
    "unknown-operation-field": (
        {"corrections": [{**GOOD, "note": "x"}]},
        "corrections[0].note: not a field of an update operation (op, page_id, item_id, kind, fields).",
    ),
    "item-id-on-add": (
        {"corrections": [{**add("segment", coordinates=BOX), "item_id": "seg_9"}]},
        "corrections[0].item_id: an added item gets its id from the API; leave item_id out.",
    ),
    "no-page-id": (
        {"corrections": [{k: v for k, v in GOOD.items() if k != "page_id"}]},
        "corrections[0].page_id: required.",
    ),
    "bad-item-id": (
        {"corrections": [{**GOOD, "item_id": "ann 1"}]},
        "corrections[0].item_id: must be an ID: 1 to 128 letters, digits, '_', '.' or '-', starting with a letter"
        " or a digit.",
    ),
    "no-fields": (
        {"corrections": [remove("ann_1", "annotation") | {"op": "update"}]},
        "corrections[0].fields: required (an object of the fields to set).",
    ),
    "empty-fields": (
        {"corrections": [update("ann_1", "annotation")]},
        "corrections[0].fields: must be a non-empty object of the fields to set.",
    ),
    "fields-on-remove": (
        {"corrections": [{**remove("ann_1", "annotation"), "fields": {"content": "x"}}]},
        "corrections[0].fields: not a field of a remove operation (op, page_id, item_id, kind).",
    ),
    # Wrong types.
    "content-not-a-string": (
        {"corrections": [update("ann_1", "annotation", content=5)]},
        "corrections[0].fields.content: must be a string.",
    ),
    "checked-not-a-boolean": (
        {"corrections": [update("cb_1", "checkbox", checked="yes")]},
        "corrections[0].fields.checked: must be true or false.",
    ),
    "top-not-a-number": (
        {"corrections": [update("ann_1", "annotation", top="12", left_of_line=3)]},
        "corrections[0].fields.top: must be a number (page pixels), or null for no position.",
    ),
    "top-a-boolean": (
        {"corrections": [update("ann_1", "annotation", top=True, left_of_line=3)]},
        "corrections[0].fields.top: must be a number (page pixels), or null for no position.",
    ),
    "top-without-left": (
        {"corrections": [update("ann_1", "annotation", top=12)]},
        "corrections[0].fields.left_of_line: give top and left_of_line together (both numbers, or both null).",
    ),
    "entity-not-an-id": (
        {"corrections": [update("ann_1", "annotation", entity_id="total amount")]},
        "corrections[0].fields.entity_id: must be an ID: 1 to 128 letters, digits, '_', '.' or '-', starting with a"
        " letter or a digit.",
    ),
    "coordinates-not-a-list": (
        {"corrections": [update("seg_1", "segment", coordinates="40,40 410,40 410,210")]},
        "corrections[0].fields.coordinates: must be a list of 3 to 100 points [x, y].",
    ),
    # Mixed kinds: fields of another kind, an item of another kind.
    "fields-of-another-kind": (
        {"corrections": [update("cb_1", "checkbox", content="x")]},
        "corrections[0].fields.content: a checkbox has no such field (only checked, coordinates).",
    ),
    "item-field-of-another-kind": (
        {"corrections": [add("segment", coordinates=BOX, checked=True)]},
        "corrections[0].item.checked: a segment has no such field (only coordinates).",
    ),
    # The values' limits.
    "content-too-long": (
        {"corrections": [update("ann_1", "annotation", content=LONG)]},
        "corrections[0].fields.content: at most 2000 characters (2001 given).",
    ),
    "content-with-a-tab": (
        {"corrections": [update("ann_1", "annotation", content="12\t10")]},
        "corrections[0].fields.content: must be one line without control characters (no NUL, tab or line break).",
    ),
    "content-with-a-line-break": (
        {"corrections": [GOOD, add("annotation", entity_id="vat", content="a\nb")]},
        "corrections[1].item.content: must be one line without control characters (no NUL, tab or line break).",
    ),
    "content-with-nul": (
        {"corrections": [update("ann_1", "annotation", content="a\x00b")]},
        "corrections[0].fields.content: must be one line without control characters (no NUL, tab or line break).",
    ),
    "polygon-with-2-points": (
        {"corrections": [update("seg_1", "segment", coordinates=[[40, 40], [410, 40]])]},
        "corrections[0].fields.coordinates: must be a list of 3 to 100 points [x, y].",
    ),
    "polygon-with-101-points": (
        {"corrections": [update("seg_1", "segment", coordinates=[[i, i * i % 97] for i in range(101)])]},
        "corrections[0].fields.coordinates: must be a list of 3 to 100 points [x, y].",
    ),
    "polygon-with-a-non-number": (
        {"corrections": [update("sig_1", "signature", coordinates=[[40, 40], [410, "40"], [410, 210]])]},
        "corrections[0].fields.coordinates[1]: must be a point [x, y] of two numbers.",
    ),
    "polygon-with-a-short-point": (
        {"corrections": [update("sig_1", "signature", coordinates=[[40, 40], [410], [410, 210]])]},
        "corrections[0].fields.coordinates[1]: must be a point [x, y] of two numbers.",
    ),
    "polygon-with-zero-area": (
        {"corrections": [update("seg_1", "segment", coordinates=[[40, 40], [200, 40], [410, 40]])]},
        "corrections[0].fields.coordinates: the points lie on one line; a polygon needs an area.",
    ),
    # Adds.
    "add-with-an-id": (
        {"corrections": [add("segment", coordinates=BOX, id="seg_9")]},
        "corrections[0].item.id: the API sets the id of an added item; leave it out.",
    ),
    "add-with-a-confidence": (
        {"corrections": [add("annotation", entity_id="vat", content="x", confidence=0.5)]},
        "corrections[0].item.confidence: the API sets the confidence of an added item; leave it out.",
    ),
    "add-without-content": (
        {"corrections": [add("annotation", entity_id="vat")]},
        "corrections[0].item.content: required for an added annotation.",
    ),
    "add-checkbox-without-checked": (
        {"corrections": [add("checkbox", coordinates=SQUARE)]},
        "corrections[0].item.checked: required for an added checkbox.",
    ),
    "add-without-item": (
        {"corrections": [{"op": "add", "page_id": "page_1", "kind": "signature"}]},
        "corrections[0].item: required (the new signature, without id and confidence).",
    ),
    # One operation per item.
    "repeated-item": (
        {"corrections": [GOOD, update("cb_1", "checkbox", checked=False), remove("ann_1", "annotation")]},
        "corrections[2].item_id: annotation ann_1 on page page_1 already has an operation (corrections[0]); give"
        " each item at most one.",
    ),
    "too-many-operations": (
        {"corrections": [add("annotation", entity_id="vat", content="x")] * 5001},
        "corrections: at most 5000 operations (5001 given).",
    ),
    # References to the task's pages and items.
    "unknown-page": (
        {"corrections": [GOOD, {**update("cb_1", "checkbox", checked=False), "page_id": "page_9"}]},
        "corrections[1].page_id: no page page_9 in this task.",
    ),
    "add-on-a-page-that-does-not-exist": (
        {"corrections": [add("segment", page_id="page_2", coordinates=BOX)]},
        "corrections[0].page_id: no page page_2 in this task.",
    ),
    "unknown-item": (
        {"corrections": [update("cb_9", "checkbox", checked=False)]},
        "corrections[0].item_id: no checkbox cb_9 on page page_1.",
    ),
    "item-of-another-kind": (
        {"corrections": [update("ann_1", "checkbox", checked=False)]},
        "corrections[0].item_id: no checkbox ann_1 on page page_1 (ann_1 is an annotation).",
    ),
    "position-outside-the-page": (
        {"corrections": [update("ann_1", "annotation", top=120, left_of_line=2481)]},
        "corrections[0].fields.left_of_line: the line's start (left 2481, top 120) is outside the page (2480 × 3508).",
    ),
    "negative-position": (
        {"corrections": [add("annotation", entity_id="vat", content="x", top=-1, left_of_line=10)]},
        "corrections[0].item.top: the line's start (left 10, top -1) is outside the page (2480 × 3508).",
    ),
    "polygon-outside-the-page": (
        {"corrections": [update("seg_1", "segment", coordinates=[[40, 40], [2900, 40], [410, 210]])]},
        "corrections[0].fields.coordinates[1]: the point (2900, 40) is outside the page (2480 × 3508).",
    ),
    # All or nothing: a bad operation at the end.
    "bad-operation-last": (
        {
            "corrections": [
                GOOD,
                remove("seg_1", "segment"),
                add("signature", coordinates=BOX),
                update("sig_9", "signature", coordinates=BOX),
            ]
        },
        "corrections[3].item_id: no signature sig_9 on page page_1.",
    ),
}


@pytest.mark.parametrize(("body", "message"), REFUSALS.values(), ids=REFUSALS.keys())
def test_it_refuses_corrections_and_applies_none(api, body, message):
    task = make_task()
    r = api.post(TASK + "/complete", make_key(), json=body)
    assert r.status_code == 400
    assert error_of(r) == {"code": "invalid_corrections", "message": message}
    task.refresh_from_db()
    assert (task.status, task.pages) == (Status.REVIEWING, doc_pages())
    assert not Correction.objects.exists()
    assert api.get(TASK, make_key()).json()["payload"]["pages"] == doc_pages()


def test_it_refuses_invalid_json(api):
    make_task()
    for data in (b'{"corrections": [', b'{"corrections": [{"op": "update", "fields": {"top": NaN}}]}'):
        r = api.post(TASK + "/complete", make_key(), data=data, headers={"Content-Type": "application/json"})
        assert r.status_code == 400
        assert error_of(r)["code"] == "invalid_json"


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/jsonl"])
def test_it_refuses_a_body_that_is_not_json_with_415(api, content_type):
    task = make_task()
    body = json.dumps({"corrections": [GOOD]}).encode()
    r = api.post(TASK + "/complete", make_key(), data=body, headers={"Content-Type": content_type})
    assert r.status_code == 415
    assert error_of(r)["code"] == "unsupported_media_type"
    task.refresh_from_db()
    assert task.status == Status.REVIEWING


def padded(size: int) -> bytes:
    body = json.dumps({"corrections": [GOOD]}).encode()
    return body + b" " * (size - len(body))


def test_it_refuses_a_body_above_8_mib_with_413(api):
    task = make_task()
    r = api.post(
        TASK + "/complete", make_key(), data=padded(8 * 1024 * 1024 + 1), headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 413
    assert error_of(r) == {"code": "payload_too_large", "message": "The request body is larger than 8 MiB."}
    task.refresh_from_db()
    assert task.status == Status.REVIEWING


def test_it_takes_a_body_of_8_mib(api):
    make_task()
    r = api.post(
        TASK + "/complete", make_key(), data=padded(8 * 1024 * 1024), headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 200
    assert page_of(r)["annotations"][0]["content"] == "$1,234.65"


def test_it_keeps_the_64_kib_limit_for_reports(api):
    make_task()
    issue = {"label": "Poor Document Quality", "value": "poor_quality"}
    body = json.dumps({"issues": [issue], "message": "x" * 70_000})
    r = api.post(TASK + "/report", make_key(), data=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert error_of(r)["message"] == "The request body is larger than 64 KiB."


def test_it_accepts_5000_operations(api):
    task = make_task()
    operations = [
        update("ann_1", "annotation", content="$1,234.65"),
        update("cb_1", "checkbox", checked=False),
        remove("seg_1", "segment"),
        update("sig_1", "signature", coordinates=BOX),
        *(add("annotation", entity_id=f"line_{n}", content=f"Line {n}: € {n},00") for n in range(4996)),
    ]
    body = json.dumps({"corrections": operations})
    assert len(body) > 64 * 1024
    r = api.post(TASK + "/complete", make_key(), data=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 200
    annotations = page_of(r)["annotations"]
    assert len(annotations) == 4997
    assert annotations[-1]["id"] == "ann_c4996"
    assert len({a["id"] for a in annotations}) == 4997
    assert Correction.objects.filter(task=task).count() == 5000


@pytest.mark.parametrize("status", [s for s in Status if s != Status.REVIEWING])
def test_it_refuses_corrections_to_a_task_not_in_review(api, status):
    task = make_task(status=status)
    r = complete(api, make_key(), [GOOD, update("cb_9", "checkbox", checked=False)])  # cb_9: no such item
    assert r.status_code == 400
    assert error_of(r)["code"] == "invalid_status"  # the status is checked before the references
    task.refresh_from_db()
    assert (task.status, task.pages) == (status, doc_pages())


def test_it_checks_the_bodys_shape_before_the_tasks_status(api):
    make_task(status=Status.COMPLETED)
    r = complete(api, make_key(), [update("ann_1", "annotation", content=5)])
    assert error_of(r)["code"] == "invalid_corrections"


def test_it_checks_the_key_and_access_before_the_body(api):
    make_task()
    assert complete(api, None, [{"op": "nonsense"}]).status_code == 401
    assert complete(api, make_key(("task.read",)), [{"op": "nonsense"}]).status_code == 403
    elsewhere = make_key(project=make_project("team_123456", "proj_other"))
    assert complete(api, elsewhere, [{"op": "nonsense"}]).status_code == 404


def test_it_refuses_a_second_complete(api, settings):
    settings.SANDBOX_PROCESSING_DELAY = 60
    task, key = make_task(), make_key()
    assert complete(api, key, [GOOD]).status_code == 200
    r = complete(api, key, [update("ann_1", "annotation", content="$9.99"), remove("cb_1", "checkbox")])
    assert r.status_code == 400
    assert error_of(r)["code"] == "invalid_status"
    task.refresh_from_db()
    assert task.pages[0]["annotations"][0]["content"] == "$1,234.65"
    assert len(task.pages[0]["checkboxes"]) == 1
    assert Correction.objects.count() == 1


def rule(task: Task, kind: str, entity_id: str, category: str = "") -> None:
    ValidationRule.objects.create(project=task.project, rule=kind, entity_id=entity_id, category=category)


def test_it_completes_once_corrections_make_the_task_pass_validation(api):
    task, key = make_task(), make_key()
    rule(task, "required", "invoice_date", "invoice")
    rule(task, "date", "invoice_date", "invoice")
    rule(task, "amount", "total_amount", "invoice")
    Task.objects.filter(pk=task.pk).update(pages=_with_content(doc_pages(), "$1,2E4.S6"))
    r = complete(api, key)
    assert r.status_code == 400
    body = r.json()
    assert body["payload"] is None
    assert body["error"] == {
        "code": "validation_failed",
        "message": 'Validation failed: invoice_date: missing; total_amount: not an amount ("$1,2E4.S6")',
        "failures": [
            {"rule": "required", "entity_id": "invoice_date", "message": "missing", "page_id": None, "item_id": None},
            {
                "rule": "amount",
                "entity_id": "total_amount",
                "message": 'not an amount ("$1,2E4.S6")',
                "page_id": "page_1",
                "item_id": "ann_1",
            },
        ],
    }
    # Corrections that fix one failure of two: refused, and nothing applied.
    r = complete(api, key, [update("ann_1", "annotation", content="$1,234.56")])
    assert error_of(r)["message"] == "Validation failed: invoice_date: missing"
    assert error_of(r)["failures"] == [
        {"rule": "required", "entity_id": "invoice_date", "message": "missing", "page_id": None, "item_id": None}
    ]
    task.refresh_from_db()
    assert (task.status, task.pages[0]["annotations"][0]["content"]) == (Status.REVIEWING, "$1,2E4.S6")
    assert not Correction.objects.exists()
    # A date that is not one.
    r = complete(
        api,
        key,
        [
            update("ann_1", "annotation", content="$1,234.56"),
            add("annotation", entity_id="invoice_date", content="31-13-2026"),
        ],
    )
    assert error_of(r)["failures"] == [
        {
            "rule": "date",
            "entity_id": "invoice_date",
            "message": 'not a date ("31-13-2026")',
            "page_id": "page_1",
            "item_id": "ann_c1",
        }
    ]
    r = complete(
        api,
        key,
        [
            update("ann_1", "annotation", content="$1,234.56"),
            add("annotation", entity_id="invoice_date", content="12-10-2026"),
        ],
    )
    assert r.status_code == 200
    assert r.json()["payload"]["status"] == "PROCESSING"
    assert Correction.objects.count() == 2


def _with_content(pages: list[dict], content: str) -> list[dict]:
    pages[0]["annotations"][0]["content"] = content
    return pages


def test_it_applies_rules_only_to_their_category(api):
    task = make_task()
    rule(task, "required", "receipt_date", "receipt")
    assert complete(api, make_key()).status_code == 200


def test_it_applies_a_rule_without_category_to_every_task(api):
    task = make_task()
    rule(task, "required", "receipt_date")
    r = complete(api, make_key())
    assert error_of(r)["message"] == "Validation failed: receipt_date: missing"


def test_it_checks_the_line_totals_after_the_corrections(api):
    pages = doc_pages()
    pages[0]["annotations"] = [
        {
            "id": "ann_1",
            "entity_id": "line_item_amount",
            "confidence": 0.9,
            "content": "€ 100,00",
            "top": 100,
            "left_of_line": 100,
        },
        {
            "id": "ann_2",
            "entity_id": "line_item_amount",
            "confidence": 0.4,
            "content": "€ 250,50",
            "top": 200,
            "left_of_line": 100,
        },
        {"id": "ann_3", "entity_id": "vat", "confidence": 0.9, "content": "€ 52,61", "top": 300, "left_of_line": 100},
        {
            "id": "ann_4",
            "entity_id": "total_amount",
            "confidence": 0.9,
            "content": "€ 343,11",
            "top": 400,
            "left_of_line": 100,
        },
    ]
    task, key = make_task(pages=pages), make_key()
    rule(task, "line_totals", "total_amount")
    r = complete(api, key)
    assert error_of(r)["failures"] == [
        {
            "rule": "line_totals",
            "entity_id": "total_amount",
            "message": "line items (350.50) plus VAT (52.61) make 403.11, not 343.11",
            "page_id": None,
            "item_id": None,
        }
    ]
    assert complete(api, key, [update("ann_2", "annotation", content="€ 190,50")]).status_code == 200


def test_it_puts_the_corrected_values_into_the_training_dataset(api, settings):
    settings.SANDBOX_PROCESSING_DELAY = 0
    task, key = make_task(), make_key()
    r = complete(api, key, [GOOD, remove("cb_1", "checkbox"), add("segment", coordinates=BOX)])
    corrected = r.json()["payload"]["pages"]
    assert api.get(TASK, key).json()["payload"]["status"] == "COMPLETED"
    assert api.post(TASK + "/approve", key).status_code == 200
    example = TrainingExample.objects.get(task=task)
    assert example.pages == corrected
    assert example.pages[0]["annotations"][0]["content"] == "$1,234.65"
    assert example.pages[0]["checkboxes"] == []
    assert example.pages[0]["segments"][1]["id"] == "seg_c1"
    # The snapshot is of the approval: a later change to the task does not alter it.
    Task.objects.filter(pk=task.pk).update(pages=doc_pages())
    example.refresh_from_db()
    assert example.pages == corrected


def test_it_publishes_the_status_change_once_for_a_corrected_complete(api):
    make_task()
    assert complete(api, make_key(), [GOOD]).status_code == 200
    assert Event.objects.filter(event="task_status_changed", task__status="PROCESSING").count() == 1


# The seeded tasks that fail validation, and the corrections that make each pass (the browser
# test of the console corrects task_demo_016 the same way, from the keyboard).
SEEDED = {
    "task_demo_016": (
        'Validation failed: invoice_date: missing; total_amount: not an amount ("€ 6.749,11?")',
        [
            add("annotation", entity_id="invoice_date", content="15-10-2026"),
            update("ann_53", "annotation", content="€ 6.749,11"),
        ],
    ),
    "task_demo_047": (
        'Validation failed: invoice_date: not a date ("11 November 2O26")',
        [update("ann_6", "annotation", content="11 November 2026")],
    ),
    "task_demo_048": (
        "Validation failed: invoice_date: empty",
        [update("ann_6", "annotation", content="13-11-2026")],
    ),
    "task_demo_049": (
        "Validation failed: total_amount: line items (12,774.60) plus VAT (1,847.26) make 14,621.86, not 14,611.86",
        [update("ann_21", "annotation", content="€ 212,04")],
    ),
}


@pytest.mark.parametrize("task_id", SEEDED)
def test_it_completes_a_seeded_task_that_fails_validation_once_corrected(api, task_id):
    seed.seed()
    key = make_key(project=make_project("team_demo", "proj_demo"))
    path = f"/v2/team_demo/project/proj_demo/task/{task_id}/complete"
    message, corrections = SEEDED[task_id]
    r = api.post(path, key)
    assert r.status_code == 400
    assert error_of(r)["code"] == "validation_failed"
    assert error_of(r)["message"] == message
    r = api.post(path, key, json={"corrections": corrections})
    assert r.status_code == 200
    assert r.json()["payload"]["status"] == "PROCESSING"
