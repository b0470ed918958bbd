"""Reading the task object at the boundary: strict on shape, tolerant on geometry."""

from __future__ import annotations

import copy
import dataclasses
from datetime import UTC, datetime

import pytest

from reviewer.sendai import ProtocolError, Status, Task, parse_task


def parse(doc_task):
    return parse_task(doc_task, "payload")


def page(doc_task):
    return doc_task["pages"][0]


P0 = "payload.pages[0]"


def test_it_ignores_unknown_fields(doc_task):
    expected = parse(copy.deepcopy(doc_task))
    doc_task["colour"] = "blue"
    page(doc_task)["rotation"] = 90
    page(doc_task)["checkboxes"][0]["label"] = "Paid"
    doc_task["meta"][0]["source"] = "email"
    assert parse(doc_task) == expected


def test_it_keeps_unknown_statuses_and_steps_as_text(doc_task):
    doc_task["status"], doc_task["step_type"] = "ARCHIVED", "TRANSLATE"
    task = parse(doc_task)
    assert (task.status, task.step_type) == ("ARCHIVED", "TRANSLATE")
    doc_task["status"] = "REVIEWING"
    assert parse(doc_task).status == Status.REVIEWING


def test_it_makes_immutable_objects(doc_task):
    task = parse(doc_task)
    with pytest.raises(dataclasses.FrozenInstanceError):
        task.status = "COMPLETED"
    assert isinstance(task.pages, tuple)
    assert isinstance(task.pages[0].checkboxes[0].coordinates, tuple)
    assert hash(task.meta[0])


def test_it_reads_times(doc_task):
    doc_task["exported_at"] = "2024-02-01T08:00:00+01:00"
    doc_task["last_opened_at"] = "2024-02-01T08:00:00"
    del doc_task["export_failed_at"]
    task = parse(doc_task)
    assert task.created_at == datetime(2024, 1, 15, 10, 30, tzinfo=UTC)
    assert task.exported_at == datetime(2024, 2, 1, 7, 0, tzinfo=UTC)
    assert task.last_opened_at == datetime(2024, 2, 1, 8, 0, tzinfo=UTC)
    assert task.export_failed_at is None


def test_it_treats_missing_item_lists_as_empty(doc_task):
    for key in ("annotations", "checkboxes", "segments", "signatures"):
        del page(doc_task)[key]
    del doc_task["meta"]
    task = parse(doc_task)
    assert task.meta == ()
    assert task.pages[0].annotations == task.pages[0].signatures == ()


@pytest.mark.parametrize(
    ("change", "field", "problem"),
    [
        (lambda t: t.pop("id"), "payload.id", "is missing"),
        (lambda t: t.update(id=123), "payload.id", "is not a string"),
        (lambda t: t.pop("pages"), "payload.pages", "is missing"),
        (lambda t: t.update(pages=None), "payload.pages", "is not a list"),
        (lambda t: t.update(pages="page_1"), "payload.pages", "is not a list"),
        (lambda t: t.update(approved="true"), "payload.approved", "is not true or false"),
        (lambda t: t.update(created_at="15/01/2024"), "payload.created_at", "is not an ISO 8601 time"),
        (lambda t: t.update(exported_at=0), "payload.exported_at", "is not an ISO 8601 time"),
        (lambda t: t.update(status=None), "payload.status", "is not a string"),
        (lambda t: t.update(meta={"a": "b"}), "payload.meta", "is not a list"),
        (lambda t: t["meta"][0].update(value=3), "payload.meta[0].value", "is not a string"),
        (lambda t: t["pages"].append("page_2"), "payload.pages[1]", "is not an object"),
        (lambda t: page(t).pop("width"), f"{P0}.width", "is missing"),
        (lambda t: page(t).update(height=0), f"{P0}.height", "is not positive"),
        (lambda t: page(t).update(checkboxes={}), f"{P0}.checkboxes", "is not a list"),
        (lambda t: page(t)["annotations"][0].pop("id"), f"{P0}.annotations[0].id", "is missing"),
        (lambda t: page(t)["checkboxes"][0].update(id=7), f"{P0}.checkboxes[0].id", "is not a string"),
        (lambda t: t.update(id="a/b"), "payload.id", "is not an ID of the contract's form"),
        (lambda t: t.update(project_id="proj 1"), "payload.project_id", "is not an ID of the contract's form"),
        (lambda t: t.update(upload_id=""), "payload.upload_id", "is not an ID of the contract's form"),
        (lambda t: page(t).update(id="pg/1"), f"{P0}.id", "is not an ID of the contract's form"),
        (lambda t: page(t).update(width=10**400), f"{P0}.width", "is not a number"),
    ],
)
def test_it_names_the_field_that_breaks_the_contract(doc_task, change, field, problem):
    change(doc_task)
    with pytest.raises(ProtocolError) as e:
        parse(doc_task)
    assert e.value.field == field
    assert str(e.value) == f"Send.ai sent an answer the console cannot read: {field} {problem}."


