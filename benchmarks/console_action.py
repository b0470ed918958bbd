"""P1: an action through the console against the same action sent straight to the sandbox.

The console and its sandbox run in their own gunicorn (benchmarks/stack.py). Two completed
tasks of 10 items are loaded; each is approved and disapproved in turn, one through the
console's action endpoint as the review page sends it (signed-in session, the form's CSRF and
action token, htmx's headers; the token of the next action read from the answer, as htmx
swaps it in), the other with the same key straight to the sandbox's HTTP API. The two are
interleaved, action by action, so that a burst of load on the shared machine hits both.
Figure: the median time of one action (min and max of all), ratio console / direct (goal ≤ 1.3).
"""

from __future__ import annotations

import json
import re
import tempfile
import time
import uuid
from pathlib import Path

import requests

from benchmarks.common import figure, free_port
from benchmarks.overlays import bench_task
from benchmarks.stack import PROJECT, TEAM, Stack

GROUP = "P1: an action"
ACTIONS = {"full": 100, "tiny": 4}  # approve/disapprove pairs, each way
WARM_UP = 2
FORM = re.compile(
    r'hx-post="(?P<url>[^"]*/act/(?P<action>\w+)/)"[^>]*>\s*'
    r'<input type="hidden" name="csrfmiddlewaretoken" value="(?P<csrf>[^"]+)">'
    r'<input type="hidden" name="token" value="(?P<token>[^"]*)">'
)


def _form(html: str, action: str) -> dict:
    for m in FORM.finditer(html):
        if m.group("action") == action:
            return m.groupdict()
    raise RuntimeError(f"No {action} form in the console's answer")


def _console(session: requests.Session, stack: Stack, page_url: str, html: str, action: str) -> tuple[float, str]:
    form = _form(html, action)
    headers = {
        "HX-Request": "true",
        "HX-Target": "task-state",
        "HX-Trigger": "",
        "HX-Current-URL": page_url,
        "Referer": page_url,
    }
    data = {"csrfmiddlewaretoken": form["csrf"], "token": form["token"]}
    started = time.perf_counter()
    answer = session.post(stack.url + form["url"], data=data, headers=headers, timeout=60)
    seconds = time.perf_counter() - started
    if answer.status_code != 200 or 'id="task-state"' not in answer.text:
        raise RuntimeError(f"The console's {action}: HTTP {answer.status_code}")
    return seconds, answer.text


def _direct(session: requests.Session, stack: Stack, task_id: str, action: str) -> float:
    url = f"{stack.url}/sandbox/v2/{TEAM}/project/{PROJECT}/task/{task_id}/{action}"
    headers = {"Authorization": f"Bearer {stack.key}", "X-Request-ID": str(uuid.uuid4()), "Accept": "application/json"}
    started = time.perf_counter()
    answer = session.post(url, headers=headers, timeout=60)
    seconds = time.perf_counter() - started
    if answer.status_code != 200:
        raise RuntimeError(f"The sandbox's {action}: HTTP {answer.status_code} {answer.text[:200]}")
    answer.json()
    return seconds


def run(size: str) -> list[dict]:
    pairs = ACTIONS[size]
    tasks = [dict(bench_task(task_id, 10), status="COMPLETED") for task_id in ("task_bench_p1", "task_bench_p1d")]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(tasks, f)
        tasks_file = Path(f.name)
    try:
        with Stack(free_port(), tasks=tasks_file) as stack:
            console = stack.session()
            direct = requests.Session()
            page_url = stack.task_url("task_bench_p1")
            page = console.get(page_url, timeout=120)
            if page.status_code != 200:
                raise RuntimeError(f"The review page: HTTP {page.status_code}")
            html = page.text
            through, straight = [], []
            for i in range(WARM_UP + pairs):
                for action in ("approve", "disapprove"):
                    seconds, html = _console(console, stack, page_url, html, action)
                    if i >= WARM_UP:
                        through.append(seconds * 1000)
                    seconds = _direct(direct, stack, "task_bench_p1d", action)
                    if i >= WARM_UP:
                        straight.append(seconds * 1000)
    finally:
        tasks_file.unlink(missing_ok=True)
    return [
        figure(
            GROUP,
            "approve/disapprove through the console (× straight to the sandbox)",
            through,
            "ms",
            "the same action straight to the sandbox, same key",
            straight,
            goal="≤ 1.3",
        )
    ]
