"""The claims benchmark (benchmarks/queue_claims.py) for `make bench`: on PostgreSQL, the database
of issue 13's goal (a claim's p95 at most 5× a primary-key lookup's at the same concurrency), and
on the embedded SQLite, each in a scratch database of its own that is dropped afterwards.

PostgreSQL is the server of `BENCH_PG_URL` (default: the test server, postgres://postgres@127.0.0.1:5432/test);
when it does not answer, its rows say "not measured". Each database is migrated, then the
benchmark runs in a child process (its own Django, its own connections) and prints its figures
as JSON on its last line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from benchmarks.common import meets, not_measured

GROUP = "Claims"
ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/test")
CHILD = "import json, django; django.setup(); from benchmarks.queue_claims import run; print(json.dumps(run({size!r})))"


def _env(database: dict) -> dict:
    drop = ("REDIS_URL", "DJANGO_SETTINGS_MODULE", "DATABASE_URL", "SQLITE_PATH")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    return env | database | {"DJANGO_SETTINGS_MODULE": "reviewer.settings", "CONN_MAX_AGE": "0"}


def _measure(database: dict, size: str, goal: str | None) -> list[dict]:
    """`database`: DATABASE_URL for PostgreSQL, or SQLITE_PATH for the embedded default as it is
    configured (WAL, IMMEDIATE, busy timeout)."""
    env = _env(database)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    done = subprocess.run(
        [sys.executable, "-c", CHILD.format(size=size)], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    print(done.stdout.rsplit("\n", 2)[0], flush=True)
    rows = []
    for f in json.loads(done.stdout.strip().splitlines()[-1]):
        row_goal = goal if f["name"].startswith("claim p95") else None
        values = sorted(f["values"])
        note = f"ratio over the runs: min {f['min']}, median {f['median']}, max {f['max']}"
        if f.get("errors"):
            note += f"; {f['errors']} errors"
        rows.append(
            {
                "group": GROUP,
                "name": f["name"],
                "value": f["value"],
                "unit": f["unit"],
                "reference_name": f["reference"],
                "reference_value": f["reference_value"],
                "ratio": f["ratio"],
                "min": values[0],
                "median": f["value"],
                "max": values[-1],
                "goal": row_goal,
                "passed": meets(f["ratio"], row_goal) if not f.get("errors") else False,
                "runs": f["runs"],
                "note": note,
            }
        )
    return rows


def _postgres(size: str) -> list[dict]:
    try:
        import psycopg

        admin = psycopg.connect(PG_URL, autocommit=True, connect_timeout=3)
    except Exception as e:  # noqa: BLE001 (no server: say so, measure the rest)
        return [not_measured(GROUP, "claims on PostgreSQL", f"no PostgreSQL at BENCH_PG_URL ({type(e).__name__})")]
    name = f"bench_claims_{uuid.uuid4().hex[:8]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        parts = urlsplit(PG_URL)
        return _measure({"DATABASE_URL": urlunsplit(parts._replace(path="/" + name))}, size, "≤ 5")
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def run(size: str) -> list[dict]:
    rows = _postgres(size)
    with tempfile.TemporaryDirectory() as scratch:
        rows += _measure({"SQLITE_PATH": f"{scratch}/claims.sqlite3"}, size, None)
    return rows
