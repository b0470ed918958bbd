"""Revoking a key asks first: a confirm page (GET), and a POST removes the key only when confirmed.

Without JavaScript: the Revoke and Remove buttons are links to the confirm page, whose form
carries the confirmation; a POST without it shows the page again with an error (issue #12).
"""

from __future__ import annotations

import pytest

from reviewer.accounts.models import KeyEvent, Profile
from tests.conftest import give_key

RAW = "sk_sbx_SecretToRevoke4321"


@pytest.fixture
def admin_client(client, people, settings):
    settings.SENDAI_API_URL = "http://127.0.0.1:9/sandbox"  # nothing here asks Send.ai
    give_key(people.reviewer, RAW)
    client.force_login(people.admin)
    return client


def _has_key(user) -> bool:
    return Profile.objects.get(user=user).has_key


def test_the_person_page_links_to_the_confirm_page(admin_client, people):
    page = admin_client.get(f"/people/{people.reviewer.pk}/").content.decode()
    assert f'<a class="button danger" href="/people/{people.reviewer.pk}/key/revoke/">' in page
    assert f'action="/people/{people.reviewer.pk}/key/revoke/"' not in page  # no one-click revoke


def test_the_confirm_page_asks_and_changes_nothing(admin_client, people):
    response = admin_client.get(f"/people/{people.reviewer.pk}/key/revoke/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Revoke the key of rita?" in page
    assert "<code>4321</code>" in page
    assert '<input type="hidden" name="confirm" value="yes">' in page
    assert '<button type="submit" class="danger">Yes, revoke the key</button>' in page
    assert f'href="/people/{people.reviewer.pk}/"' in page  # Cancel
    assert RAW not in page
    assert _has_key(people.reviewer)
    assert not KeyEvent.objects.exists()


def test_a_post_without_the_confirmation_is_shown_again_with_an_error(admin_client, people):
    response = admin_client.post(f"/people/{people.reviewer.pk}/key/revoke/")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was revoked yet: confirm with the button below." in page
    assert 'role="alert"' in page
    assert _has_key(people.reviewer)
    assert not KeyEvent.objects.exists()


def test_a_confirmed_post_revokes(admin_client, people):
    response = admin_client.post(f"/people/{people.reviewer.pk}/key/revoke/", {"confirm": "yes"})
    assert response.status_code == 302
    assert response["Location"] == f"/people/{people.reviewer.pk}/"
    assert not _has_key(people.reviewer)
    assert KeyEvent.objects.get().action == "revoked"


def test_without_a_key_there_is_nothing_to_confirm(client, people):
    client.force_login(people.admin)
    response = client.get(f"/people/{people.reviewer.pk}/key/revoke/", follow=True)
    assert "There was no key to revoke." in response.content.decode()


def test_ones_own_key_is_removed_after_confirming_too(client, people, settings):
    settings.ALLOW_SELF_SERVICE_KEYS = True
    give_key(people.reviewer, RAW)
    client.force_login(people.reviewer)
    assert '<a class="button danger" href="/account/key/revoke/">' in client.get("/account/").content.decode()
    page = client.get("/account/key/revoke/").content.decode()
    assert "Remove your key?" in page and "Yes, remove my key" in page
    assert 'href="/account/"' in page
    assert client.post("/account/key/revoke/").status_code == 400
    assert _has_key(people.reviewer)
    assert client.post("/account/key/revoke/", {"confirm": "yes"})["Location"] == "/account/"
    assert not _has_key(people.reviewer)


def test_only_who_may_set_the_key_sees_the_confirm_page(client, people, settings):
    settings.ALLOW_SELF_SERVICE_KEYS = False
    give_key(people.reviewer, RAW)
    client.force_login(people.reviewer)
    assert client.get("/account/key/revoke/").status_code == 403
    assert client.get(f"/people/{people.reviewer.pk}/key/revoke/").status_code == 403
    assert _has_key(people.reviewer)
