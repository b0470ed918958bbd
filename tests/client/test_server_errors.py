"""5xx answers, whatever their body: Unavailable, with the status in a readable sentence."""

from __future__ import annotations

import pytest

from reviewer.sendai import Unavailable

HTML = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"


@pytest.mark.parametrize("status", [500, 502, 503, 504])
@pytest.mark.parametrize(
    "body",
    [HTML, "", "Internal Server Error", '{"payload": null, "error": {"code": "internal", "message": "Oops."}}'],
)
def test_it_raises_unavailable_for_a_5xx(upstream, api, status, body):
    upstream.reply(status, body, headers={"Content-Type": "text/html"})
    with pytest.raises(Unavailable) as e:
        api.complete("team_123456", "proj_123456", "task_abcdef123456")
    assert str(e.value) == f"Send.ai could not answer (HTTP {status}); try again in a moment."
    assert e.value.status == status
    assert e.value.retry_after is None
    assert len(upstream.received) == 1


def test_it_passes_on_a_503s_retry_after(upstream, api):
    upstream.reply(503, headers={"Retry-After": "120"})
    with pytest.raises(Unavailable) as e:
        api.complete("team_123456", "proj_123456", "task_abcdef123456")
    assert e.value.retry_after == 120
    assert str(e.value) == "Send.ai could not answer (HTTP 503); try again in 120 seconds."


def test_it_raises_unavailable_for_a_408(upstream, api):
    upstream.reply(408)
    with pytest.raises(Unavailable, match="HTTP 408"):
        api.get("team_123456", "proj_123456", "task_abcdef123456")
