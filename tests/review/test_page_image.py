"""The page image proxy: the image with the person's key, or why there is none."""

from __future__ import annotations

from tests.conftest import make_task
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
