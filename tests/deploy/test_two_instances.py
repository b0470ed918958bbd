"""The scaled-out layout of compose.yaml, on this machine without Docker: two gunicorn instances
of the console (A and B) on one PostgreSQL database and one Redis, a third serving the sandbox
as their Send.ai, and this test as the proxy in front (it sets X-Forwarded-For and
X-Request-ID, and only it is trusted: TRUSTED_PROXIES=127.0.0.1). Requests alternate between
the instances, and sign-in, sessions, throttling, one-time action tokens, fetched-ahead tasks
and claims behave as on one.

It runs in the PostgreSQL pass of `make test` (DATABASE_URL=postgres://…, REDIS_URL=redis://…),
on a scratch database of its own, created and dropped here.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")
TEAM, PROJECT = "team_demo", "proj_demo"
FAILURE_LIMIT = 3
PROXY_ID = "f47ac10b-58cc-4372-a567-0e02b2c3d479"

pytestmark = pytest.mark.skipif(
    not DATABASE_URL.startswith(("postgres://", "postgresql://")),
    reason="the two-instance run needs PostgreSQL (the PostgreSQL pass of make test runs it)",
)


PORTS = iter(range(18600, 18700))  # a range of their own, beside whatever else runs here


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise AssertionError("no free port in 18600-18699")


@dataclass
class Layout:
    a: str
    b: str
    sandbox: str
    database: str
    passwords: dict[str, str]
    logs: dict[str, Path]

    def sql(self, query: str, *args) -> list[tuple]:
        with psycopg.connect(self.database, autocommit=True) as conn:
            return conn.execute(query, args).fetchall()

    def log_lines(self, name: str) -> list[dict]:
        lines = []
        for line in self.logs[name].read_text().splitlines():
            if line.startswith("{"):
                lines.append(json.loads(line))
        return lines


def _wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, f"{url} exited:\n{log.read_text()[-3000:]}"
        try:
            if requests.get(url + "/health/", timeout=5).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or still starting
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not answer /health/:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def layout(tmp_path_factory) -> Iterator[Layout]:
    assert REDIS_URL.startswith("redis://"), "the two-instance run needs REDIS_URL"
    tmp = tmp_path_factory.mktemp("two-instances")
    server = urlsplit(DATABASE_URL)
    name = f"twoinst_{os.getpid()}"
    admin_url = urlunsplit(server._replace(path="/postgres"))
    database = urlunsplit(server._replace(path=f"/{name}"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    a, b, s = _free_port(), _free_port(), _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "PYTEST_CURRENT_TEST")},
        "SECRET_KEY": "two-instance-test-secret-key-not-for-production",
        "FERNET_KEYS": "dGVzdC1vbmx5LWZlcm5ldC1rZXktMzItYnl0ZXMhISE=",
        "DATABASE_URL": database,
        "REDIS_URL": REDIS_URL,
        "CONN_MAX_AGE": "0",
        "SECURE_COOKIES": "False",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "TRUSTED_PROXIES": "127.0.0.1",
        "LOG_FORMAT": "json",
        "LOGIN_FAILURE_LIMIT": str(FAILURE_LIMIT),
        "SANDBOX_ENABLED": "True",
        "SENDAI_API_URL": f"http://127.0.0.1:{s}/sandbox",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "4",
        "SENDAI_MAX_WAITING": "2",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "SILENCED_SYSTEM_CHECKS": "reviewer.accounts.W001",
    }
    manage = [sys.executable, "manage.py"]

    def run(*args: str) -> str:
        done = subprocess.run([*manage, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"{args}: {done.stderr[-3000:]}"
        return done.stdout

    processes: list[subprocess.Popen] = []
    outputs = []
    try:
        # The release steps, as the README gives them.
        run("migrate", "--noinput", "--verbosity", "0")
        run("collectstatic", "--noinput", "--verbosity", "0")
        run("sandbox_seed")
        people = run("demo_setup")
        passwords = {}
        for line in people.splitlines():
            parts = line.split()
            if parts[:1] and parts[0] in ("reviewer", "lead", "admin"):
                passwords[parts[0]] = parts[1]
        logs = {}
        for label, port in (("a", a), ("b", b), ("sandbox", s)):
            logs[label] = tmp / f"{label}.log"
            out = logs[label].open("w")
            outputs.append(out)
            process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "reviewer.wsgi", "--config", "gunicorn.conf.py"],
                cwd=ROOT,
                env={**env, "BIND": f"127.0.0.1:{port}"},
                stdout=out,
                stderr=subprocess.STDOUT,
            )
            processes.append(process)
        for (label, port), process in zip((("a", a), ("b", b), ("sandbox", s)), processes, strict=True):
            _wait_until_up(f"http://127.0.0.1:{port}", process, logs[label])
        # Fill the queue from the sandbox, as a lead's sync would.
        run("queue_sync", "--team", TEAM, "--project", PROJECT, "--user", "lead")
        yield Layout(
            a=f"http://127.0.0.1:{a}",
            b=f"http://127.0.0.1:{b}",
            sandbox=f"http://127.0.0.1:{s}",
            database=database,
            passwords=passwords,
            logs=logs,
        )
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for out in outputs:
            out.close()
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Browser:
    """One person's browser behind the proxy: one cookie jar, whichever instance answers."""

    def __init__(self, layout: Layout, address: str = "203.0.113.10") -> None:
        self.layout = layout
        self.session = requests.Session()
        self.address = address

    def _headers(self, extra: dict | None) -> dict:
        return {"X-Forwarded-For": self.address, **(extra or {})}

    def get(self, base: str, path: str, **kwargs) -> requests.Response:
        headers = self._headers(kwargs.pop("headers", None))
        return self.session.get(base + path, headers=headers, allow_redirects=False, timeout=30, **kwargs)

    def post(self, base: str, path: str, data: dict | None = None, **kwargs) -> requests.Response:
        headers = self._headers(kwargs.pop("headers", None))
        headers.setdefault("Referer", base + path)
        data = {"csrfmiddlewaretoken": self.session.cookies.get("csrftoken", ""), **(data or {})}
        return self.session.post(base + path, data=data, headers=headers, allow_redirects=False, timeout=30, **kwargs)

    def sign_in(self, base_form: str, base_post: str, username: str, password: str) -> requests.Response:
        assert self.get(base_form, "/accounts/login/").status_code == 200
        return self.post(base_post, "/accounts/login/", {"username": username, "password": password})


