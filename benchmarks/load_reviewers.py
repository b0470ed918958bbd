"""Simulated reviewers against the demo's layout: the console and the sandbox each in their own gunicorn.

    .venv/bin/python -m benchmarks.load_reviewers [tiny|full]

Each reviewer signs in with their own account (and so their own Send.ai key) and loops as a fast
human does, pausing 1–3 s between steps: start reviewing (claim next), open the task, switch page
and threshold (the viewer's partial, as the page's script asks for it), approve, complete (which
opens the next task for those who move on by themselves, the default). Thousands of tasks in
review are loaded into a scratch database with the sandbox's loading code, so that nobody runs out.

Figures per step: p50, p95, max (seconds), errors (anything but the expected answer), and double
claims, checked three ways after the run: the console's claim log (a task claimed while someone
else held it), its action log (a task completed by two people), and the sandbox's records (a task
approved with the key of someone who was not handed it). Then the same loop with no pauses, at
rising concurrency, to find the throughput (steps/s) at which a step's p95 passes 1 s.

On the embedded default (SQLite) and on PostgreSQL + Redis (BENCH_PG_URL, default
postgres://postgres@127.0.0.1:5432; the scratch database bench_h7 is created and dropped;
BENCH_REDIS_URL, default redis://127.0.0.1:6379/7). Ports BENCH_PORT_BASE (18750) and the next.
"""

from __future__ import annotations

import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import requests

from benchmarks.servers import demo_layout

