"""Choosing an item: its entry in the list and its region on the page are highlighted together."""

from __future__ import annotations

SELECTED_STROKE = "rgb(11, 61, 145)"  # .item.selected in reviewer.css


def _current(page) -> list[str]:
    return page.eval_on_selector_all(
        "#viewer [data-select][aria-current='true']", "els => els.map(e => e.dataset.select)"
    )


def _selected_regions(page) -> list[str]:
    return page.eval_on_selector_all(".page-svg .item.selected", "els => els.map(e => e.id)")


def _stroke(page, dom_id: str) -> str:
    return page.eval_on_selector(f"#{dom_id}", "el => getComputedStyle(el).stroke")


def test_choosing_an_entry_highlights_its_region(console, screenshot):
    console.open("task_abcdef123456")
    page = console.page
    entry = page.locator("#viewer a[data-select]").nth(2)
    dom_id = entry.get_attribute("data-select")
    before = _stroke(page, dom_id)
    entry.click()
    assert _selected_regions(page) == [dom_id]
    assert _current(page) == [dom_id]
    assert _stroke(page, dom_id) == SELECTED_STROKE != before
    screenshot(page)


def test_choosing_a_region_selects_its_entry(console):
    console.open("task_abcdef123456")
    page = console.page
    region = page.locator(".page-svg .item.kind-signature")
    dom_id = region.get_attribute("id")
    region.click()
    assert _current(page) == [dom_id]
    assert _selected_regions(page) == [dom_id]
    assert page.evaluate("() => document.activeElement.dataset.select") == dom_id


def test_j_and_k_move_the_selection_in_list_order(console):
    console.open("task_demo_023")
    page = console.page
    order = page.eval_on_selector_all("#viewer a[data-select]", "els => els.map(e => e.dataset.select)")
    assert len(order) >= 3
    page.keyboard.press("j")
    assert _current(page) == [order[0]]
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert _current(page) == [order[2]]
    assert _selected_regions(page) == [order[2]]
    page.keyboard.press("k")
    assert _current(page) == [order[1]]
    assert page.evaluate("() => document.activeElement.dataset.select") == order[1]
