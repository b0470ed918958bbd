"""/ready/: the database, the cache and the task backend answer (or it says which does not)."""

from __future__ import annotations

import json
import socket

import pytest

from reviewer.observability import ready

pytestmark = pytest.mark.django_db


@pytest.fixture
def unused_tcp_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_it_answers_ready_when_everything_answers(client):
    response = client.get("/ready/")
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["ready"] is True
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["cache"] == "ok"
    assert body["checks"]["tasks"] in ("ok", "skipped")
    assert "no-cache" in response["Cache-Control"]


def test_it_needs_no_sign_in_and_only_reads(client):
    assert client.get("/ready/").status_code == 200
    assert client.post("/ready/").status_code == 405


def test_it_answers_unavailable_naming_the_cache_when_the_cache_is_down(client, settings, unused_tcp_port):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{unused_tcp_port}/0",
        }
    }
    response = client.get("/ready/")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["ready"] is False
    assert body["checks"]["cache"] == "failed"
    assert body["checks"]["database"] == "ok"
    assert str(unused_tcp_port) not in response.content.decode()  # no detail of the settings


def test_a_task_backend_is_skipped_when_none_is_configured(settings):
    if hasattr(settings, "TASKS"):
        del settings.TASKS
    with pytest.raises(ready.Skipped):
        ready.task_backend()


def test_a_failing_check_is_named(client, monkeypatch):
    def broken() -> None:
        raise ConnectionError("down")

    monkeypatch.setitem(ready.CHECKS, "tasks", broken)
    response = client.get("/ready/")
    assert response.status_code == 503
    assert json.loads(response.content)["checks"]["tasks"] == "failed"
