"""Browser fixtures: Debian's chromium driven by Playwright, signed in to a live console.

The console and the sandbox it calls are served by the same live server, in this
process; the tests read the sandbox's rows to check what really changed upstream.
"""

from __future__ import annotations

import os
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command

from reviewer.sandbox.models import Project, Task
from tests.conftest import give_key, make_key

# Playwright's sync API runs an asyncio event loop in the test's thread, and Django's ORM
# refuses to run in a thread with a running loop. The tests only use the ORM synchronously,
# between browser calls, so the guard is switched off for this process.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
TIMINGS = ARTIFACTS / "browser-timings.txt"
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "correct horse battery staple"
TEAM, PROJECT = "team_demo", "proj_demo"
PHASES = pytest.StashKey[dict]()
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _missing(what: str) -> None:
    pytest.fail(f"{what} is missing: run `make browser-deps` to install the browser tests' dependencies.")


class _InFlight:
    """Counts the requests the live server is answering, so a test can wait for the last one.

    A page may still have requests under way when its test ends (a delayed fetch-ahead, a
    beacon); the database must not be flushed under them.
    """

    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    def wrap(self, application):
        def counted(environ, start_response):
            with self.lock:
                self.count += 1
            try:
                result = application(environ, start_response)
                try:
                    yield from result
                finally:
                    if hasattr(result, "close"):
                        result.close()  # Django's request_finished: connections are given back
            finally:
                with self.lock:
                    self.count -= 1

        return counted

    def wait_idle(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while self.count and time.monotonic() < deadline:
            time.sleep(0.05)


IN_FLIGHT = _InFlight()


def _as_in_production(application):
    """Leave static files to WhiteNoise, which serves them from STATIC_ROOT as in production."""
    return IN_FLIGHT.wrap(application)


def _check_static_files() -> None:
    """Fail unless WhiteNoise will serve the files that the pages name.

    WhiteNoise serves settings.STATIC_ROOT; the pages name files from the manifest of the
    staticfiles storage, which keeps the STATIC_ROOT it was created with. If the storage was
    created before tests/conftest.py's `collected_static` moved STATIC_ROOT, the two disagree
    and every page would load without its CSS and JavaScript.
    """
    from django.conf import settings
    from django.contrib.staticfiles.storage import staticfiles_storage

    root = Path(settings.STATIC_ROOT)
    collected = Path(staticfiles_storage.location)
    if collected != root or not (root / staticfiles_storage.manifest_name).is_file():
        pytest.fail(
            f"Static files were collected into {collected}, but WhiteNoise serves STATIC_ROOT={root}: "
            "the staticfiles storage was created before `collected_static` (tests/conftest.py) changed "
            "STATIC_ROOT, so pages would load without CSS and JavaScript. `collected_static` should send "
            "django.test.signals.setting_changed for STATIC_ROOT after changing it."
        )


@pytest.fixture(scope="session")
def live_server(request, collected_static):
    """pytest-django's live server, but with static files served by the product's own WhiteNoise.

    pytest-django wraps the server in Django's finder-based StaticFilesHandler, which cannot
    find the hashed names that the manifest storage puts in pages (css/reviewer.<hash>.css),
    so the browser would see a page without its CSS and JavaScript.
    """
    from pytest_django.live_server_helper import LiveServer

    _check_static_files()
    address = request.config.getvalue("liveserver") or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
    server = LiveServer(address, start=False)
    server.thread.static_handler = _as_in_production
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    """One headless chromium for the whole run."""
    if not os.access(CHROMIUM, os.X_OK):
        _missing(f"Chromium ({CHROMIUM})")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
    except Exception:
        playwright.stop()
        raise
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test, for the page fixture to see whether the test failed."""
    report = yield
    item.stash.setdefault(PHASES, {})[report.when] = report
    return report


@pytest.fixture
def page(browser, request):
    """A fresh context and page for each test: no cookies or storage carried over.

    A test that fails leaves a screenshot of the page as it was: <test name>-failed.png.
    """
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-GB")
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    call = request.node.stash.get(PHASES, {}).get("call")
    if call is not None and call.failed and not tab.is_closed():
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(SCREENSHOTS / f"{_artifact_name(request.node.name)}-failed.png"), full_page=True)
    context.close()
    IN_FLIGHT.wait_idle()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Sign-in throttling and action tokens live in the cache, which outlives a test."""
    cache.clear()
    yield
    cache.clear()


@dataclass
class Console:
    """The live console, its sandbox seeded with the demo tasks, and a signed-in reviewer."""

    url: str
    page: object
    reviewer: object
    key: str  # the reviewer's raw Send.ai key, which must never reach the browser

    def task_url(self, task_id: str) -> str:
        return f"{self.url}/review/{TEAM}/{PROJECT}/{task_id}/"

    def open(self, task_id: str, query: str = ""):
        response = self.page.goto(self.task_url(task_id) + query)
        assert response is not None
        assert response.status == 200, f"{task_id}: HTTP {response.status}"
        self.page.wait_for_selector("#task-state")
        return response


def sign_in(page, base_url: str, username: str) -> None:
    """Sign in through the real form."""
    page.goto(base_url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(base_url + "/")


@pytest.fixture
def console(live_server, upstream, people, page, settings) -> Console:
    """The demo sandbox (team_demo/proj_demo), and rita signed in with a key to it."""
    settings.SANDBOX_PROCESSING_DELAY = 600  # a completed task stays PROCESSING while a test looks at it
    call_command("sandbox_seed", verbosity=0)
    project = Project.objects.get(team__team_id=TEAM, project_id=PROJECT)
    raw = make_key(project=project)
    give_key(people.reviewer, raw, team_id=TEAM, project_id=PROJECT)
    sign_in(page, live_server.url, people.reviewer.username)
    return Console(url=live_server.url, page=page, reviewer=people.reviewer, key=raw)


def upstream_task(task_id: str) -> Task:
    """The task as the sandbox holds it now."""
    return Task.objects.get(project__project_id=PROJECT, task_id=task_id)


def queue_tasks(*task_ids: str) -> None:
    """Only these tasks wait, oldest first, as a sync or a notification would leave them."""
    from reviewer.queue.models import Entry

    for minutes, task_id in enumerate(task_ids):
        task = upstream_task(task_id)
        Entry.objects.create(
            team_id=TEAM,
            project_id=PROJECT,
            task_id=task_id,
            status="REVIEWING",
            name=task.name,
            step_type=task.step_type,
            created_at=task.created_at.replace(year=2020, minute=minutes),
            source="list",
        )


def _artifact_name(node_name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", node_name).strip("-")


@pytest.fixture
def screenshot(request):
    """Save the page as test-artifacts/screenshots/<test name>[-<state>].png."""

    def save(page, state: str = "") -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = _artifact_name(request.node.name) + (f"-{state}" if state else "")
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save


@pytest.fixture(scope="session")
def timings():
    """Measured figures, printed as they come and written to test-artifacts/browser-timings.txt."""
    lines: list[str] = []

    def record(what: str, seconds: float) -> None:
        line = f"{what}: {seconds * 1000:.0f} ms"
        print(line)
        lines.append(line)

    yield record
    if lines:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        TIMINGS.write_text("\n".join(sorted(lines)) + "\n")


@pytest.fixture
def axe():
    """Run axe-core in the page; return its serious and critical violations."""
    if not AXE.is_file():
        _missing(f"axe-core ({AXE.relative_to(ROOT)})")

    def run(page) -> list[dict]:
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            # Evaluated through the browser's debugging protocol, as a script tag of its own
            # would be refused by the page's Content-Security-Policy.
            page.evaluate("() => {\n" + AXE.read_text() + "\n}")
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]

    return run


def describe(violations: list[dict]) -> str:
    """Violations as lines of rule id, impact, help and the targets of their nodes."""
    lines = []
    for v in violations:
        targets = "; ".join(" ".join(map(str, n["target"])) for n in v["nodes"])
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} -> {targets}")
    return "\n".join(lines)