@pytest.mark.parametrize(
    ("coordinates", "problem"),
    [
        ([[1, 1], [2, 2]], "has 2 point(s); a polygon needs at least 3"),
        ([], "has 0 point(s); a polygon needs at least 3"),
        (None, "has no list of coordinates"),
        ("10,10 20,20 30,30", "has no list of coordinates"),
        ([[1, 1], [2, "2"], [3, 3]], "has a point that is not a pair of numbers"),
        ([[1, 1], [2, 2, 2], [3, 3]], "has a point that is not a pair of numbers"),
        ([[1, 1], {"x": 2, "y": 2}, [3, 3]], "has a point that is not a pair of numbers"),
        ([[1, 1], [2, None], [3, 3]], "has a point that is not a pair of numbers"),
        ([[1, 1], [2, True], [3, 3]], "has a point that is not a pair of numbers"),
        ([[1, 1], [2, float("inf")], [3, 3]], "has a point that is not a pair of numbers"),
        ([[1, 1], [-5, 2], [3, 3]], "has the point (-5, 2) outside the page"),
        ([[1, 1], [2481, 2], [3, 3]], "has the point (2481, 2) outside the page"),
        ([[1, 1], [2, 3508.5], [3, 3]], "has the point (2, 3508.5) outside the page"),
    ],
)
@pytest.mark.parametrize("kind", ["checkboxes", "segments", "signatures"])
def test_it_flags_geometry_it_cannot_draw_instead_of_failing(doc_task, coordinates, problem, kind):
    item = page(doc_task)[kind][0]
    if coordinates is None:
        del item["coordinates"]
    else:
        item["coordinates"] = coordinates
    parsed = getattr(parse(doc_task).pages[0], kind)[0]
    assert parsed.coordinates == ()
    assert parsed.geometry_problem == problem
    assert parsed.id == item["id"]


def test_it_accepts_any_polygon_of_three_or_more_points_on_the_page(doc_task):
    page(doc_task)["segments"][0]["coordinates"] = [[0, 0], [2480, 0], [1240.5, 3508]]
    segment = parse(doc_task).pages[0].segments[0]
    assert segment.coordinates == ((0.0, 0.0), (2480.0, 0.0), (1240.5, 3508.0))
    assert segment.geometry_problem is None


@pytest.mark.parametrize(
    ("top", "left", "problem"),
    [
        ("120", 340, "has a top or left_of_line that is not a number"),
        (None, 340, "has a top or left_of_line that is not a number"),
        (120, [340], "has a top or left_of_line that is not a number"),
        (4000, 340, "starts at (340, 4000), outside the page"),
        (120, -1, "starts at (-1, 120), outside the page"),
    ],
)
def test_it_flags_an_annotation_it_cannot_place(doc_task, top, left, problem):
    annotation = page(doc_task)["annotations"][0]
    annotation["top"], annotation["left_of_line"] = top, left
    parsed = parse(doc_task).pages[0].annotations[0]
    assert (parsed.top, parsed.left_of_line, parsed.geometry_problem) == (None, None, problem)
    assert parsed.content == "$1,234.56"


def test_it_reads_a_list_item_without_pages(doc_task):
    doc_task["pages"] = "not read"
    task = parse_task(doc_task, "payload[0]", with_pages=False)
    assert isinstance(task, Task)
    assert task.pages == ()


@pytest.mark.parametrize(
    ("kind", "change", "problem"),
    [
        ("checkboxes", {"confidence": None}, "its confidence (null or missing) is not a number, so it counts as 0"),
        ("checkboxes", {"confidence": "high"}, "its confidence ('high') is not a number, so it counts as 0"),
        ("segments", {"confidence": True}, "its confidence (True) is not a number, so it counts as 0"),
        ("signatures", {"confidence": float("nan")}, "its confidence (nan) is not a number, so it counts as 0"),
        ("signatures", {"confidence": 10**400}, "its confidence (a number a float cannot hold) is not a number"),
        ("checkboxes", {"checked": "yes"}, "its checked value ('yes') is not true or false, so it counts as false"),
        ("checkboxes", {"checked": 1}, "its checked value (1) is not true or false, so it counts as false"),
        ("annotations", {"content": None}, "its content (null or missing) is not text, so it is shown empty"),
        ("annotations", {"entity_id": ["total"]}, "its entity_id (['total']) is not text, so it is shown empty"),
    ],
)
def test_it_flags_an_item_with_a_bad_value_instead_of_failing_the_task(doc_task, kind, change, problem):
    page(doc_task)[kind][0].update(change)
    task = parse(doc_task)  # before issue #12: ProtocolError, the whole task unreadable
    item = getattr(task.pages[0], kind)[0]
    assert item.value_problem.startswith("Send.ai sent a bad value: ")
    assert problem in item.value_problem
    assert item.id == page(doc_task)[kind][0]["id"]
    assert getattr(task.pages[0], kind)[0].confidence == (0.0 if "confidence" in change else item.confidence)
    others = [i for k in ("annotations", "checkboxes", "segments", "signatures") for i in getattr(task.pages[0], k)]
    assert [i.value_problem for i in others if i is not item] == [None] * (len(others) - 1)


@pytest.mark.parametrize("where", ["coordinates", "top", "left_of_line"])
def test_it_flags_a_coordinate_too_large_for_a_float(doc_task, where):
    """A 400-digit coordinate: before issue #12, an OverflowError and a 500 on every page showing it."""
    huge = int("9" * 400)
    if where == "coordinates":
        page(doc_task)["segments"][0]["coordinates"][1] = [huge, 10]
        item = parse(doc_task).pages[0].segments[0]
        assert (item.coordinates, item.geometry_problem) == ((), "has a point that is not a pair of numbers")
    else:
        page(doc_task)["annotations"][0][where] = huge
        item = parse(doc_task).pages[0].annotations[0]
        assert item.geometry_problem == "has a top or left_of_line that is not a number"


def test_it_reads_a_number_a_float_can_hold_as_a_float(doc_task):
    page(doc_task)["checkboxes"][0]["confidence"] = 1
    checkbox = parse(doc_task).pages[0].checkboxes[0]
    assert checkbox.confidence == 1.0 and isinstance(checkbox.confidence, float)
    assert checkbox.value_problem is None
