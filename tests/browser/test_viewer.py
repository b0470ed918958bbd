"""The page viewer: outlines, legend, the smallest region clicked, zoom, thumbnails, the image's state, settings."""

from __future__ import annotations

from pathlib import Path

from reviewer.accounts.roles import profile_of
from tests.browser.conftest import describe, upstream_task

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

PAGE_POINT = """([x, y]) => {
    const r = document.querySelector('.page-svg').getBoundingClientRect();
    return [(x - r.left) / r.width, (y - r.top) / r.height];
}"""
SELECTED = "() => [...document.querySelectorAll('.page-svg .item.selected')].map(e => e.id)"


def _rect(page, selector: str) -> dict:
    return page.eval_on_selector(
        selector,
        "el => { const r = el.getBoundingClientRect();"
        " return {x: r.left, y: r.top, r: r.right, b: r.bottom, w: r.width, h: r.height}; }",
    )


def _inside(inner: dict, outer: dict, slack: float = 1) -> bool:
    return (
        inner["x"] >= outer["x"] - slack
        and inner["r"] <= outer["r"] + slack
        and inner["y"] >= outer["y"] - slack
        and inner["b"] <= outer["b"] + slack
    )


def _viewport(page) -> dict:
    """The canvas's visible area, in the window's coordinates."""
    return page.eval_on_selector(
        "#viewer .canvas",
        """c => { const r = c.getBoundingClientRect(); const x = r.left + c.clientLeft, y = r.top + c.clientTop;
                  return {x, y, r: x + c.clientWidth, b: y + c.clientHeight}; }""",
    )


def _click_centre(page, dom_id: str) -> None:
    page.eval_on_selector(
        f"#{dom_id}", "el => el.scrollIntoView({block: 'center', inline: 'center', behavior: 'instant'})"
    )
    box = page.locator(f"#{dom_id}").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


INSIDE_SEGMENTS = """() => {
    const box = g => g.getBBox();
    const segments = [...document.querySelectorAll('.page-svg .item.kind-segment')].map(box);
    return [...document.querySelectorAll('.page-svg .item:not(.kind-segment)')].filter(g => {
        const b = box(g);
        return segments.some(s => b.x >= s.x && b.y >= s.y
            && b.x + b.width <= s.x + s.width && b.y + b.height <= s.y + s.height);
    }).map(g => g.id);
}"""


def test_a_field_or_checkbox_inside_a_segment_is_the_one_clicked(console, screenshot):
    console.open("task_demo_023")
    page = console.page
    inside = page.evaluate(INSIDE_SEGMENTS)
    assert len(inside) >= 11, inside  # task 023's form has fields and checkboxes in its segments
    for dom_id in inside:
        _click_centre(page, dom_id)
        assert page.evaluate(SELECTED) == [dom_id]
        current = page.locator("#viewer [data-select][aria-current='true']")
        assert current.get_attribute("data-select") == dom_id
    # The selected item is named beside its outline.
    tag = page.locator(".item-tag.selected-tag")
    assert tag.is_visible()
    assert tag.inner_text() == page.locator(f"#{inside[-1]} > title").text_content()
    screenshot(page)


def test_a_segment_is_chosen_where_nothing_smaller_is(console):
    console.open("task_demo_023")
    page = console.page
    segment = page.locator(".page-svg .item.kind-segment").first
    dom_id = segment.get_attribute("id")
    segment.evaluate("el => el.scrollIntoView({block: 'center', behavior: 'instant'})")
    box = segment.bounding_box()
    page.mouse.click(box["x"] + 3, box["y"] + box["height"] - 3)  # a corner, away from its fields
    assert page.evaluate(SELECTED) == [dom_id]


