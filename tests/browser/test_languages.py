"""Every screen but the review screen in Dutch (docs/i18n.md): as its persona, asked for by the
browser (Accept-Language, Playwright's locale) or by the person's own choice (Profile.language;
before signing in, the language cookie that the switch sets), in the light and the dark theme.

Each screen says `<html lang="nl">`, shows a few of its known Dutch sentences, is axe-clean, and
none of its English words are left in its visible text or in its labels (aria-label, title,
placeholder, alt). Dates and numbers are written the Dutch way (5-1-2026 14:30, 12.345 ms, 0,6);
the same page in English keeps ISO dates and its own separators.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from reviewer.accounts.models import Profile
from reviewer.accounts.roles import set_role
from tests.audit.conftest import rec
from tests.browser.conftest import IN_FLIGHT, describe, sign_in
from tests.browser.test_themes import BACKGROUND, PROJECT, SCREENS, TEAM, work  # noqa: F401 (work: a fixture)

# Words of the top bar, which every signed-in screen shows, and words of any English sentence.
TOP_BAR_NL = ["Uitloggen", "Mijn account", "Thema", "Taal", "Zoals de browser", "Instellen"]
TOP_BAR_EN = ["Sign out", "Skip to content", "My account", "Theme", "Language", "As the browser", "Set"]
ENGLISH = ["the", "and", "your", "you", "with", "for", "by", "to", "from", "never", "yes"]

# screen: (Dutch sentences it shows, English words it must not show any more)
WORDS = {
    "sign-in": (["Inloggen", "Wachtwoord vergeten?", "Gebruikersnaam"], ["Sign in", "Forgot", "Username", "Password"]),
    "password-reset": (
        ["Je wachtwoord opnieuw instellen", "De link versturen"],
        ["Reset your password", "Send the link", "email address"],
    ),
    "start": (
        ["Taken beoordelen", "De wachtrij afwerken", "Beginnen met beoordelen", "Een taak openen via haar ID"],
        ["Review tasks", "Work through", "Start reviewing", "Open a task", "Task ID", "Open", "ask an admin"],
    ),
    "account": (
        ["Voorkeuren", "Voorkeuren opslaan", "Je Send.ai-API-sleutel", "Geschiedenis van de sleutel"],
        ["Preferences", "Save", "Your Send.ai API key", "Key history", "No changes yet", "Move on by myself"],
    ),
    "password-change": (["Wachtwoord wijzigen", "Oud wachtwoord"], ["Change password", "Old password", "New password"]),
    "not-found": (["Niet gevonden", "Terug naar het begin"], ["Not found", "Back", "nothing at this address"]),
    "not-allowed": (
        ["Niet toegestaan", "Alleen beheerders beheren mensen en hun sleutels."],
        ["Not allowed", "Only admins", "If you need access"],
    ),
    "no-role": (["Niet toegestaan", "Je account heeft nog geen rol"], ["Not allowed", "no role yet"]),
    "no-role-account": (["Niet toegestaan", "Je account heeft nog geen rol"], ["Not allowed", "no role yet"]),
    "queue": (
        ["Per status", "Lopende claims", "Synchroniseren met Send.ai", "Taak-ID’s toevoegen"],
        ["Work queue", "By status", "Claims in progress", "Sync now", "Add task IDs", "Release", "Filter"],
    ),
    "approvals": (
        ["Register van goedkeuringen", "Deze registraties downloaden als CSV", "Nu goedgekeurd"],
        ["Approvals ledger", "Download", "newest first", "Approved now", "approved", "Clear", "Filter"],
    ),
    "activity": (
        ["Activiteitenlogboek", "Geregistreerde acties, nieuwste eerst", "Tijd per taak"],
        ["Activity log", "Recorded actions", "Time on task", "Took", "Status after", "unknown"],
    ),
    "history": (
        ["Geschiedenis van taak", "Open haar in het controlescherm", "Tijd per taak"],
        ["History of task", "Open it in the review screen", "Everything recorded", "Reference", "Second reviews"],
    ),
    "figures": (
        ["Cijfers per beoordelaar", "In beeld", "Waar de AI wordt gecorrigeerd", "Dag", "Totaal"],
        ["Figures per reviewer", "In pictures", "Where the AI", "Day", "Total", "Actions", "Everyone", "Nothing"],
    ),
    "samples": (
        ["Tweede controle van goedkeuringen", "Een steekproef trekken", "Steekproef "],
        ["Second review", "Draw a sample", "Samples drawn", "Sample", "anyone", "every project"],
    ),
    "sample": (
        ["Alle steekproeven", "Oordeel opslaan", "nog niet beoordeeld", "Goedgekeurd door"],
        ["All samples", "Save verdict", "not decided yet", "Review it", "History", "Approved by", "Verdict"],
    ),
    "people": (
        ["Iemand toevoegen", "Beoordelaar", "Teamleider", "nooit"],
        ["People", "Add a person", "Report issue types", "reviewer", "lead", "Active", "Last used"],
    ),
    "person": (
        ["Rol en standaarden", "Instellen en controleren", "Geschiedenis van de sleutel"],
        ["Role and defaults", "Set and verify", "Send.ai API key", "Save", "State"],
    ),
    "person-new": (["Iemand toevoegen", "Gebruikersnaam"], ["Add a person", "Username", "Password"]),
}

DUTCH_MOMENT = re.compile(r"\b\d{1,2}-\d{1,2}-20\d\d \d\d:\d\d:\d\d\b")  # 2-12-2026 01:41:05
ISO_DAY = re.compile(r"\b20\d\d-\d\d-\d\d\b")
LABELS = """() => [...document.querySelectorAll("[aria-label], [title], [placeholder], [alt], title")]
    .flatMap(e => e.tagName === "TITLE" ? [e.textContent]
        : ["aria-label", "title", "placeholder", "alt"].map(a => e.getAttribute(a)).filter(Boolean))"""


@pytest.fixture
def figures(work) -> dict:  # noqa: F811 (the fixture imported above)
    """The week of work, and a complete on the history screen's task that took long and sent corrections."""
    rec(
        "rita",
        "complete",
        at=timezone.now() - dt.timedelta(minutes=30),
        task="task_demo_001",
        team=TEAM,
        project=PROJECT,
        correction_count=3,
        duration_ms=12_345,
    )
    return work


