"""Shared fixtures: sandbox records built through the ORM, and the live sandbox URL."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from reviewer.sandbox.models import ApiKey, Project, Status, Task, Team, Upload

DATA = Path(__file__).parent / "data"
DOC_TASK = json.loads((DATA / "doc_task.json").read_text())["payload"]


def doc_pages() -> list[dict]:
    """The pages of the documentation's example task (one A4 page, one item of each kind)."""
    return copy.deepcopy(DOC_TASK["pages"])


def make_project(team_id: str = "team_123456", project_id: str = "proj_123456") -> Project:
    team, _ = Team.objects.get_or_create(team_id=team_id)
    project, _ = Project.objects.get_or_create(team=team, project_id=project_id)
    return project


def make_task(
    task_id: str = "task_abcdef123456",
    *,
    project: Project | None = None,
    upload_id: str = "upl_123456789",
    status: str = Status.REVIEWING,
    **fields,
) -> Task:
    """A sandbox task shaped like the documentation's example, with `fields` overriding."""
    project = project or make_project()
    upload, _ = Upload.objects.get_or_create(project=project, upload_id=upload_id)
    values = {
        "name": DOC_TASK["name"],
        "meta": copy.deepcopy(DOC_TASK["meta"]),
        "step_type": "EXTRACT",
        "pages": doc_pages(),
    }
    values.update(fields)
    return Task.objects.create(project=project, upload=upload, task_id=task_id, status=status, **values)


def make_key(
    scopes: tuple[str, ...] = ("task.read", "task.edit"),
    *,
    project: Project | None = None,
    whole_team: bool = False,
    name: str = "test key",
) -> str:
    """Create a sandbox key granted to `project` (or its whole team); return the raw key."""
    project = project or make_project()
    grant = (project.team, None if whole_team else project)
    _, raw = ApiKey.create(name=name, scopes=list(scopes), grants=[grant])
    return raw


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests create many users; a deliberately slow hasher would dominate the run."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english_to_begin_with():
    """A request activates its language in the thread that answers it, and it stays active
    there afterwards (the test client answers in the test's own thread): a Dutch page in one
    test must not make the next test's Python messages Dutch."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache(request):
    """Throttling counters, action tokens and task copies live in the cache (a table of the
    database, or Redis on the second pass), which outlives a test; start each test without
    them. The database's cache can be reached (and can hold anything) only in a test with it."""
    from django.core.cache import cache, caches
    from django.core.cache.backends.db import DatabaseCache

    if isinstance(caches["default"], DatabaseCache):
        names = request.fixturenames
        if "transactional_db" in names or "live_server" in names:
            request.getfixturevalue("transactional_db")
        elif "db" in names:
            request.getfixturevalue("db")
        elif not request.node.get_closest_marker("django_db"):
            return
    cache.clear()


@pytest.fixture(scope="session", autouse=True)
def compiled_translations():
    """Compile the catalogues as `make i18n` does (a compiled one is left alone), so that a plain
    pytest run speaks Dutch too. Needs gettext's msgfmt (`make system-deps`)."""
    import contextlib

    from django.conf import settings
    from django.core.management import call_command

    with contextlib.chdir(settings.BASE_DIR / "locale"):  # compilemessages walks the folder it runs in
        call_command("compilemessages", verbosity=0)


@pytest.fixture(scope="session", autouse=True)
def collected_static(tmp_path_factory):
    """Collect static files once, so pages render with the manifest storage as in production.

    Into a folder of this run's own, so that test runs side by side do not collide.
    """
    from django.core.management import call_command
    from django.test.utils import override_settings

    # override_settings (not assignment) tells the static files storage that STATIC_ROOT moved.
    override = override_settings(STATIC_ROOT=tmp_path_factory.mktemp("static"))
    override.enable()
    call_command("collectstatic", interactive=False, verbosity=0)
    yield
    override.disable()


@pytest.fixture
def sandbox_url(live_server) -> str:
    """The base URL of the sandbox served over real HTTP by a live server."""
    return live_server.url + "/sandbox"


@dataclass
class People:
    reviewer: object
    lead: object
    admin: object
    stranger: object  # signed in, but in no role


def make_person(username: str, role: str | None, password: str = "correct horse battery staple"):
    from django.contrib.auth import get_user_model

    from reviewer.accounts.roles import set_role

    user = get_user_model().objects.create_user(username, f"{username}@example.com", password)
    set_role(user, role)
    return user


@pytest.fixture
def people(db) -> People:
    """The named personas, built once per test: a reviewer, a lead, an admin and a stranger."""
    return People(
        reviewer=make_person("rita", "reviewer"),
        lead=make_person("leo", "lead"),
        admin=make_person("ada", "admin"),
        stranger=make_person("sam", None),
    )


@pytest.fixture
def upstream(settings, sandbox_url) -> str:
    """Point the console at the live sandbox; return its URL."""
    settings.SENDAI_API_URL = sandbox_url
    return sandbox_url


def give_key(user, raw: str, team_id: str = "team_123456", project_id: str = "proj_123456", state: str = "verified"):
    """Store `raw` as the user's Send.ai key, as an admin would."""
    from reviewer.accounts.roles import profile_of

    profile = profile_of(user)
    profile.set_key(raw, by=None)
    profile.team_id, profile.project_id, profile.key_state = team_id, project_id, state
    profile.save()
    return profile


def run_tasks(*, due: bool = False) -> None:
    """Run the enqueued background tasks in this process, as the worker would, until none is ready.

    `due=True` first makes the deferred ones (retries waiting out their back-off) due now, as if
    their time had come. With the database backend this is its worker's own loop; with RQ, RQ's
    worker in burst mode (the test's transaction stands in for the commit that enqueues a job).
    """
    from django.conf import settings

    if settings.TASK_BACKEND == "rq":
        _run_rq_tasks(due)
        return
    from unittest import mock

    from django.utils import timezone
    from django_tasks_db.management.commands import db_worker
    from django_tasks_db.models import DBTaskResult

    if due:
        DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    worker = db_worker.Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="tests",
        excluded_queue_names=[],
    )
    # The worker closes the connections between tasks, as a request does; the test's open
    # transaction (which holds the test's data) stays.
    with mock.patch.object(db_worker, "close_old_connections", return_value=None):
        worker.run()


def _run_rq_tasks(due: bool) -> None:
    import django_rq
    from django.db import connection
    from rq import SimpleWorker

    while connection.run_on_commit:  # the callbacks that a commit would run
        _sids, callback, _robust = connection.run_on_commit.pop(0)
        callback()
    queue = django_rq.get_queue("default")
    if due:
        registry = queue.scheduled_job_registry
        for job_id in registry.get_job_ids():
            registry.remove(job_id)
            queue.enqueue_job(queue.fetch_job(job_id))
    from django_tasks_rq import Job

    SimpleWorker([queue], connection=queue.connection, job_class=Job).work(burst=True, with_scheduler=False)


def enqueued() -> list[str]:
    """The dotted paths of the tasks waiting for the worker, oldest first."""
    from django.conf import settings

    if settings.TASK_BACKEND == "rq":
        import django_rq

        return [job.func_name for job in django_rq.get_queue("default").get_jobs()]
    from django_tasks_db.models import DBTaskResult

    return list(DBTaskResult.objects.ready().order_by("enqueued_at", "id").values_list("task_path", flat=True))
