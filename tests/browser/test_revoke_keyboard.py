"""Revoking a key from the keyboard, through its confirm page, with scripts switched off too."""

from __future__ import annotations

import pytest

from reviewer.accounts.models import Profile
from tests.browser.conftest import IN_FLIGHT, describe, sign_in
from tests.conftest import give_key


def _tab_to(page, name: str, limit: int = 40) -> None:
    """Press Tab until the element called `name` has the focus (as a keyboard user would)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.textContent.trim()") == name:
            return
    pytest.fail(f"{name!r} cannot be reached with Tab")


@pytest.mark.parametrize("scripts", [True, False], ids=["scripts", "no-scripts"])
def test_an_admin_revokes_a_key_from_the_keyboard(browser, live_server, people, axe, settings, scripts):
    settings.SENDAI_API_URL = "http://127.0.0.1:9/sandbox"
    give_key(people.reviewer, "sk_sbx_KeyboardRevoke7777")
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-GB", java_script_enabled=scripts)
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        sign_in(page, live_server.url, people.admin.username)
        person = f"{live_server.url}/people/{people.reviewer.pk}/"
        page.goto(person)
        _tab_to(page, "Revoke")
        page.keyboard.press("Enter")
        page.wait_for_url(person + "key/revoke/")
        assert "Revoke the key of rita?" in page.locator("h1").inner_text()
        if scripts:  # axe-core is a script itself
            assert not axe(page), describe(axe(page))
        assert Profile.objects.get(user=people.reviewer).has_key  # asking changed nothing
        _tab_to(page, "Yes, revoke the key")
        page.keyboard.press("Enter")
        page.wait_for_url(person)
        assert "The key was removed from Reviewer." in page.locator(".messages").inner_text()
    finally:
        context.close()
        IN_FLIGHT.wait_idle()
    assert not Profile.objects.get(user=people.reviewer).has_key
