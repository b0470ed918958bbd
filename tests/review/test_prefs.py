"""The review screen's view settings, remembered per person: the endpoint, and the page that applies them."""

from __future__ import annotations

import pytest

from reviewer.accounts.models import Profile
from reviewer.accounts.roles import profile_of
from tests.conftest import make_task
from tests.review.conftest import TASK_URL

PREFS_URL = "/review/view-settings/"


def _prefs(user) -> dict:
    return Profile.objects.get(user=user).review_prefs


def test_it_stores_only_the_posted_settings(reviewer_client, people):
    response = reviewer_client.post(PREFS_URL, {"threshold": "0.65"})
    assert response.status_code == 200
    assert response.json()["prefs"]["threshold"] == 0.65
    assert reviewer_client.post(PREFS_URL, {"kinds": "annotation,signature", "zoom": "page"}).status_code == 200
    assert reviewer_client.post(PREFS_URL, {"order": "confidence"}).status_code == 200
    assert _prefs(people.reviewer) == {
        "threshold": 0.65,
        "kinds": ["annotation", "signature"],
        "zoom": "page",
        "order": "confidence",
    }


def test_it_stores_that_no_kind_is_shown(reviewer_client, people):
    assert reviewer_client.post(PREFS_URL, {"kinds": ""}).status_code == 200
    assert _prefs(people.reviewer) == {"kinds": []}


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"threshold": "1.5"}, "threshold: Ensure this value is less than or equal to 1"),
        ({"threshold": "low"}, "threshold: Enter a number."),
        ({"order": "random"}, "order: Select a valid choice."),
        ({"zoom": "400%"}, "zoom: Select a valid choice."),
        ({"kinds": "annotation,tables"}, "kinds: Unknown kind tables"),
        ({}, "Send at least one of: threshold, order, kinds, zoom."),
        ({"colour": "blue"}, "Send at least one of"),
    ],
)
def test_it_refuses_bad_settings_with_a_clear_error_and_keeps_the_old_ones(reviewer_client, people, data, error):
    reviewer_client.post(PREFS_URL, {"threshold": "0.6"})
    response = reviewer_client.post(PREFS_URL, data)
    assert response.status_code == 400
    assert error in response.json()["error"]
    assert _prefs(people.reviewer) == {"threshold": 0.6}


def test_it_takes_only_post(reviewer_client):
    assert reviewer_client.get(PREFS_URL).status_code == 405


def test_it_needs_a_csrf_token(people, upstream):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(people.reviewer)
    assert client.post(PREFS_URL, {"threshold": "0.5"}).status_code == 403
    assert _prefs(people.reviewer) == {}


def test_it_needs_sign_in_and_the_reviewing_role(client, people):
    response = client.post(PREFS_URL, {"threshold": "0.5"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(people.stranger)
    assert client.post(PREFS_URL, {"threshold": "0.5"}).status_code == 403


def test_the_task_page_applies_the_settings_and_a_query_parameter_wins(reviewer_client, people):
    make_task()
    profile = profile_of(people.reviewer)
    profile.review_prefs = {"threshold": 0.9, "kinds": ["annotation"], "zoom": "page", "order": "confidence"}
    profile.save()
    html = reviewer_client.get(TASK_URL).content.decode()
    assert 'value="0.9" data-threshold-input' in html
    assert 'data-kind-toggle="annotation" checked' in html
    assert 'data-kind-toggle="segment">' in html  # not checked
    assert 'data-zoom-mode="page"' in html and 'data-order="confidence"' in html
    html = reviewer_client.get(TASK_URL + "?threshold=0.3&order=page").content.decode()
    assert 'value="0.3" data-threshold-input' in html and 'data-order="page"' in html


def test_stored_settings_that_are_no_longer_valid_are_ignored(reviewer_client, people):
    make_task()
    profile = profile_of(people.reviewer)
    profile.review_prefs = {"threshold": "high", "kinds": "all", "zoom": 3, "order": None}
    profile.save()
    response = reviewer_client.get(TASK_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="0.8" data-threshold-input' in html and 'data-zoom-mode="width"' in html