def _english_left(text: str, words: list[str]) -> list[str]:
    return [w for w in words if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)]


def _check(page, name: str) -> list[str]:
    """What is not Dutch on this screen."""
    found = []
    lang = page.locator("html").get_attribute("lang")
    if lang != "nl":
        found.append(f'<html lang="{lang}">, not "nl"')
    text = page.locator("body").inner_text()
    labels = " | ".join(page.evaluate(LABELS))
    dutch, english = WORDS[name]
    signed_in = page.locator("form.signout").count() > 0
    if signed_in:
        dutch, english = [*dutch, *TOP_BAR_NL], [*english, *TOP_BAR_EN]
    if missing := [w for w in dutch if w not in text]:
        found.append(f"Dutch missing: {missing}")
    if left := _english_left(text, [*english, *ENGLISH]):
        found.append(f"English left in the text: {left}")
    if left := _english_left(labels, [*english, *ENGLISH]):
        found.append(f"English left in the labels: {left} in {labels!r}")
    if ISO_DAY.search(text):
        found.append(f"an ISO date in a Dutch page: {ISO_DAY.search(text).group()}")
    return found


def _visit_all(browser, live_server, people, ids: dict, axe, how: str, scheme: str) -> dict[str, str]:
    """Each screen in Dutch as its persona sees it; return the problems found, by screen."""
    problems: dict[str, str] = {}
    for persona in (None, "reviewer", "stranger", "lead", "admin"):
        screens = [(name, path) for name, who, path in SCREENS if who == persona]
        locale = "nl-NL" if how == "browser" else "en-GB"
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale=locale, color_scheme=scheme)
        context.set_default_timeout(10_000)
        try:
            if how == "choice" and persona is None:  # before signing in, the switch's cookie speaks
                context.add_cookies(
                    [{"name": django_settings.LANGUAGE_COOKIE_NAME, "value": "nl", "url": live_server.url}]
                )
            page = context.new_page()
            if persona:
                user = getattr(people, persona)
                Profile.objects.filter(user=user).update(language="nl" if how == "choice" else "")
                if persona == "stranger":  # who has no role cannot sign in: had one, then lost it
                    set_role(user, "reviewer")
                sign_in(page, live_server.url, user.username)
                if persona == "stranger":
                    set_role(user, None)
            for name, path in screens:
                page.goto(live_server.url + path.format(**ids))
                page.locator("main").wait_for()
                found = _check(page, name)
                background = page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
                if background != BACKGROUND[scheme]:
                    found.append(f"the page is not in the {scheme} theme ({background})")
                if violations := axe(page):
                    found.append(describe(violations))
                if found:
                    problems[f"{name} ({path})"] = "\n".join(found)
        finally:
            context.close()
            IN_FLIGHT.wait_idle()
    return problems


@pytest.mark.parametrize(
    ("how", "scheme"),
    [("browser", "light"), ("browser", "dark"), ("choice", "dark"), ("choice", "light")],
    ids=["dutch-browser-light", "dutch-browser-dark", "own-choice-dark", "own-choice-light"],
)
def test_every_screen_speaks_dutch(browser, live_server, people, figures, axe, how, scheme):
    problems = _visit_all(browser, live_server, people, figures, axe, how, scheme)
    report = "\n".join(f"[{screen}]\n{text}" for screen, text in problems.items())
    assert not problems, "Problems found:\n" + report


def test_dates_and_numbers_are_written_for_the_language(browser, live_server, people, figures):
    """A task's history (its moments, a wait in milliseconds) and the figures (corrections per complete)."""
    history = f"{live_server.url}/audit/task/{TEAM}/{PROJECT}/task_demo_001/"
    seen = {}
    for locale in ("nl-NL", "en-GB"):
        context = browser.new_context(locale=locale)
        try:
            page = context.new_page()
            sign_in(page, live_server.url, people.lead.username)
            page.goto(history)
            moments = page.locator("#history-caption").locator("xpath=..").inner_text()
            page.goto(live_server.url + "/audit/figures/")
            rita = page.locator(".figures tbody tr", has=page.locator("th", has_text="rita"))
            seen[locale] = (moments, rita.locator("td").last.inner_text())
        finally:
            context.close()
            IN_FLIGHT.wait_idle()
    (dutch, dutch_ratio), (english, english_ratio) = seen["nl-NL"], seen["en-GB"]
    assert DUTCH_MOMENT.search(dutch) and not ISO_DAY.search(dutch), dutch
    assert "12.345 ms" in dutch, dutch
    assert re.fullmatch(r"\d+,\d", dutch_ratio), dutch_ratio  # a decimal comma
    assert ISO_DAY.search(english) and not DUTCH_MOMENT.search(english), english
    assert "12,345 ms" in english, english
    assert re.fullmatch(r"\d+\.\d", english_ratio), english_ratio
    assert dutch_ratio.replace(",", ".") == english_ratio != "0.0"