def test_fields_are_outlined_just_outside_their_text(console, live_server):
    """Each field's outline holds its text as the page image draws it, and is not much wider."""
    task = upstream_task("task_demo_023")
    console.open("task_demo_023")
    page = console.page
    outlines = page.evaluate(
        """() => [...document.querySelectorAll('.page-svg .item.kind-annotation > rect:not(.hit)')].map(r => ({
            x: r.x.baseVal.value, y: r.y.baseVal.value, w: r.width.baseVal.value, h: r.height.baseVal.value}))"""
    )
    gap = float(page.eval_on_selector(".page-svg", "s => getComputedStyle(s).getPropertyValue('--gap')"))
    image = page.locator(".page-svg image").get_attribute("href")
    page.goto(live_server.url + image)
    texts = page.evaluate(
        """() => [...document.querySelectorAll('g.annotations text')].map(t => {
            const b = t.getBBox(); return {text: t.textContent, x: b.x, y: b.y, w: b.width, h: b.height}; })"""
    )
    fields = [a for a in task.pages[0]["annotations"] if a.get("content")]
    assert len(texts) == len(fields) == len(outlines)
    for t in texts:
        mine = [
            o
            for o in outlines
            if abs(o["x"] + gap - t["x"]) < 2 and o["y"] <= t["y"] + gap * 2 and t["y"] < o["y"] + o["h"]
        ]
        assert mine, f"no outline at {t['text']!r}"
        o = mine[0]
        # never over the glyphs: the text's box lies inside the outline (glyph boxes include side bearings)
        assert o["x"] <= t["x"] and o["x"] + o["w"] >= t["x"] + t["w"] - 1, t
        # and the outline does not run on much past the text
        assert o["w"] - 2 * gap <= t["w"] * 1.15 + 4, (t, o)


def test_zoom_keeps_the_selection_in_view(console):
    console.open("task_demo_019")
    page = console.page
    last = page.locator("#viewer a[data-select]").last.get_attribute("data-select")
    page.locator(f"#viewer a[data-select='{last}']").click()
    assert page.evaluate(SELECTED) == [last]
    before = page.locator("#viewer .zoom-level").inner_text()
    for _ in range(6):
        page.keyboard.press("+")
        assert _inside(_rect(page, f"#{last}"), _viewport(page))
    assert page.locator("#viewer .zoom-level").inner_text() != before
    page.locator("#viewer button[data-zoom='in']").click()
    assert _inside(_rect(page, f"#{last}"), _viewport(page))
    page.keyboard.press("0")
    assert page.locator("#viewer button[data-zoom='page']").get_attribute("aria-pressed") == "true"
    assert _inside(_rect(page, f"#{last}"), _viewport(page))


def test_ctrl_wheel_zooms_around_the_pointer(console):
    console.open("task_demo_023")
    page = console.page
    view = _viewport(page)
    x, y = (view["x"] + view["r"]) / 2, view["y"] + 200
    target = page.evaluate(
        PAGE_POINT,
        [x, y],
    )
    level = int(page.locator("#viewer .zoom-level").inner_text().rstrip("%"))
    page.mouse.move(x, y)
    page.keyboard.down("Control")
    for _ in range(3):
        page.mouse.wheel(0, -100)
    page.keyboard.up("Control")
    page.wait_for_function(f"() => parseInt(document.querySelector('#viewer .zoom-level').textContent) > {level}")
    after = page.evaluate(
        PAGE_POINT,
        [x, y],
    )
    assert abs(after[0] - target[0]) < 0.01 and abs(after[1] - target[1]) < 0.01  # the same point of the page
    assert page.evaluate("() => window.scrollY") == 0  # the window did not zoom or scroll


def test_a_page_without_an_image_says_so_and_why(console, axe):
    console.open("task_demo_026")
    page = console.page
    notice = page.locator("#viewer [data-image-state] .image-notice")
    notice.wait_for(state="visible")
    assert "No page image: Send.ai offers no image of this page." in notice.inner_text()
    assert page.locator("#viewer [data-image-retry]").is_hidden()
    assert page.locator(".page-svg .item").count() > 0  # the outlines are still drawn
    assert describe(axe(page)) == ""


def test_a_failed_page_image_offers_a_retry_that_loads_it(console):
    page = console.page
    upstream_down = [True]

    def image(route):
        if upstream_down[0]:
            route.fulfill(status=502, body="Send.ai did not answer in time.", headers={"X-Image-Problem": "failed"})
        else:
            route.continue_()

    page.route("**/page/page_1/image/**", image)
    console.open("task_demo_023")
    notice = page.locator("#viewer [data-image-state] .image-notice")
    notice.wait_for(state="visible")
    assert "could not be loaded (HTTP 502): Send.ai did not answer in time." in notice.inner_text()
    upstream_down[0] = False
    page.locator("#viewer [data-image-retry]").click()
    notice.wait_for(state="hidden")
    assert "retry=1" in page.locator(".page-svg image").get_attribute("href")


