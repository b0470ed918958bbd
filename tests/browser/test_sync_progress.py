"""A lead starts a sync in the browser and watches it finish without reloading the page."""

from __future__ import annotations

from playwright.sync_api import expect

from reviewer.queue.models import Entry, SyncRun
from tests.browser.conftest import PROJECT, TEAM, sign_in
from tests.conftest import give_key, make_key, run_tasks


def test_a_lead_watches_a_sync_run_to_its_end(live_server, upstream, people, page, axe, screenshot):
    from django.core.management import call_command

    from reviewer.sandbox.models import Project
    from tests.browser.conftest import describe

    call_command("sandbox_seed", verbosity=0)
    project = Project.objects.get(team__team_id=TEAM, project_id=PROJECT)
    give_key(people.lead, make_key(project=project), team_id=TEAM, project_id=PROJECT)
    sign_in(page, live_server.url, people.lead.username)
    page.goto(live_server.url + "/queue/")
    page.get_by_role("button", name="Sync now").click()
    page.wait_for_url(live_server.url + "/queue/#syncs-h")
    runs = page.locator("#syncs .sync-run")
    expect(runs.first).to_contain_text("Waiting for the worker")
    screenshot(page, "waiting")
    violations = axe(page)
    assert not violations, describe(violations)
    run_tasks()  # the worker, while the page is open
    expect(runs.first).to_contain_text("Done", timeout=15_000)  # the page's poll brought it
    expect(page.locator("#syncs")).not_to_have_attribute("hx-trigger", "every 2s")
    run = SyncRun.objects.get()
    assert run.status == "done" and run.seen == Entry.objects.count() > 0
    expect(runs.first).to_contain_text(f"{run.seen} task(s) seen")
