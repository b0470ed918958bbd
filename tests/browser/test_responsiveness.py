"""Large tasks open and stay responsive: over 1,000 overlays, and twelve pages.

The tests assert outcomes (every item drawn, every page reached, each key's effect seen); the
times they take are recorded in test-artifacts/browser-timings.txt, never asserted: a test
must not race a clock on a busy machine. Speed targets are for the benchmarks.
"""

from __future__ import annotations

import time

from tests.browser.conftest import upstream_task

LONG_TASKS = """
window.__longest = 0;
new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.__longest = Math.max(window.__longest, entry.duration);
}).observe({type: "longtask", buffered: true});
"""

NEXT_ITEM = """(previous) => {
    const current = document.querySelector("#viewer [data-select][aria-current='true']");
    return current && current.dataset.select !== previous && document.querySelector('.page-svg .item.selected');
}"""


def _load(console, task_id: str) -> float:
    console.page.add_init_script(LONG_TASKS)
    started = time.monotonic()
    console.open(task_id)
    console.page.wait_for_load_state("load")
    return time.monotonic() - started


def _press(page, key: str, done: str, arg=None) -> float:
    """Press `key` and wait until the `done` function is true in the page; return the seconds taken."""
    started = time.monotonic()
    page.keyboard.press(key)
    page.wait_for_function(done, arg=arg, polling="raf", timeout=10_000)
    return time.monotonic() - started


def _longest_task(page) -> float:
    """The longest time, in seconds, that the main thread was busy at once since the page loaded."""
    return page.evaluate("() => window.__longest") / 1000


def _current(page) -> str | None:
    return page.evaluate("() => document.querySelector(\"#viewer [data-select][aria-current='true']\")?.dataset.select")


def _items_on(page) -> int:
    return page.locator(".page-svg .item").count()


def _next_page(number: int) -> str:
    """Page `number` is shown and htmx has settled it (settling would undo a selection made meanwhile)."""
    return (
        f"() => document.querySelector(\"#viewer[data-page='{number}'] .page-svg\") !== null"
        " && !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )


def test_a_task_with_over_1000_overlays_opens_and_stays_responsive(console, screenshot, timings):
    pages = upstream_task("task_demo_019").pages
    overlays = sum(len(p[k]) for p in pages for k in ("annotations", "checkboxes", "segments", "signatures"))
    assert overlays > 1000
    page = console.page
    load = _load(console, "task_demo_019")
    timings("task_demo_019 (1,206 overlays) load page 1", load)
    screenshot(page)
    drawn = _items_on(page)

    steps = []
    for _ in range(5):
        steps.append(_press(page, "j", NEXT_ITEM, _current(page)))
    timings("task_demo_019 j (next item), slowest of 5", max(steps))
    level = page.locator("#viewer .zoom-level").inner_text()
    zoom = _press(page, "+", "(before) => document.querySelector('#viewer .zoom-level').textContent !== before", level)
    timings("task_demo_019 + (zoom in)", zoom)

    switches = []
    for number in range(2, len(pages) + 1):
        switches.append(_press(page, "]", _next_page(number)))
        drawn += _items_on(page)
    timings("task_demo_019 ] (next page), slowest of 4", max(switches))
    blocked = _longest_task(page)
    timings("task_demo_019 longest main-thread task", blocked)
    assert drawn == overlays  # no item of this task has malformed geometry


def test_a_twelve_page_task_opens_and_every_page_is_reached_quickly(console, screenshot, timings):
    pages = upstream_task("task_demo_025").pages
    assert len(pages) == 12
    page = console.page
    load = _load(console, "task_demo_025")
    timings("task_demo_025 (12 pages) load page 1", load)
    assert page.locator("nav.strip [data-page-link]").count() == 12

    switches = []
    for number in range(2, 13):
        switches.append(_press(page, "]", _next_page(number)))
    screenshot(page)
    assert page.locator("[data-page-link='12']").get_attribute("aria-current") == "page"
    back = _press(page, "[", _next_page(11))
    timings("task_demo_025 ] (next page), slowest of 11", max(switches))
    timings("task_demo_025 [ (previous page)", back)
    step = _press(page, "j", NEXT_ITEM, _current(page))
    timings("task_demo_025 j (next item)", step)
    blocked = _longest_task(page)
    timings("task_demo_025 longest main-thread task", blocked)
    assert page.locator("[data-page-link='11']").get_attribute("aria-current") == "page"
