"""The simulated-reviewers and worker-memory benchmarks run, at their tiny size, and return figures.

No timing is asserted (figures live in benchmarks/RESULTS.md): only that each benchmark ran its
loop, measured every step, and counted errors and double claims. PostgreSQL + Redis is measured
in the suite's PostgreSQL pass only (DATABASE_URL set), on a scratch database of its own.
"""

from __future__ import annotations

import os

import pytest

from benchmarks import load_reviewers, worker_memory
from benchmarks.common import free_ports

FIELDS = {"group", "name", "value", "unit", "reference_name", "reference_value", "ratio", "goal", "passed", "note"}


@pytest.fixture
def bench_env(monkeypatch):
    monkeypatch.setenv("BENCH_PORT_BASE", str(free_ports(16)))  # free now: the other pass may run beside
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        monkeypatch.setenv("BENCH_SKIP_POSTGRES", "1")
    else:
        monkeypatch.setenv("BENCH_REDIS_URL", os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/7"))


def test_simulated_reviewers_measure_every_step_and_count_double_claims(bench_env):
    measured = load_reviewers.measure("tiny")
    setups = {r["setup"] for r in measured}
    assert {"SQLite, one gunicorn (before)", "SQLite"} <= setups
    for setup in setups:
        paused = [r for r in measured if r["setup"] == setup and r["pause"] != "none"]
        assert [r["step"] for r in paused] == list(load_reviewers.STEPS)
        assert all(r["count"] > 0 for r in paused), paused
        assert paused[0]["double_claims"] == 0
    rows = load_reviewers.figures(measured)
    assert all(set(r) >= FIELDS for r in rows)
    assert any(r["name"].endswith("double claims") and r["value"] == 0 for r in rows)
    assert any("steps/s" in r["name"] for r in rows)


def test_worker_memory_reads_the_worker_at_each_checkpoint(bench_env):
    (row,) = worker_memory.run("tiny")
    assert set(row) >= FIELDS
    assert row["group"] == "Worker memory"
    assert row["value"] > 0
    assert row["reference_value"] > 0
    assert row["ratio"] == pytest.approx(row["value"] / row["reference_value"], rel=0.01)
