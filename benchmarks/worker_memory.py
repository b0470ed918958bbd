"""The memory of a console worker after 10,000 requests against after 100 (goal: at most 1.1×).

    .venv/bin/python -m benchmarks.worker_memory [tiny|full]

The demo's layout (benchmarks/servers.py) with one console worker (WEB_CONCURRENCY=1, its
threads as configured), and a few simulated reviewers sending a realistic mix, ten requests a
round: open the task (3×), switch page or threshold (2×), approve, disapprove, the queue page,
the start page, complete (which opens the next task). The resident set size (VmRSS) of the
worker process is read from /proc after 100 requests and at checkpoints up to the last; the
figure is each checkpoint's ratio to the one after 100.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchmarks.load_reviewers import FAILED, Reviewer, Tally
from benchmarks.servers import demo_layout

SIZES = {
    "tiny": {"requests": 200, "checkpoints": (100, 200), "clients": 2, "tasks": 60},
    "full": {"requests": 10_000, "checkpoints": (100, 1_000, 2_500, 5_000, 10_000), "clients": 4, "tasks": 1_500},
}
WORKER = re.compile(r"^console\s*\|.*Booting worker with pid: (\d+)")


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def _round(person: Reviewer, take) -> bool:
    """One round of ten requests; False once the budget is spent."""
    steps = (
        person.open,
        person.view,
        person.open,
        lambda: person._act("approve"),
        person.view,
        lambda: person._act("disapprove"),
        lambda: person._page("/queue/"),
        person.open,
        lambda: person._page("/"),
    )
    for step in steps:
        if not take():
            return False
        step()
    if not take():
        return False
    if not person.complete():
        if not take():
            return False
        person.claim()
    return True


class MemoryReviewer(Reviewer):
    def _act(self, action: str) -> bool:
        answer = self._post(action, f"{self.task_path}act/{action}/", {"token": self.token}, htmx=True)
        if answer is None:
            return False
        token = re.search(r'name="token" value="([^"]+)"', answer.text)
        if answer.status_code != 200 or token is None or FAILED in answer.text:
            self.tally.failed(action, f"HTTP {answer.status_code}")
            return False
        self.token = token.group(1)
        return True

    def _page(self, path: str) -> bool:
        answer = self._timed(path, "GET", path)
        if answer is None:
            return False
        if answer.status_code != 200:
            self.tally.failed(path, f"HTTP {answer.status_code}")
            return False
        return True


def run(size: str = "tiny") -> list[dict]:
    spec = SIZES[size]
    names = [f"bench_r{i + 1:03d}" for i in range(spec["clients"])]
    base = int(os.environ.get("BENCH_PORT_BASE", "18750")) + 10  # load_reviewers takes the first six
    with (
        tempfile.TemporaryDirectory(prefix="bench-memory-") as scratch,
        demo_layout(
            Path(scratch),
            console_port=base,
            sandbox_port=base + 1,
            reviewers=len(names),
            tasks=spec["tasks"],
            server_env={"WEB_CONCURRENCY": "1"},
        ) as layout,
    ):
        pids = [int(m.group(1)) for line in layout.output if (m := WORKER.match(line))]
        if len(pids) != 1:
            raise RuntimeError(f"expected one console worker, found {pids}")
        pid = pids[0]
        tally = Tally()
        people = [MemoryReviewer(layout.console_url, name, layout.people[name], tally) for name in names]
        for person in people:
            person.sign_in()
            if not person.claim():
                raise RuntimeError(f"{person.username} got no task: {dict(tally.errors)}")
        readings: dict[int, int] = {}
        sent = 0
        lock = threading.Lock()
        for checkpoint in spec["checkpoints"]:
            # Every client sends until the checkpoint's count is reached; then the worker is read at rest.

            def take(limit=checkpoint) -> bool:
                nonlocal sent
                with lock:
                    if sent >= limit:
                        return False
                    sent += 1
                    return True

            def work(person: MemoryReviewer, take=take) -> None:
                while _round(person, take):
                    pass

            with ThreadPoolExecutor(len(people)) as pool:
                list(pool.map(work, people))
            readings[checkpoint] = rss_kib(pid)
        errors = sum(len(v) for v in tally.errors.values())
    first, *_, last = spec["checkpoints"]
    trail = ", ".join(f"{n:,}: {kib / 1024:.1f} MB" for n, kib in readings.items())
    value, reference = readings[last] / 1024, readings[first] / 1024
    return [
        {
            "group": "Worker memory",
            "name": f"console worker RSS after {last:,} requests",
            "value": round(value, 1),
            "unit": "MB",
            "reference_name": f"after {first:,}",
            "reference_value": round(reference, 1),
            "ratio": round(value / reference, 3),
            "min": round(value, 1),
            "median": round(value, 1),
            "max": round(value, 1),
            "goal": "≤ 1.1",
            "passed": value / reference <= 1.1,
            "runs": 1,
            "note": f"{len(people)} clients, {errors} errors; RSS at {trail}",
        }
    ]


if __name__ == "__main__":
    for row in run(sys.argv[1] if len(sys.argv) > 1 else "tiny"):
        print(json.dumps(row, ensure_ascii=False))
