"""The system checks of reviewer/front/checks.py: each fires on a bad value and not on a good one."""

from __future__ import annotations

import pytest
from django.core.checks import Error, Warning, run_checks

from reviewer.front.checks import check_allowed_hosts, check_sandbox_webhook, check_sendai_api_url, check_timeouts

OURS = {
    "reviewer.E001",
    "reviewer.E002",
    "reviewer.E003",
    "reviewer.E004",
    "reviewer.E005",
    "reviewer.E007",
    "reviewer.W001",
}


def ids(messages) -> list[str]:
    return [m.id for m in messages]


@pytest.mark.parametrize(
    "url",
    [
        "api.send.ai",
        "ftp://api.send.ai",
        "https://",
        "javascript:alert(1)",
        "https://api.send.ai?token=x",
        "https://api.send.ai#v2",
    ],
)
def test_it_refuses_a_sendai_api_url_that_is_not_a_plain_http_url(settings, url):
    settings.SENDAI_API_URL = url
    messages = check_sendai_api_url(None)
    assert ids(messages) == ["reviewer.E001"]
    assert isinstance(messages[0], Error)


@pytest.mark.parametrize(
    "url",
    ["https://api.send.ai", "https://sendai.internal.example.com/prefix", "http://127.0.0.1:8000/sandbox"],
)
def test_it_accepts_an_http_sendai_api_url(settings, url):
    settings.DEBUG = False
    settings.SENDAI_API_URL = url
    assert check_sendai_api_url(None) == []


def test_it_warns_about_plain_http_to_a_remote_api(settings):
    settings.DEBUG = False
    settings.SENDAI_API_URL = "http://api.send.ai"
    messages = check_sendai_api_url(None)
    assert ids(messages) == ["reviewer.W001"]
    assert isinstance(messages[0], Warning)


@pytest.mark.parametrize("url", ["http://localhost:8000/sandbox", "http://[::1]:8000/sandbox", "https://api.send.ai"])
def test_it_does_not_warn_about_https_or_a_local_api(settings, url):
    settings.DEBUG = False
    settings.SENDAI_API_URL = url
    assert "reviewer.W001" not in ids(check_sendai_api_url(None))


def test_it_does_not_warn_about_plain_http_with_debug_on(settings):
    settings.DEBUG = True
    settings.SENDAI_API_URL = "http://sendai.dev.example.com"
    assert check_sendai_api_url(None) == []


def test_it_refuses_timeouts_that_reach_the_worker_timeout(settings):
    settings.SENDAI_CONNECT_TIMEOUT = 5.0
    settings.SENDAI_READ_TIMEOUT = 25.0
    settings.GUNICORN_TIMEOUT = 30
    messages = check_timeouts(None)
    assert ids(messages) == ["reviewer.E002"]
    assert "GUNICORN_TIMEOUT (30s)" in messages[0].msg


def test_it_refuses_timeouts_whose_retry_would_reach_the_worker_timeout(settings):
    # One try fits in the worker's 30 s, but a GET may be tried twice.
    settings.SENDAI_CONNECT_TIMEOUT = 3.0
    settings.SENDAI_READ_TIMEOUT = 20.0
    settings.GUNICORN_TIMEOUT = 30
    assert ids(check_timeouts(None)) == ["reviewer.E002"]


@pytest.mark.parametrize(("connect", "read", "worker"), [(3.05, 10.0, 30), (3.05, 30.0, 120), (1.0, 2.0, 10)])
def test_it_accepts_timeouts_well_below_the_worker_timeout(settings, connect, read, worker):
    settings.SENDAI_CONNECT_TIMEOUT = connect
    settings.SENDAI_READ_TIMEOUT = read
    settings.GUNICORN_TIMEOUT = worker
    assert check_timeouts(None) == []


def test_it_refuses_a_webhook_without_a_secret(settings):
    settings.SANDBOX_WEBHOOK_URL = "https://hooks.example.com/sendai"
    settings.SANDBOX_WEBHOOK_SECRET = ""
    assert ids(check_sandbox_webhook(None)) == ["reviewer.E003"]


def test_it_accepts_a_webhook_with_a_secret(settings):
    settings.SANDBOX_WEBHOOK_URL = "https://hooks.example.com/sendai"
    settings.SANDBOX_WEBHOOK_SECRET = "shared-secret"
    settings.SANDBOX_REPORT_HOOK_URL = ""
    assert check_sandbox_webhook(None) == []


