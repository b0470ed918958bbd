"""Sign-in, sign-out and throttling against password guessing."""

from __future__ import annotations

import pytest
from django.core.cache import cache

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def _login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_it_signs_in_and_out(client, people):
    response = _login(client, "rita", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_a_wrong_password_shows_the_form_again_with_the_user_name(client, people):
    response = _login(client, "rita", "wrong")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Please enter a correct username and password" in page
    assert 'value="rita"' in page


def test_it_throttles_after_repeated_failures(client, people, settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    for _ in range(4):
        assert "Please enter a correct" in _login(client, "rita", "guess").content.decode()
    fifth = _login(client, "rita", "guess")
    assert fifth.status_code == 429
    response = _login(client, "rita", PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed sign-ins. Wait 15 minutes, then try again." in page
    assert 'href="/accounts/password_reset/"' in page
    assert "_auth_user_id" not in client.session


def test_the_lockout_page_speaks_dutch(client, people, settings):
    settings.LOGIN_FAILURE_LIMIT = 1
    settings.LOGIN_FAILURE_WINDOW = 60
    _login(client, "rita", "guess")
    client.cookies["django_language"] = "nl"
    response = _login(client, "rita", PASSWORD)
    assert response.status_code == 429
    assert "Te veel mislukte inlogpogingen. Wacht 1 minuut" in response.content.decode()


def test_a_name_counts_whatever_its_case_and_spaces(client, people, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for name in ("rita", "Rita", " RITA "):
        _login(client, name, "guess")
    assert _login(client, "rita", PASSWORD).status_code == 429


def test_one_name_locked_out_leaves_the_others_from_the_same_address(client, people, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        _login(client, "rita", "guess")
    assert _login(client, "rita", PASSWORD).status_code == 429
    assert _login(client, "leo", PASSWORD).status_code == 302


def test_a_success_before_the_limit_starts_the_count_again(client, people, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    _login(client, "rita", "guess")
    _login(client, "rita", "guess")
    assert _login(client, "rita", PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    _login(client, "rita", "guess")
    _login(client, "rita", "guess")
    assert _login(client, "rita", PASSWORD).status_code == 302


def test_the_window_passes(client, people, settings):
    from datetime import timedelta

    from axes.models import AccessAttempt

    settings.LOGIN_FAILURE_LIMIT = 2
    _login(client, "rita", "guess")
    _login(client, "rita", "guess")
    assert _login(client, "rita", PASSWORD).status_code == 429
    # What the window's passing does: the failures are older than LOGIN_FAILURE_WINDOW.
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= timedelta(seconds=settings.LOGIN_FAILURE_WINDOW + 1)
        attempt.save()
    assert _login(client, "rita", PASSWORD).status_code == 302


def test_the_sign_in_form_needs_csrf(people):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    assert _login(client, "rita", PASSWORD).status_code == 403


def test_a_password_reset_mail_is_sent(client, people, mailoutbox):
    response = client.post("/accounts/password_reset/", {"email": "rita@example.com"})
    assert response.status_code == 302
    [mail] = mailoutbox
    assert "/accounts/reset/" in mail.body
    assert mail.subject == "Reset your Reviewer password"


@pytest.mark.parametrize(
    "next_url", ["/accounts/login/", "/accounts/login/?next=/accounts/login/", "http://testserver/accounts/login/"]
)
def test_a_signed_in_person_sent_back_to_the_sign_in_page_lands_on_the_start_page(client, people, next_url):
    client.force_login(people.reviewer)
    response = client.get("/accounts/login/", {"next": next_url})
    assert (response.status_code, response["Location"]) == (302, "/")


def test_a_signed_in_person_goes_on_to_next(client, people):
    client.force_login(people.reviewer)
    response = client.get("/accounts/login/", {"next": "/queue/"})
    assert (response.status_code, response["Location"]) == (302, "/queue/")
