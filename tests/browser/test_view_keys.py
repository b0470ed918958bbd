"""The viewer's keyboard shortcuts: pages, zoom, kinds, low confidence only, and the help dialog."""

from __future__ import annotations


def _zoom(page) -> int:
    return int(page.locator("#viewer .zoom-level").inner_text().rstrip("%"))


def test_question_mark_opens_the_shortcuts_and_escape_closes_them(console, screenshot):
    console.open("task_demo_023")
    page = console.page
    page.keyboard.press("?")
    dialog = page.locator("dialog#shortcuts")
    assert dialog.evaluate("d => d.open")
    assert "Keyboard shortcuts" in dialog.inner_text()
    screenshot(page)
    page.keyboard.press("Escape")
    assert not dialog.evaluate("d => d.open")


def test_brackets_turn_the_pages(console):
    console.open("task_demo_025")
    page = console.page
    page.keyboard.press("]")
    page.wait_for_selector("#viewer[data-page='2']")
    assert page.url.endswith("?page=2&threshold=0.8")
    assert page.locator("[data-page-link='2']").get_attribute("aria-current") == "page"
    page.keyboard.press("[")
    page.wait_for_selector("#viewer[data-page='1']")
    page.keyboard.press("[")  # there is no page 0
    assert page.locator("#viewer").get_attribute("data-page") == "1"


def test_plus_minus_w_and_0_zoom(console):
    console.open("task_demo_023")
    page = console.page
    fit_width = _zoom(page)
    page.keyboard.press("+")
    assert _zoom(page) > fit_width
    page.keyboard.press("-")
    page.keyboard.press("-")
    assert _zoom(page) < fit_width
    page.keyboard.press("w")
    assert _zoom(page) == fit_width
    page.keyboard.press("0")
    assert _zoom(page) < fit_width  # a whole A4 page is taller than the canvas is high


def test_number_keys_hide_and_show_a_kind(console):
    console.open("task_demo_023")
    page = console.page
    fields = page.locator(".page-svg .item.kind-annotation")
    assert fields.count() > 0
    page.keyboard.press("1")
    assert fields.evaluate_all("els => els.every(e => getComputedStyle(e).display === 'none')")
    assert not page.locator("[data-kind-toggle='annotation']").is_checked()
    assert page.locator(".page-svg .item.kind-checkbox").first.is_visible()
    page.keyboard.press("1")
    assert fields.first.is_visible()


def test_l_shows_only_low_confidence_items(console):
    console.open("task_demo_022")  # a receipt with many low-confidence items
    page = console.page
    low = page.locator("#viewer .entry.low").count()
    assert 0 < low < page.locator("#viewer .entry").count()
    page.keyboard.press("l")
    visible = page.eval_on_selector_all("#viewer .entry", "els => els.filter(e => e.offsetParent).length")
    assert visible == low
    assert page.locator("[data-low-only]").is_checked()
