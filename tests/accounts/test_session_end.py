"""A session that ends mid-work: every request that needs a sign-in says so and loses nothing.

The CSRF check runs before the sign-in check, so with the cookies cleared a form's POST used
to get a bare 403 (for htmx: nothing at all on the screen), and a signed-out plain POST was
sent to sign in with `next` set to the action's address, which only takes POST (405).
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.conftest import make_task
from tests.review.conftest import TASK_URL, act_url

REPORT = {"issue_types": ["wrong_value"], "message": "The total is wrong"}
PAGE = "http://testserver" + TASK_URL


@pytest.fixture
def strict(db) -> Client:
    """A browser that checks CSRF as a real one is checked, with no cookies at all."""
    return Client(enforce_csrf_checks=True)


def test_it_sends_a_signed_out_form_post_to_sign_in_and_back_to_the_page_it_came_from(strict, people):
    make_task()
    response = strict.post(act_url("report"), REPORT, HTTP_REFERER=PAGE)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=" + TASK_URL
    # Signing in from there, as a browser does (the sign-in page sets the CSRF cookie), lands on the task.
    strict.get(response["Location"])
    signed_in = strict.post(
        "/accounts/login/",
        {
            "username": "rita",
            "password": "correct horse battery staple",
            "next": TASK_URL,
            "csrfmiddlewaretoken": strict.cookies["csrftoken"].value,
        },
    )
    assert signed_in.status_code == 302
    assert signed_in["Location"] == TASK_URL


def test_it_tells_htmx_that_the_session_ended_when_the_cookies_are_gone(strict, people):
    response = strict.post(act_url("approve"), {}, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=PAGE)
    assert response.status_code == 401
    assert response["HX-Reswap"] == "none"
    event = json.loads(response["HX-Trigger"])["reviewer:signed-out"]
    assert event["login_url"] == "/accounts/login/?next=" + TASK_URL
    assert "sign in" in event["message"]


def test_an_htmx_get_of_a_fragment_comes_back_to_the_page_not_the_fragment(strict, people):
    response = strict.get("/queue/ahead/", HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=PAGE)
    assert response.status_code == 401
    assert response.json()["login_url"].endswith("next=" + TASK_URL)


def test_it_tells_htmx_to_reload_a_signed_in_page_whose_token_is_stale(strict, people):
    strict.force_login(people.reviewer)
    response = strict.post(act_url("approve"), {}, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=PAGE)
    assert response.status_code == 403
    assert response["HX-Reswap"] == "none"
    event = json.loads(response["HX-Trigger"])["reviewer:signed-out"]
    assert event["stale"] is True
    assert event["login_url"] == TASK_URL


def test_a_stale_plain_form_gets_a_page_that_says_why_and_links_back(strict, people):
    strict.force_login(people.reviewer)
    response = strict.post(act_url("report"), REPORT, HTTP_REFERER=PAGE)
    assert response.status_code == 403
    body = response.content.decode()
    assert "This page is out of date" in body
    assert f'href="{TASK_URL}"' in body


def test_a_foreign_referer_is_not_followed(strict, people):
    response = strict.post(act_url("report"), REPORT, HTTP_REFERER="https://evil.example/phish")
    assert response["Location"] == "/accounts/login/?next=/"
