"""A page with many items: the overlays are drawn from the page's data, the item list as it is reached."""

from __future__ import annotations

from reviewer.sandbox.loading import parse_data, write_tasks
from tests.browser.conftest import PROJECT, TEAM, describe

FIELDS, BOXES = 260, 40
MARK = "reviewer:overlays-drawn"


def _load() -> None:
    annotations = [
        {"id": f"ann_{n}", "entity_id": f"field_{n}", "confidence": 0.5 if n % 3 else 0.95, "content": f"value {n}",
         "top": 100 + (n // 4) * 50, "left_of_line": 100 + (n % 4) * 500}
        for n in range(FIELDS)
    ]  # fmt: skip
    checkboxes = [
        {"id": f"cb_{n}", "confidence": 0.9, "checked": n % 2 == 0,
         "coordinates": [[2300, 100 + n * 60], [2330, 100 + n * 60], [2330, 130 + n * 60], [2300, 130 + n * 60]]}
        for n in range(BOXES)
    ]  # fmt: skip
    task = {
        "id": "task_long_list", "name": "A long list", "created_at": "2026-12-01T10:00:00Z", "meta": [],
        "status": "REVIEWING", "step_type": "EXTRACT", "upload_id": "upl_long", "approved": False,
        "exported_at": None, "export_failed_at": None, "last_opened_at": None,
        "pages": [{"id": "page_1", "width": 2480, "height": 3508, "annotations": annotations,
                   "checkboxes": checkboxes, "segments": [], "signatures": []}],
    }  # fmt: skip
    write_tasks(TEAM, PROJECT, parse_data([task], "long list test").tasks)


def _drawn_entries(page) -> int:
    return page.locator("#viewer a[data-select]").count()


def _current(page) -> list[str]:
    return page.eval_on_selector_all(
        "#viewer [data-select][aria-current='true']", "els => els.map(e => e.dataset.select)"
    )


def test_every_region_is_drawn_and_the_list_only_as_far_as_it_is_seen(console, axe):
    _load()
    console.open("task_long_list")
    page = console.page
    page.wait_for_function(f"() => performance.getEntriesByName('{MARK}').length === 1")
    assert page.locator(".page-svg .item").count() == FIELDS + BOXES
    assert page.locator(".page-svg .item.kind-checkbox.checked .tick").count() == BOXES // 2
    assert page.locator(".page-svg .item.low").count() == len([n for n in range(FIELDS) if n % 3])
    assert _drawn_entries(page) < FIELDS + BOXES
    assert page.locator("#viewer [data-pager]").is_hidden()  # scrolling reaches every item
    assert not (violations := axe(page)), describe(violations)
    panel = page.locator(".items-panel")
    for _ in range(200):  # scroll down a panel's height at a time, as a person would, until nothing waits
        if not page.locator("#viewer [data-rest]").count():
            break
        panel.evaluate("el => { el.scrollTop += el.clientHeight; }")
        page.wait_for_timeout(20)
    assert page.locator("#viewer [data-rest]").count() == 0
    assert _drawn_entries(page) == FIELDS + BOXES
    assert page.evaluate(f"() => performance.getEntriesByName('{MARK}').length") == 1  # once per page shown


def test_choosing_a_region_far_down_the_list_draws_and_selects_its_entry(console):
    _load()
    console.open("task_long_list")
    page = console.page
    region = page.locator(".page-svg .item.kind-checkbox").last
    dom_id = region.get_attribute("id")
    region.click()
    assert _current(page) == [dom_id]
    assert page.evaluate("() => document.activeElement.dataset.select") == dom_id


def test_keys_step_onto_entries_that_were_not_drawn_yet(console):
    _load()
    console.open("task_long_list")
    page = console.page
    page.keyboard.press("k")  # from nothing, back: the last entry of the list
    last = page.eval_on_selector_all("#viewer a[data-select]", "els => els[els.length - 1].dataset.select")
    assert _current(page) == [last]
    assert page.locator(f"#{last}").get_attribute("class").startswith("item")
    page.keyboard.press("k")
    assert len(_current(page)) == 1 and _current(page) != [last]


def test_the_low_count_follows_the_threshold_over_entries_not_drawn_yet(console):
    _load()
    console.open("task_long_list")
    page = console.page
    low = page.locator("details[data-group='fields'] [data-group-low] [data-n]")
    assert low.inner_text() == str(len([n for n in range(FIELDS) if n % 3]))
    page.locator("#threshold").fill("0")
    page.wait_for_function("() => document.querySelector(\"details[data-group='fields'] [data-group-low]\").hidden")
    page.locator("#threshold").fill("1")
    count = "document.querySelector(\"details[data-group='fields'] [data-group-low] [data-n]\").textContent"
    page.wait_for_function(f"() => {count} === '{FIELDS}'")
