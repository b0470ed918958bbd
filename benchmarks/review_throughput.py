"""P4: the review page's requests per second against a bare Django view under the same gunicorn.

The console runs in its own gunicorn (benchmarks/stack.py: 2 workers, 8 threads each, as
gunicorn.conf.py's defaults, the cache in Redis DB 4 so that both workers share sessions and
tokens) with SENDAI_API_URL pointing at a static stub: a tiny threaded HTTP server on this
module's port that answers each GET the console sends with the answer the sandbox gave to the
first such GET (recorded once, in the warm-up), so that the upstream's cost is next to nothing
and the same for every request. The task is one A4 page with 100 items.

The bare view (benchmarks/urls.py, served only under benchmarks.settings) returns "ok" under the
same middleware, to the same signed-in session. Load: `CLIENTS` threads, each with its own
keep-alive connection, requesting as fast as answers come for `SECONDS`, review page and bare
view in turn (runs interleaved). Figure: requests/s of the review page, ratio review / bare
(goal ≥ 0.4). The load generator shares the machine's two cores with the server: the bare
view's rate is bounded by it too, so the ratio is if anything flattering.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests

from benchmarks.common import figure, free_port
from benchmarks.overlays import bench_task
from benchmarks.stack import Stack

GROUP = "P4: requests per second"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/4")
SIZES = {"full": {"runs": 5, "seconds": 8.0, "clients": 8}, "tiny": {"runs": 1, "seconds": 1.0, "clients": 2}}


class _Stub(ThreadingHTTPServer):
    daemon_threads = True
    source = ""
    recorded: dict[str, tuple[int, str, bytes]]
    lock = threading.Lock()


class _StubHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802
        server: _Stub = self.server
        with server.lock:
            answer = server.recorded.get(self.path)
        if answer is None:  # the first time only: ask the sandbox, keep its answer
            forward = urllib.request.Request(server.source + self.path, headers=dict(self.headers))  # noqa: S310
            try:
                with urllib.request.urlopen(forward, timeout=60) as r:  # noqa: S310
                    answer = (r.status, r.headers.get("Content-Type", ""), r.read())
            except urllib.error.HTTPError as e:
                answer = (e.code, e.headers.get("Content-Type", ""), e.read())
            with server.lock:
                server.recorded[self.path] = answer
        status, kind, body = answer
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def _load(url: str, cookies, clients: int, seconds: float) -> tuple[float, int]:
    """Requests per second answered 200 by `clients` threads for `seconds`; and the failures."""
    stop = time.monotonic() + seconds
    counts = []

    def client() -> tuple[int, int]:
        s = requests.Session()
        s.cookies.update(cookies)
        ok = failed = 0
        while time.monotonic() < stop:
            try:
                r = s.get(url, timeout=30)
                ok, failed = (ok + 1, failed) if r.status_code == 200 else (ok, failed + 1)
            except requests.RequestException:
                failed += 1
        return ok, failed

    started = time.monotonic()
    with ThreadPoolExecutor(clients) as pool:
        counts = list(pool.map(lambda _: client(), range(clients)))
    elapsed = time.monotonic() - started
    return sum(ok for ok, _ in counts) / elapsed, sum(f for _, f in counts)


def _redis_answers(url: str) -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_timeout=2).ping())
    except Exception:  # noqa: BLE001 (any failure means: no Redis to share the cache)
        return False


def run(size: str) -> list[dict]:
    p = SIZES[size]
    # Two workers need a shared cache (sessions, action tokens); without Redis, one worker.
    shared = _redis_answers(REDIS_URL)
    workers, redis_url = (2, REDIS_URL) if shared else (1, None)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump([bench_task("task_bench_p4", 100)], f)
        tasks_file = Path(f.name)
    stub = _Stub(("127.0.0.1", 0), _StubHandler)
    stub_port = stub.server_address[1]
    stub.recorded = {}
    serving = threading.Thread(target=stub.serve_forever, daemon=True)
    serving.start()
    try:
        env = {"SENDAI_API_URL": f"http://127.0.0.1:{stub_port}"}
        with Stack(free_port(), workers=workers, threads=8, tasks=tasks_file, redis_url=redis_url, env=env) as stack:
            stub.source = f"{stack.url}/sandbox"
            session = stack.session()
            review, bare = stack.task_url("task_bench_p4"), f"{stack.url}/bench/bare/"
            for url in (review, bare):  # warm-up: the stub records the sandbox's answers here
                for _ in range(3):
                    answer = session.get(url, timeout=120)
                    if answer.status_code != 200:
                        raise RuntimeError(f"{url}: HTTP {answer.status_code}")
            if "task_bench_p4" not in session.get(review, timeout=60).text:
                raise RuntimeError("The review page does not show the task")
            if not any("/task/task_bench_p4" in path for path in stub.recorded):
                raise RuntimeError("The console did not ask the stub for the task")
            ours, floor, failures = [], [], 0
            for _ in range(p["runs"]):
                rate, failed = _load(review, session.cookies, p["clients"], p["seconds"])
                ours.append(rate)
                failures += failed
                rate, failed = _load(bare, session.cookies, p["clients"], p["seconds"])
                floor.append(rate)
                failures += failed
    finally:
        stub.shutdown()
        stub.server_close()
        tasks_file.unlink(missing_ok=True)
    notes = [f"{workers} gunicorn worker(s) × 8 threads" + ("" if shared else " (no Redis at BENCH_REDIS_URL)")]
    if failures:
        notes.append(f"{failures} requests failed during the load")
    note = "; ".join(notes)
    return [
        figure(
            GROUP,
            f"review page, 100 items, {p['clients']} concurrent clients (÷ a bare view)",
            ours,
            "req/s",
            "bare Django view, same gunicorn and session",
            floor,
            goal="≥ 0.4",
            note=note,
        )
    ]
