"""The health check at /health/, used by the container's HEALTHCHECK and the load balancer."""

from __future__ import annotations

import socket

import pytest

pytestmark = pytest.mark.django_db


def test_it_answers_ok(client):
    r = client.get("/health/")
    assert r.status_code == 200
    assert r.content == b"OK"
    assert r["Content-Type"] == "text/plain"


def test_it_is_never_cached(client):
    r = client.get("/health/")
    assert "no-cache" in r["Cache-Control"]
    assert "max-age=0" in r["Cache-Control"]


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_it_refuses_other_methods(client, method):
    r = getattr(client, method)("/health/")
    assert r.status_code == 405
    assert r["Allow"] == "GET"


def test_it_answers_unavailable_when_the_cache_does_not_answer(client, settings, unused_tcp_port):
    # Nothing listens on this port: the cache fails as a Redis server that is down would.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{unused_tcp_port}/0",
        }
    }
    r = client.get("/health/")
    assert r.status_code == 503
    assert r.content == b"Unavailable"
    assert r["Content-Type"] == "text/plain"


@pytest.fixture
def unused_tcp_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
