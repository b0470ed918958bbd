"""A person without a role cannot sign in, and one whose role is taken away reaches no page.

The role choice on the people page says "No role (cannot sign in to any page)": the sign-in form
refuses such a person with a sentence that says why, and a person signed in before their role
was taken away gets 403 with that sentence everywhere but sign-out (issue #12).
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from reviewer.accounts.roles import profile_of, set_role

PASSWORD = "correct horse battery staple"
NO_ROLE = "Your account has no role yet: ask an admin to give you one."


def _login(client, username, password=PASSWORD, url="/accounts/login/"):
    return client.post(url, {"username": username, "password": password})


def test_it_refuses_the_sign_in_of_a_person_without_a_role(client, people):
    response = _login(client, "sam")
    assert response.status_code == 200
    assert NO_ROLE in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302  # still signed out


def test_a_wrong_password_does_not_tell_that_the_person_has_no_role(client, people):
    page = _login(client, "sam", "wrong").content.decode()
    assert "Please enter a correct username and password" in page
    assert NO_ROLE not in page


def test_the_admin_sign_in_refuses_a_staff_member_without_a_role(client, people):
    get_user_model().objects.filter(pk=people.stranger.pk).update(is_staff=True)
    response = _login(client, "sam", url="/admin/login/")
    assert NO_ROLE in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("url", ["/", "/account/", "/queue/", "/accounts/password_change/", "/admin/"])
def test_a_person_whose_role_was_taken_away_reaches_no_page(client, people, url):
    client.force_login(people.reviewer)
    assert client.get("/").status_code == 200
    set_role(people.reviewer, None)
    response = client.get(url)
    assert response.status_code == 403
    assert NO_ROLE in response.content.decode()


def test_nor_sets_their_own_key(client, people, settings):
    settings.ALLOW_SELF_SERVICE_KEYS = True
    client.force_login(people.stranger)
    response = client.post("/account/", {"api_key": "sk_live_abcdefgh1234", "team_id": "t1", "project_id": "p1"})
    assert response.status_code == 403
    assert NO_ROLE in response.content.decode()
    assert not profile_of(people.stranger).has_key


def test_a_script_is_told_too(client, people):
    client.force_login(people.stranger)
    response = client.post("/queue/next/", headers={"HX-Request": "true"})
    assert response.status_code == 403
    assert NO_ROLE in response.content.decode()


def test_they_can_still_sign_out(client, people):
    client.force_login(people.stranger)
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_pages_open_to_everyone_stay_open(client, people):
    client.force_login(people.stranger)
    assert client.get("/health/").status_code == 200
    assert client.get("/accounts/password_reset/").status_code == 200


def test_a_superuser_without_a_role_keeps_working(client, people):
    get_user_model().objects.create_superuser("root", "root@example.com", PASSWORD)
    assert _login(client, "root").status_code == 302
    assert client.get("/").status_code == 200
    assert client.get("/people/").status_code == 200
    assert client.get("/admin/").status_code == 200
