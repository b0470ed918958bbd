"""Fixtures for the sandbox API tests: a small HTTP caller bound to the live server."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import requests

TASK = "/v2/team_123456/project/proj_123456/task/task_abcdef123456"
TASKS = "/v2/team_123456/project/proj_123456/task"


@dataclass
class Api:
    base: str

    def request(self, method: str, path: str, key: str | None = None, **kwargs) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if key is not None:
            headers.setdefault("Authorization", f"Bearer {key}")
        return requests.request(method, self.base + path, headers=headers, timeout=10, **kwargs)

    def get(self, path: str, key: str | None = None, **kwargs) -> requests.Response:
        return self.request("GET", path, key, **kwargs)

    def post(self, path: str, key: str | None = None, **kwargs) -> requests.Response:
        return self.request("POST", path, key, **kwargs)


@pytest.fixture
def api(sandbox_url: str) -> Api:
    return Api(sandbox_url)


def error_of(response: requests.Response) -> dict:
    """The error object of an error envelope, checking the envelope's shape on the way
    (validation_failed adds its `failures`)."""
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert body["payload"] is None
    extra = {"failures"} if body["error"].get("code") == "validation_failed" else set()
    assert set(body["error"]) == {"code", "message"} | extra
    assert body["error"]["message"]
    return body["error"]
