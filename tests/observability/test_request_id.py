"""A request ID on every request: the trusted proxy's, else a fresh one; on the response, in
every log line and on the Send.ai calls made while answering."""

from __future__ import annotations

import io
import json
import logging
import re

import pytest

from reviewer.observability.logs import JsonFormatter
from reviewer.observability.requestid import RequestIdFilter
from tests.client.conftest import serving
from tests.conftest import DOC_TASK, give_key

PROXY = "10.0.0.5"
PROXY_ID = "f47ac10b-58cc-4372-a567-0e02b2c3d479"

pytestmark = pytest.mark.django_db


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]


@pytest.fixture
def json_log():
    """The JSON lines that Django's request log writes, through the console's filter and formatter."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    loggers = [logging.getLogger("django.request"), logging.getLogger("reviewer.sendai")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in out.getvalue().splitlines()]
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


def test_every_response_carries_a_fresh_id(client):
    first, second = client.get("/accounts/login/"), client.get("/health/")
    assert re.fullmatch(r"[0-9a-f]{32}", first["X-Request-ID"])
    assert re.fullmatch(r"[0-9a-f]{32}", second["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_the_trusted_proxys_id_is_kept(client, behind_proxy):
    response = client.get("/health/", REMOTE_ADDR=PROXY, HTTP_X_REQUEST_ID=PROXY_ID)
    assert response["X-Request-ID"] == PROXY_ID


def test_an_id_from_anyone_else_is_replaced(client, behind_proxy):
    response = client.get("/health/", REMOTE_ADDR="192.0.2.9", HTTP_X_REQUEST_ID=PROXY_ID)
    assert response["X-Request-ID"] != PROXY_ID
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


@pytest.mark.parametrize("bad", ["short", "x" * 129, "has space in it", "new\nline-injected", "<script>alert</script>"])
def test_an_id_of_the_wrong_shape_is_replaced_even_from_the_proxy(client, behind_proxy, bad):
    response = client.get("/health/", REMOTE_ADDR=PROXY, HTTP_X_REQUEST_ID=bad)
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_the_log_line_of_a_request_carries_its_id_and_the_clients_address(client, behind_proxy, json_log):
    response = client.get(
        "/no-such-page/", REMOTE_ADDR=PROXY, HTTP_X_REQUEST_ID=PROXY_ID, HTTP_X_FORWARDED_FOR="203.0.113.7"
    )
    assert response.status_code in (302, 404)
    response = client.get("/static/no-such-file.css", REMOTE_ADDR=PROXY, HTTP_X_REQUEST_ID=PROXY_ID + "-2")
    [*_, line] = json_log()
    assert line["request_id"] == PROXY_ID + "-2"
    assert line["level"] == "WARNING"
    assert line["logger"] == "django.request"
    assert line["status_code"] == 404
    assert set(line) >= {"time", "level", "logger", "message", "request_id", "client"}


def test_a_line_logged_outside_any_request_says_so(json_log):
    logging.getLogger("django.request").warning("between requests")
    [line] = json_log()
    assert line["request_id"] == "-"
    assert line["message"] == "between requests"


def test_the_id_goes_on_to_send_ai_and_into_its_log_line(client, people, settings, behind_proxy, json_log):
    give_key(people.reviewer, "sk_test_Zq8vN3kW9mXr2Lp7Tg5Hy1Jc4Bd6Fs0A")
    client.force_login(people.reviewer)
    with serving(settings) as upstream:
        upstream.reply(json_body={"payload": DOC_TASK})
        response = client.get(
            "/review/team_123456/proj_123456/task_abcdef123456/", REMOTE_ADDR=PROXY, HTTP_X_REQUEST_ID=PROXY_ID
        )
    assert response.status_code == 200
    assert response["X-Request-ID"] == PROXY_ID
    assert upstream.received
    assert {r.headers["X-Request-ID"] for r in upstream.received} == {PROXY_ID}
    sendai_lines = [line for line in json_log() if line["logger"] == "reviewer.sendai"]
    assert sendai_lines
    assert {line["request_id"] for line in sendai_lines} == {PROXY_ID}
    assert all("sk_test_" not in json.dumps(line) for line in json_log())


def test_the_plain_format_names_the_id_too(settings):
    assert "%(request_id)s" in settings.LOGGING["formatters"]["plain"]["format"]
