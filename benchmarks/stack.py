"""A console with its embedded sandbox in its own gunicorn, on a port of the benchmark's choosing.

The database is a fresh SQLite file in a temporary directory (or `database_url`); the cache is
the process's own unless `redis_url` is given (needed with more than one worker: the action
tokens and sign-in throttling live in the cache). See benchmarks/README.md.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import requests

from benchmarks.common import wait_until

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PASSWORD = "correct horse battery staple"
TEAM, PROJECT = "team_demo", "proj_demo"
BASE_ENV = {
    "SECRET_KEY": "test-only-secret-key-not-for-production",
    "FERNET_KEYS": "dGVzdC1vbmx5LWZlcm5ldC1rZXktMzItYnl0ZXMhISE=",
    "SANDBOX_ENABLED": "True",
    "SECURE_COOKIES": "False",
    "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
    "SANDBOX_PROCESSING_DELAY": "600",
}


class Stack:
    def __init__(
        self,
        port: int,
        *,
        workers: int = 1,
        threads: int = 8,
        tasks: Path | None = None,
        database_url: str | None = None,
        redis_url: str | None = None,
        env: dict[str, str] | None = None,
        username: str = "bench",
    ) -> None:
        self.port, self.username = port, username
        self.url = f"http://127.0.0.1:{port}"
        self.tmp = tempfile.TemporaryDirectory(prefix="reviewer-bench-")
        self.env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        self.env.update(BASE_ENV)
        self.env.update(
            {
                "SQLITE_PATH": str(Path(self.tmp.name) / "db.sqlite3"),
                "BIND": f"127.0.0.1:{port}",
                "WEB_CONCURRENCY": str(workers),
                "GUNICORN_THREADS": str(threads),
                "SENDAI_API_URL": f"{self.url}/sandbox",
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
            }
        )
        if database_url:
            self.env["DATABASE_URL"] = database_url
        if redis_url:
            self.env["REDIS_URL"] = redis_url
        self.env.update(env or {})
        self.process: subprocess.Popen | None = None
        self.log = open(Path(self.tmp.name) / "gunicorn.log", "wb")  # noqa: SIM115
        try:
            setup = [str(BIN / "python"), "-m", "benchmarks.stack_setup", username, PASSWORD]
            if tasks:
                setup.append(str(tasks))
            done = subprocess.run(setup, cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=600)
            if done.returncode:
                raise RuntimeError(f"The stack's set-up failed:\n{done.stderr[-3000:]}")
            self.key = done.stdout.strip().splitlines()[-1]
            self.start()
        except BaseException:
            self.stop()
            raise

    def start(self) -> None:
        command = [
            str(BIN / "gunicorn"),
            "reviewer.wsgi",
            "--config",
            "gunicorn.conf.py",
            "--access-logfile",
            "/dev/null",
        ]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        wait_until(self._answers, 60, f"gunicorn on port {self.port}")

    def _answers(self) -> bool:
        if self.process and self.process.poll() is not None:
            raise RuntimeError(f"gunicorn on port {self.port} exited: {self.log_tail()}")
        try:
            return requests.get(self.url + "/bench/bare/", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def log_tail(self) -> str:
        self.log.flush()
        return (Path(self.tmp.name) / "gunicorn.log").read_text(errors="replace")[-3000:]

    def session(self) -> requests.Session:
        """A requests session signed in through the real form."""
        s = requests.Session()
        page = s.get(self.url + "/accounts/login/", timeout=30)
        token = s.cookies.get("csrftoken") or re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(
            1
        )
        answer = s.post(
            self.url + "/accounts/login/",
            data={"csrfmiddlewaretoken": token, "username": self.username, "password": PASSWORD},
            headers={"Referer": self.url + "/accounts/login/"},
            timeout=30,
        )
        if answer.status_code != 200 or "sessionid" not in s.cookies:
            raise RuntimeError(f"Could not sign in as {self.username}: HTTP {answer.status_code}")
        return s

    def cookies_for_playwright(self, session: requests.Session) -> list[dict]:
        return [{"name": c.name, "value": c.value, "url": self.url} for c in session.cookies]

    def task_url(self, task_id: str) -> str:
        return f"{self.url}/review/{TEAM}/{PROJECT}/{task_id}/"

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # gunicorn's master and its workers, ours only
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None
        self.log.close()
        self.tmp.cleanup()

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
