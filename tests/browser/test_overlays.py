"""What the page viewer draws: every item of the task's data, by kind, or flagged when it cannot be."""

from __future__ import annotations

import math

import pytest

from tests.browser.conftest import upstream_task

KINDS = {"annotation": "annotations", "checkbox": "checkboxes", "segment": "segments", "signature": "signatures"}


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _drawable(kind: str, item: dict, width: float, height: float) -> bool:
    """Whether the contract's geometry places the item on its page."""
    if kind == "annotation":
        top, left = item.get("top"), item.get("left_of_line")
        return _number(top) and _number(left) and 0 <= left <= width and 0 <= top <= height
    points = item.get("coordinates")
    return (
        isinstance(points, list)
        and len(points) >= 3
        and all(
            isinstance(p, list)
            and len(p) == 2
            and _number(p[0])
            and _number(p[1])
            and 0 <= p[0] <= width
            and 0 <= p[1] <= height
            for p in points
        )
    )


def _expected(page_data: dict) -> dict[str, dict[str, int]]:
    """Per kind: how many items the data has, how many can be drawn, how many drawn ones are ticked."""
    width, height = page_data["width"], page_data["height"]
    out = {}
    for kind, key in KINDS.items():
        items = page_data.get(key) or []
        drawable = [i for i in items if _drawable(kind, i, width, height)]
        out[kind] = {
            "all": len(items),
            "drawn": len(drawable),
            "ticked": sum(1 for i in drawable if i.get("checked") is True),
        }
    return out


def _seen(page) -> dict[str, dict[str, int]]:
    # A long list is drawn as it is reached (docs/viewer.md): draw all of it, as Tab does.
    page.evaluate("() => window.Reviewer.entries()")
    return page.evaluate(
        """(kinds) => Object.fromEntries(kinds.map(kind => [kind, {
            all: document.querySelectorAll(`#viewer .entry.kind-${kind}`).length,
            drawn: document.querySelectorAll(`.page-svg .item.kind-${kind}`).length,
            ticked: document.querySelectorAll(`.page-svg .item.kind-${kind}.checked`).length,
            flagged: document.querySelectorAll(`#viewer .entry.kind-${kind}.flagged`).length,
        }]))""",
        list(KINDS),
    )


@pytest.mark.parametrize(
    ("task_id", "undrawable"),
    [
        ("task_abcdef123456", 0),  # the documentation's example: one item of each kind
        ("task_demo_023", 0),  # a form: checkboxes ticked and not, signatures
        ("task_demo_017", 1),  # a checkbox with two points
        ("task_demo_024", 1),  # a segment off the page
        ("task_demo_031", 1),  # a signature with a point that is not a number
        ("task_demo_038", 1),  # a signature with a one-number point
        ("task_demo_019", 0),  # 1,206 items over 5 pages
    ],
)
def test_it_draws_every_item_of_each_kind_on_every_page(console, task_id, undrawable):
    pages = upstream_task(task_id).pages
    flagged_total = 0
    for number, page_data in enumerate(pages, start=1):
        console.open(task_id, f"?page={number}")
        expected, seen = _expected(page_data), _seen(console.page)
        for kind in KINDS:
            want, got = expected[kind], seen[kind]
            where = f"{task_id} page {number} {kind}s"
            assert got["drawn"] == want["drawn"], f"{where}: drawn"
            assert got["all"] == want["all"], f"{where}: listed"
            assert got["flagged"] == want["all"] - want["drawn"], f"{where}: flagged as cannot be drawn"
            assert got["ticked"] == want["ticked"], f"{where}: ticked"
            flagged_total += got["flagged"]
        entries = console.page.locator("#viewer [data-select]")
        assert entries.count() == sum(e["all"] for e in expected.values())
        heading = console.page.locator("#items-h")
        assert f"({entries.count()})" in heading.inner_text()
    assert flagged_total == undrawable


def test_a_flagged_item_has_no_region_but_keeps_its_entry(console, screenshot):
    console.open("task_demo_017")
    page = console.page
    flagged = page.locator("#viewer .entry.flagged")
    assert flagged.count() == 1
    assert "Cannot be drawn" in flagged.inner_text()
    target = flagged.locator("a[data-select]").get_attribute("data-select")
    assert page.locator(f"#{target}").count() == 0
    screenshot(page)
