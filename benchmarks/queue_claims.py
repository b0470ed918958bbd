"""Benchmark: claiming the next task with real concurrent claimers, beside a primary-key lookup.

    python -m benchmarks.queue_claims [--size full|tiny]     (DATABASE_URL=postgres://… for PostgreSQL)

What it does, on the database the settings name (PostgreSQL with DATABASE_URL, else the embedded
SQLite):

- queues N entries (100,000 on PostgreSQL, 20,000 on SQLite; about 58% claimable, the rest
  completed, discarded or processing), of which the oldest `held` claimable ones are held by other
  reviewers (live claims, as a busy team leaves them: one per reviewer);
- starts 20 claimers, threads with their own database connection each, every one a reviewer of
  the project. Each claimer, in committed transactions as the console makes them, repeatedly
  claims the next task (`claims.claim_next`, timed), reads one entry by primary key (timed: the
  reference, measured by the same threads at the same concurrency), then finishes its task (its
  status moves on and the claim goes back, as an action that ends the review does; not timed);
- prints, for each of several runs, the p50 and p95 of a claim and of a lookup and their ratio,
  then the min/median/max of each ratio over the runs.

Every row it makes (entries, their claim events, its users) is deleted at the end, also when a
run fails: its rows are told apart by the team `team_benchq` and the username prefix `benchq_`.
`run(size)` returns the figures for `make bench` (benchmarks/RESULTS.md); the test suite runs it
at the tiny size and checks only that it runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import threading
import time
from dataclasses import dataclass

TEAM = "team_benchq"
PROJECT = "proj_benchq"
PREFIX = "benchq_"
STATUSES = ["REVIEWING"] * 6 + ["COMPLETED"] * 3 + ["DISCARDED", "PROCESSING", ""]


@dataclass(frozen=True)
class Size:
    entries: int
    held: int
    claimers: int
    claims: int  # per claimer and run
    runs: int


def size_of(size: str, vendor: str) -> Size:
    if size == "tiny":
        return Size(entries=120, held=5, claimers=3, claims=3, runs=2)
    if size != "full":
        raise ValueError(f"unknown size {size!r}: full or tiny")
    entries = 100_000 if vendor == "postgresql" else 20_000
    return Size(entries=entries, held=2_000, claimers=20, claims=40, runs=5)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def _fill(size: Size) -> list[int]:
    """Queue the entries and the held claims; the primary keys of the entries."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.utils import timezone

    from reviewer.queue.models import Entry

    user_model = get_user_model()
    UNUSABLE = make_password(None)  # noqa: N806 (no one logs in as a benchmark's holder)
    holders = user_model.objects.bulk_create(
        user_model(username=f"{PREFIX}holder_{i}", password=UNUSABLE) for i in range(size.held)
    )
    if not holders or holders[0].pk is None:  # databases that do not return bulk keys
        holders = list(user_model.objects.filter(username__startswith=f"{PREFIX}holder_").order_by("pk"))
    rng = random.Random(7)
    base = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    now = timezone.now()
    held = iter(holders)

    def entry(i: int) -> Entry:
        status = rng.choice(STATUSES)
        holder = next(held, None) if status == "REVIEWING" else None
        return Entry(
            team_id=TEAM,
            project_id=PROJECT,
            task_id=f"task_{i}",
            status=status,
            step_type=rng.choice(["EXTRACT", "CLASSIFY"]),
            created_at=base + dt.timedelta(seconds=i),
            source=Entry.Source.LIST,
            claimed_by=holder,
            claimed_at=now if holder else None,
            claim_expires_at=now + dt.timedelta(hours=4) if holder else None,
        )

    Entry.objects.bulk_create((entry(i) for i in range(size.entries)), batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.vendor == "sqlite" else "ANALYZE queue_entry")
    return list(Entry.objects.filter(team_id=TEAM).values_list("pk", flat=True))


def _claimers(count: int) -> list:
    from django.contrib.auth import get_user_model

    from reviewer.accounts.roles import profile_of, set_role

    users = []
    for i in range(count):
        user = get_user_model().objects.create_user(f"{PREFIX}claimer_{i}", password=None)
        set_role(user, "reviewer")
        profile = profile_of(user)
        profile.team_id, profile.project_id = TEAM, PROJECT
        profile.save(update_fields=["team_id", "project_id"])
        users.append(get_user_model().objects.get(pk=user.pk))
    return users


