"""Fetch a page image (an extension): PNG, JPEG or SVG only, size-capped."""

from __future__ import annotations

import pytest

from reviewer.sendai import Client, NotFound, ProtocolError
from reviewer.sendai import client as client_module
from tests.conftest import make_key, make_task

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 100


@pytest.mark.usefixtures("live")
def test_it_fetches_the_page_image_from_the_sandbox():
    make_task()
    image = Client(make_key()).page_image("team_123456", "proj_123456", "task_abcdef123456", "page_1")
    assert image.content_type == "image/svg+xml"
    assert b"<svg" in image.content
    assert len(image.request_id) == 32


@pytest.mark.usefixtures("live")
def test_it_raises_not_found_when_the_task_has_no_images():
    make_task(has_images=False)
    with pytest.raises(NotFound) as e:
        Client(make_key()).page_image("team_123456", "proj_123456", "task_abcdef123456", "page_1")
    assert str(e.value) == "Send.ai has no image for this page."


@pytest.mark.usefixtures("live")
def test_it_raises_not_found_for_an_unknown_page():
    make_task()
    with pytest.raises(NotFound):
        Client(make_key()).page_image("team_123456", "proj_123456", "task_abcdef123456", "page_9")


@pytest.mark.parametrize("content_type", ["image/png", "image/jpeg", "image/svg+xml", "IMAGE/PNG; charset=binary"])
def test_it_accepts_png_jpeg_and_svg(upstream, api, content_type):
    upstream.reply(body=PNG, headers={"Content-Type": content_type})
    image = api.page_image("team_123456", "proj_123456", "task_abcdef123456", "page_1")
    assert image.content == PNG
    assert image.content_type == content_type.split(";")[0].lower()
    (sent,) = upstream.received
    assert sent.path == "/sendai/v2/team_123456/project/proj_123456/task/task_abcdef123456/page/page_1/image"
    assert sent.headers["Accept"] == "image/png, image/jpeg, image/svg+xml"


@pytest.mark.parametrize("content_type", ["text/html", "image/gif", "application/json", None])
def test_it_refuses_any_other_type(upstream, api, content_type):
    upstream.reply(body=PNG, headers={"Content-Type": content_type} if content_type else {})
    with pytest.raises(ProtocolError) as e:
        api.page_image("team_123456", "proj_123456", "task_abcdef123456", "page_1")
    assert "only PNG, JPEG and SVG are accepted" in str(e.value)


def test_it_refuses_an_image_past_the_size_cap(upstream, api, monkeypatch):
    monkeypatch.setattr(client_module, "MAX_BYTES", 1000)
    upstream.reply(body=b"\0" * 300_000, headers={"Content-Type": "image/png"})
    with pytest.raises(ProtocolError) as e:
        api.page_image("team_123456", "proj_123456", "task_abcdef123456", "page_1")
    assert "larger than" in str(e.value)
