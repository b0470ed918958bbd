"""Error answers reach the page in Chromium (issue #12): htmx 2 swaps no 4xx/5xx by default, so a
link whose request failed did nothing; base.html's htmx-config swaps the console's error fragments."""

from __future__ import annotations

from reviewer.queue import copies
from tests.browser.conftest import PROJECT, TEAM

CLOSED = "http://127.0.0.1:9/sandbox"  # the discard port: nothing listens, the connection is refused


def test_a_viewer_link_that_fails_says_why_in_place(console, settings, screenshot):
    """Before: clicking "Lowest confidence first" while Send.ai was unreachable changed nothing.

    A viewer link shows the person's copy of the task without asking Send.ai (queue/copies.py),
    so the task is marked changed first: then the link must ask, and Send.ai is unreachable."""
    console.open("task_demo_001")
    page = console.page
    settings.SENDAI_API_URL = CLOSED
    copies.forget((TEAM, PROJECT, "task_demo_001"))
    page.get_by_role("link", name="Lowest confidence first").click()
    problem = page.locator("section#viewer.task-problem")
    problem.wait_for()
    assert "Send.ai could not be reached" in problem.inner_text()
    assert problem.get_by_role("link", name="Try again").is_visible()
    screenshot(page)
