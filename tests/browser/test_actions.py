"""Every action from the keyboard alone, checked in the page, upstream, and in the action records."""

from __future__ import annotations

import pytest

from reviewer.review.models import ActionRecord
from reviewer.sandbox.models import Report
from tests.browser.conftest import upstream_task


def _records(task_id: str) -> list[tuple[str, str, str]]:
    rows = ActionRecord.objects.filter(task_id=task_id).exclude(action="open").order_by("at", "pk")
    return [(r.action, r.outcome, r.task_status) for r in rows]


def _focused(page) -> str:
    return page.evaluate("() => document.activeElement.outerHTML.slice(0, 120)")


def tab_to(page, selector: str, limit: int = 15) -> None:
    """Press Tab until the element matching `selector` has the focus."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}; the focus is on {_focused(page)}")


def test_c_completes_the_task(console, screenshot):
    console.open("task_demo_020")
    page = console.page
    page.keyboard.press("c")
    page.wait_for_selector("#task-state [data-status='PROCESSING']")
    assert "Completed: Send.ai is processing the task." in page.locator("#notice").inner_text()
    assert upstream_task("task_demo_020").status == "PROCESSING"
    assert _records("task_demo_020") == [("complete", "ok", "PROCESSING")]
    screenshot(page)


def test_a_approves_and_d_disapproves(console):
    console.open("task_demo_020")
    page = console.page
    page.keyboard.press("a")
    page.wait_for_selector("#task-state .approval.approved")
    assert upstream_task("task_demo_020").approved
    page.keyboard.press("d")
    page.wait_for_selector("#task-state .approval:not(.approved)")
    assert not upstream_task("task_demo_020").approved
    assert _records("task_demo_020") == [("approve", "ok", "REVIEWING"), ("disapprove", "ok", "REVIEWING")]


@pytest.mark.parametrize("key", ["Enter", "Space"])
def test_x_asks_first_and_the_focused_confirm_button_discards(console, key):
    console.open("task_demo_020")
    page = console.page
    page.keyboard.press("x")
    assert page.locator("dialog[data-details='discard']").evaluate("d => d.open")
    assert page.evaluate("() => document.activeElement.dataset.action") == "discard", (
        f"x should move the focus to the confirm button; it is on {_focused(page)}"
    )
    assert upstream_task("task_demo_020").status == "REVIEWING"  # nothing is sent before the confirmation
    page.keyboard.press(key)
    page.wait_for_selector("#task-state [data-status='DISCARDED']")
    assert upstream_task("task_demo_020").status == "DISCARDED"
    assert _records("task_demo_020") == [("discard", "ok", "DISCARDED")]


def test_escape_closes_the_discard_confirmation_without_sending(console):
    console.open("task_demo_020")
    page = console.page
    page.keyboard.press("x")
    page.keyboard.press("Escape")
    assert not page.locator("dialog[data-details='discard']").evaluate("d => d.open")
    assert upstream_task("task_demo_020").status == "REVIEWING"
    assert _records("task_demo_020") == []


def test_u_unlocks_a_completed_task_of_an_upload_still_in_review(console):
    console.open("task_demo_012")  # COMPLETED, not exported, in upl_demo_0003
    page = console.page
    page.keyboard.press("u")
    page.wait_for_selector("#task-state [data-status='REVIEWING']")
    assert upstream_task("task_demo_012").status == "REVIEWING"
    assert _records("task_demo_012") == [("unlock", "ok", "REVIEWING")]


def test_the_key_of_an_action_that_is_not_offered_sends_nothing(console):
    console.open("task_demo_020")  # in review: it cannot be unlocked, and is not approved
    page = console.page
    page.keyboard.press("u")
    page.keyboard.press("d")
    page.wait_for_timeout(300)
    assert _records("task_demo_020") == []
    assert upstream_task("task_demo_020").status == "REVIEWING"


def test_r_opens_the_report_form_and_it_is_filled_and_sent_with_the_keyboard(console, screenshot):
    console.open("task_demo_020")
    page = console.page
    page.keyboard.press("r")
    assert page.locator("dialog[data-details='report']").evaluate("d => d.open")
    assert page.evaluate("() => document.activeElement.id") == "id_issues_0", (
        f"r should move the focus to the first field of the report; it is on {_focused(page)}"
    )
    page.keyboard.press("Space")
    tab_to(page, "#id_other")
    page.keyboard.type("Stamp covers the total")  # letters that are shortcuts elsewhere: c, a, d, u, r, x
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "id_message"
    page.keyboard.type("Page 1, bottom right; the amount is unreadable.")
    screenshot(page, "filled")
    tab_to(page, "button[data-action='report']")
    page.keyboard.press("Enter")
    page.wait_for_selector("#notice:has-text('Report sent.')")
    [report] = Report.objects.filter(task__task_id="task_demo_020")
    assert report.issues == [
        {"label": "Poor Document Quality", "value": "poor_quality"},
        {"label": "Stamp covers the total", "value": "other"},
    ]
    assert report.message == "Page 1, bottom right; the amount is unreadable."
    assert _records("task_demo_020") == [("report", "ok", "REVIEWING")]
    assert upstream_task("task_demo_020").status == "REVIEWING"  # typing sent no other action
