"""Replacing a key: Send.ai checks the new one first, and a working key is never thrown away.

A key that Send.ai rejects is not stored: the one there stays, the form says why (without the
typed key) and the key history records it. When Send.ai cannot be reached, the new key is kept
unchecked only if the one it would replace is not known to work (issue #12).
"""

from __future__ import annotations

import pytest

from reviewer.accounts.models import KeyEvent, KeyState, Profile
from tests.conftest import give_key, make_key, make_project

UNREACHABLE = "http://127.0.0.1:9/sandbox"
TYPED = "sk_sbx_TypedButRejected9876"


def _replace(client, people, raw, where):
    """Post a new key for rita: by the admin on her person page, or by herself on My account."""
    data = {"api_key": raw, "team_id": "team_123456", "project_id": "proj_123456"}
    if where == "person":
        client.force_login(people.admin)
        return client.post(f"/people/{people.reviewer.pk}/key/", data)
    client.force_login(people.reviewer)
    return client.post("/account/", data)


def _events(user):
    return list(KeyEvent.objects.filter(subject=user).order_by("pk").values_list("action", "outcome"))


@pytest.fixture(autouse=True)
def _self_service(settings):
    settings.ALLOW_SELF_SERVICE_KEYS = True


@pytest.mark.parametrize("where", ["person", "account"])
def test_a_rejected_key_keeps_the_working_one(client, people, upstream, where):
    make_project()
    working = make_key()
    give_key(people.reviewer, working)
    response = _replace(client, people, TYPED, where)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Send.ai rejected the key" in page
    assert "The key ending in " + working[-4:] + " was kept." in page
    assert TYPED not in page and TYPED[-8:] not in page  # the typed key is not rendered back
    profile = Profile.objects.get(user=people.reviewer)
    assert profile.api_key() == working
    assert profile.key_state == KeyState.VERIFIED
    [(action, outcome)] = _events(people.reviewer)
    assert action == KeyEvent.Action.REFUSED
    assert "rejected" in outcome and TYPED not in outcome


@pytest.mark.parametrize("where", ["person", "account"])
def test_a_good_key_replaces_the_old_one_and_is_verified(client, people, upstream, where):
    make_project()
    give_key(people.reviewer, make_key(name="old"))
    new = make_key(name="new")
    response = _replace(client, people, new, where)
    assert response.status_code == 302
    profile = Profile.objects.get(user=people.reviewer)
    assert profile.api_key() == new
    assert profile.key_state == KeyState.VERIFIED
    assert [a for a, _ in _events(people.reviewer)] == ["replaced", "verified"]


def test_a_first_key_that_send_ai_rejects_is_not_stored(client, people, upstream):
    make_project()
    response = _replace(client, people, TYPED, "person")
    assert response.status_code == 400
    assert "Send.ai rejected the key" in response.content.decode()
    assert TYPED not in response.content.decode()
    assert not Profile.objects.get(user=people.reviewer).has_key
    assert [a for a, _ in _events(people.reviewer)] == ["refused"]


@pytest.mark.parametrize("where", ["person", "account"])
def test_unreachable_send_ai_keeps_a_working_key(client, people, settings, where):
    settings.SENDAI_API_URL = UNREACHABLE
    working = "sk_sbx_WorkingKey00001111"
    give_key(people.reviewer, working, state=KeyState.VERIFIED)
    response = _replace(client, people, TYPED, where)
    assert response.status_code == 400
    page = response.content.decode()
    assert "could not be reached" in page
    assert "The key ending in 1111 was kept." in page
    assert TYPED not in page
    profile = Profile.objects.get(user=people.reviewer)
    assert (profile.api_key(), profile.key_state) == (working, KeyState.VERIFIED)
    assert [a for a, _ in _events(people.reviewer)] == ["refused"]


@pytest.mark.parametrize("before", [None, KeyState.REJECTED, KeyState.SET])
def test_unreachable_send_ai_stores_the_new_key_unchecked_when_none_worked(client, people, settings, before):
    settings.SENDAI_API_URL = UNREACHABLE
    if before:
        give_key(people.reviewer, "sk_sbx_OldKeyNotWorking2222", state=before)
    response = _replace(client, people, TYPED, "person")
    assert response.status_code == 302
    profile = Profile.objects.get(user=people.reviewer)
    assert (profile.api_key(), profile.key_state) == (TYPED, KeyState.SET)
    page = client.get(response["Location"]).content.decode()
    assert "could not be reached" in page
    assert TYPED not in page
    assert [a for a, _ in _events(people.reviewer)] == ["replaced" if before else "set", "verified"]
