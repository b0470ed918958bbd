"""Benchmarks of corrections, printed as ratios against a reference measured in the same run.

Run with `make bench` (not part of `make test`: figures are for benchmarks/RESULTS.md, and a
test never asserts a duration).

- keypress → saved draft: in Chromium, from the keydown in a field's editor to the answer of
  the save it causes (the editor waits 300 ms after the last key before saving, so the figure
  includes that pause); the reference is a bare fetch of /health/ from the same page.
- complete with 500 corrections: the console's complete (draft read, §5 body built, sent, the
  answer parsed, 500 correction rows and the tallies written) against the same body POSTed
  straight to the sandbox, both over HTTP to the same live server.
"""

from __future__ import annotations

import copy
import statistics
import time

import requests
from django.test import Client

from reviewer.review.models import Draft
from reviewer.sandbox.models import Status, Task
from tests.browser.conftest import PROJECT, TEAM

DEBOUNCE_MS = 300
ROUNDS = 15
# Fields that no validation rule reads, so the corrected task still completes.
FREE_TEXT = ("line_item_description", "line_item_quantity", "line_item_vat_rate")


def _median(values: list[float]) -> float:
    return statistics.median(values)


def test_keypress_to_saved_draft(console):
    console.open("task_demo_020")
    page = console.page
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    page.evaluate(
        """() => {
          const original = window.fetch;
          window.__saved = [];
          const saved = (r) => { window.__saved.push(performance.now()); return r; };
          window.fetch = (...args) => original(...args).then(saved);
          document.addEventListener('keydown', () => { window.__keyAt = performance.now(); }, true);
        }"""
    )
    saves = []
    for i in range(ROUNDS):
        count = page.evaluate("() => window.__saved.length")
        page.keyboard.type(str(i % 10))
        page.wait_for_function(f"() => window.__saved.length > {count} && window.ReviewerCorrections.idle()")
        saves.append(page.evaluate("() => window.__saved[window.__saved.length - 1] - window.__keyAt"))
    health = page.evaluate(
        """async (rounds) => {
          const out = [];
          for (let i = 0; i < rounds; i++) {
            const t = performance.now();
            await (await fetch('/health/', {cache: 'no-store'})).text();
            out.push(performance.now() - t);
          }
          return out;
        }""",
        ROUNDS,
    )
    saved, reference = _median(saves), _median(health)
    print(f"\nkeypress → saved draft, median of {ROUNDS}: {saved:.0f} ms (includes the {DEBOUNCE_MS} ms pause)")
    print(f"  of which the save itself: {saved - DEBOUNCE_MS:.0f} ms; a bare fetch of /health/: {reference:.0f} ms")
    print(f"  save ÷ bare fetch: {(saved - DEBOUNCE_MS) / reference:.2f}×")


def _ops(task: Task, count: int) -> list[dict]:
    ops = []
    for page in task.pages:
        for a in page["annotations"]:
            if a["entity_id"] not in FREE_TEXT:
                continue  # leave what validation reads as the AI read it
            if len(ops) == count:
                return ops
            ops.append(
                {
                    "op": "update",
                    "page_id": page["id"],
                    "item_id": a["id"],
                    "kind": "annotation",
                    "fields": {"content": a["content"] + " (checked)"},
                }
            )
    assert len(ops) == count, f"only {len(ops)} free-text annotations"
    return ops


def _changes(ops: list[dict], task: Task) -> dict:
    contents = {(p["id"], a["id"]): a for p in task.pages for a in p["annotations"]}
    out = {}
    for op in ops:
        a = contents[(op["page_id"], op["item_id"])]
        out[f"{op['page_id']}/annotation/{op['item_id']}"] = {
            **op,
            "original": {"content": a["content"]},
            "confidence": a["confidence"],
            "entity_id": a["entity_id"],
            "error": "",
        }
    return out


def test_complete_with_500_corrections(console, live_server):
    task = Task.objects.get(project__project_id=PROJECT, task_id="task_demo_019")
    pages = copy.deepcopy(task.pages)
    ops = _ops(task, 500)
    client = Client()
    client.force_login(console.reviewer)
    session = requests.Session()
    session.cookies.set("sessionid", client.cookies["sessionid"].value)
    task_url = f"{live_server.url}/review/{TEAM}/{PROJECT}/task_demo_019/"
    assert session.get(task_url, timeout=30).status_code == 200
    csrf = session.cookies["csrftoken"]
    sandbox = f"{live_server.url}/sandbox/v2/{TEAM}/project/{PROJECT}/task/task_demo_019/complete"

    def reset() -> None:
        Task.objects.filter(pk=task.pk).update(status=Status.REVIEWING, pages=pages, processing_until=None)

    console_ms, straight_ms = [], []
    for i in range(5):
        reset()
        started = time.perf_counter()
        answer = requests.post(
            sandbox, json={"corrections": ops}, headers={"Authorization": f"Bearer {console.key}"}, timeout=60
        )
        straight_ms.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, answer.text[:300]
        reset()
        Draft.objects.update_or_create(
            user=console.reviewer,
            team_id=TEAM,
            project_id=PROJECT,
            task_id="task_demo_019",
            defaults={"changes": _changes(ops, task), "failures": []},
        )
        started = time.perf_counter()
        answer = session.post(
            task_url + "act/complete/",
            data={"token": f"bench-{i}"},
            headers={"X-CSRFToken": csrf, "HX-Request": "true", "HX-Target": "task-state"},
            timeout=60,
        )
        console_ms.append((time.perf_counter() - started) * 1000)
        assert "Completed with 500 corrections" in answer.text, answer.text[:500]
    through, straight = _median(console_ms), _median(straight_ms)
    print(f"\ncomplete with 500 corrections, median of 5: console {through:.0f} ms, sandbox {straight:.0f} ms")
    print(f"  console ÷ sandbox: {through / straight:.2f}×")
