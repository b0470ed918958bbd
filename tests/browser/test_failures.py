"""Refusals and an unreachable Send.ai: the reason is shown, and what was typed is kept."""

from __future__ import annotations

from reviewer.review.models import ActionRecord
from reviewer.sandbox.models import Report
from tests.browser.conftest import upstream_task

CLOSED = "http://127.0.0.1:9/sandbox"  # the discard port: nothing listens, the connection is refused


def _records(task_id: str) -> list[tuple[str, str, str]]:
    rows = ActionRecord.objects.filter(task_id=task_id).exclude(action="open").order_by("at", "pk")
    return [(r.action, r.outcome, r.upstream_code) for r in rows]


def _fill_report(page) -> None:
    """Tick the first issue and type another one and a message, as a reviewer would."""
    page.locator("[data-dialog-open='report-dialog']").click()
    page.locator("#id_issues_0").check()
    page.locator("#id_other").fill("Stamp covers the total")
    page.locator("#id_message").fill("Page 1, bottom right.")


def test_a_refused_complete_shows_the_upstreams_reason(console, screenshot):
    console.open("task_demo_016")  # has validation errors upstream
    page = console.page
    page.keyboard.press("c")
    alert = page.locator("#notice[role='alert']")
    alert.wait_for()
    text = alert.inner_text()
    assert "Send.ai refused to complete the task" in text
    assert "total_amount: not an amount" in text
    assert "invoice_date: missing" in text
    assert page.locator("#task-state [data-status]").get_attribute("data-status") == "REVIEWING"
    assert upstream_task("task_demo_016").status == "REVIEWING"
    assert _records("task_demo_016") == [("complete", "refused", "validation_failed")]
    screenshot(page)


def test_a_report_the_console_refuses_keeps_the_message(console):
    console.open("task_demo_020")
    page = console.page
    page.locator("[data-dialog-open='report-dialog']").click()
    page.locator("#id_message").fill("No issue ticked, but this text matters.")
    page.locator("button[data-action='report']").click()
    alert = page.locator("#notice[role='alert']")
    alert.wait_for()
    assert "Choose at least one issue, or describe another one." in alert.inner_text()
    assert page.locator("dialog[data-details='report']").evaluate("d => d.open")
    assert page.locator("#id_message").input_value() == "No issue ticked, but this text matters."
    assert not Report.objects.exists()


def test_an_unreachable_upstream_keeps_the_report_for_sending_again(console, settings, screenshot):
    console.open("task_demo_020")
    page = console.page
    _fill_report(page)
    settings.SENDAI_API_URL = CLOSED
    page.locator("button[data-action='report']").click()
    alert = page.locator("#task-state [role='alert']")
    alert.wait_for()
    assert "Send.ai could not be reached" in alert.inner_text()
    assert page.locator("#id_issues_0").is_checked()
    assert page.locator("#id_other").input_value() == "Stamp covers the total"
    assert page.locator("#id_message").input_value() == "Page 1, bottom right."
    assert _records("task_demo_020") == [("report", "unavailable", "")]
    screenshot(page)

    settings.SENDAI_API_URL = console.url + "/sandbox"
    page.locator("button[data-action='report']", has_text="Send report again").click()
    page.wait_for_selector("#notice:has-text('Report sent.')")
    [report] = Report.objects.filter(task__task_id="task_demo_020")
    assert report.message == "Page 1, bottom right."
    assert [i["value"] for i in report.issues] == ["poor_quality", "other"]


def test_an_action_while_unreachable_says_so_and_offers_to_try_again(console, settings, screenshot):
    console.open("task_demo_020")
    page = console.page
    settings.SENDAI_API_URL = CLOSED
    page.keyboard.press("a")
    alert = page.locator("#task-state [role='alert']")
    alert.wait_for()
    assert "Send.ai could not be reached: the connection was refused or broken." in alert.inner_text()
    retry = page.locator("#task-state button[data-retry]")
    assert retry.is_visible()
    assert not upstream_task("task_demo_020").approved
    assert _records("task_demo_020") == [("approve", "unavailable", "")]
    screenshot(page)

    settings.SENDAI_API_URL = console.url + "/sandbox"
    retry.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#task-state .approval.approved")
    assert upstream_task("task_demo_020").approved
    assert _records("task_demo_020") == [("approve", "unavailable", ""), ("approve", "ok", "")]
