"""Benchmarks of the page viewer's overlays, printed as ratios against a reference measured in the same run.

Run with `make bench`. Three tasks are loaded into the sandbox through `sandbox_load`'s code
(reviewer/sandbox/loading.py), each with one A4 page: 10 items (the reference), 1,000 items and
5,000 items (80% fields, 10% checkboxes, 5% segments, 5% signatures, spread over the page).

- server render: the whole review page through Django's test client (the console fetches the
  task from the sandbox over HTTP, builds the items, renders the template), median of 5.
- first paint of the overlay: in Chromium, from the end of the page's response (so the server's
  part is not counted twice) to the end of the first frame painted after DOMContentLoaded (the
  review script has laid the page out by then), median of 5.
- selection round-trip: in Chromium, a real mouse click on a region of the page, from its
  pointerdown to the end of the frame that shows it selected (region and list entry), median of 15.
"""

from __future__ import annotations

import random
import statistics
import time

from django.test import Client

from reviewer.sandbox.loading import parse_data, write_tasks
from tests.browser.conftest import PROJECT, TEAM

WIDTH, HEIGHT = 2480, 3508
SIZES = (10, 1000, 5000)
LOADS, CLICKS, RENDERS = 5, 15, 5
WORDS = ("Invoice", "1,234.56", "EUR", "2024-01-15", "Acme B.V.", "NL91ABNA0417164300", "12", "VAT 21%", "Total")

PAINTED = """
window.__painted = null;
document.addEventListener("DOMContentLoaded", () => requestAnimationFrame(() => setTimeout(() => {
    window.__painted = performance.now() - performance.getEntriesByType("navigation")[0].responseEnd;
})));
"""

CLICK_TIMER = """() => {
    window.__clicks = [];
    document.addEventListener("pointerdown", () => { window.__downAt = performance.now(); }, true);
    window.addEventListener("click", () => {
        const down = window.__downAt;
        requestAnimationFrame(() => setTimeout(() => window.__clicks.push(performance.now() - down)));
    });
}"""


def _square(x: float, y: float, w: float, h: float) -> list[list[float]]:
    return [[x, y], [x + w, y], [x + w, y + h], [x, y + h]]


def bench_task(count: int) -> dict:
    """A one-page task with `count` items, the same for the same count."""
    rng = random.Random(count)
    n_fields, n_boxes, n_segments = int(count * 0.8), int(count * 0.1), int(count * 0.05)
    n_signatures = count - n_fields - n_boxes - n_segments
    annotations, checkboxes, segments, signatures = [], [], [], []
    rows = max(1, int(n_fields**0.5 * 1.4))
    columns = max(1, -(-n_fields // rows))
    for i in range(n_fields):
        row, column = divmod(i, columns)
        annotations.append(
            {
                "id": f"ann_{i}",
                "entity_id": f"field_{i % 40}",
                "confidence": round(rng.uniform(0.3, 1.0), 2),
                "content": " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 3))),
                "top": round(200 + row * (HEIGHT - 400) / rows, 1),
                "left_of_line": round(100 + column * (WIDTH - 400) / columns, 1),
            }
        )
    for i in range(n_boxes):
        x, y = rng.uniform(100, WIDTH - 150), rng.uniform(200, HEIGHT - 150)
        checkboxes.append(
            {
                "id": f"cb_{i}",
                "confidence": round(rng.uniform(0.3, 1.0), 2),
                "checked": rng.random() < 0.5,
                "coordinates": _square(round(x), round(y), 30, 30),
            }
        )
    for i in range(n_segments):
        x, y = rng.uniform(50, WIDTH - 800), rng.uniform(100, HEIGHT - 500)
        segments.append(
            {
                "id": f"seg_{i}",
                "confidence": round(rng.uniform(0.3, 1.0), 2),
                "coordinates": _square(round(x), round(y), rng.randint(200, 700), rng.randint(100, 400)),
            }
        )
    for i in range(n_signatures):
        x, y = rng.uniform(100, WIDTH - 400), rng.uniform(200, HEIGHT - 200)
        signatures.append(
            {
                "id": f"sig_{i}",
                "confidence": round(rng.uniform(0.3, 1.0), 2),
                "coordinates": _square(round(x), round(y), 300, 120),
            }
        )
    return {
        "id": f"task_bench_{count}",
        "name": f"Overlay benchmark, {count:,} items",
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
            {
                "id": "page_1",
                "width": WIDTH,
                "height": HEIGHT,
                "annotations": annotations,
                "checkboxes": checkboxes,
                "segments": segments,
                "signatures": signatures,
            }
        ],
    }


def _load_tasks() -> None:
    contents = parse_data([bench_task(n) for n in SIZES], "overlay benchmark")
    write_tasks(TEAM, PROJECT, contents.tasks)


def _url(count: int) -> str:
    return f"/review/{TEAM}/{PROJECT}/task_bench_{count}/"


def _render_ms(client: Client, count: int) -> float:
    assert client.get(_url(count)).status_code == 200  # warm-up
    times = []
    for _ in range(RENDERS):
        started = time.perf_counter()
        response = client.get(_url(count))
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    drawn = response.content.decode().count('["item-p1-')  # overlays.compact's rows, which review.js draws
    assert drawn == count, f"{count} items, {drawn} drawn"
    return statistics.median(times)


def _paint_ms(console, count: int) -> float:
    page = console.page
    times = []
    for _ in range(LOADS):
        console.open(f"task_bench_{count}")
        page.wait_for_function("() => window.__painted !== null")
        times.append(page.evaluate("() => window.__painted"))
    assert page.locator(".page-svg .item").count() == count
    return statistics.median(times)


def _selection_ms(console, count: int) -> float:
    page = console.page
    console.open(f"task_bench_{count}")
    page.wait_for_function("() => window.__painted !== null")
    page.evaluate(CLICK_TIMER)
    regions = page.locator(".page-svg .item")
    picks = [round(i * (count - 1) / (CLICKS - 1)) for i in range(CLICKS)]
    for n, index in enumerate(picks):
        region = regions.nth(index)
        region.evaluate("el => el.scrollIntoView({block: 'center', inline: 'center', behavior: 'instant'})")
        box = region.bounding_box()
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.wait_for_function(f"() => window.__clicks.length > {n}")
        assert page.locator(".page-svg .item.selected").count() == 1
    return statistics.median(page.evaluate("() => window.__clicks"))


def test_overlays_with_1000_and_5000_items_on_one_page(console):
    _load_tasks()
    client = Client()
    client.force_login(console.reviewer)
    console.page.add_init_script(PAINTED)
    render = {n: _render_ms(client, n) for n in SIZES}
    paint = {n: _paint_ms(console, n) for n in SIZES}
    select = {n: _selection_ms(console, n) for n in SIZES}
    reference = SIZES[0]
    print(f"\noverlay benchmark, reference: the same measure on a task with {reference} items")
    print(f"{'what':<34}{'items':>7}{'median':>11}{'reference':>11}{'ratio':>9}")
    for label, figures in (
        ("server render of the review page", render),
        ("first paint of the overlay", paint),
        ("selection round-trip (click)", select),
    ):
        for n in SIZES[1:]:
            ratio = figures[n] / figures[reference]
            print(f"{label:<34}{n:>7,}{figures[n]:>8.0f} ms{figures[reference]:>8.0f} ms{ratio:>8.2f}×")
