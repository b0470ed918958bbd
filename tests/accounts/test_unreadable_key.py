"""A stored key that the server cannot decrypt (FERNET_KEYS rotated in the wrong order): every
place that would use it says "cannot be read: set it again", and none answers 500."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.contrib.messages import get_messages

from reviewer.accounts.models import KeyState, Profile
from reviewer.queue.models import Entry
from tests.conftest import give_key, make_key, make_task
from tests.queue.conftest import make_entry

SAY = "cannot be read"


def _unreadable(user) -> Profile:
    """A key encrypted under a Fernet key the server no longer has."""
    profile = give_key(user, "sk_some_old_key_1234")
    profile.encrypted_key = Fernet(Fernet.generate_key()).encrypt(b"sk_some_old_key_1234").decode()
    profile.save()
    return profile


def _said(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


@pytest.fixture
def rita(client, people, upstream):
    make_task()
    make_entry("task_abcdef123456")
    _unreadable(people.reviewer)
    client.force_login(people.reviewer)
    return people.reviewer


def test_verify_says_the_key_cannot_be_read(client, rita):
    response = client.post("/account/key/verify/")
    assert response.status_code == 302
    assert SAY in _said(response)
    profile = Profile.objects.get(user=rita)
    assert profile.key_state == KeyState.UNREADABLE
    page = client.get("/account/").content.decode()
    assert "Cannot be read: set it again" in page


def test_next_says_the_key_cannot_be_read(client, rita):
    response = client.post("/queue/next/")
    assert (response.status_code, response["Location"]) == (302, "/account/")
    assert SAY in _said(response)
    assert Profile.objects.get(user=rita).key_state == KeyState.UNREADABLE
    assert client.post("/queue/next/").status_code == 302  # and again, now that the state says so


def test_ahead_answers_without_a_key(client, rita):
    assert client.get("/queue/ahead/").status_code == 204


def test_the_task_page_says_the_key_cannot_be_read(client, rita):
    response = client.get("/review/team_123456/proj_123456/task_abcdef123456/")
    assert response.status_code in (200, 400)
    assert SAY in response.content.decode()


def test_an_action_says_the_key_cannot_be_read(client, rita):
    response = client.post("/review/team_123456/proj_123456/task_abcdef123456/act/approve/")
    assert response.status_code < 500
    assert SAY in (response.content.decode() + _said(response))


def test_a_leads_sync_says_the_key_cannot_be_read(client, people, upstream):
    _unreadable(people.lead)
    client.force_login(people.lead)
    response = client.post("/queue/sync/")
    assert response.status_code == 302
    assert SAY in _said(response)
    assert not Entry.objects.exists()


def test_setting_the_key_again_makes_it_usable(client, people, upstream):
    make_task()
    _unreadable(people.reviewer)
    client.force_login(people.reviewer)
    client.post("/account/key/verify/")
    raw = make_key()
    client.post("/account/", {"api_key": raw, "team_id": "team_123456", "project_id": "proj_123456"})
    profile = Profile.objects.get(user=people.reviewer)
    assert (profile.key_state, profile.key_works) == (KeyState.VERIFIED, True)