STEPS = ("claim", "open", "view", "approve", "complete")
TOKEN = re.compile(r'name="token" value="([^"]+)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PAGES = re.compile(r'data-pages="(\d+)"')
TASK_PATH = re.compile(r"^/review/([^/]+)/([^/]+)/([^/]+)/$")
HX = {"HX-Request": "true"}
FAILED = 'role="alert" id="notice"'  # the notice of a refused or failed action

SIZES = {
    # reviewers, seconds, tasks, pause range, no-pause concurrency ladder, seconds per rung
    "tiny": {"reviewers": 3, "seconds": 5, "tasks": 200, "pause": (0.2, 0.5), "ladder": (2,), "rung": 4},
    "full": {
        "reviewers": 50,
        "seconds": 60,
        "tasks": 4000,
        "pause": (1.0, 3.0),
        "ladder": (1, 2, 4, 8, 16),
        "rung": 20,
    },
}


@dataclass
class Tally:
    durations: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    handed: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # reviewer: task IDs
    completed: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def took(self, step: str, seconds: float) -> None:
        with self.lock:
            self.durations[step].append(seconds)

    def failed(self, step: str, reason: str) -> None:
        with self.lock:
            self.errors[step].append(reason)


class Reviewer:
    """One person in a browser: a session, its CSRF token, the task open and its action token."""

    def __init__(self, base: str, username: str, password: str, tally: Tally) -> None:
        self.base, self.username, self.password, self.tally = base, username, password, tally
        self.http = requests.Session()
        self.csrf = ""
        self.task_path = ""  # /review/team/project/task/
        self.token = ""
        self.pages = 1

    def _timed(self, step: str, method: str, path: str, **kwargs) -> requests.Response | None:
        started = time.perf_counter()
        try:
            response = self.http.request(method, self.base + path, timeout=60, allow_redirects=False, **kwargs)
        except requests.RequestException as e:
            self.tally.failed(step, type(e).__name__)
            return None
        self.tally.took(step, time.perf_counter() - started)
        return response

    def sign_in(self) -> None:
        page = self.http.get(self.base + "/accounts/login/", timeout=60)
        csrf = CSRF.search(page.text).group(1)
        answer = self.http.post(
            self.base + "/accounts/login/",
            data={"username": self.username, "password": self.password, "csrfmiddlewaretoken": csrf},
            headers={"Referer": self.base + "/accounts/login/"},
            timeout=60,
            allow_redirects=False,
        )
        if answer.status_code != 302:
            raise RuntimeError(f"{self.username} could not sign in: {answer.status_code}")
        self.csrf = self.http.cookies["csrftoken"]

    def _post(self, step: str, path: str, data: dict, htmx: bool) -> requests.Response | None:
        headers = {"X-CSRFToken": self.csrf, "Referer": self.base + (self.task_path or "/")}
        if htmx:
            headers.update(HX)
        return self._timed(step, "POST", path, data={"csrfmiddlewaretoken": self.csrf, **data}, headers=headers)

    def _handed(self, location: str) -> bool:
        path = location.removeprefix(self.base)
        match = TASK_PATH.match(path)
        if not match:
            return False
        self.task_path = path
        with self.tally.lock:
            self.tally.handed[self.username].append(match.group(3))
        return True

    def claim(self) -> bool:
        answer = self._post("claim", "/queue/next/", {}, htmx=False)
        if answer is None:
            return False
        if answer.status_code != 302 or not self._handed(answer.headers.get("Location", "")):
            self.tally.failed("claim", f"HTTP {answer.status_code} to {answer.headers.get('Location', '')}")
            return False
        return True

    def open(self) -> bool:
        answer = self._timed("open", "GET", self.task_path)
        if answer is None:
            return False
        token = TOKEN.search(answer.text)
        if answer.status_code != 200 or token is None:
            self.tally.failed("open", _reason(answer))
            return False
        self.token = token.group(1)
        pages = PAGES.search(answer.text)
        self.pages = int(pages.group(1)) if pages else 1
        return True

    def view(self) -> bool:
        page = random.randint(1, self.pages)
        threshold = random.choice(("0.5", "0.7", "0.9"))
        answer = self._timed("view", "GET", f"{self.task_path}?page={page}&threshold={threshold}", headers=HX)
        if answer is None:
            return False
        if answer.status_code != 200 or 'id="viewer"' not in answer.text:
            self.tally.failed("view", _reason(answer))
            return False
        return True

    def approve(self) -> bool:
        answer = self._post("approve", f"{self.task_path}act/approve/", {"token": self.token}, htmx=True)
        if answer is None:
            return False
        token = TOKEN.search(answer.text)
        if answer.status_code != 200 or token is None or FAILED in answer.text:
            self.tally.failed("approve", _reason(answer))
            return False
        self.token = token.group(1)
        return True

    def complete(self) -> bool | None:
        """Complete; True when the console opened the next task (moving on by oneself), None on failure."""
        task_id = self.task_path.rstrip("/").rsplit("/", 1)[-1]
        answer = self._post("complete", f"{self.task_path}act/complete/", {"token": self.token}, htmx=True)
        if answer is None:
            return None
        location = answer.headers.get("HX-Redirect", "")
        if answer.status_code != 200 or (not location and FAILED in answer.text):
            self.tally.failed("complete", _reason(answer))
            return None
        with self.tally.lock:
            self.tally.completed[self.username].append(task_id)
        return self._handed(location) if location else False

    def loop(self, until: float, pause: tuple[float, float] | None) -> None:
        def rest() -> None:
            if pause:
                time.sleep(random.uniform(*pause))

        claimed = False
        while time.monotonic() < until:
            if not claimed and not self.claim():
                rest()
                continue
            rest()
            if not self.open():
                claimed = False
                rest()
                continue
            rest()
            self.view()
            rest()
            self.approve()
            rest()
            claimed = bool(self.complete())
            rest()


def _reason(answer: requests.Response) -> str:
    """The status and, for a refused action, what the notice says (for the report's error kinds)."""
    start = answer.text.find(FAILED)
    if start < 0:
        return f"HTTP {answer.status_code}"
    text = re.sub(r"<[^>]+>", " ", answer.text[start : start + 2000].split(">", 1)[1].split("</div>", 1)[0])
    return f"HTTP {answer.status_code}: {' '.join(text.split())[:160]}"


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run_reviewers(layout, names: list[str], seconds: float, pause) -> tuple[Tally, float]:
    tally = Tally()
    people = [Reviewer(layout.console_url, name, layout.people[name], tally) for name in names]
    with ThreadPoolExecutor(len(people)) as pool:
        list(pool.map(Reviewer.sign_in, people))
        started = time.monotonic()
        until = started + seconds
        list(pool.map(lambda person: person.loop(until, pause), people))
    return tally, time.monotonic() - started


DOUBLES = """
import json
from collections import defaultdict
from reviewer.queue.models import ClaimEvent
from reviewer.review.models import ActionRecord
from reviewer.sandbox.models import Task

handed = json.loads({handed!r})
claims = 0
holder = {{}}
for event in ClaimEvent.objects.order_by("at", "pk").values("entry_id", "username", "kind"):
    if event["kind"] == "claimed":
        if holder.get(event["entry_id"]) not in (None, event["username"]):
            claims += 1
        holder[event["entry_id"]] = event["username"]
    else:
        holder[event["entry_id"]] = None
by_task = defaultdict(set)
for row in ActionRecord.objects.filter(action="complete", outcome="ok").values("task_id", "username"):
    by_task[row["task_id"]].add(row["username"])
completions = sum(1 for people in by_task.values() if len(people) > 1)
completed = json.loads({completed!r})
# The sandbox's records: every task it approved, with the key of someone the console handed it to;
# and no task that the sandbox completed for two people.
who = defaultdict(set)
for name, tasks in handed.items():
    for task in tasks:
        who[task].add(f"bench {{name}}")
done_for = defaultdict(set)
for name, tasks in completed.items():
    for task in tasks:
        if task.startswith("task_bench_"):
            done_for[task].add(name)
sandbox = 0
for task in Task.objects.filter(task_id__startswith="task_bench_", approved=True).select_related("approved_by"):
    if task.approved_by is None or task.approved_by.name not in who[task.task_id]:
        sandbox += 1
sandbox += sum(1 for people in done_for.values() if len(people) > 1)
print(json.dumps({{"claim_log": claims, "action_log": completions, "sandbox": sandbox}}))
"""


def double_claims(layout, tally: Tally) -> dict[str, int]:
    code = DOUBLES.format(handed=json.dumps(tally.handed), completed=json.dumps(tally.completed))
    return json.loads(layout.django(code).strip().splitlines()[-1])


def _rows(tally: Tally, elapsed: float, label: str, reviewers: int, pause: str, doubles: dict | None) -> list[dict]:
    rows = []
    for step in STEPS:
        values = tally.durations.get(step, [])
        row = {
            "benchmark": "load_reviewers",
            "setup": label,
            "reviewers": reviewers,
            "pause": pause,
            "step": step,
            "count": len(values),
            "errors": len(tally.errors.get(step, [])),
            "p50_s": round(statistics.median(values), 4) if values else None,
            "p95_s": round(_percentile(values, 0.95), 4) if values else None,
            "max_s": round(max(values), 4) if values else None,
            "steps_per_s": round(sum(len(v) for v in tally.durations.values()) / elapsed, 2),
        }
        if tally.errors.get(step):
            row["error_kinds"] = sorted(set(tally.errors[step]))[:5]
        if doubles is not None:
            row["double_claims"] = sum(doubles.values())
            row["double_claims_by_source"] = doubles
        rows.append(row)
    return rows


def bench_setup(
    label: str, size: dict, workdir: Path, ports: tuple[int, int], *, ladder: bool = True, **database
) -> list[dict]:
    rows = []
    # Fresh people for each run (none holds a claim left from the one before).
    count = size["reviewers"] + (sum(size["ladder"]) if ladder else 0)
    names = [f"bench_r{i + 1:03d}" for i in range(count)]
    with demo_layout(
        workdir,
        console_port=ports[0],
        sandbox_port=ports[1],
        reviewers=len(names),
        tasks=size["tasks"],
        **database,
    ) as layout:
        tally, elapsed = run_reviewers(layout, names[: size["reviewers"]], size["seconds"], size["pause"])
        pause = f"{size['pause'][0]:g}–{size['pause'][1]:g} s"
        rows += _rows(tally, elapsed, label, size["reviewers"], pause, double_claims(layout, tally))
        start = size["reviewers"]
        for concurrency in size["ladder"] if ladder else ():
            tally, elapsed = run_reviewers(layout, names[start : start + concurrency], size["rung"], None)
            start += concurrency
            rows += _rows(tally, elapsed, label, concurrency, "none", None)
            if any(r["p95_s"] and r["p95_s"] > 1.0 for r in rows[-len(STEPS) :]):
                break
    return rows


GROUP = "Simulated reviewers"


def row(name: str, value: float | None, unit: str, reference_name: str, reference: float | None, goal, note="") -> dict:
    """One row of benchmarks/README.md's table (the fields of benchmarks.common.figure, one run)."""
    ratio = None if value is None or not reference else value / reference
    passed = None if goal is None or ratio is None else ratio <= float(goal.split()[-1])
    return {
        "group": GROUP,
        "name": name,
        "value": value,
        "unit": unit,
        "reference_name": reference_name,
        "reference_value": reference,
        "ratio": ratio,
        "min": value,
        "median": value,
        "max": value,
        "goal": goal,
        "passed": passed,
        "runs": 1,
        "note": note,
    }


def figures(raw: list[dict]) -> list[dict]:
    """The table's rows from the measurements: per set-up, each step's p95 against the goal's 1 s
    (with p50, max and the one-gunicorn figure in the note), errors and double claims against 0
    (counted, so the ratio is the count itself: reference 1), and the throughput with no pauses."""
    rows = [
        row(f"{r['setup']}: simulated reviewers", None, "", "", None, None, f"not measured: {r['skipped']}")
        for r in raw
        if "skipped" in r
    ]
    raw = [r for r in raw if "skipped" not in r]
    before = {r["step"]: r for r in raw if r["setup"].endswith("(before)") and r["pause"] != "none"}
    for setup in dict.fromkeys(r["setup"] for r in raw):
        paused = [r for r in raw if r["setup"] == setup and r["pause"] != "none"]
        if not paused:
            continue
        people = f"{paused[0]['reviewers']} reviewers, {paused[0]['pause']} pauses"
        for r in paused:
            note = f"p50 {r['p50_s']} s, max {r['max_s']} s, {r['count']} steps"
            if r["step"] in before and not setup.endswith("(before)"):
                note += f"; one gunicorn: p95 {before[r['step']]['p95_s']} s"
            rows.append(row(f"{setup}: {r['step']} p95, {people}", r["p95_s"], "s", "goal", 1.0, "≤ 1", note))
        errors = sum(r["errors"] for r in paused)
        kinds = sorted({kind for r in paused for kind in r.get("error_kinds", [])})
        rows.append(row(f"{setup}: errors, {people}", errors, "", "none", 1, "≤ 0", "; ".join(kinds)[:200]))
        doubles = paused[0]["double_claims_by_source"]
        note = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in doubles.items())
        rows.append(row(f"{setup}: double claims", sum(doubles.values()), "", "none", 1, "≤ 0", note))
        ladder = [r for r in raw if r["setup"] == setup and r["pause"] == "none"]
        rungs = []
        for concurrency in dict.fromkeys(r["reviewers"] for r in ladder):
            steps = [r for r in ladder if r["reviewers"] == concurrency]
            worst = max(r["p95_s"] or 0 for r in steps)
            rungs.append((concurrency, steps[0]["steps_per_s"], worst, sum(r["errors"] for r in steps)))
        if rungs:
            passed = [r for r in rungs if r[2] > 1.0]
            last_under = [r for r in rungs if r[2] <= 1.0]
            top = last_under[-1][1] if last_under else None
            trail = "; ".join(
                f"{c} at once: {rate} steps/s, worst p95 {p95} s, {e} errors" for c, rate, p95, e in rungs
            )
            name = f"{setup}: no pauses, steps/s with every p95 under 1 s"
            note = trail + ("" if passed else "; p95 stayed under 1 s at every concurrency tried")
            rows.append(row(name, top, "steps/s", "", None, None, note))
    return rows


