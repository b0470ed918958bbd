"""One pooled session per process: a timeout on every request, no cookies, safe across threads."""

from __future__ import annotations

import threading

import pytest
import requests
from urllib3.util import Retry

from reviewer.sendai import Client, Unavailable
from reviewer.sendai import client as client_module


def test_it_gives_every_request_the_timeout_from_settings(upstream, api, doc_task, settings, monkeypatch):
    timeouts = []
    send = requests.adapters.HTTPAdapter.send

    def spy(self, request, *args, **kwargs):
        timeouts.append(kwargs["timeout"])
        return send(self, request, *args, **kwargs)

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", spy)
    settings.SENDAI_CONNECT_TIMEOUT, settings.SENDAI_READ_TIMEOUT = 0.25, 0.75
    upstream.reply(json_body={"payload": doc_task})
    api.get("team_1", "proj_1", "task_1")
    client_module.session.get(upstream.url)  # even a call that forgets its timeout
    assert timeouts == [(0.25, 0.75), (0.25, 0.75)]


def test_it_retries_gets_only():
    # read=1: a GET whose connection broke before an answer came is tried once more; the
    # console's _Retry refuses to retry a read timeout (tests/client/test_retries.py).
    for scheme in ("http://", "https://"):
        adapter = client_module.session.get_adapter(scheme + "api.send.ai")
        assert isinstance(adapter, client_module.TimeoutAdapter)
        retry = adapter.max_retries
        assert isinstance(retry, Retry)
        assert retry.allowed_methods == frozenset({"GET"})
        assert (retry.total, retry.connect, retry.read) == (1, 0, 1)
        assert retry.retry_after_max == client_module.RETRY_AFTER_CAP


def test_it_keeps_no_cookies(upstream, doc_task):
    upstream.reply(json_body={"payload": doc_task}, headers={"Set-Cookie": "session=alice; Path=/"})
    Client("sk_alice").get("team_1", "proj_1", "task_1")
    Client("sk_bob").get("team_1", "proj_1", "task_1")
    assert "Cookie" not in upstream.received[1].headers
    assert len(client_module.session.cookies) == 0


def test_it_serves_many_threads_at_once(upstream, doc_task, settings):
    settings.SENDAI_MAX_WAITING = 16  # all may wait at once (tests/client/test_waiting.py: when not)
    upstream.reply(json_body={"payload": doc_task}, delay=0.1)
    results, errors = {}, []

    def call(i: int) -> None:
        try:
            results[i] = Client(f"sk_user_{i}").get("team_1", "proj_1", "task_1", request_id=f"req-{i}")
        except Exception as e:  # noqa: BLE001 (reported below)
            errors.append(e)

    threads = [threading.Thread(target=call, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert {r.request_id for r in results.values()} == {f"req-{i}" for i in range(16)}
    sent = {r.headers["X-Request-ID"]: r.headers["Authorization"] for r in upstream.received}
    assert sent == {f"req-{i}": f"Bearer sk_user_{i}" for i in range(16)}


def test_it_reaches_nothing_beyond_this_machine_in_tests(settings, api):
    settings.SENDAI_API_URL = "http://192.0.2.1/sendai"  # TEST-NET-1; the local_only fixture refuses it
    with pytest.raises(Unavailable, match="could not be reached"):
        api.get("team_1", "proj_1", "task_1")
