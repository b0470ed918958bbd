"""Verifying a key against the upstream: reads and acts, reads only, rejected, unreachable."""

from __future__ import annotations

import logging

import pytest

from reviewer.accounts.models import KeyEvent, KeyState, Profile
from reviewer.sandbox.models import Status, Task
from tests.conftest import give_key, make_key, make_project, make_task


def _verify(client, people):
    client.force_login(people.admin)
    response = client.post(f"/people/{people.reviewer.pk}/key/verify/", follow=True)
    assert response.status_code == 200
    return response.content.decode(), Profile.objects.get(user=people.reviewer)


def test_a_key_that_reads_and_acts_is_verified(client, people, upstream):
    task = make_task(status=Status.COMPLETED)
    make_task("task_sibling")
    give_key(people.reviewer, make_key(), state=KeyState.SET)
    page, profile = _verify(client, people)
    assert "works for reading and acting" in page
    assert profile.key_state == KeyState.VERIFIED
    assert profile.key_checked_at is not None
    assert KeyEvent.objects.get(action="verified").outcome == "The key works for reading and acting."
    task.refresh_from_db()
    assert task.status == Status.COMPLETED  # the probe changed nothing
    assert Task.objects.count() == 2


def test_a_read_only_key_is_said_to_read_only(client, people, upstream):
    make_project()
    give_key(people.reviewer, make_key(scopes=("task.read",)), state=KeyState.SET)
    page, profile = _verify(client, people)
    assert "works for reading only" in page
    assert profile.key_state == KeyState.READ_ONLY


def test_an_invalid_key_is_rejected(client, people, upstream):
    make_project()
    give_key(people.reviewer, "sk_sbx_not-a-key-at-all", state=KeyState.SET)
    page, profile = _verify(client, people)
    assert "rejected the key" in page
    assert profile.key_state == KeyState.REJECTED


def test_a_key_without_access_to_the_default_project_says_so(client, people, upstream):
    make_project("team_other", "proj_other")
    give_key(people.reviewer, make_key(project=make_project("team_other", "proj_other")), state=KeyState.SET)
    page, profile = _verify(client, people)
    assert "no access to project proj_123456 of team team_123456" in page
    assert profile.key_state == KeyState.SET


def test_an_unreachable_upstream_leaves_the_state_as_it_was(client, people, settings, caplog):
    settings.SENDAI_API_URL = "http://127.0.0.1:9/sandbox"
    caplog.set_level(logging.DEBUG)
    raw = "sk_sbx_UnreachableButSecret42"
    give_key(people.reviewer, raw, state=KeyState.VERIFIED)
    page, profile = _verify(client, people)
    assert "could not be reached" in page
    assert profile.key_state == KeyState.VERIFIED
    assert raw not in page
    assert all(raw not in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("persona", ["reviewer", "lead"])
def test_people_verify_their_own_key(client, people, upstream, persona):
    make_task()
    user = getattr(people, persona)
    give_key(user, make_key(), state=KeyState.SET)
    client.force_login(user)
    response = client.post("/account/key/verify/", follow=True)
    assert b"works for reading and acting" in response.content
    assert Profile.objects.get(user=user).key_state == KeyState.VERIFIED
