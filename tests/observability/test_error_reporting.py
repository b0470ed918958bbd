"""Errors go to Sentry when SENTRY_DSN is set, with every key, cookie and Authorization header
scrubbed: the event is caught by a transport of the test's own, nothing leaves the machine."""

from __future__ import annotations

import json

import pytest
import sentry_sdk
from django.test import Client
from sentry_sdk.transport import Transport

from reviewer.observability import errors
from reviewer.observability.errors import scrub
from tests.observability.failing_urls import KEY

PROXY_ID = "f47ac10b-58cc-4372-a567-0e02b2c3d479"


class Capture(Transport):
    def __init__(self) -> None:
        super().__init__({"dsn": "http://public@127.0.0.1:9/1"})
        self.envelopes = []

    def capture_envelope(self, envelope) -> None:
        self.envelopes.append(envelope)

    def events(self) -> list[dict]:
        return [item.payload.json for envelope in self.envelopes for item in envelope.items if item.type == "event"]


@pytest.fixture
def sentry(settings):
    settings.ROOT_URLCONF = "tests.observability.failing_urls"
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]
    transport = Capture()
    errors.init("http://public@127.0.0.1:9/1", transport=transport)
    try:
        yield transport
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.init()  # no DSN: reporting off again


@pytest.mark.django_db
def test_an_error_is_reported_with_no_key_in_it(sentry):
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "a-session-cookie-value"
    response = client.get(
        "/fails/",
        HTTP_AUTHORIZATION=f"Bearer {KEY}",
        HTTP_X_API_KEY=KEY,
        HTTP_X_REQUEST_ID=PROXY_ID,
        REMOTE_ADDR="127.0.0.1",
    )
    assert response.status_code == 500
    sentry_sdk.flush()
    events = sentry.events()
    assert events, "no event was reported"
    [event] = [e for e in events if e.get("exception")]
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    assert event["tags"]["request_id"] == PROXY_ID
    text = json.dumps(events)
    assert KEY not in text
    assert "Zq8vN3kW9mXr2Lp7" not in text
    assert "a-session-cookie-value" not in text
    assert "[Filtered]" in text


def test_scrub_replaces_secrets_by_name_and_by_shape():
    event = {
        "request": {
            "headers": {"Authorization": "Bearer abc.def", "X-Api-Key": "k", "Accept": "text/html"},
            "cookies": {"sessionid": "s"},
            "data": {"api_key": "k", "team_id": "team_1"},
        },
        "extra": {"pairs": [["Authorization", "Bearer x"], ["Accept", "*/*"]]},
        "message": "GET with Bearer sk_live_abcdefghijk failed, then sk_test_abcdefghij too",
    }
    clean = scrub(event)
    assert clean["request"]["headers"] == {
        "Authorization": "[Filtered]",
        "X-Api-Key": "[Filtered]",
        "Accept": "text/html",
    }
    assert clean["request"]["cookies"] == "[Filtered]"
    assert clean["request"]["data"] == {"api_key": "[Filtered]", "team_id": "team_1"}
    assert clean["extra"]["pairs"] == [["Authorization", "[Filtered]"], ["Accept", "*/*"]]
    assert clean["message"] == "GET with Bearer [Filtered] failed, then [Filtered] too"


def test_reporting_is_off_without_a_dsn(settings):
    assert settings.SENTRY_DSN == ""
    assert sentry_sdk.get_client().transport is None  # nothing would be sent anywhere
