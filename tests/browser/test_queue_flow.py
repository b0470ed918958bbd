"""A reviewer works through the queue with the keyboard alone, moving on by themselves."""

from __future__ import annotations

from reviewer.queue.models import ClaimEvent, Entry
from reviewer.review.models import ActionRecord
from tests.browser.conftest import queue_tasks, upstream_task

ORDER = ["task_demo_022", "task_demo_023", "task_demo_024", "task_demo_027"]


def _fill_queue() -> None:
    queue_tasks(*ORDER)


def test_a_reviewer_works_through_several_tasks_with_the_keyboard(console, screenshot):
    _fill_queue()
    page = console.page
    page.goto(console.url + "/")
    page.keyboard.press("n")  # Start reviewing
    page.wait_for_url(console.task_url(ORDER[0]))
    assert "You hold this task" in page.locator("[data-claim]").inner_text()
    screenshot(page, "claimed")

    page.keyboard.press("c")  # complete: the next task opens by itself
    page.wait_for_url(console.task_url(ORDER[1]))
    page.keyboard.press("j")
    page.keyboard.press("x")  # discard asks first; Enter confirms
    page.keyboard.press("Enter")
    page.wait_for_url(console.task_url(ORDER[2]))
    page.keyboard.press("c")
    page.wait_for_url(console.task_url(ORDER[3]))
    screenshot(page, "third-move")

    assert [upstream_task(t).status for t in ORDER] == ["PROCESSING", "DISCARDED", "PROCESSING", "REVIEWING"]
    held = Entry.objects.get(task_id=ORDER[3])
    assert held.claimed_by == console.reviewer
    assert not Entry.objects.filter(task_id__in=ORDER[:3], claimed_by__isnull=False).exists()
    kinds = list(ClaimEvent.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds == ["claimed", "released"] * 3 + ["claimed"]
    actions = list(ActionRecord.objects.exclude(action="open").order_by("pk").values_list("task_id", "action"))
    assert actions == [(ORDER[0], "complete"), (ORDER[1], "discard"), (ORDER[2], "complete")]


def test_the_queue_runs_dry_politely(console):
    _fill_queue()
    Entry.objects.exclude(task_id=ORDER[0]).delete()
    page = console.page
    page.goto(console.url + "/")
    page.keyboard.press("n")
    page.wait_for_url(console.task_url(ORDER[0]))
    page.keyboard.press("c")
    page.wait_for_url(console.url + "/queue/")
    assert "Nothing else is waiting for review." in page.content()
