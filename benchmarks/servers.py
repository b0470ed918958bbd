"""The demo's layout on a scratch database, for the benchmarks and tests/test_demo_layout.py.

    with demo_layout(tmp_path, console_port=18750, sandbox_port=18751, reviewers=3, tasks=50) as layout:
        layout.console_url  # http://127.0.0.1:18750
        layout.people        # {"bench_r001": "password", ...}

What `make demo` does, on a database of its own: migrate, collect the static files, seed the
sandbox, create the demo people, then the benchmark's reviewers (each with their own account and
sandbox key) and tasks in review (the seed's, copied, loaded with the sandbox's loading code), and
start Procfile.demo with bin/demo: the console and the sandbox each in their own gunicorn, and the
queue sync. Everything started is stopped on leaving, by the process ID of bin/demo.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
TEAM, PROJECT = "team_demo", "proj_demo"
READY = "Reviewer is at "
START_TIMEOUT = 300.0  # seconds for the servers to answer and the queue sync to finish


@dataclass
class Layout:
    console_url: str
    sandbox_url: str
    env: dict[str, str]
    people: dict[str, str]
    output: list[str] = field(default_factory=list)

    def django(self, code: str) -> str:
        """Run Python `code` with Django set up on the layout's database; return what it printed."""
        return django(self.env, code)


def base_env(workdir: Path, *, database_url: str = "", redis_url: str = "", extra: dict | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "SQLITE_PATH")}
    scratch = {  # a scratch database's settings, never a deployment's
        "SECRET_KEY": "benchmark-only-secret-key-not-for-production",
        "FERNET_KEYS": "dGVzdC1vbmx5LWZlcm5ldC1rZXktMzItYnl0ZXMhISE=",
        "SANDBOX_ENABLED": "True",
        "SECURE_COOKIES": "False",
        "DEBUG": "False",
        "SANDBOX_WEBHOOK_SECRET": "benchmark-webhook-secret",
        "WEBHOOK_SECRET": "benchmark-webhook-secret",
        "QUEUE_SYNC_USER": "lead",
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        "SILENCED_SYSTEM_CHECKS": "reviewer.accounts.W001",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    env.update(scratch)
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        env["SQLITE_PATH"] = str(workdir / "db.sqlite3")
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update(extra or {})
    return env


def manage(env: dict, *args: str) -> str:
    done = subprocess.run(  # noqa: S603  (our own manage.py)
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    if done.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def django(env: dict, code: str) -> str:
    script = "import django, os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'reviewer.settings')\ndjango.setup()\n"
    done = subprocess.run(  # noqa: S603  (our own code)
        [PYTHON, "-c", script + code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    if done.returncode:
        raise RuntimeError(f"Django code failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


# Run inside Django (by `django()`): people with their own keys, and tasks in review.
PREPARE = """
import copy, io, json
from django.contrib.auth import get_user_model
from django.core.management import call_command
from reviewer.accounts.models import Role
from reviewer.accounts.roles import profile_of, set_role
from reviewer.sandbox import seed
from reviewer.sandbox.loading import TaskData, write_tasks
from reviewer.sandbox.models import Task, ValidationRule

args = json.loads({args!r})
people = {{}}
User = get_user_model()
for i in range(args["reviewers"]):
    name = f"bench_r{{i + 1:03d}}"
    password = f"bench-password-{{i + 1:03d}}"
    user, _ = User.objects.get_or_create(username=name)
    user.set_password(password)
    user.save()
    set_role(user, Role.REVIEWER)
    profile = profile_of(user)
    profile.team_id, profile.project_id = args["team"], args["project"]
    if not profile.has_key:
        out = io.StringIO()
        call_command("sandbox_key", team=args["team"], project=args["project"], scopes="task.read,task.edit",
                     name=f"bench {{name}}", stdout=out)
        profile.set_key(out.getvalue().strip().splitlines()[-1], by=None)
    profile.save()
    people[name] = password
# Tasks in review like the seed's, not its 1,200-item invoice (a page as most are). The scratch
# project keeps no validation rules: a simulated reviewer corrects nothing, and a complete that the
# rules refuse would leave the claim held and the next round on the same task.
ValidationRule.objects.filter(project__team__team_id=args["team"], project__project_id=args["project"]).delete()
# Only the benchmark's tasks are in review: the seed's own (some approved already, some whose
# complete only warns) would be handed out first, being older, and blur the double-claim checks.
if args["tasks"]:
    Task.objects.filter(project__team__team_id=args["team"], project__project_id=args["project"]).delete()
models = [t for t in seed.demo_tasks() if t.status == "REVIEWING"
          and sum(len(p.get("annotations", [])) + len(p.get("checkboxes", [])) for p in t.pages) < 200]
tasks = []
for n in range(args["tasks"]):
    t = models[n % len(models)]
    tasks.append(TaskData(task_id=f"task_bench_{{n + 1:06d}}", name=f"{{t.name}} #{{n + 1}}", status="REVIEWING",
        upload_id=t.upload_id, created_at=None, meta=copy.deepcopy(t.meta), step_type=t.step_type, approved=False,
        approved_at=None, exported_at=None, export_failed_at=None, last_opened_at=None, pages=copy.deepcopy(t.pages)))
for start in range(0, len(tasks), 500):
    write_tasks(args["team"], args["project"], tasks[start:start + 500], replace=True)
print(json.dumps(people))
"""


@contextmanager
def demo_layout(
    workdir: Path,
    *,
    console_port: int,
    sandbox_port: int,
    reviewers: int = 0,
    tasks: int = 0,
    database_url: str = "",
    redis_url: str = "",
    extra_env: dict | None = None,
    server_env: dict | None = None,
    procfile: str = "Procfile.demo",
) -> Iterator[Layout]:
    """Set up and start the layout; `extra_env` is the environment of every command, `server_env`
    that of the processes of Procfile.demo only (past the system checks the set-up commands run)."""
    workdir.mkdir(parents=True, exist_ok=True)
    env = base_env(workdir, database_url=database_url, redis_url=redis_url, extra=extra_env)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    manage(env, "sandbox_seed")
    people = {}
    for line in manage(env, "demo_setup").splitlines()[1:]:
        name, password = line.split()[:2]
        people[name] = password
    args = json.dumps({"reviewers": reviewers, "tasks": tasks, "team": TEAM, "project": PROJECT})
    people.update(json.loads(django(env, PREPARE.format(args=args)).strip().splitlines()[-1]))

    console, sandbox = f"127.0.0.1:{console_port}", f"127.0.0.1:{sandbox_port}"
    env = {**env, "CONSOLE_BIND": console, "SANDBOX_BIND": sandbox, **(server_env or {})}
    launcher = subprocess.Popen(  # noqa: S603  (our own launcher and Procfile)
        [sys.executable, "bin/demo", procfile],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    layout = Layout(f"http://{console}", f"http://{sandbox}", env, people)
    ready = threading.Event()

    def read() -> None:
        for line in launcher.stdout:
            layout.output.append(line)
            if READY in line:
                ready.set()
        ready.set()  # ended: let the waiter see it

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        ready.wait(START_TIMEOUT)
        if launcher.poll() is not None or not any(READY in line for line in layout.output):
            raise RuntimeError("The demo layout did not start:\n" + "".join(layout.output[-40:]))
        yield layout
    finally:
        if launcher.poll() is None:
            launcher.send_signal(signal.SIGTERM)
            try:
                launcher.wait(60)
            except subprocess.TimeoutExpired:
                launcher.kill()
                launcher.wait()
        reader.join(10)
        launcher.stdout.close()
