"""The review page with N overlays, cold, against a static page that draws N boxes on the same image.

What is measured (issue 13): from navigation start to the end of the animation frame after the
page's `performance.mark("reviewer:overlays-drawn")` (static/js/review.js marks it once the
page's overlays are drawn over its loaded image), in a new browser context each time (empty
cache, no connections kept), median of 5. The console and its sandbox run in their own gunicorn
(benchmarks/stack.py) with tasks generated here, one A4 page each.

References, both in the same run:
- the floor: a static HTML page, served by a plain threaded HTTP server, that shows the same
  image bytes (fetched once from the console) with N absolutely positioned boxes over it and
  marks the same moment when its image has loaded; measured the same way, interleaved.
- Label Studio 1.23.2's recorded figures on this machine kind: 3.1 / 3.0 / 7.1 / 75.8 s at
  N = 10 / 100 / 1,000 / 5,000 (goal: 20× faster).

Also: switching page on a two-page task with 5,000 items a page (from the click on page 2's link
to the frame after that page's mark), against the same task's cold open; and a 200-page task's
first page (cold, until its mark) against a one-page task with the same items on its page
(goal ≤ 1.5×).
"""

from __future__ import annotations

import json
import os
import random
import re
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from benchmarks.common import figure, free_port, not_measured
from benchmarks.stack import Stack

GROUP = "Overlays"
WIDTH, HEIGHT = 2480, 3508
LABEL_STUDIO = {10: 3.1, 100: 3.0, 1000: 7.1, 5000: 75.8}  # seconds, recorded (issue 13)
WORDS = ("Invoice", "1,234.56", "EUR", "2024-01-15", "Acme B.V.", "NL91ABNA0417164300", "12", "VAT 21%", "Total")
CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking"]
MARK = "reviewer:overlays-drawn"

# Installed in every page before its scripts: the end of the frame after the n-th mark.
TIMER = """
window.__drawn = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    if (e.name !== "MARK_NAME") continue;
    requestAnimationFrame(() => setTimeout(() => window.__drawn.push(performance.now())));
  }
}).observe({type: "mark", buffered: true});
""".replace("MARK_NAME", MARK)

SIZES = {
    "full": {
        "counts": (10, 100, 1000, 5000),
        "loads": 5,
        "switch_items": 5000,
        "long_pages": 200,
        "long_items": 100,
        "timeout": 300,
    },
    "tiny": {"counts": (10, 100), "loads": 1, "switch_items": 50, "long_pages": 5, "long_items": 10, "timeout": 60},
}


def _square(x: float, y: float, w: float, h: float) -> list[list[float]]:
    return [[x, y], [x + w, y], [x + w, y + h], [x, y + h]]


