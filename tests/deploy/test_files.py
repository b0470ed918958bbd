"""The image and the scaled-out layout, read as files (no Docker here): compose.yaml parses and
runs two console instances behind the proxy, a worker, PostgreSQL and Redis from one image;
the Dockerfile pins its base, keeps the code root's and runs unprivileged; .dockerignore keeps
secrets, local state and tests out."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_compose_runs_the_documented_layout(compose):
    services = compose["services"]
    assert set(services) == {"migrate", "web1", "web2", "worker", "proxy", "db", "redis"}
    console = [services[name] for name in ("migrate", "web1", "web2", "worker")]
    assert {s["image"] for s in console} == {"reviewer:latest"}  # one image, several commands
    assert services["worker"]["command"] == ["python", "manage.py", "run_worker"]
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert "command" not in services["web1"]  # the image's CMD: gunicorn
    for name in ("web1", "web2", "worker"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert services[name]["read_only"] is True
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    for name in ("proxy", "db", "redis"):
        assert re.fullmatch(r"[a-z]+:\d+\.\d+(\.\d+)?-bookworm", services[name]["image"]), services[name]["image"]


def test_the_instances_trust_only_the_proxy(compose):
    services = compose["services"]
    proxy_address = services["proxy"]["networks"]["backend"]["ipv4_address"]
    for name in ("web1", "web2", "worker"):
        env = services[name]["environment"]
        assert env["TRUSTED_PROXIES"] == proxy_address
        assert env["REDIS_URL"].startswith("redis://redis:")
        assert "DATABASE_URL" not in env and env["DATABASE_URL_FILE"].startswith("/run/secrets/")
        assert "SECRET_KEY" not in env
    nginx = (ROOT / "deploy" / "nginx.conf").read_text()
    assert re.findall(r"server (web\d):8000", nginx) == ["web1", "web2"]
    for header in ("X-Forwarded-For", "X-Request-ID", "X-Forwarded-Proto"):
        assert f"proxy_set_header {header}" in nginx


def test_the_dockerfile_pins_its_base_and_runs_unprivileged():
    text = (ROOT / "Dockerfile").read_text()
    [base] = re.findall(r"^ARG PYTHON_IMAGE=(\S+)$", text, re.MULTILINE)
    assert re.fullmatch(r"python:3\.11\.\d+-slim-bookworm(@sha256:[0-9a-f]{64})?", base)
    assert re.search(r"^FROM \$\{PYTHON_IMAGE\}$", text, re.MULTILINE)
    [user] = re.findall(r"^USER (\S+)$", text, re.MULTILINE)
    assert user not in ("root", "0")
    assert "chown -R root:root /app" in text
    assert not re.search(r"chown\s+(-R\s+)?(reviewer|10001)", text)
    cmd = [line for line in text.splitlines() if line.startswith(("CMD", "ENTRYPOINT"))]
    assert cmd == ['CMD ["gunicorn", "reviewer.wsgi", "--config", "gunicorn.conf.py"]']  # no migrate at start


def test_dockerignore_keeps_secrets_state_and_tests_out():
    lines = set((ROOT / ".dockerignore").read_text().split())
    needed = (".env", ".venv", "**/node_modules", "tests", "test-artifacts", ".git", "db.sqlite3", ".demo", "secrets")
    assert set(needed) <= lines, set(needed) - lines