def run(size: str = "tiny") -> list[dict]:
    """The figures at `size` ("tiny": seconds; "full": 50 reviewers for 60 s), as rows of the table."""
    return figures(measure(size))


def measure(size: str = "tiny") -> list[dict]:
    """The measurements at `size`, on SQLite (one gunicorn, then the demo's layout), then PostgreSQL + Redis."""
    spec = SIZES[size]
    base = int(os.environ.get("BENCH_PORT_BASE", "18750"))
    pg = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
    redis = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-reviewers-") as scratch:
        # The reference: the same reviewers when one gunicorn served the console and its sandbox.
        rows += bench_setup(
            "SQLite, one gunicorn (before)",
            spec,
            Path(scratch) / "single",
            (base + 4, base + 5),
            ladder=False,
            procfile="benchmarks/Procfile.single",
        )
        rows += bench_setup("SQLite", spec, Path(scratch) / "sqlite", (base, base + 1))
        if os.environ.get("BENCH_SKIP_POSTGRES") != "1":
            host = pg.split("@")[-1].split(":")[0]
            database = f"bench_h7_{os.getpid()}"
            # Debian's clients, with fixed arguments: the benchmark's own Redis database and a scratch one.
            subprocess.run(["redis-cli", "-u", redis, "flushdb"], check=False, capture_output=True)  # noqa: S603, S607
            made = subprocess.run(["createdb", "-h", host, "-U", "postgres", database], check=False)  # noqa: S603, S607
            if made.returncode:
                return rows + [{"setup": "PostgreSQL + Redis", "pause": "none", "skipped": "createdb failed"}]
            try:
                rows += bench_setup(
                    "PostgreSQL + Redis",
                    spec,
                    Path(scratch) / "pg",
                    (base + 2, base + 3),
                    database_url=f"{pg}/{database}",
                    redis_url=redis,
                )
            finally:
                drop = ["dropdb", "-h", host, "-U", "postgres", "--if-exists", "--force", database]
                subprocess.run(drop, check=False)  # noqa: S603, S607
    return rows


if __name__ == "__main__":
    measured = measure(sys.argv[1] if len(sys.argv) > 1 else "tiny")
    for line in measured:
        print(json.dumps(line, ensure_ascii=False))
    for line in figures(measured):
        print(json.dumps(line, ensure_ascii=False))