def test_it_accepts_no_webhook_at_all(settings):
    settings.SANDBOX_WEBHOOK_URL = ""
    settings.SANDBOX_WEBHOOK_SECRET = ""
    settings.SANDBOX_REPORT_HOOK_URL = ""
    assert check_sandbox_webhook(None) == []


@pytest.mark.parametrize("name", ["SANDBOX_WEBHOOK_URL", "SANDBOX_REPORT_HOOK_URL"])
def test_it_refuses_a_hook_url_that_is_not_http(settings, name):
    settings.SANDBOX_WEBHOOK_URL = ""
    settings.SANDBOX_REPORT_HOOK_URL = ""
    settings.SANDBOX_WEBHOOK_SECRET = "shared-secret"
    setattr(settings, name, "file:///etc/passwd")
    messages = check_sandbox_webhook(None)
    assert ids(messages) == ["reviewer.E004"]
    assert name in messages[0].msg


@pytest.mark.parametrize("name", ["SANDBOX_WEBHOOK_URL", "SANDBOX_REPORT_HOOK_URL"])
def test_it_accepts_an_http_hook_url(settings, name):
    settings.SANDBOX_WEBHOOK_URL = ""
    settings.SANDBOX_REPORT_HOOK_URL = ""
    settings.SANDBOX_WEBHOOK_SECRET = "shared-secret"
    setattr(settings, name, "http://127.0.0.1:9000/hook")
    assert check_sandbox_webhook(None) == []


def test_it_refuses_a_wildcard_allowed_host_with_debug_off(settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["review.example.com", "*"]
    assert ids(check_allowed_hosts(None)) == ["reviewer.E005"]


def test_it_accepts_listed_allowed_hosts(settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["review.example.com"]
    assert check_allowed_hosts(None) == []


def test_it_accepts_a_wildcard_allowed_host_with_debug_on(settings):
    settings.DEBUG = True
    settings.ALLOWED_HOSTS = ["*"]
    assert check_allowed_hosts(None) == []


def test_it_registers_every_check_with_django(settings):
    settings.DEBUG = False
    settings.SENDAI_API_URL = "ftp://api.send.ai"
    settings.SENDAI_CONNECT_TIMEOUT = 20.0
    settings.SENDAI_READ_TIMEOUT = 20.0
    settings.GUNICORN_TIMEOUT = 30
    settings.SANDBOX_WEBHOOK_URL = "https://hooks.example.com/sendai"
    settings.SANDBOX_WEBHOOK_SECRET = ""
    settings.ALLOWED_HOSTS = ["*"]
    found = set(ids(run_checks()))
    assert {"reviewer.E001", "reviewer.E002", "reviewer.E003", "reviewer.E005"} <= found

    settings.SENDAI_API_URL = "http://api.send.ai"
    settings.SANDBOX_WEBHOOK_SECRET = "shared-secret"
    settings.SANDBOX_REPORT_HOOK_URL = "gopher://hooks.example.com"
    found = set(ids(run_checks()))
    assert {"reviewer.W001", "reviewer.E004"} <= found


def test_it_finds_nothing_wrong_with_a_good_configuration(settings):
    settings.DEBUG = False
    settings.SENDAI_API_URL = "https://api.send.ai"
    settings.SENDAI_CONNECT_TIMEOUT = 3.05
    settings.SENDAI_READ_TIMEOUT = 10.0
    settings.GUNICORN_TIMEOUT = 30
    settings.SANDBOX_WEBHOOK_URL = "https://hooks.example.com/sendai"
    settings.SANDBOX_WEBHOOK_SECRET = "shared-secret"
    settings.SANDBOX_REPORT_HOOK_URL = "https://hooks.example.com/report"
    settings.ALLOWED_HOSTS = ["review.example.com"]
    assert set(ids(run_checks())).isdisjoint(OURS)


def test_it_refuses_a_waiting_limit_that_would_let_every_thread_wait_on_sendai(settings):
    from reviewer.front.checks import check_waiting_limit

    settings.GUNICORN_THREADS, settings.SENDAI_MAX_WAITING = 8, 8
    messages = check_waiting_limit(None)
    assert ids(messages) == ["reviewer.E007"]
    assert "SENDAI_MAX_WAITING (8)" in messages[0].msg
    settings.SENDAI_MAX_WAITING = 6
    assert check_waiting_limit(None) == []


def test_the_default_waiting_limit_leaves_two_threads(settings):
    from reviewer import settings as configured

    threads = configured.GUNICORN_THREADS
    assert max(1, threads - 2) == configured.SENDAI_MAX_WAITING
