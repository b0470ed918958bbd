"""Every screen but the review screen, in the light and the dark theme: axe-clean, no page-wide scroll.

The theme follows the system (Chromium's emulated prefers-color-scheme) unless the person chose
one in the top bar's switch, which is remembered per person.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from reviewer.accounts.models import Profile
from reviewer.accounts.roles import set_role
from reviewer.audit import sampling
from reviewer.queue.models import Entry
from reviewer.review.models import ActionRecord
from tests.audit.conftest import rec
from tests.browser.conftest import IN_FLIGHT, ROOT, describe, sign_in

DOCS_SCREENSHOT = ROOT / "docs" / "screenshots" / "figures-light.png"
BACKGROUND = {"light": "rgb(244, 246, 249)", "dark": "rgb(15, 20, 27)"}  # --bg of each theme
TEAM, PROJECT = "team_demo", "proj_demo"
NO_ROLE = "Your account has no role yet: ask an admin to give you one."

# (screen, who looks at it, its address); {reviewer} and {sample} are filled in.
SCREENS = [
    ("sign-in", None, "/accounts/login/"),
    ("password-reset", None, "/accounts/password_reset/"),
    ("start", "reviewer", "/"),
    ("account", "reviewer", "/account/"),
    ("password-change", "reviewer", "/accounts/password_change/"),
    ("not-found", "reviewer", "/no/such/page/"),
    ("not-allowed", "reviewer", "/people/"),
    ("no-role", "stranger", "/"),  # signed in before their role was taken away: 403 that says so
    ("no-role-account", "stranger", "/account/"),
    ("queue", "lead", "/queue/"),
    ("approvals", "lead", "/audit/approvals/"),
    ("activity", "lead", "/audit/activity/"),
    ("history", "lead", f"/audit/task/{TEAM}/{PROJECT}/task_demo_001/"),
    ("figures", "lead", "/audit/figures/"),
    ("samples", "lead", "/audit/samples/"),
    ("sample", "lead", "/audit/samples/{sample}/"),
    ("people", "admin", "/people/"),
    ("person", "admin", "/people/{reviewer}/"),
    ("person-new", "admin", "/people/new/"),
]


@pytest.fixture
def work(people) -> dict:
    """A week of recorded work by two reviewers, a queue with a claim, and a sample drawn."""
    now = timezone.now()
    actions = ["approve", "complete", "approve", "discard", "complete", "disapprove", "report", "approve"]
    for n in range(24):
        who = people.reviewer if n % 3 else people.lead
        action = actions[n % len(actions)]
        rec(
            who.username,
            action,
            "refused" if n % 11 == 5 else "ok",
            user=who,
            at=now - dt.timedelta(hours=5 * n + 1),
            task=f"task_demo_{n % 9 + 1:03}",
            team=TEAM,
            project=PROJECT,
            seconds_on_task=40 + 17 * n,
            duration_ms=120 + n,
        )
    for n in range(4):
        Entry.objects.create(
            team_id=TEAM,
            project_id=PROJECT,
            task_id=f"task_demo_0{n + 20}",
            status="REVIEWING",
            name=f"Invoice {n + 20}",
            step_type="EXTRACT",
            created_at=now - dt.timedelta(days=1, minutes=n),
            source="list",
            **(
                {"claimed_by": people.reviewer, "claimed_at": now, "claim_expires_at": now + dt.timedelta(minutes=9)}
                if n == 0
                else {}
            ),
        )
    approvals = ActionRecord.objects.filter(action="approve", outcome="ok")
    today = now.date()
    filters = {"reviewer": "", "team_id": "", "project_id": "", "period_start": today - dt.timedelta(days=6)}
    sample = sampling.draw(approvals, 3, by=people.lead, filters={**filters, "period_end": today})
    assert sample is not None
    return {"sample": sample.pk, "reviewer": people.reviewer.pk}


def _context(browser, scheme: str):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-GB", color_scheme=scheme)
    context.set_default_timeout(10_000)
    return context


def _look(page) -> dict:
    return page.evaluate(
        """() => ({
            theme: document.documentElement.dataset.theme || "",
            background: getComputedStyle(document.documentElement).backgroundColor,
            overflow: document.documentElement.scrollWidth - window.innerWidth,
        })"""
    )


def _visit_all(browser, live_server, people, work, axe, scheme: str, chosen: str = "") -> dict[str, str]:
    """Each screen as its persona sees it; return the problems found, by screen."""
    problems: dict[str, str] = {}
    expected = chosen or scheme
    for persona in (None, "reviewer", "stranger", "lead", "admin"):
        screens = [(name, path) for name, who, path in SCREENS if who == persona]
        if chosen and persona is None:
            continue  # nobody is signed in to have chosen
        context = _context(browser, scheme)
        try:
            page = context.new_page()
            if persona:
                user = getattr(people, persona)
                Profile.objects.filter(user=user).update(theme=chosen)
                if persona == "stranger":  # who has no role cannot sign in: had one, then lost it
                    set_role(user, "reviewer")
                sign_in(page, live_server.url, user.username)
                if persona == "stranger":
                    set_role(user, None)
            for name, path in screens:
                page.goto(live_server.url + path.format(**work))
                page.locator("main").wait_for()
                look = _look(page)
                found = []
                if look["background"] != BACKGROUND[expected]:
                    found.append(f"the page is not in the {expected} theme: {look}")
                if name.startswith("no-role") and NO_ROLE not in page.locator("main").inner_text():
                    found.append("the page does not say that the person has no role")
                if look["overflow"] > 0:
                    found.append(f"the page scrolls sideways by {look['overflow']} px")
                if violations := axe(page):
                    found.append(describe(violations))
                if found:
                    problems[f"{name} ({path})"] = "\n".join(found)
        finally:
            context.close()
            IN_FLIGHT.wait_idle()
    return problems


@pytest.mark.parametrize(
    ("scheme", "chosen"),
    [("light", ""), ("dark", ""), ("light", "dark"), ("dark", "light")],
    ids=["system-light", "system-dark", "chosen-dark", "chosen-light"],
)
def test_every_screen_is_axe_clean_in_each_theme(browser, live_server, people, work, axe, scheme, chosen):
    problems = _visit_all(browser, live_server, people, work, axe, scheme, chosen)
    report = "\n".join(f"[{screen}]\n{text}" for screen, text in problems.items())
    assert not problems, "Problems found:\n" + report


def test_the_theme_switch_is_remembered_per_person(browser, live_server, people, axe):
    context = _context(browser, "light")
    try:
        page = context.new_page()
        sign_in(page, live_server.url, people.reviewer.username)
        page.goto(live_server.url + "/queue/")
        assert _look(page)["background"] == BACKGROUND["light"]
        dark = page.locator("button[data-theme-choice='dark']")
        assert dark.get_attribute("aria-pressed") == "false"
        dark.focus()
        page.keyboard.press("Enter")  # from the keyboard, without a script
        page.wait_for_url(live_server.url + "/queue/")
        page.locator("html[data-theme='dark']").wait_for(state="attached")
        assert _look(page)["background"] == BACKGROUND["dark"]
        assert page.locator("button[data-theme-choice='dark']").get_attribute("aria-pressed") == "true"
        assert "Saved your preferences." in page.locator(".messages").inner_text()
        assert not axe(page), describe(axe(page))
        page.reload()
        assert _look(page) == {"theme": "dark", "background": BACKGROUND["dark"], "overflow": 0}
    finally:
        context.close()
        IN_FLIGHT.wait_idle()
    assert Profile.objects.get(user=people.reviewer).theme == "dark"

    # Another browser, the same person: still dark. Another person: as their system says.
    for user, expected in ((people.reviewer, "dark"), (people.lead, "light")):
        context = _context(browser, "light")
        try:
            page = context.new_page()
            sign_in(page, live_server.url, user.username)
            assert _look(page)["background"] == BACKGROUND[expected], user.username
        finally:
            context.close()
            IN_FLIGHT.wait_idle()

    # Back to the system's choice, under a system that prefers dark.
    context = _context(browser, "dark")
    try:
        page = context.new_page()
        sign_in(page, live_server.url, people.reviewer.username)
        page.locator("button[data-theme-choice='light']").click()
        page.locator("html[data-theme='light']").wait_for(state="attached")
        assert _look(page)["background"] == BACKGROUND["light"]
        page.locator("button[data-theme-choice='']").click()
        page.wait_for_function("() => !document.documentElement.dataset.theme")
        assert _look(page)["background"] == BACKGROUND["dark"]
    finally:
        context.close()
        IN_FLIGHT.wait_idle()
    assert Profile.objects.get(user=people.reviewer).theme == ""


def test_the_language_switch_is_remembered(browser, live_server, people):
    context = _context(browser, "light")
    try:
        page = context.new_page()
        sign_in(page, live_server.url, people.reviewer.username)
        page.goto(live_server.url + "/account/")
        page.select_option("#language-switch", "nl")
        page.locator("#language-switch + button").press("Enter")
        page.wait_for_url(live_server.url + "/account/")
        assert page.locator("#language-switch").input_value() == "nl"
        cookies = {c["name"]: c["value"] for c in context.cookies()}
        assert cookies[django_settings.LANGUAGE_COOKIE_NAME] == "nl"
    finally:
        context.close()
        IN_FLIGHT.wait_idle()
    assert Profile.objects.get(user=people.reviewer).language == "nl"


def test_the_figures_page_screenshot(browser, live_server, people, work, screenshot):
    """The audit figures in the light theme, for the README (docs/screenshots/figures-light.png)."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="en-GB", color_scheme="light")
    try:
        page = context.new_page()
        sign_in(page, live_server.url, people.lead.username)
        page.goto(live_server.url + "/audit/figures/")
        table = page.locator(".figures")
        assert "rita" in table.inner_text() and "leo" in table.inner_text()
        region = page.locator(".table-wrap:has(.figures)")
        assert region.get_attribute("tabindex") == "0"
        # The table is shown whole, or scrolls inside its region: never cut off.
        widths = region.evaluate(
            "r => ({inner: r.scrollWidth, outer: r.clientWidth, overflow: getComputedStyle(r).overflowX})"
        )
        assert widths["inner"] <= widths["outer"] or widths["overflow"] == "auto", widths
        assert _look(page)["overflow"] == 0
        saved = screenshot(page, "light")
        DOCS_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(saved, DOCS_SCREENSHOT)
        assert Path(DOCS_SCREENSHOT).stat().st_size > 10_000
    finally:
        context.close()
        IN_FLIGHT.wait_idle()
