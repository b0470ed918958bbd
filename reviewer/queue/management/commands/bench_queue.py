"""Benchmark: the latency of claiming the next task with a large queue, beside a primary-key lookup.

Runs inside a transaction that is rolled back, so the database is left as it was.
"""

import datetime as dt
import random
import statistics
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from reviewer.queue import claims
from reviewer.queue.models import Entry

STATUSES = ["REVIEWING"] * 6 + ["COMPLETED"] * 3 + ["DISCARDED", "PROCESSING", ""]


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Print the claim latency with a large queue (PostgreSQL) beside a primary-key lookup."

    def add_arguments(self, parser):
        parser.add_argument("--entries", type=int, default=100_000)
        parser.add_argument("--claims", type=int, default=200)

    def handle(self, *args, entries, claims: int, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Run this on PostgreSQL (set DATABASE_URL): that is what production uses.")
        try:
            with transaction.atomic():
                self._run(entries, claims)
                raise Rollback
        except Rollback:
            pass

    def _run(self, n: int, count: int) -> None:
        rng = random.Random(7)
        base = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        started = time.perf_counter()
        Entry.objects.bulk_create(
            (
                Entry(
                    team_id="team_bench",
                    project_id=f"proj_{i % 5}",
                    task_id=f"task_{i}",
                    status=rng.choice(STATUSES),
                    step_type=rng.choice(["EXTRACT", "CLASSIFY"]),
                    created_at=base + dt.timedelta(seconds=rng.randrange(90 * 86400)),
                    source="list",
                )
                for i in range(n)
            ),
            batch_size=5000,
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE queue_entry")
        self.stdout.write(f"Queued {n:,} entries in {time.perf_counter() - started:.1f}s.")
        # Admins see the whole queue (queue/reach.py), as the benchmark's claimers must.
        users = [get_user_model().objects.create(username=f"bench_{i}", is_superuser=True) for i in range(20)]
        pks = list(Entry.objects.values_list("pk", flat=True)[:count])

        def timed(fn) -> float:
            t = time.perf_counter()
            fn()
            return (time.perf_counter() - t) * 1000

        lookups = [timed(lambda pk=pk: Entry.objects.get(pk=pk)) for pk in pks]

        def claim_and_finish(user, **filters) -> None:
            entry = claims.claim_next(user, **filters)
            if entry is not None:  # done with it, as a complete leaves it: the next claim gives it back
                Entry.objects.filter(pk=entry.pk).update(status="PROCESSING")

        claimed = [timed(lambda i=i: claim_and_finish(users[i % 20])) for i in range(count)]
        filtered = [timed(lambda i=i: claim_and_finish(users[i % 20], project="proj_3")) for i in range(count)]
        rows = [
            ("primary-key lookup", lookups),
            ("claim next (any project)", claimed),
            ("claim next (one project)", filtered),
        ]
        base_median = statistics.median(lookups)
        self.stdout.write(f"{'operation':<28} {'median ms':>10} {'p90 ms':>8} {'× pk lookup':>12}")
        for name, values in rows:
            values.sort()
            median = statistics.median(values)
            p90 = values[int(len(values) * 0.9)]
            self.stdout.write(f"{name:<28} {median:>10.2f} {p90:>8.2f} {median / base_median:>12.1f}")
