"""The review workspace: one window-high screen, dialogs that leave the page where it is, the panel's groups."""

from __future__ import annotations

import pytest

from reviewer.sandbox.models import Report
from tests.browser.conftest import describe, upstream_task

INVOICE = "task_demo_020"  # an invoice in review: header fields and line items on every page
SIZES = [(1366, 768), (1920, 1080)]
THRESHOLD = 0.8  # the review screen's default


def _box(page, selector: str) -> dict:
    return page.locator(selector).bounding_box()


def _window_scroll(page) -> dict:
    return page.evaluate(
        "() => ({scroll: document.scrollingElement.scrollHeight, inner: innerHeight,"
        " wide: document.scrollingElement.scrollWidth, width: innerWidth})"
    )


@pytest.mark.parametrize(("width", "height"), SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_the_viewer_fills_the_window_without_scrolling_it(console, width, height, screenshot):
    page = console.page
    page.set_viewport_size({"width": width, "height": height})
    console.open(INVOICE)
    window = _window_scroll(page)
    assert window["scroll"] <= window["inner"], window
    assert window["wide"] <= window["width"], window
    for part in ("#viewer", "#viewer .canvas", "#viewer .items-panel", ".action-bar", ".task-head"):
        box = _box(page, part)
        assert box["y"] >= 0 and box["x"] >= 0, (part, box)
        assert box["y"] + box["height"] <= height + 0.5 and box["x"] + box["width"] <= width + 0.5, (part, box)
    viewer, canvas, panel = _box(page, "#viewer"), _box(page, "#viewer .canvas"), _box(page, "#viewer .items-panel")
    assert viewer["height"] > height * 0.6, viewer  # the viewer gets most of the window
    bar = _box(page, ".action-bar")
    assert bar["y"] - (canvas["y"] + canvas["height"]) < 20, "the page runs down to the action bar"
    assert panel["x"] >= canvas["x"] + canvas["width"], "the panel is beside the page"
    # Only the canvas and the panel scroll; nothing around them does (no nested page scroll).
    around = page.evaluate(
        """() => ['main', '.review', '#viewer', '#viewer .stage'].filter(s => {
            const el = document.querySelector(s);
            return el.scrollHeight > el.clientHeight + 1;
        })"""
    )
    assert around == []
    panel_scrolls = "() => (p => p.scrollHeight > p.clientHeight)(document.querySelector('#viewer .items-panel'))"
    assert page.evaluate(panel_scrolls), "the panel scrolls inside itself"
    # Complete is the primary action, Discard looks dangerous, the others are secondary.
    assert "primary" in page.locator("button[data-action='complete']").get_attribute("class")
    assert "danger-quiet" in page.locator("[data-dialog-open='discard-dialog']").get_attribute("class")
    assert not page.locator("button[data-action='approve']").get_attribute("class")
    screenshot(page)


def test_report_opens_as_a_dialog_that_leaves_the_viewer_where_it_is(console, screenshot):
    page = console.page
    page.set_viewport_size({"width": 1366, "height": 768})
    console.open(INVOICE)
    before = _box(page, "#viewer")
    page.keyboard.press("r")
    dialog = page.locator("dialog[data-details='report']")
    assert dialog.evaluate("d => d.matches(':modal')")
    assert page.evaluate("() => document.activeElement.id") == "id_issues_0"
    assert _box(page, "#viewer") == before
    assert _window_scroll(page)["scroll"] <= 768
    screenshot(page, "report")
    page.keyboard.press("Escape")
    assert not dialog.evaluate("d => d.open")
    assert _box(page, "#viewer") == before

    trigger = page.locator("[data-dialog-open='report-dialog']")
    trigger.click()
    assert dialog.evaluate("d => d.matches(':modal')")
    dialog.locator("[data-dialog-close]").click()
    assert not dialog.evaluate("d => d.open")
    assert page.evaluate("() => document.activeElement.getAttribute('data-dialog-open')") == "report-dialog"

    page.keyboard.press("x")
    discard = page.locator("dialog[data-details='discard']")
    assert discard.evaluate("d => d.matches(':modal')")
    assert _box(page, "#viewer") == before
    page.keyboard.press("Escape")
    assert not discard.evaluate("d => d.open")
    assert upstream_task(INVOICE).status == "REVIEWING"


def test_a_report_the_upstream_refuses_comes_back_in_its_dialog_with_the_text_kept(console, screenshot):
    page = console.page
    console.open(INVOICE)
    page.locator("[data-dialog-open='report-dialog']").click()
    page.locator("#id_issues_1").check()
    page.locator("#id_other").fill("\ufeff")  # text to the console, blank to Send.ai, which refuses the report
    page.locator("#id_message").fill("The stamp covers the total; this text matters.")
    page.locator("button[data-action='report']").click()
    alert = page.locator("dialog[data-details='report'] #notice[role='alert']")
    alert.wait_for()
    assert "must be a non-empty string" in alert.inner_text()
    dialog = page.locator("dialog[data-details='report']")
    assert dialog.evaluate("d => d.matches(':modal')"), "the refusal is shown in the dialog, over the page"
    assert page.locator("#id_issues_1").is_checked()
    assert page.locator("#id_other").input_value() == "\ufeff"
    assert page.locator("#id_message").input_value() == "The stamp covers the total; this text matters."
    assert not Report.objects.exists()
    screenshot(page)

    page.locator("#id_other").fill("")
    page.locator("button[data-action='report']").click()
    page.wait_for_selector(".review > #task-state > #notice:has-text('Report sent.')")
    assert not page.locator("dialog[data-details='report']").evaluate("d => d.open")
    [report] = Report.objects.all()
    assert report.message == "The stamp covers the total; this text matters."


def test_why_an_action_is_unavailable_is_reachable_by_focus_and_hover(console):
    page = console.page
    console.open(INVOICE)  # in review: it cannot be unlocked
    unlock = page.locator("button[data-action='unlock']")
    why = page.locator("#why-unlock")
    assert unlock.get_attribute("aria-disabled") == "true"
    assert unlock.get_attribute("aria-describedby") == "why-unlock"
    assert why.evaluate("e => getComputedStyle(e).opacity") == "0"
    page.keyboard.press("u")  # the key of an unavailable action shows why
    assert page.evaluate("() => document.activeElement.dataset.action") == "unlock"
    page.wait_for_function("() => getComputedStyle(document.getElementById('why-unlock')).opacity === '1'")
    text = why.inner_text()
    assert text.strip()
    assert unlock.evaluate("b => b.matches(':focus')")
    from playwright.sync_api import expect

    expect(unlock).to_have_accessible_description(text.strip())
    page.keyboard.press("Enter")  # nothing is sent
    assert upstream_task(INVOICE).status == "REVIEWING"
    page.locator("button[data-action='approve']").focus()
    page.wait_for_function("() => getComputedStyle(document.getElementById('why-unlock')).opacity === '0'")
    unlock.hover()
    page.wait_for_function("() => getComputedStyle(document.getElementById('why-unlock')).opacity === '1'")


def _expected_groups(task_id: str) -> dict:
    """What the panel should show for the task's first page, from the sandbox's own rows."""
    page = upstream_task(task_id).pages[0]
    annotations = page["annotations"]
    lines = [a for a in annotations if a["entity_id"].startswith("line_item_")]
    header = [a for a in annotations if not a["entity_id"].startswith("line_item_")]
    tops = sorted({a["top"] for a in lines})
    described = sorted((a for a in lines if a["entity_id"] == "line_item_description"), key=lambda a: a["top"])

    def counts(items):
        return {"count": len(items), "low": sum(1 for i in items if i["confidence"] < THRESHOLD)}

    out = {"fields": counts(header), "lines": counts(lines)}
    for kind, key in (("checkbox", "checkboxes"), ("segment", "segments"), ("signature", "signatures")):
        if page.get(key):
            out[kind] = counts(page[key])
    return out | {"rows": len(tops), "descriptions": [a["content"] for a in described]}


def _shown_groups(page) -> dict:
    return page.evaluate(
        """() => {
        const out = {};
        for (const d of document.querySelectorAll('#viewer details[data-group]')) {
            const low = d.querySelector('[data-group-low]');
            out[d.dataset.group] = {
                count: +d.querySelector('[data-group-count]').textContent,
                low: low.hidden ? 0 : +low.querySelector('[data-n]').textContent,
                entries: d.querySelectorAll('li.entry[data-ref][data-item-id]').length,
            };
        }
        return out;
    }"""
    )


def test_the_panel_groups_header_fields_and_line_items_with_their_counts(console, screenshot):
    page = console.page
    page.set_viewport_size({"width": 1920, "height": 1080})
    console.open(INVOICE)
    expected = _expected_groups(INVOICE)
    shown = _shown_groups(page)
    for key in ("fields", "lines", "checkbox", "segment", "signature"):
        if key in expected:
            want = expected[key]
            assert shown[key] == want | {"entries": want["count"]}, key
        else:
            assert key not in shown, key
    table = page.locator("details[data-group='lines'] table.lines")
    assert table.locator("tbody tr").count() == expected["rows"]
    headings = table.locator("thead th[scope='col']").all_inner_texts()
    assert [h.strip().lower() for h in headings[1:]] == ["description", "quantity", "unit price", "vat rate", "amount"]
    descriptions = table.locator("tbody tr td:nth-child(2) .detail").all_inner_texts()
    assert descriptions == expected["descriptions"], "rows follow the lines on the page, from the top"
    screenshot(page)

    # j walks the panel in its order: the header fields, then the table row by row.
    fields = expected["fields"]["count"]
    for _ in range(fields + 1):
        page.keyboard.press("j")
    current = page.locator("#viewer [data-select][aria-current='true']")
    assert current.evaluate("a => a.closest('tr') && a.closest('tr').rowIndex") == 1
    assert current.evaluate("a => a.closest('li').dataset.entity") == "line_item_description"

    # A group folds; j then skips it, and the fold outlives a redraw of the panel.
    page.locator("details[data-group='lines'] > summary").click()
    page.keyboard.press("k")
    page.keyboard.press("j")
    assert current.evaluate("a => !a.closest('[data-group=lines]')")
    page.locator("#viewer [data-page-link='2']").click()
    page.wait_for_selector("#viewer[data-page='2']")
    assert not page.locator("details[data-group='lines']").evaluate("d => d.open")

    # The threshold moves the low counts with it.
    page.locator("details[data-group='lines'] > summary").click()
    page.locator("#threshold").fill("1")
    shown = _shown_groups(page)
    assert shown["lines"]["low"] == shown["lines"]["count"]


def test_lowest_confidence_first_lists_every_item_in_one_list(console):
    page = console.page
    console.open(INVOICE)
    page.locator("#viewer a", has_text="Lowest confidence first").click()
    page.wait_for_selector("#viewer ol.items[data-items]")
    assert page.locator("#viewer details[data-group]").count() == 0
    confidences = page.eval_on_selector_all(
        "#viewer li.entry[data-item-id]", "els => els.map(e => parseFloat(e.dataset.confidence))"
    )
    assert confidences == sorted(confidences) and len(confidences) > 10


def test_axe_finds_nothing_with_the_dialogs_open(console, axe):
    page = console.page
    page.set_viewport_size({"width": 1366, "height": 768})
    console.open(INVOICE)
    found = {}
    page.keyboard.press("r")
    if violations := axe(page):
        found["report"] = describe(violations)
    page.keyboard.press("Escape")
    page.keyboard.press("x")
    if violations := axe(page):
        found["discard"] = describe(violations)
    page.keyboard.press("Escape")
    page.locator(".task-details > summary").click()
    if violations := axe(page):
        found["task details"] = describe(violations)
    assert not found, found


def test_the_workspace_works_without_javascript(browser, console, live_server):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1366, "height": 768})
    try:
        page = context.new_page()
        context.add_cookies(console.page.context.cookies())
        page.goto(console.task_url(INVOICE))
        discard = page.locator("dialog[data-details='discard']")
        assert not discard.is_visible()
        page.locator("[data-dialog-open='discard-dialog']").click()
        assert discard.is_visible() and discard.locator("button[data-action='discard']").is_visible()
        discard.locator("[data-dialog-close]").click()
        assert not discard.is_visible()
        dialog = page.locator("dialog[data-details='report']")
        assert not dialog.is_visible()
        page.locator("[data-dialog-open='report-dialog']").click()
        assert dialog.is_visible()
        page.locator("#id_message").fill("Typed without a script.")
        page.locator("button[data-action='report']").click()  # no issue: refused here, the text kept
        assert page.locator("dialog[data-details='report'] #notice[role='alert']").is_visible()
        assert page.locator("#id_message").input_value() == "Typed without a script."
        page.locator("#id_issues_0").check()
        page.locator("button[data-action='report']").click()
        assert "Report sent." in page.locator(".messages").inner_text()
        assert not page.locator("dialog[data-details='report']").is_visible()
        assert Report.objects.get().message == "Typed without a script."
    finally:
        context.close()