def _token(page: str) -> str:
    [token] = set(re.findall(r'name="token" value="([0-9a-f]{32})"', page))
    return token


def test_a_sign_in_on_one_instance_is_a_session_on_both(layout):
    rita = Browser(layout)
    response = rita.sign_in(layout.a, layout.b, "reviewer", layout.passwords["reviewer"])
    assert (response.status_code, response.headers["Location"]) == (302, "/")
    for base in (layout.a, layout.b, layout.a):
        assert rita.get(base, "/").status_code == 200
    assert rita.post(layout.b, "/accounts/logout/").status_code == 302
    assert rita.get(layout.a, "/").status_code == 302  # signed out everywhere


def test_throttling_counts_on_both_instances_per_name_and_address(layout):
    guesser = Browser(layout, address="198.51.100.66")
    for n in range(FAILURE_LIMIT):
        base = (layout.a, layout.b)[n % 2]
        assert guesser.sign_in(base, base, "admin", "wrong password").status_code in (200, 429)
    for base in (layout.a, layout.b):
        assert guesser.sign_in(base, base, "admin", layout.passwords["admin"]).status_code == 429
    # The same person from elsewhere, and everyone else from that address, sign in.
    elsewhere = Browser(layout, address="198.51.100.67")
    assert elsewhere.sign_in(layout.b, layout.a, "admin", layout.passwords["admin"]).status_code == 302
    neighbour = Browser(layout, address="198.51.100.66")
    assert neighbour.sign_in(layout.a, layout.b, "lead", layout.passwords["lead"]).status_code == 302
    [(username, address)] = layout.sql("SELECT username, host(ip_address) FROM axes_accessattempt")
    assert (username, address) == ("admin", "198.51.100.66")