def page_items(count: int, seed: int) -> dict:
    """One page's items: 80% fields, 10% checkboxes, 5% segments, 5% signatures, spread over it."""
    rng = random.Random(seed)
    n_fields, n_boxes, n_segments = int(count * 0.8), int(count * 0.1), int(count * 0.05)
    n_signatures = count - n_fields - n_boxes - n_segments
    annotations, checkboxes, segments, signatures = [], [], [], []
    rows = max(1, int(n_fields**0.5 * 1.4))
    columns = max(1, -(-n_fields // rows))
    for i in range(n_fields):
        row, column = divmod(i, columns)
        annotations.append(
            {
                "id": f"ann_{seed}_{i}",
                "entity_id": f"field_{i % 40}",
                "confidence": round(rng.uniform(0.3, 1.0), 2),
                "content": " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 3))),
                "top": round(200 + row * (HEIGHT - 400) / rows, 1),
                "left_of_line": round(100 + column * (WIDTH - 400) / columns, 1),
            }
        )
    for kind, n, w, h, into in (
        ("cb", n_boxes, 30, 30, checkboxes),
        ("seg", n_segments, 400, 200, segments),
        ("sig", n_signatures, 300, 120, signatures),
    ):
        for i in range(n):
            x, y = rng.uniform(100, WIDTH - w - 100), rng.uniform(200, HEIGHT - h - 100)
            item = {
                "id": f"{kind}_{seed}_{i}",
                "confidence": round(rng.uniform(0.3, 1.0), 2),
                "coordinates": _square(round(x), round(y), w, h),
            }
            if kind == "cb":
                item["checked"] = rng.random() < 0.5
            into.append(item)
    return {"annotations": annotations, "checkboxes": checkboxes, "segments": segments, "signatures": signatures}


def bench_task(task_id: str, items: int, pages: int = 1) -> dict:
    """A task of `pages` A4 pages with `items` items on each, the same for the same arguments."""
    return {
        "id": task_id,
        "name": f"Overlay benchmark, {pages} × {items:,} items",
        "created_at": "2026-12-01T10:00:00Z",
        "meta": [],
        "status": "REVIEWING",
        "step_type": "EXTRACT",
        "upload_id": "upl_bench",
        "approved": False,
        "exported_at": None,
        "export_failed_at": None,
        "last_opened_at": None,
        "pages": [
            {"id": f"page_{p}", "width": WIDTH, "height": HEIGHT, **page_items(items, seed=items * 1000 + p)}
            for p in range(1, pages + 1)
        ],
    }


def boxes(items: dict) -> list[tuple[float, float, float, float]]:
    """Each item's box (x, y, w, h) in page units, as the reference page draws it."""
    out = [(a["left_of_line"], a["top"] - 40, 220.0, 48.0) for a in items["annotations"]]
    for kind in ("checkboxes", "segments", "signatures"):
        for item in items[kind]:
            (x0, y0), _, (x1, y1), _ = item["coordinates"]
            out.append((x0, y0, x1 - x0, y1 - y0))
    return out


def reference_page(count: int) -> bytes:
    """N absolutely positioned boxes over the image, scaled to the width as the viewer shows a page."""
    divs = "".join(
        f'<div style="left:{x / WIDTH * 100:.3f}%;top:{y / HEIGHT * 100:.3f}%;'
        f'width:{w / WIDTH * 100:.3f}%;height:{h / HEIGHT * 100:.3f}%"></div>'
        for x, y, w, h in boxes(page_items(count, seed=count * 1000 + 1))
    )
    return (
        "<!doctype html><html><head><meta charset=utf-8><title>reference</title><style>"
        "body{margin:0}.page{position:relative;width:100%;aspect-ratio:2480/3508}"
        ".page img{position:absolute;inset:0;width:100%;height:100%}"
        ".page div{position:absolute;box-sizing:border-box;border:2px solid #1f6feb;background:rgba(31,111,235,.12)}"
        f"</style></head><body><div class=page><img id=img src=/image alt=''>{divs}</div>"
        "<script>var i=document.getElementById('img');function d(){performance.mark('" + MARK + "')}"
        "if(i.complete)d();else{i.onload=d;i.onerror=d}</script></body></html>"
    ).encode()


class _Static(ThreadingHTTPServer):
    daemon_threads = True
    image: bytes = b""
    image_type: str = "image/svg+xml"


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        if self.path == "/image":
            body, kind = self.server.image, self.server.image_type
        elif self.path.startswith("/ref/"):
            body, kind = reference_page(int(self.path.rsplit("/", 1)[1])), "text/html; charset=utf-8"
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "private, max-age=3600")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class _Browser:
    def __init__(self, cookies: list[dict], timeout_ms: int):
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        from playwright.sync_api import sync_playwright

        self.playwright = sync_playwright().start()
        self.chromium = self.playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        self.cookies = cookies
        self.timeout_ms = timeout_ms  # a page that never marks its overlays drawn fails after this

    def context(self):
        context = self.chromium.new_context(viewport={"width": 1366, "height": 900}, locale="en-GB")
        context.set_default_timeout(self.timeout_ms)
        context.add_cookies(self.cookies)
        context.add_init_script(TIMER)
        return context

    def cold_open(self, url: str, marks: int = 1) -> tuple[float, object, object]:
        """Seconds from navigation start to the frame after the page's mark, in a new context."""
        context = self.context()
        page = context.new_page()
        response = page.goto(url, wait_until="commit")
        if response is None or response.status != 200:
            context.close()
            raise RuntimeError(f"{url}: HTTP {response and response.status}")
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        try:
            page.wait_for_function(f"() => window.__drawn.length >= {marks}", timeout=self.timeout_ms)
        except PlaywrightTimeout:
            context.close()
            raise RuntimeError(f"{url}: no performance.mark('{MARK}') within {self.timeout_ms / 1000:.0f} s") from None
        return page.evaluate("() => window.__drawn[0]") / 1000, page, context

    def close(self):
        self.chromium.close()
        self.playwright.stop()


def _drawn_items(page) -> int | None:
    """The items drawn as SVG elements, if the viewer draws them so (None: it draws otherwise)."""
    n = page.locator(".page-svg .item").count()
    return n or None


def run(size: str) -> list[dict]:
    if not os.access(CHROMIUM, os.X_OK):
        return [not_measured(GROUP, "open with N overlays", f"no Chromium at {CHROMIUM} (make browser-deps)")]
    p = SIZES[size]
    counts, loads = p["counts"], p["loads"]
    tasks = [bench_task(f"task_bench_{n}", n) for n in counts]
    tasks.append(bench_task("task_bench_switch", p["switch_items"], pages=2))
    tasks.append(bench_task("task_bench_long", p["long_items"], pages=p["long_pages"]))
    tasks.append(bench_task("task_bench_short", p["long_items"], pages=1))
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(tasks, f)
        tasks_file = Path(f.name)
    rows: list[dict] = []
    static = _Static(("127.0.0.1", 0), _Handler)
    server = threading.Thread(target=static.serve_forever, daemon=True)
    try:
        with Stack(free_port(), tasks=tasks_file) as stack:
            session = stack.session()
            # The page image as the review page names it: the same bytes for the reference page.
            html = session.get(stack.task_url(f"task_bench_{counts[0]}"), timeout=120).text
            href = re.search(r'<image href="([^"]+)"', html) or re.search(r'data-image="([^"]+)"', html)
            image = session.get(stack.url + href.group(1), timeout=60) if href else None
            static.image = image.content if image is not None and image.ok else b""
            static.image_type = (
                image.headers.get("Content-Type", "image/svg+xml") if image is not None else "image/svg+xml"
            )
            server.start()
            browser = _Browser(stack.cookies_for_playwright(session), p["timeout"] * 1000)
            try:
                rows += _opens(browser, stack, counts, loads, static.server_address[1])
                rows += _switch(browser, stack, p, loads)
                rows += _long(browser, stack, p, loads)
            finally:
                browser.close()
    finally:
        if server.is_alive():  # shutdown() waits for a serve_forever() that was never started
            static.shutdown()
        static.server_close()
        tasks_file.unlink(missing_ok=True)
    return rows


def _opens(browser: _Browser, stack: Stack, counts, loads: int, static_port: int) -> list[dict]:
    rows = []
    for n in counts:
        ours, floor = [], []
        for _ in range(loads):  # interleaved, so that a burst of load hits both
            seconds, page, context = browser.cold_open(stack.task_url(f"task_bench_{n}"))
            drawn = _drawn_items(page)
            context.close()
            if drawn is not None and drawn != n:
                raise RuntimeError(f"task_bench_{n}: {drawn} items drawn, not {n}")
            ours.append(seconds)
            seconds, page, context = browser.cold_open(f"http://127.0.0.1:{static_port}/ref/{n}")
            context.close()
            floor.append(seconds)
        rows.append(
            figure(GROUP, f"open, {n:,} overlays (× the static floor)", ours, "s", f"static page, {n:,} boxes", floor)
        )
        rows.append(
            figure(
                GROUP,
                f"open, {n:,} overlays (× faster than Label Studio)",
                ours,
                "s",
                f"Label Studio 1.23.2, {n:,} (recorded)",
                LABEL_STUDIO[n],
                goal="≥ 20",
                ratio="reference/value",
            )
        )
    return rows


def _switch(browser: _Browser, stack: Stack, p: dict, loads: int) -> list[dict]:
    opens, switches = [], []
    for _ in range(loads):
        seconds, page, context = browser.cold_open(stack.task_url("task_bench_switch"))
        opens.append(seconds)
        link = page.locator('nav.strip [data-page-link="2"]')
        started = link.evaluate("(a) => { const t = performance.now(); a.click(); return t; }")
        page.wait_for_function("() => window.__drawn.length >= 2", timeout=browser.timeout_ms)
        switches.append((page.evaluate("() => window.__drawn[1]") - started) / 1000)
        context.close()
    n = p["switch_items"]
    return [
        figure(
            GROUP,
            f"page switch, 2 pages × {n:,} items (× the task's cold open)",
            switches,
            "s",
            "the same task's cold open",
            opens,
        )
    ]


def _long(browser: _Browser, stack: Stack, p: dict, loads: int) -> list[dict]:
    long_, short = [], []
    for _ in range(loads):
        seconds, _, context = browser.cold_open(stack.task_url("task_bench_long"))
        context.close()
        long_.append(seconds)
        seconds, _, context = browser.cold_open(stack.task_url("task_bench_short"))
        context.close()
        short.append(seconds)
    pages, n = p["long_pages"], p["long_items"]
    return [
        figure(
            GROUP,
            f"first page usable, {pages} pages × {n} items (× one page)",
            long_,
            "s",
            f"one-page task, {n} items",
            short,
            goal="≤ 1.5",
        )
    ]
