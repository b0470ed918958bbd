"""The Content-Security-Policy is on every response: pages, fragments, errors, the sandbox's API.
(That no page breaks it is tests/browser/test_csp.py's work, in Chromium.)"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def policy_of(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part}


@pytest.mark.parametrize("url", ["/accounts/login/", "/health/", "/ready/", "/no-such-page/", "/sandbox/openapi.json"])
def test_every_response_carries_the_policy(client, url):
    policy = policy_of(client.get(url))
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert "'unsafe-eval'" not in sum(policy.values(), [])


def test_signed_in_pages_carry_it_too(client, people):
    client.force_login(people.lead)
    for url in ("/", "/queue/", "/account/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert policy_of(response)["script-src"] == ["'self'"]


def test_no_template_has_an_inline_script_or_style_attribute():
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        assert not re.search(r"\sstyle=", text), f"{path}: a style attribute (use data-style)"
        assert not re.search(r"\son[a-z]+=", text), f"{path}: an inline event handler"
        for script in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in script, f"{path}: an inline script"


def test_the_error_pages_inline_style_is_the_one_the_policy_allows(settings):
    text = (TEMPLATES / "500.html").read_text()
    styles = re.findall(r"<style>(.*?)</style>", text, re.DOTALL)
    assert len(styles) == 1
    digest = base64.b64encode(hashlib.sha256(styles[0].encode()).digest()).decode()
    expected = f"'sha256-{digest}'"
    assert expected == settings.ERROR_PAGE_STYLE_HASH
    assert settings.ERROR_PAGE_STYLE_HASH in settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src"]


def test_htmx_injects_no_style_and_evaluates_nothing(client):
    page = client.get("/accounts/login/").content.decode()
    assert '"includeIndicatorStyles": false' in page
    assert '"allowEval": false' in page