def _one_run(users, pks: list[int], claims_each: int, seed: int) -> dict:
    from django.db import connection

    from reviewer.queue import claims
    from reviewer.queue.models import Entry

    claimed: list[float] = []
    looked_up: list[float] = []
    errors: list[BaseException] = []
    empty = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(users))

    def work(user, rng: random.Random) -> None:
        mine_c, mine_l = [], []
        try:
            Entry.objects.filter(pk=pks[0]).exists()  # connect before the clock starts
            barrier.wait()
            for _ in range(claims_each):
                try:
                    t = time.perf_counter()
                    entry = claims.claim_next(user)
                    mine_c.append(time.perf_counter() - t)
                    t = time.perf_counter()
                    Entry.objects.get(pk=rng.choice(pks))
                    mine_l.append(time.perf_counter() - t)
                    if entry is None:
                        empty.append(user.pk)
                        continue
                    Entry.objects.filter(pk=entry.pk).update(status="COMPLETED")
                    claims.release(entry.pk, user)
                except Exception as e:  # noqa: BLE001 (counted and printed)
                    errors.append(e)
        finally:
            connection.close()
            with lock:
                claimed.extend(mine_c)
                looked_up.extend(mine_l)

    threads = [threading.Thread(target=work, args=(u, random.Random(seed * 1000 + i))) for i, u in enumerate(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ms = 1000.0
    result = {
        "claim_p50": _pct(claimed, 0.5) * ms if claimed else 0.0,
        "claim_p95": _pct(claimed, 0.95) * ms if claimed else 0.0,
        "lookup_p50": _pct(looked_up, 0.5) * ms if looked_up else 0.0,
        "lookup_p95": _pct(looked_up, 0.95) * ms if looked_up else 0.0,
        "claims": len(claimed),
        "empty": len(empty),
        "errors": errors,
    }
    result["ratio_p50"] = result["claim_p50"] / result["lookup_p50"] if result["lookup_p50"] else 0.0
    result["ratio_p95"] = result["claim_p95"] / result["lookup_p95"] if result["lookup_p95"] else 0.0
    return result


def _cleanup() -> None:
    from django.contrib.auth import get_user_model

    from reviewer.queue.models import Entry

    Entry.objects.filter(team_id=TEAM).delete()  # with their claim events, skips and fetch-aheads
    get_user_model().objects.filter(username__startswith=PREFIX).delete()


def run(size: str = "full") -> list[dict]:
    """Run the benchmark on the configured database; print and return its figures.

    Each figure: name, value (median over the runs), unit, reference (what it is measured
    against), reference_value, ratio (median over the runs) and the ratio's min/median/max.
    """
    from django.db import connection

    vendor = connection.vendor
    s = size_of(size, vendor)
    _cleanup()  # what an interrupted earlier run may have left
    try:
        started = time.perf_counter()
        pks = _fill(s)
        users = _claimers(s.claimers)
        print(
            f"\nclaims on {vendor}: {s.entries:,} entries, {s.held:,} held by others,"
            f" {s.claimers} concurrent claimers x {s.claims} claims a run, {s.runs} runs"
            f" (set up in {time.perf_counter() - started:.1f}s)"
        )
        print(f"{'run':>4} {'claim p50':>10} {'p95':>7} {'lookup p50':>11} {'p95':>7} {'x p50':>6} {'x p95':>6} errors")
        results = []
        for i in range(s.runs):
            r = _one_run(users, pks, s.claims, seed=i)
            results.append(r)
            print(
                f"{i + 1:>4} {r['claim_p50']:>10.2f} {r['claim_p95']:>7.2f} {r['lookup_p50']:>11.2f}"
                f" {r['lookup_p95']:>7.2f} {r['ratio_p50']:>6.2f} {r['ratio_p95']:>6.2f} {len(r['errors'])}"
            )
            if r["errors"]:
                print("   first errors:", [repr(e) for e in r["errors"][:3]])
    finally:
        connection.close()
        _cleanup()
    figures = []
    where = f"{s.claimers} concurrent claimers, {s.entries:,} entries, {s.held:,} held, {vendor}"
    for q in ("p50", "p95"):
        ratios = [r[f"ratio_{q}"] for r in results]
        figures.append(
            {
                "name": f"claim {q} ({where})",
                "value": round(statistics.median(r[f"claim_{q}"] for r in results), 3),
                "unit": "ms",
                "reference": f"primary-key lookup {q}, same threads, same run",
                "reference_value": round(statistics.median(r[f"lookup_{q}"] for r in results), 3),
                "ratio": round(statistics.median(ratios), 2),
                "min": round(min(ratios), 2),
                "median": round(statistics.median(ratios), 2),
                "max": round(max(ratios), 2),
                "runs": len(results),
                "values": [round(r[f"claim_{q}"], 3) for r in results],
                "errors": sum(len(r["errors"]) for r in results),
            }
        )
    print(f"{'figure':<6} {'claim ms':>9} {'lookup ms':>10} {'ratio min/median/max':>22}")
    for f, q in zip(figures, ("p50", "p95"), strict=True):
        print(
            f"{q:<6} {f['value']:>9.2f} {f['reference_value']:>10.2f}"
            f" {f['min']:>8.2f} / {f['median']:.2f} / {f['max']:.2f}"
        )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=["full", "tiny"], default="full")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reviewer.settings")
    import django

    django.setup()
    run(args.size)


if __name__ == "__main__":
    main()
