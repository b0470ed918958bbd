"""POST /account/preferences/: theme, language and moving on, per person, without JavaScript."""

from __future__ import annotations

import pytest
from django.conf import settings

from reviewer.accounts.models import Profile
from reviewer.accounts.preferences import languages

URL = "/account/preferences/"


def _profile(user) -> Profile:
    return Profile.objects.get(user=user)


def test_it_saves_the_theme_and_goes_back(client, people):
    client.force_login(people.reviewer)
    response = client.post(URL, {"theme": "dark", "next": "/queue/?status=REVIEWING"})
    assert response.status_code == 302
    assert response["Location"] == "/queue/?status=REVIEWING"
    profile = _profile(people.reviewer)
    assert profile.theme == "dark"
    assert profile.language == "" and profile.auto_advance  # what was not posted is kept


def test_it_renders_the_theme_on_every_page(client, people):
    client.force_login(people.reviewer)
    assert b"data-theme" not in client.get("/").content.split(b"<head>")[0]
    client.post(URL, {"theme": "light"})
    assert b'<html lang="en" data-theme="light">' in client.get("/").content
    client.post(URL, {"theme": ""})
    assert _profile(people.reviewer).theme == ""
    assert b"data-theme" not in client.get("/").content.split(b"<head>")[0]


def test_it_marks_the_chosen_theme_in_the_top_bar(client, people):
    client.force_login(people.reviewer)
    client.post(URL, {"theme": "dark"})
    page = client.get("/account/").content.decode()
    assert 'value="dark" aria-pressed="true"' in page
    assert 'value="light" aria-pressed="false"' in page


def test_it_saves_the_language_and_sets_the_language_cookie(client, people):
    client.force_login(people.reviewer)
    response = client.post(URL, {"language": "nl", "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert _profile(people.reviewer).language == "nl"
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "nl"
    assert cookie["path"] == settings.LANGUAGE_COOKIE_PATH
    assert _profile(people.reviewer).theme == ""


def test_it_follows_the_browser_again_and_drops_the_cookie(client, people):
    client.force_login(people.reviewer)
    client.post(URL, {"language": "nl"})
    response = client.post(URL, {"language": ""})
    assert _profile(people.reviewer).language == ""
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "" and cookie["max-age"] == 0


def test_the_theme_alone_leaves_the_language_cookie_alone(client, people):
    client.force_login(people.reviewer)
    response = client.post(URL, {"theme": "dark"})
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_my_account_saves_all_three(client, people):
    client.force_login(people.reviewer)
    response = client.post(URL, {"theme": "light", "language": "en", "auto_advance": "off"}, follow=True)
    assert response.redirect_chain == [("/account/", 302)]
    assert b"Saved your preferences." in response.content
    profile = _profile(people.reviewer)
    assert (profile.theme, profile.language, profile.auto_advance) == ("light", "en", False)
    # The form posts a hidden "off" before the checkbox's "on": ticked, the last one wins.
    client.post(URL, {"theme": "light", "language": "en", "auto_advance": ["off", "on"]})
    assert _profile(people.reviewer).auto_advance is True


def test_my_account_shows_the_choices(client, people):
    client.force_login(people.reviewer)
    client.post(URL, {"theme": "dark", "language": "nl"})
    page = client.get("/account/").content.decode()
    assert '<option value="dark" selected>' in page
    assert '<option value="nl" lang="nl" selected>Nederlands</option>' in page
    assert 'action="/account/preferences/"' in page


def test_htmx_is_told_to_reload_the_page(client, people):
    client.force_login(people.reviewer)
    response = client.post(URL, {"theme": "dark"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Refresh"] == "true"
    assert _profile(people.reviewer).theme == "dark"


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_it_refuses_other_methods(client, people, method):
    client.force_login(people.reviewer)
    response = getattr(client, method)(URL)
    assert response.status_code == 405


@pytest.mark.parametrize(
    ("field", "value"), [("theme", "purple"), ("language", "xx"), ("language", "fr"), ("auto_advance", "maybe")]
)
def test_it_refuses_a_bad_value_and_says_why(client, people, field, value):
    client.force_login(people.reviewer)
    response = client.post(URL, {field: value, "theme": "dark"} if field != "theme" else {field: value})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Select a valid choice" in page
    assert 'aria-invalid="true"' in page or field == "auto_advance"
    profile = _profile(people.reviewer)
    assert (profile.theme, profile.language, profile.auto_advance) == ("", "", True)  # nothing saved


def test_it_refuses_a_post_that_changes_nothing(client, people):
    client.force_login(people.reviewer)
    response = client.post(URL, {"next": "/"})
    assert response.status_code == 400
    assert "Choose a theme or a language to change." in response.content.decode()


def test_htmx_gets_the_preferences_fragment_with_the_error(client, people):
    client.force_login(people.reviewer)
    response = client.post(URL, {"theme": "purple"}, headers={"HX-Request": "true"})
    assert response.status_code == 400
    page = response.content.decode()
    assert page.lstrip().startswith('<section aria-labelledby="prefs-h" id="preferences"')
    assert "Select a valid choice" in page


@pytest.mark.parametrize(
    "unsafe", ["https://evil.example/", "//evil.example/", "http://testserver.evil/", "javascript:alert(1)", ""]
)
def test_it_never_sends_one_elsewhere(client, people, unsafe):
    client.force_login(people.reviewer)
    response = client.post(URL, {"theme": "dark", "next": unsafe})
    assert response.status_code == 302
    assert response["Location"] == "/account/"


def test_it_needs_csrf(people):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(people.reviewer)
    response = client.post(URL, {"theme": "dark"})
    assert response.status_code == 403
    assert _profile(people.reviewer).theme == ""


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.post(URL, {"theme": "dark"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_languages_are_the_settings_ones(client, people, settings):
    assert [code for code, _ in languages()] == ["en", "nl"]
    settings.LANGUAGES = [("en", "English")]
    client.force_login(people.reviewer)
    assert client.post(URL, {"language": "nl"}).status_code == 400
    assert _profile(people.reviewer).language == ""
