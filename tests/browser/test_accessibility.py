"""axe-core, injected into the page, finds no serious or critical violation."""

from __future__ import annotations

from tests.browser.conftest import describe, sign_in

CLOSED = "http://127.0.0.1:9/sandbox"  # nothing listens there


def _check(axe, page, states: dict[str, str] | None = None, state: str = "") -> None:
    """Check the page now; with `states`, collect the findings under `state` instead of failing at once."""
    violations = axe(page)
    if states is not None:
        if violations:
            states[state] = describe(violations)
        return
    assert not violations, "axe found serious or critical violations:\n" + describe(violations)


def _assert_none(states: dict[str, str]) -> None:
    found = "\n".join(f"[{state}]\n{text}" for state, text in states.items())
    assert not states, "axe found serious or critical violations:\n" + found


def test_the_sign_in_page(live_server, page, axe, screenshot):
    page.goto(live_server.url + "/accounts/login/")
    screenshot(page)
    _check(axe, page)


def test_the_task_page(console, axe, screenshot):
    page = console.page
    console.open("task_demo_017")  # every kind of item, one of them flagged
    screenshot(page)
    found: dict[str, str] = {}
    _check(axe, page, found, "as opened")
    page.keyboard.press("j")
    _check(axe, page, found, "an item selected")
    page.keyboard.press("x")
    _check(axe, page, found, "the discard confirmation open")
    page.keyboard.press("Escape")
    page.keyboard.press("?")
    _check(axe, page, found, "the shortcuts dialog open")
    _assert_none(found)


def test_the_task_page_with_the_report_form_open(console, axe, screenshot):
    console.open("task_demo_017")
    console.page.locator("[data-dialog-open='report-dialog']").click()
    screenshot(console.page)
    _check(axe, console.page)


def test_a_refusal(console, axe):
    console.open("task_demo_016")
    console.page.keyboard.press("c")
    console.page.locator("#notice[role='alert']").wait_for()
    _check(axe, console.page)


def test_send_ai_unreachable(console, settings, axe):
    page = console.page
    console.open("task_demo_017")
    settings.SENDAI_API_URL = CLOSED
    found: dict[str, str] = {}
    page.keyboard.press("a")
    page.locator("#task-state [role='alert']").wait_for()
    _check(axe, page, found, "an action failed")
    response = page.goto(console.task_url("task_demo_017"))
    assert response.status == 503
    _check(axe, page, found, "the task could not be opened")
    _assert_none(found)


def test_the_no_key_page(live_server, page, people, axe):
    sign_in(page, live_server.url, people.reviewer.username)
    page.goto(live_server.url + "/review/team_demo/proj_demo/task_demo_017/")
    assert "Your Send.ai API key is needed" in page.content()
    _check(axe, page)