def test_claims_action_tokens_and_fetching_ahead_hold_across_instances(layout):
    rita = Browser(layout, address="203.0.113.21")
    leo = Browser(layout, address="203.0.113.22")
    assert rita.sign_in(layout.a, layout.b, "reviewer", layout.passwords["reviewer"]).status_code == 302
    assert leo.sign_in(layout.b, layout.a, "lead", layout.passwords["lead"]).status_code == 302

    # A claim made on A is the reviewer's on B, and nobody else's anywhere.
    claimed = rita.post(layout.a, "/queue/next/")
    assert claimed.status_code == 302
    task_url = claimed.headers["Location"]
    assert task_url.startswith(f"/review/{TEAM}/{PROJECT}/")
    task_id = task_url.rstrip("/").rsplit("/", 1)[1]
    [(holder,)] = layout.sql(
        "SELECT u.username FROM queue_entry e JOIN auth_user u ON u.id = e.claimed_by_id WHERE e.task_id = %s", task_id
    )
    assert holder == "reviewer"
    other = leo.post(layout.b, "/queue/next/")
    assert other.status_code == 302
    assert other.headers["Location"] != task_url

    # Fetching ahead is single-flight across instances: the two take different tasks.
    assert rita.get(layout.b, "/queue/ahead/").status_code == 204
    assert leo.get(layout.a, "/queue/ahead/").status_code == 204
    ahead = layout.sql(
        "SELECT u.username, e.task_id FROM queue_aheadfetch f JOIN queue_entry e ON e.id = f.entry_id "
        "JOIN auth_user u ON u.id = f.user_id"
    )
    assert len(ahead) == len({task for _, task in ahead}), ahead

    # A one-time action token from a page of B is spent once, whichever instance receives it.
    page = rita.get(layout.b, task_url, headers={"X-Request-ID": PROXY_ID})
    assert page.status_code == 200
    assert page.headers["X-Request-ID"] == PROXY_ID
    token = _token(page.text)
    first = rita.post(layout.a, task_url + "act/approve/", {"token": token})
    assert first.status_code in (200, 302), first.text[-500:]
    again = rita.post(layout.b, task_url + "act/approve/", {"token": token})
    assert again.status_code in (200, 302)
    outcomes = layout.sql(
        "SELECT outcome FROM review_actionrecord WHERE task_id = %s AND action = 'approve' ORDER BY id", task_id
    )
    assert [o for (o,) in outcomes][-2:] == ["ok", "duplicate"], outcomes


def test_the_proxys_request_id_reaches_the_log_and_send_ai(layout):
    rita = Browser(layout, address="203.0.113.31")
    assert rita.sign_in(layout.b, layout.a, "reviewer", layout.passwords["reviewer"]).status_code == 302
    request_id = "proxy-req-0123456789abcdef"
    page = rita.get(layout.a, f"/review/{TEAM}/{PROJECT}/task_abcdef123456/", headers={"X-Request-ID": request_id})
    assert page.status_code == 200
    assert page.headers["X-Request-ID"] == request_id
    console = [line for line in layout.log_lines("a") if line.get("request_id") == request_id]
    assert any(line["logger"] == "reviewer.sendai" for line in console), console
    assert all(line.get("client") == "203.0.113.31" for line in console)
    # The call to Send.ai (the sandbox) went out under the proxy's ID.
    sent = [line for line in console if line["logger"] == "reviewer.sendai"]
    assert all(f"request_id={request_id}" in line["message"] for line in sent), sent
