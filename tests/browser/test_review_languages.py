"""The review screen in Dutch (docs/i18n.md), asked for by the browser (Playwright's locale, so
Accept-Language) or by the person's own choice (Profile.language), in the light and the dark theme.

Its header, action bar, viewer toolbar and legend, thumbnail strip, item panel, dialogs and the
scripts' messages (review.js, corrections.js, through the JavaScript catalogue) are Dutch, with
`<html lang="nl">` and a decimal comma where a person reads a figure; the overlays are drawn at
exactly the same place as on the English page (a number a script, CSS or SVG reads is never
written with a comma); a correction goes all the way to Send.ai in Dutch; and each state is
axe-clean. Without the catalogue (/jsi18n/ failing) the scripts still work, in English.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from reviewer.accounts.models import Profile
from reviewer.review.models import Draft
from tests.browser.conftest import IN_FLIGHT, describe, sign_in, upstream_task
from tests.browser.test_themes import BACKGROUND

MULTI_PAGE = "task_demo_019"  # four pages: the thumbnail strip
INVOICE = "task_demo_020"  # an invoice in review, corrections on: header fields and line items
FORM = "task_demo_023"  # checkboxes and segments
VIEWPORT = {"width": 1366, "height": 900}

# The screen's own words (never the task's data): what the Dutch page shows, in its text or labels.
DUTCH = [
    "Niet goedgekeurd",
    "Taakgegevens",
    "Laatst geopend",
    "Afronden",
    "Goedkeuren",
    "Afkeuren",
    "Ontgrendelen",
    "Melden…",
    "Verwerpen…",
    "Volgende taak",
    "Druk op ? voor de sneltoetsen",
    "Paginabreedte",
    "Hele pagina",
    "Tonen",
    "Velden",
    "Lage zekerheid onder",
    "Laag: onder 0,80",
    "Bijna: 0,80–0,90",
    "Goed: 0,90 en hoger",
    "Alleen laag",
    "Items op pagina 1",
    "Laagste zekerheid eerst",
    "Kopvelden",
    "Je correcties (0)",
    "Nog geen. Kies een item",
    "Een gemist item toevoegen",
    # the dialogs
    "Een probleem met deze taak melden",
    "Problemen",
    "Melding versturen",
    "Annuleren",
    "Deze taak verwerpen?",
    "Definitief verwerpen",
    "Behouden",
    "Sneltoetsen",
    "Volgend / vorig item",
    "Sluiten",
]
DUTCH_LABELS = [
    "Acties op deze taak",
    "Pagina’s en items",
    "Weergave",
    "Inzoomen",
    "Uitzoomen",
    "Kleuren van de omtrekken",
]
STRIP_NL = ["Pagina 2", "Pagina’s"]
# English words and phrases of the screen; none may be left on the Dutch page.
ENGLISH = [
    "the",
    "and",
    "your",
    "you",
    "with",
    "for",
    "to",
    "on",
    "page",
    "Page",
    "low",
    "flagged",
    "added",
    "Complete",
    "Approve",
    "Disapprove",
    "Unlock",
    "Report",
    "Discard",
    "Next",
    "Cancel",
    "Close",
    "Zoom",
    "Fit",
    "Low",
    "Near",
    "Good",
    "Only",
    "Show",
    "Press",
    "Task details",
    "Not approved",
    "Header fields",
    "Line items",
    "Checkboxes",
    "Segments",
    "Signatures",
    "Fields",
    "corrections",
    "None yet",
    "Keyboard shortcuts",
    "never",
    "UTC)",
]
# The screen's words: everything but the task's own data (its name, the items' entities and values,
# the task's meta), from the text (textContent: also what is visually hidden or in a closed dialog)
# and the labels.
CHROME = """() => {
    const parts = [];
    const text = s => document.querySelectorAll(s).forEach(e => parts.push(e.textContent));
    text(".task-head .status, .task-head .approval, .task-head .claim, .task-details > summary");
    document.querySelectorAll(".task-details dt").forEach((dt, n) => { if (n < 6) parts.push(dt.textContent); });
    text(".action-bar, #viewer .toolbar, nav.strip, .panel-head, details[data-group] > summary, #draft-summary");
    text("#viewer .items-panel > p, #viewer .items-panel .empty, .stage > .empty, dialog");
    text(".entry .conf, .entry .muted, .entry .flag, .lines caption, .lines thead th[scope=col]:first-child");
    document.querySelectorAll("[aria-label], [title], [placeholder], [alt]").forEach(e => {
        if (e.closest(".page-svg") && !e.matches(".page-svg")) return;  // an item's name is the task's data
        if (e.matches(".lines th[title]")) return;  // an entity
        for (const a of ["aria-label", "title", "placeholder", "alt"]) {
            if (e.getAttribute(a)) parts.push(e.getAttribute(a));
        }
    });
    return parts.join(" | ");
}"""
ISO_MOMENT = re.compile(r"(?<!\d)20\d\d-\d\d-\d\d \d\d:\d\d(?!\d)")  # 2026-10-29 08:36
DUTCH_MOMENT = re.compile(r"(?<!\d)\d{1,2}-\d{1,2}-20\d\d \d\d:\d\d(?!\d)")  # 29-10-2026 08:36

# Where each overlay is: the SVG's own geometry (viewBox, the items' shapes and boxes, their data),
# the viewer's numbers that the scripts read, and the outlines' places on the screen.
GEOMETRY = """() => {
    const svg = document.querySelector(".page-svg"), viewer = document.getElementById("viewer");
    const round = r => [r.x, r.y, r.width, r.height].map(v => Math.round(v * 100) / 100);
    const shapes = [...svg.querySelectorAll(".item")].map(g => ({
        id: g.id, confidence: g.dataset.confidence, style: g.getAttribute("style"),
        shapes: [...g.querySelectorAll("rect, polygon, line, path, polyline")].map(s => [...s.attributes]
            .filter(a => a.name !== "class").map(a => a.name + "=" + a.value).join(" ")),
        box: round(g.getBBox()), screen: round(g.getBoundingClientRect()),
    }));
    const data = {};
    for (const k of ["threshold", "near", "width", "height", "page", "pages", "version"]) data[k] = viewer.dataset[k];
    const legend = viewer.querySelector("[data-legend]");
    return {
        viewBox: svg.getAttribute("viewBox"), style: svg.getAttribute("style"),
        size: round(svg.getBoundingClientRect()),
        data, legend: legend && legend.getAttribute("style"), range: viewer.querySelector("#threshold").value,
        zoom: viewer.querySelector(".zoom-level").textContent,
        thumbs: [...viewer.querySelectorAll(".thumb")].map(t => t.getAttribute("style")),
        links: [...viewer.querySelectorAll("[data-page-link], .panel-head a")].map(a => a.getAttribute("href")),
        confidences: [...viewer.querySelectorAll(".entry[data-confidence]")].map(e => e.dataset.confidence),
        shapes,
    };
}"""


def _words_left(text: str, words: list[str]) -> list[str]:
    return [w for w in words if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)]


def _context(browser, live_server, people, how: str, scheme: str = "light"):
    """A browser signed in as the reviewer, who gets Dutch from the browser or from their own choice."""
    Profile.objects.filter(user=people.reviewer).update(language="nl" if how == "choice" else "")
    locale = "nl-NL" if how == "browser" else "en-GB"
    context = browser.new_context(viewport=VIEWPORT, locale=locale, color_scheme=scheme)
    context.set_default_timeout(10_000)
    page = context.new_page()
    sign_in(page, live_server.url, people.reviewer.username)
    return context, page


def _open(page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    page.wait_for_selector("#task-state")
    page.wait_for_function("() => document.querySelector('#viewer .zoom-level').textContent !== '100%'")


def _axe_clean(page, axe, where: str) -> list[str]:
    violations = axe(page)
    return [f"{where}: {describe(violations)}"] if violations else []


@pytest.mark.parametrize(
    ("how", "scheme"),
    [("browser", "light"), ("browser", "dark"), ("choice", "light"), ("choice", "dark")],
    ids=["dutch-browser-light", "dutch-browser-dark", "own-choice-light", "own-choice-dark"],
)
def test_the_review_screen_speaks_dutch(browser, live_server, people, console, axe, how, scheme):
    context, page = _context(browser, live_server, people, how, scheme)
    problems: list[str] = []
    try:
        for task in (INVOICE, MULTI_PAGE):
            _open(page, console.task_url(task))
            assert page.locator("html").get_attribute("lang") == "nl"
            background = page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
            assert background == BACKGROUND[scheme], f"{task}: not in the {scheme} theme ({background})"
            chrome = page.evaluate(CHROME)
            wanted = DUTCH + DUTCH_LABELS + (STRIP_NL if task == MULTI_PAGE else [])
            if missing := [w for w in wanted if w not in chrome]:
                problems.append(f"{task}: Dutch missing: {missing}")
            if left := _words_left(chrome, ENGLISH):
                problems.append(f"{task}: English left: {left} in {chrome!r}")
            facts = page.locator(".task-details .facts").text_content()
            if ISO_MOMENT.search(facts) or not DUTCH_MOMENT.search(facts):
                problems.append(f"{task}: the task's dates are not written the Dutch way: {facts!r}")
            problems += _axe_clean(page, axe, f"{task} ({scheme})")
            # The dialogs, opened from the keyboard, in Dutch and axe-clean.
            for key, dialog, words in (
                ("r", "#report-dialog", ["Een probleem met deze taak melden", "Melding versturen"]),
                ("x", "#discard-dialog", ["Deze taak verwerpen?", "Definitief verwerpen"]),
                ("?", "#shortcuts", ["Sneltoetsen", "Volgende taak uit de wachtrij"]),
            ):
                page.keyboard.press(key)
                shown = page.locator(dialog)
                shown.wait_for(state="visible")
                text = shown.inner_text()
                if missing := [w for w in words if w not in text]:
                    problems.append(f"{task} {dialog}: Dutch missing: {missing} in {text!r}")
                problems += _axe_clean(page, axe, f"{task} {dialog} ({scheme})")
                page.keyboard.press("Escape")
                shown.wait_for(state="hidden")
        # The strip's next page, drawn by htmx, is Dutch too.
        page.locator("nav.strip [data-page-link='2']").click()
        page.wait_for_selector("#viewer[data-page='2']")
        assert "Items op pagina 2" in page.locator("#items-h").inner_text()
    finally:
        context.close()
        IN_FLIGHT.wait_idle()
    assert not problems, "\n".join(problems)


def _geometry(browser, live_server, people, locale: str, url: str) -> tuple[dict, str]:
    Profile.objects.filter(user=people.reviewer).update(language="")
    context = browser.new_context(viewport=VIEWPORT, locale=locale)
    try:
        page = context.new_page()
        sign_in(page, live_server.url, people.reviewer.username)
        _open(page, url)
        page.wait_for_function("() => document.querySelectorAll('.page-svg .item').length > 0")
        return page.evaluate(GEOMETRY), page.locator("[data-threshold-output]").inner_text()
    finally:
        context.close()
        IN_FLIGHT.wait_idle()


@pytest.mark.parametrize("task", [INVOICE, FORM, MULTI_PAGE])
def test_overlays_are_drawn_at_the_same_place_in_dutch(browser, live_server, people, console, task):
    """A threshold with decimals (0.75) that the Dutch page writes 0,75 for people and 0.75 for the scripts."""
    url = console.task_url(task) + "?threshold=0.75"
    english, english_shown = _geometry(browser, live_server, people, "en-GB", url)
    dutch, dutch_shown = _geometry(browser, live_server, people, "nl-NL", url)
    assert (english_shown, dutch_shown) == ("0.75", "0,75")  # the person reads the language's decimal mark
    assert english["shapes"], "the page has overlays"
    assert dutch["data"]["threshold"] == "0.75" and dutch["range"] == "0.75"
    assert dutch == english, "the Dutch page draws its overlays exactly where the English one does"


def test_a_correction_goes_to_sendai_in_dutch(browser, live_server, people, console, axe):
    """The person's own choice of Dutch: the editor, corrections.js's messages, the panel and Complete."""
    context, page = _context(browser, live_server, people, "choice")
    status = page.locator("#draft-status")
    try:
        _open(page, console.task_url(INVOICE))
        page.keyboard.press("j")
        row = page.locator("li.entry.selected")
        ref = row.get_attribute("data-ref")
        label = row.locator(".label").inner_text()
        page.keyboard.press("Enter")
        editor = page.locator("li.editing form[data-editor]")
        done, cancel = (
            editor.locator("[data-editor-done]").inner_text(),
            editor.locator("[data-editor-cancel]").inner_text(),
        )
        assert done.startswith("Klaar") and cancel.startswith("Annuleren"), (done, cancel)
        assert "Waarde" in editor.inner_text()
        violations = axe(page)
        assert not violations, describe(violations)
        # A typed value is saved as typed; the status says so in Dutch.
        page.keyboard.press("Control+a")
        page.keyboard.type("Van Dijk B.V.")
        page.wait_for_function("() => window.ReviewerCorrections.idle()")
        page.wait_for_function(
            "() => document.getElementById('draft-status').textContent.includes('Alle wijzigingen zijn opgeslagen.')"
        )
        assert Draft.objects.get(task_id=INVOICE).changes[ref]["fields"] == {"content": "Van Dijk B.V."}
        page.keyboard.press("Enter")  # done
        changed = page.locator(f"li[data-ref='{ref}']")
        assert changed.locator("del").get_attribute("title") == "De AI las"
        assert changed.locator("ins").inner_text() == "Van Dijk B.V."
        complete = page.locator("#task-state button[data-action='complete'] [data-label]")
        assert complete.inner_text() == "Afronden met 1 correctie"
        assert "Je correcties (1)" in page.locator("#draft-summary").inner_text()
        # u undoes it, Delete asks first and Esc keeps the item: each said in Dutch.
        page.keyboard.press("u")
        undone = f"Ongedaan gemaakt: {label} is zoals de AI het las."
        page.wait_for_function("t => document.getElementById('draft-status').textContent.includes(t)", arg=undone)
        page.wait_for_function("() => window.ReviewerCorrections.idle()")
        page.wait_for_function(f"() => !document.querySelector(\"li[data-ref='{ref}'] ins\")")
        page.keyboard.press("Delete")
        assert status.inner_text() == f"Druk nog eens op Delete om {label} te verwijderen (Esc: behouden)."
        page.keyboard.press("Escape")
        assert status.inner_text() == "Behouden."
        # i adds an item the AI missed; it starts with no place on the page.
        page.keyboard.press("i")
        added = page.locator("li.entry.adding")
        assert added.locator(".label").inner_text() == "Nieuw item"
        assert added.locator("[data-position-text]").inner_text() == "Geen plaats op de pagina."
        page.keyboard.press("Escape")
        assert page.locator("li.entry.adding").count() == 0
        # The value again, then Complete: Send.ai gets it, the answer is Dutch.
        page.locator(f"li[data-ref='{ref}'] a[data-select]").click()
        page.keyboard.press("Enter")
        page.keyboard.press("Control+a")
        page.keyboard.type("Van Dijk B.V.")
        page.keyboard.press("Enter")
        page.wait_for_function("() => window.ReviewerCorrections.idle()")
        expect(complete).to_have_text("Afronden met 1 correctie")
        page.keyboard.press("c")
        page.wait_for_selector("#notice:has-text('Afgerond met 1 correctie: Send.ai verwerkt de taak.')")
        annotation = next(a for a in upstream_task(INVOICE).pages[0]["annotations"] if a["id"] == ref.rsplit("/", 1)[1])
        assert (annotation["content"], annotation["corrected"]) == ("Van Dijk B.V.", True)
        violations = axe(page)
        assert not violations, describe(violations)
    finally:
        context.close()
        IN_FLIGHT.wait_idle()


def test_without_the_catalogue_the_scripts_work_in_english(console):
    """/jsi18n/ fails to load: gettext falls back to the English text, and nothing breaks."""
    page = console.page
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route("**/jsi18n/", lambda route: route.abort())
    console.open(INVOICE)
    page.wait_for_function("() => document.querySelector('#viewer .zoom-level').textContent !== '100%'")
    assert page.evaluate("() => typeof window.gettext") == "undefined"
    page.keyboard.press("j")
    label = page.locator("li.entry.selected .label").inner_text()
    page.keyboard.press("Delete")
    assert page.locator("#draft-status").inner_text() == f"Press Delete again to remove {label} (Esc: keep it)."
    page.keyboard.press("Escape")
    page.keyboard.press("Enter")
    page.keyboard.type("X")
    page.wait_for_function("() => window.ReviewerCorrections.idle()")
    page.wait_for_function("() => document.getElementById('draft-status').textContent.includes('All changes saved.')")
    page.locator("#threshold").fill("0.65")
    assert page.locator("[data-threshold-output]").inner_text() == "0.65"
    assert errors == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_english_review_screen_is_axe_clean_too(browser, live_server, people, console, axe, scheme):
    """The same states in English, so that both languages are checked in both themes."""
    context, page = _context(browser, live_server, people, "english", scheme)
    problems: list[str] = []
    try:
        for task in (INVOICE, MULTI_PAGE):
            _open(page, console.task_url(task))
            assert page.locator("html").get_attribute("lang") == "en"
            chrome = page.evaluate(CHROME)
            assert "Low: below 0.80" in chrome and "Items on page 1" in chrome and "Keyboard shortcuts" in chrome
            assert ISO_MOMENT.search(page.locator(".task-details .facts").text_content())
            problems += _axe_clean(page, axe, f"{task} ({scheme})")
            for key, dialog in (("r", "#report-dialog"), ("x", "#discard-dialog"), ("?", "#shortcuts")):
                page.keyboard.press(key)
                page.locator(dialog).wait_for(state="visible")
                problems += _axe_clean(page, axe, f"{task} {dialog} ({scheme})")
                page.keyboard.press("Escape")
                page.locator(dialog).wait_for(state="hidden")
    finally:
        context.close()
        IN_FLIGHT.wait_idle()
    assert not problems, "\n".join(problems)