def test_the_legend_marks_the_threshold_and_follows_the_slider(console):
    console.open("task_demo_023")
    page = console.page
    legend = page.locator("#viewer [data-legend]")
    assert "Low: below 0.80" in legend.inner_text() and "Near: 0.80–0.90" in legend.inner_text()

    def mark() -> float:
        scale, m = _rect(page, "[data-legend] .scale"), _rect(page, "[data-legend] .mark")
        return (m["x"] + m["w"] / 2 - scale["x"]) / scale["w"]

    assert abs(mark() - 0.8) < 0.02
    slider = page.locator("#threshold")
    slider.focus()
    for _ in range(6):
        page.keyboard.press("ArrowLeft")
    assert page.locator("#threshold").input_value() == "0.5"
    assert abs(mark() - 0.5) < 0.02
    assert "Low: below 0.50" in legend.inner_text()
    # The outlines follow: below 0.50 low, from 0.50 to 0.60 near, the rest good.
    bands = page.evaluate(
        """() => [...document.querySelectorAll('.page-svg .item')].map(g => [
            parseFloat(g.dataset.confidence), g.classList.contains('low'), g.classList.contains('near')])"""
    )
    assert bands
    for confidence, low, near in bands:
        assert (low, near) == (confidence < 0.5, 0.5 <= confidence < 0.6), confidence


def test_view_settings_are_remembered_across_a_reload(console):
    page = console.page
    console.open("task_demo_023")
    page.locator("#threshold").focus()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    page.locator("#viewer [data-kind-toggle='segment']").uncheck()
    page.locator("#viewer button[data-zoom='page']").click()
    profile = profile_of(console.reviewer)

    def saved() -> dict:
        profile.refresh_from_db()
        return profile.review_prefs

    page.wait_for_function("() => document.documentElement.dataset.prefsSaved === 'ok'")
    assert saved() == {"threshold": 0.7, "kinds": ["annotation", "checkbox", "signature"], "zoom": "page"}
    page.reload()
    page.wait_for_selector("#viewer")
    assert page.locator("#threshold").input_value() == "0.7"
    assert not page.locator("#viewer [data-kind-toggle='segment']").is_checked()
    assert page.locator(".page-svg .item.kind-segment:not(.is-hidden)").count() == 0
    assert page.locator("#viewer button[data-zoom='page']").get_attribute("aria-pressed") == "true"
    # A query parameter still wins.
    console.open("task_demo_023", "?threshold=0.9")
    assert page.locator("#threshold").input_value() == "0.9"


def test_the_thumbnail_strip_shows_every_page_and_works_from_the_keyboard(console):
    console.open("task_demo_019")
    page = console.page
    links = page.locator("nav.strip [data-page-link]")
    count = links.count()
    assert count == len(upstream_task("task_demo_019").pages) > 1
    assert page.locator("nav.strip img[data-thumb]").count() == count
    assert links.first.get_attribute("aria-current") == "page"
    links.first.focus()
    page.keyboard.press("ArrowRight")
    assert page.evaluate("() => document.activeElement.dataset.pageLink") == "2"
    page.keyboard.press("End")
    assert page.evaluate("() => document.activeElement.dataset.pageLink") == str(count)
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#viewer[data-page='{count}']")
    assert page.locator(f"nav.strip [data-page-link='{count}']").get_attribute("aria-current") == "page"


def test_the_viewer_is_axe_clean_in_both_themes(console, axe, browser, live_server):
    for scheme in ("light", "dark"):
        console.page.emulate_media(color_scheme=scheme)
        console.open("task_demo_023")
        page = console.page
        page.locator("#viewer a[data-select]").nth(3).click()
        assert describe(axe(page)) == "", scheme


def test_screenshots_of_the_review_screen_in_both_themes(console, axe):
    """docs/screenshots/review-light.png and review-dark.png, for the README (1600×1000)."""
    page = console.page
    page.set_viewport_size({"width": 1600, "height": 1000})
    DOCS.mkdir(parents=True, exist_ok=True)
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        console.open("task_demo_020")
        page.locator(".page-svg image").wait_for(state="attached")
        page.wait_for_function("() => !document.querySelector('#viewer [data-image-state]:not([hidden])')")
        low = page.locator("#viewer .entry.low a[data-select]").first
        low.click()
        page.locator(".item-tag.selected-tag").wait_for(state="visible")
        assert describe(axe(page)) == "", scheme
        page.screenshot(path=str(DOCS / f"review-{scheme}.png"))
