"""No screen breaks the Content-Security-Policy: Chromium reports no violation on any of them.

Every page the test visits has a listener for `securitypolicyviolation` (added before the
page's own scripts run), and every console message is read: Chromium also says "Refused to …"
there for what it blocked. Each screen is visited in the state where the most is shown:
overlays drawn, an item being corrected, the report and discard dialogs open.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in

TASK = "task_demo_020"  # an invoice in review: fields, line items, every kind of overlay

LISTEN = """
document.addEventListener("securitypolicyviolation", (e) => {
  (window.__csp = window.__csp || []).push(
    `${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber} ${e.sample}`
  );
}, true);
"""


class Violations:
    def __init__(self, page) -> None:
        self.page = page
        self.seen: list[str] = []
        page.add_init_script(LISTEN)
        page.on("console", self._console)

    def _console(self, message) -> None:
        text = message.text
        if "Content Security Policy" in text or "Content-Security-Policy" in text or text.startswith("Refused to"):
            self.seen.append(f"console: {text}")

    def check(self, where: str) -> None:
        """Collect what the page now showing reported; fail naming `where` if anything was."""
        self.page.wait_for_load_state("load")
        reported = self.page.evaluate("() => window.__csp || []")
        found = self.seen + reported
        self.seen = []
        assert not found, f"{where}: " + "\n".join(found)


@pytest.fixture
def violations(page) -> Violations:
    return Violations(page)


def _visit(page, violations, url: str, where: str, status: int = 200) -> None:
    response = page.goto(url)
    assert response is not None and response.status == status, (where, response and response.status)
    violations.check(where)


def test_the_screens_before_signing_in(live_server, page, violations, people, settings):
    base = live_server.url
    _visit(page, violations, base + "/accounts/login/", "sign-in")
    page.fill("#id_username", "rita")
    page.fill("#id_password", "wrong password")
    page.locator("#id_password").press("Enter")
    page.wait_for_selector(".errorlist, .errornote")
    violations.check("sign-in refused")
    _visit(page, violations, base + "/accounts/password_reset/", "password reset")
    settings.LOGIN_FAILURE_LIMIT = 1
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", "leo")
    page.fill("#id_password", "wrong password")
    page.locator("#id_password").press("Enter")
    page.wait_for_selector(".errornote")
    violations.check("locked out")


def test_the_review_screen_with_overlays_corrections_and_dialogs(console, violations):
    page = console.page
    console.open(TASK)
    page.wait_for_selector(".page-svg .item")
    violations.check("review screen")
    # The per-element values reached the page through the CSSOM, not a style attribute.
    assert float(page.eval_on_selector(".page-svg", "s => getComputedStyle(s).getPropertyValue('--gap')")) > 0
    assert page.eval_on_selector(".legend", "l => getComputedStyle(l).getPropertyValue('--t')").strip().endswith("%")
    # Corrections: select a field, edit it, save the draft.
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    page.keyboard.type(" (checked)")
    page.wait_for_function("() => !window.ReviewerCorrections || window.ReviewerCorrections.idle()")
    page.keyboard.press("Enter")
    violations.check("correcting a field")
    page.keyboard.press("r")
    page.locator("dialog[data-details='report']").wait_for(state="visible")
    violations.check("report dialog")
    page.keyboard.press("Escape")
    page.keyboard.press("x")
    page.locator("dialog[data-details='discard']").wait_for(state="visible")
    violations.check("discard dialog")
    page.keyboard.press("Escape")
    page.keyboard.press("?")
    violations.check("shortcuts")
    # The next page and back, through htmx swaps.
    page.keyboard.press("]")
    page.keyboard.press("[")
    violations.check("paging")


def test_the_lead_and_admin_screens(live_server, page, violations, people):
    base = live_server.url
    sign_in(page, base, people.lead.username)
    violations.check("start (lead)")
    for url, where in [
        ("/queue/", "queue"),
        ("/audit/approvals/", "approvals ledger"),
        ("/audit/activity/", "activity log"),
        ("/audit/figures/", "figures"),
        ("/audit/samples/", "second review"),
        ("/audit/task/team_demo/proj_demo/task_demo_020/", "task history"),
        ("/account/", "account"),
    ]:
        _visit(page, violations, base + url, where)
    _visit(page, violations, base + "/people/", "people refused to a lead", status=403)
    _visit(page, violations, base + "/no-such-page/", "not found", status=404)
    page.context.clear_cookies()
    people.admin.is_staff = people.admin.is_superuser = True
    people.admin.save()
    sign_in(page, base, people.admin.username)
    _visit(page, violations, base + "/people/", "people")
    _visit(page, violations, base + f"/people/{people.reviewer.pk}/", "a person")
    _visit(page, violations, base + "/people/new/", "a new person")
    # The Django admin, where admins see and lift sign-in lockouts.
    _visit(page, violations, base + "/admin/", "the admin")
    _visit(page, violations, base + "/admin/axes/accessattempt/", "the admin's lockouts")


def test_the_sandbox_api_pages(live_server, page, violations):
    _visit(page, violations, live_server.url + "/sandbox/openapi.json", "OpenAPI description")


def test_a_violation_would_be_seen(live_server, page, violations):
    """The listener works: an inline script, which the policy forbids, is reported."""
    page.goto(live_server.url + "/accounts/login/")
    page.evaluate("() => { const s = document.createElement('script'); s.textContent = '1'; document.head.append(s); }")
    page.wait_for_function("() => (window.__csp || []).length > 0")
    with pytest.raises(AssertionError, match="script-src"):
        violations.check("an inline script")
