"""The claim and the typed text across the ends of a page: leaving it, and a session ending on it."""

from __future__ import annotations

import time

from reviewer.queue.models import Entry
from reviewer.sandbox.models import Report
from tests.browser.conftest import PASSWORD, queue_tasks

TASK = "task_demo_022"


def _claim(console) -> None:
    page = console.page
    page.goto(console.url + "/")
    page.keyboard.press("n")
    page.wait_for_url(console.task_url(TASK))
    assert Entry.objects.get(task_id=TASK).claimed_by == console.reviewer


def _wait_for(condition, what: str, timeout: float = 30.0) -> None:
    """Wait for an outcome in the database (the beacon is sent after the page has gone)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting: {what}")
        time.sleep(0.1)


def _fill_report(page, message: str) -> None:
    page.keyboard.press("r")
    page.locator("#id_issues_0").check()
    page.fill("#id_message", message)


def test_leaving_after_a_report_gives_the_claim_back(console):
    queue_tasks(TASK)
    _claim(console)
    page = console.page
    _fill_report(page, "Stamp over the total")
    page.click("button[data-action='report']")
    page.wait_for_selector("#notice:has-text('Report sent.')")
    assert Entry.objects.get(task_id=TASK).claimed_by == console.reviewer  # a report keeps the task

    page.goto(console.url + "/queue/")
    _wait_for(lambda: Entry.objects.get(task_id=TASK).claimed_by is None, "the claim released on leaving")


def test_a_report_sent_after_the_session_ended_is_kept_and_sent_after_signing_in(console):
    queue_tasks(TASK)
    _claim(console)
    page = console.page
    _fill_report(page, "The total is unreadable")
    page.context.clear_cookies()  # the session ends (and the CSRF cookie goes with it)
    page.click("button[data-action='report']")

    notice = page.locator("#notice-signin")
    notice.wait_for()
    assert "session has ended" in notice.inner_text()
    assert page.input_value("#id_message") == "The total is unreadable"  # nothing swapped, nothing lost
    assert page.locator("text=Sign in").count() >= 1
    assert not Report.objects.filter(task__task_id=TASK).exists()

    page.click("[data-signin-link]")
    page.wait_for_selector("#id_username")
    page.fill("#id_username", console.reviewer.username)
    page.fill("#id_password", PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(console.task_url(TASK))  # back on the task, not on a POST-only address

    assert page.input_value("#id_message") == "The total is unreadable"
    assert page.locator("#id_issues_0").is_checked()
    assert page.locator("#id_message").is_visible()  # the report form is open again
    page.click("button[data-action='report']")
    page.wait_for_selector("#notice:has-text('Report sent.')")
    [report] = Report.objects.filter(task__task_id=TASK)
    assert report.message == "The total is unreadable"
