"""The demo's layout (Procfile.demo, started by bin/demo): the console and the sandbox each in their
own gunicorn, so that the console never waits on itself.

Served by one gunicorn, more concurrent console requests that call the sandbox than the server
has threads held every thread waiting for a sandbox call that waited for a free thread, and all
of them failed after the read timeout. Here the same load succeeds: every request gets its page.
The servers run as `make demo` runs them, on a scratch database, on this suite's ports.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from benchmarks.common import free_ports
from benchmarks.load_reviewers import Reviewer, Tally
from benchmarks.servers import ROOT, demo_layout

# Free ports, so that the suite's two passes (or make bench) can run beside it.
CONSOLE_PORT = free_ports(2)
SANDBOX_PORT = CONSOLE_PORT + 1
THREADS = 3


@pytest.fixture(scope="module")
def layout(tmp_path_factory):
    # One worker of THREADS threads each. Every thread may wait on Send.ai here, past check E007
    # (the gate's refusals beyond SENDAI_MAX_WAITING are tested in tests/client): this test is
    # about the layout alone, and a refusal would hide whether a request waited on its own server.
    servers = {
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": str(THREADS),
        "SENDAI_MAX_WAITING": str(THREADS),
        "SILENCED_SYSTEM_CHECKS": "reviewer.accounts.W001,reviewer.E007",
    }
    with demo_layout(
        tmp_path_factory.mktemp("demo-layout"),
        console_port=CONSOLE_PORT,
        sandbox_port=SANDBOX_PORT,
        reviewers=THREADS,
        tasks=20,
        server_env=servers,
    ) as running:
        yield running
    # Leaving the layout stopped bin/demo, and bin/demo stopped both servers.
    for port in (CONSOLE_PORT, SANDBOX_PORT):
        with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=5):
            pass


def test_more_console_requests_than_threads_all_get_their_page(layout):
    tally = Tally()
    names = [f"bench_r{i + 1:03d}" for i in range(THREADS)]
    people = [Reviewer(layout.console_url, name, layout.people[name], tally) for name in names]
    for person in people:
        person.sign_in()
        assert person.claim(), tally.errors
    # Four times as many task pages at once as the console has threads; each page asks the sandbox.
    opens = [person for person in people for _ in range(4)]
    with ThreadPoolExecutor(len(opens)) as pool:
        opened = list(pool.map(Reviewer.open, opens))
    assert opened == [True] * len(opens), dict(tally.errors)
    assert len(tally.durations["open"]) == len(opens)


def test_each_process_serves_only_its_part(layout):
    # The console does not serve the sandbox it calls; the sandbox serves only the Send.ai API.
    assert requests.get(layout.console_url + "/sandbox/openapi.json", timeout=30).status_code == 404
    assert requests.get(layout.sandbox_url + "/sandbox/openapi.json", timeout=30).status_code == 200
    assert requests.get(layout.sandbox_url + "/health/", timeout=30).text == "OK"
    answer = requests.get(layout.sandbox_url + "/accounts/login/", timeout=30)
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"


def test_the_work_queue_was_filled_from_the_sandbox(layout):
    # The sync of Procfile.demo ran against the sandbox's own server, as the console would.
    assert any("The work queue holds the" in line for line in layout.output)


RESOLVES = """
import json, django
from django.conf import settings
from django.urls import Resolver404, resolve
django.setup()
def serves(path):
    try:
        return resolve(path).url_name
    except Resolver404:
        return None
print(json.dumps({"urlconf": settings.ROOT_URLCONF, "sandbox": serves("/sandbox/openapi.json"),
                  "console": serves("/queue/"), "health": serves("/health/")}))
"""


def _serving(**env: str) -> subprocess.CompletedProcess:
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DJANGO_SETTINGS_MODULE": "reviewer.settings"}
    clean.update(SECRET_KEY="test-only-secret-key-not-for-production", **env)
    return subprocess.run(
        [sys.executable, "-c", RESOLVES], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize(
    ("serve", "urlconf", "sandbox", "console"),
    [
        ("all", "reviewer.urls", "sandbox-openapi", "queue"),
        ("console", "reviewer.urls", None, "queue"),
        ("sandbox", "reviewer.sandbox_urls", "sandbox-openapi", None),
    ],
)
def test_serve_says_what_a_process_serves(serve, urlconf, sandbox, console):
    done = _serving(SERVE=serve, SANDBOX_ENABLED="True")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "urlconf": urlconf,
        "sandbox": sandbox,
        "console": console,
        "health": "health",
    }


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SERVE": "sandbox"}, "SERVE=sandbox needs SANDBOX_ENABLED=True."),
        ({"SERVE": "both", "SANDBOX_ENABLED": "True"}, "Unexpected value SERVE='both': use all, console or sandbox"),
    ],
)
def test_serve_refuses_what_cannot_run(env, message):
    done = _serving(**env)
    assert done.returncode != 0
    assert done.stderr.strip().splitlines()[-1] == f"django.core.exceptions.ImproperlyConfigured: {message}"
