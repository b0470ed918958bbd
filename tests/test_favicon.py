"""/favicon.ico, which browsers ask for by themselves, leads to the icon the pages name."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_it_is_answered_without_a_sign_in(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].endswith(".svg")
    assert "max-age=86400" in response["Cache-Control"]


def test_the_pages_name_the_same_icon(client):
    icon = client.get("/favicon.ico")["Location"]
    page = client.get("/accounts/login/").content.decode()
    assert f'<link rel="icon" href="{icon}" type="image/svg+xml">' in page
