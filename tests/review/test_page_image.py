"""The page image proxy: the image with the person's key, or why there is none."""

from __future__ import annotations

import pytest
from django.test import Client

from reviewer.accounts.models import KeyState, Profile
from reviewer.queue import copies
from tests.client.conftest import serving
from tests.conftest import give_key, make_task
from tests.review.conftest import TASK_URL

IMAGE_URL = TASK_URL + "page/page_1/image/"


def test_no_image_upstream_is_404_and_says_so(reviewer_client):
    make_task(has_images=False)
    response = reviewer_client.get(IMAGE_URL)
    assert response.status_code == 404
    assert response["X-Image-Problem"] == "none"
    assert response.content.decode() == "Send.ai offers no image of this page."
    assert response["Cache-Control"] == "no-store"


def test_an_upstream_that_does_not_answer_is_502_not_no_image(reviewer_client, settings):
    make_task()
    settings.SENDAI_API_URL = "http://127.0.0.1:9/sandbox"  # nothing listens there
    response = reviewer_client.get(IMAGE_URL)
    assert response.status_code == 502
    assert response["X-Image-Problem"] == "failed"
    assert response.content.decode()  # the client's own reason, for the notice on the page
    assert response["Content-Type"].startswith("text/plain")


def test_a_person_without_a_key_is_told_why(client, people, upstream):
    make_task()
    client.force_login(people.reviewer)
    response = client.get(IMAGE_URL)
    assert response.status_code == 403
    assert response["X-Image-Problem"] == "key"
    assert response.content.decode()


# The image kept beside the task copy (reviewer/queue/copies.py), against a stand-in upstream
# (`standin`) that counts what it is asked.

COPY_IDS = ("team_123456", "proj_123456", "task_abcdef123456")
COPY_IMAGE_URL = "/review/team_123456/proj_123456/task_abcdef123456/page/page_1/image/"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'
KEY = "sk_test_faulty_upstream_key_0001"


@pytest.fixture
def standin(settings):
    with serving(settings) as server:
        server.reply(body=SVG, headers={"Content-Type": "image/svg+xml"})
        yield server


@pytest.fixture
def rita(client, people, standin):
    give_key(people.reviewer, KEY)
    client.force_login(people.reviewer)
    return client


def test_a_second_fetch_shows_the_kept_image_and_a_browser_that_has_it_gets_304(rita, standin):
    first = rita.get(COPY_IMAGE_URL)
    assert first.status_code == 200 and first.content == SVG
    assert first["ETag"].startswith('"') and first["Cache-Control"] == "private, max-age=3600"
    again = rita.get(COPY_IMAGE_URL)
    assert again.content == SVG and again["ETag"] == first["ETag"]
    revalidated = rita.get(COPY_IMAGE_URL, HTTP_IF_NONE_MATCH=f'"other", {first["ETag"]}')
    assert revalidated.status_code == 304 and revalidated.content == b""
    assert revalidated["ETag"] == first["ETag"]
    assert len(standin.received) == 1


def test_a_stale_validator_gets_the_image(rita, standin):
    answer = rita.get(COPY_IMAGE_URL, HTTP_IF_NONE_MATCH='"not-this-one"')
    assert answer.status_code == 200 and answer.content == SVG


def test_a_change_of_the_task_outdates_the_kept_image(rita, standin):
    rita.get(COPY_IMAGE_URL)
    copies.forget(COPY_IDS)
    rita.get(COPY_IMAGE_URL)
    assert len(standin.received) == 2


def test_the_image_is_kept_per_person_and_key(rita, standin, people, client):
    rita.get(COPY_IMAGE_URL)
    give_key(people.reviewer, "sk_test_faulty_upstream_key_0002")  # a new key starts afresh
    rita.get(COPY_IMAGE_URL)
    assert len(standin.received) == 2
    other = Client()
    give_key(people.lead, KEY)
    other.force_login(people.lead)
    assert other.get(COPY_IMAGE_URL).content == SVG
    assert len(standin.received) == 3


def test_a_key_the_upstream_refuses_is_refused_even_with_an_image_kept(rita, standin, people):
    rita.get(COPY_IMAGE_URL)
    standin.replies.clear()
    standin.reply(401, json_body={"error": {"code": "invalid_api_key", "message": "Unknown key."}})
    Profile.objects.filter(user=people.reviewer).update(key_state=KeyState.REJECTED)  # a task fetch saw a 401
    refused = rita.get(COPY_IMAGE_URL)
    assert refused.status_code == 403 and refused["X-Image-Problem"] == "key"
    assert len(standin.received) == 2
    standin.replies.clear()
    standin.reply(body=SVG, headers={"Content-Type": "image/svg+xml"})
    Profile.objects.filter(user=people.reviewer).update(key_state=KeyState.SET)
    assert rita.get(COPY_IMAGE_URL).status_code == 200  # the refusal threw the kept image away
    assert len(standin.received) == 3


def test_a_person_without_a_key_is_refused_even_with_an_image_kept(rita, standin, people):
    rita.get(COPY_IMAGE_URL)
    Profile.objects.filter(user=people.reviewer).update(encrypted_key="", key_state=KeyState.NONE)
    assert rita.get(COPY_IMAGE_URL).status_code == 403
