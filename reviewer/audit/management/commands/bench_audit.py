"""Benchmark: the audit pages' server times with a million action records (PostgreSQL).

Inside one transaction that is rolled back at the end, so the database is left as it was
(only the id sequences move on, as sequences do): applies any pending migration, writes a
realistic log (90 days, 20 reviewers, 5 projects, 50,000 tasks, in time order as a real log
grows; 30% of the done completes corrected, 1 to 5 corrections each, and an entity tally for
each of 10 entities of every done complete), then requests each audit page through Django's
test client as a team lead, a few times, and prints the median server time of each beside a
primary-key lookup of one record in the same run.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
import warnings

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from reviewer.accounts.roles import ensure_role_groups, set_role
from reviewer.review.models import ActionRecord, CorrectionRecord, EntityTally

REVIEWERS = 20
PROJECTS = 5
TASKS = 50_000
DAYS = 90
CSV_ROWS = 10_000
# What a reviewer does after opening a task (None: only looks), and how the upstream answers.
ACTIONS = ["complete"] * 30 + ["approve"] * 25 + ["disapprove"] * 8 + ["report"] * 10 + ["discard"] * 5
ACTIONS += ["unlock"] * 5 + [None] * 17
OUTCOMES = ["ok"] * 88 + ["refused"] * 6 + ["unavailable"] * 2 + ["error", "key", "duplicate"]
STATUS_AFTER = {"complete": "PROCESSING", "discard": "DISCARDED", "unlock": "REVIEWING"}
CORRECTED = 0.3  # of the done completes
ENTITIES = [
    "invoice_date", "invoice_number", "total_amount", "vat", "currency", "supplier_name",
    "supplier_vat_id", "iban", "due_date", "line_item_amount",
]  # fmt: skip


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Print the audit pages' server times with a million action records (PostgreSQL only)."

    def add_arguments(self, parser):
        parser.add_argument("--records", type=int, default=1_000_000, help="How many records to write first.")
        parser.add_argument("--runs", type=int, default=5, help="Timed requests per page (after one warm-up).")

    def handle(self, *args, records: int, runs: int, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                f"bench_audit measures PostgreSQL, as production runs it; this database is {connection.vendor}. "
                "Set DATABASE_URL=postgres://… and run it again."
            )
        # Pages name their static files; the plain storage spares the benchmark a collectstatic.
        plain = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        warnings.filterwarnings("ignore", "No directory at", UserWarning)  # WhiteNoise, without a collectstatic
        try:
            with transaction.atomic(), override_settings(STORAGES=plain):
                self._migrate()
                self._run(records, max(runs, 1))
                raise Rollback
        except Rollback:
            pass
        self.stdout.write("Rolled back: the database is as it was.")

    def _migrate(self) -> None:
        """Apply any migration the database lacks, inside the transaction: PostgreSQL rolls DDL back too."""
        executor = MigrationExecutor(connection)
        targets = executor.loader.graph.leaf_nodes()
        plan = executor.migration_plan(targets)
        if plan:
            executor.migrate(targets, plan=plan)
            # As migrate does: the content types and permissions that the roles' groups need.
            emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)
            names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in plan)
            self.stdout.write(f"Applied {len(plan)} pending migration(s) for this run only: {names}.")

    def _run(self, count: int, runs: int) -> None:
        rng = random.Random(7)
        User = get_user_model()
        reviewers = [User.objects.create(username=f"bench_reviewer_{n:02d}") for n in range(REVIEWERS)]
        ensure_role_groups()
        lead = User.objects.create(username="bench_lead")
        set_role(lead, "lead")

        started = time.perf_counter()
        now = timezone.now()
        written = [0, 0, 0]  # records, corrections, tallies
        batch: list[ActionRecord] = []
        for record in _log(rng, reviewers, count, now):
            batch.append(record)
            if len(batch) == 5000:
                _write(rng, batch, written)
                batch = []
        _write(rng, batch, written)
        with connection.cursor() as cursor:
            for model in (ActionRecord, CorrectionRecord, EntityTally):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
        self.stdout.write(
            f"Wrote {written[0]:,} records, {written[1]:,} corrections and {written[2]:,} entity tallies "
            f"in {time.perf_counter() - started:.0f} s."
        )

        client = Client(HTTP_HOST=_host())
        client.force_login(lead)
        depth = min(25_000, count // 20)
        middle = ActionRecord.objects.filter(action__in=["approve", "disapprove"]).order_by("-at", "-pk")[depth]
        week_ago = (now - dt.timedelta(days=7)).date().isoformat()
        fixed = list(ActionRecord.objects.filter(correction_count__gt=0).order_by("-at", "-pk")[: depth // 10 + 1])[-1]
        history = f"/audit/task/{fixed.team_id}/{fixed.project_id}/{fixed.task_id}/"
        cursor = f"{(middle.at - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(microseconds=1)}.{middle.pk}"
        pages = [
            ("ledger", "/audit/approvals/"),
            ("ledger, one reviewer", "/audit/approvals/?reviewer=bench_reviewer_03"),
            ("ledger, project + 7 days", f"/audit/approvals/?project=team_bench/proj_2&date_from={week_ago}"),
            (f"ledger, {depth // 50} pages deep", f"/audit/approvals/?after={cursor}"),
            ("activity", "/audit/activity/"),
            ("activity, refusals", "/audit/activity/?outcome=refused"),
            ("activity, corrected", "/audit/activity/?corrected=on"),
            ("task history, corrected", history),
            ("figures, 30 days", "/audit/figures/"),
            ("figures, one reviewer", "/audit/figures/?reviewer=bench_reviewer_03"),
        ]
        rows = []
        for name, url in pages:
            with CaptureQueriesContext(connection) as queries:
                self._get(client, url)
            sql = len(queries)
            rows.append((name, [_timed(lambda url=url: self._get(client, url)) for _ in range(runs)], sql))
        for name, url in (("CSV export", "/audit/approvals/"), ("activity CSV", "/audit/activity/?action=complete")):
            read = self._csv(client, url)
            timed = [_timed(lambda url=url: self._csv(client, url)) for _ in range(runs)]
            rows.append((f"{name}, first {read:,} rows", timed, -1))
        client.logout()
        pks = [middle.pk - 7 * n for n in range(200)]
        lookups = [_timed(lambda pk=pk: ActionRecord.objects.get(pk=pk)) for pk in pks]
        base = statistics.median(lookups)
        rows.insert(0, ("primary-key lookup", lookups, 1))

        self.stdout.write(
            f"PostgreSQL {connection.pg_version // 10000}, {count:,} records, {runs} timed runs each after a warm-up."
        )
        self.stdout.write(f"{'request':<34} {'median ms':>10} {'p90 ms':>8} {'× pk lookup':>12} {'queries':>8}")
        for name, values, queries_run in rows:
            values.sort()
            median, p90 = statistics.median(values), values[int(len(values) * 0.9)]
            shown = "stream" if queries_run < 0 else str(queries_run)
            self.stdout.write(f"{name:<34} {median:>10.2f} {p90:>8.2f} {median / base:>12.0f} {shown:>8}")

    def _get(self, client: Client, url: str) -> None:
        response = client.get(url, secure=True)
        if response.status_code != 200:
            raise CommandError(f"{url} answered {response.status_code}")

    def _csv(self, client: Client, url: str) -> int:
        """Read a page's CSV up to CSV_ROWS rows (or its end); return how many rows came."""
        response = client.get(f"{url}{'&' if '?' in url else '?'}format=csv", secure=True)
        lines = 0
        for chunk in response.streaming_content:
            lines += chunk.count(b"\n")
            if lines > CSV_ROWS:
                break
        # Hang up, as a client that has read enough does: closing the test client's stream wrapper
        # closes the response the way a WSGI server would, and keeps the connection (and with it
        # this transaction) open, as the test client does. response.close() would close it.
        response._iterator.close()
        return min(lines - 1, CSV_ROWS)


def _timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def _host() -> str:
    return next((h for h in settings.ALLOWED_HOSTS if h not in ("*",) and not h.startswith(".")), "localhost")


def _log(rng: random.Random, reviewers: list, count: int, now: dt.datetime):
    """Records as the console writes them, in time order as the log grows: day after day, a
    reviewer opens a task (tasks arrive evenly over the days) and usually acts on it."""
    first = now - dt.timedelta(days=DAYS)
    state: dict[int, tuple[str, bool]] = {}  # task -> (status, approved)
    per_day = count / DAYS
    written = 0
    for day in range(DAYS):
        start = first + dt.timedelta(days=day)
        arrived = max(1, round(TASKS * (day + 1) / DAYS))
        todo = round(per_day * (day + 1)) - written if day < DAYS - 1 else count - written
        records = []
        while len(records) < todo:
            task = rng.randrange(arrived)
            person = rng.choice(reviewers)
            at = start + dt.timedelta(seconds=rng.uniform(0, 86400))
            status, approved = state.get(task, ("REVIEWING", False))
            records.append(_record(person, task, "open", "ok", at, status, approved, None))
            action = rng.choice(ACTIONS)
            if action is None or len(records) == todo:
                continue
            seconds = min(int(rng.lognormvariate(4.0, 1.0)), 7200)
            outcome = "warning" if action == "report" and rng.random() < 0.05 else rng.choice(OUTCOMES)
            fixes = rng.randint(1, 5) if action == "complete" and outcome == "ok" and rng.random() < CORRECTED else 0
            if outcome in ("ok", "warning"):
                approved = {"approve": True, "disapprove": False}.get(action, approved)
                status = STATUS_AFTER.get(action, status)
                state[task] = (status, approved)
                known = (status, approved)
            else:
                known = ("", None)
            when = at + dt.timedelta(seconds=seconds)
            records.append(_record(person, task, action, outcome, when, *known, seconds, fixes))
        records.sort(key=lambda r: r.at)
        for record in records:
            if record.at > now:
                record.at = now
            yield record
        written += len(records)


def _record(person, task: int, action, outcome, at, status, approved, seconds, fixes: int = 0) -> ActionRecord:
    return ActionRecord(
        at=at,
        user=person,
        username=person.username,
        team_id="team_bench",
        project_id=f"proj_{task % PROJECTS}",
        task_id=f"task_{task:06d}",
        action=action,
        outcome=outcome,
        upstream_status=200 if outcome in ("ok", "warning") else 400 if outcome == "refused" else None,
        upstream_code="not_reviewing" if outcome == "refused" else "",
        duration_ms=120,
        request_id="bench",
        task_status=status,
        task_approved=approved,
        seconds_on_task=seconds if action != "open" else None,
        correction_count=fixes,
    )


def _write(rng: random.Random, batch: list[ActionRecord], written: list[int]) -> None:
    """Write a batch of records, then the corrections and entity tallies of its done completes."""
    ActionRecord.objects.bulk_create(batch)  # PostgreSQL hands back the ids
    corrections, tallies = [], []
    for record in batch:
        if record.action != "complete" or record.outcome != "ok":
            continue
        changed = set(rng.sample(ENTITIES, record.correction_count))
        for n, entity in enumerate(sorted(changed)):
            op = "remove" if n == 0 and rng.random() < 0.1 else "update"
            corrections.append(
                CorrectionRecord(
                    record=record,
                    op=op,
                    kind="annotation",
                    page_id="page_1",
                    item_id=f"ann_{ENTITIES.index(entity)}",
                    entity_id=entity,
                    before={"content": f"{rng.randrange(10**6)}?O"},
                    after={} if op == "remove" else {"content": f"{rng.randrange(10**6)}.00"},
                    confidence=round(rng.uniform(0.3, 0.95), 3),
                )
            )
        for entity in ENTITIES:
            hit = entity in changed
            confidence = rng.uniform(0.3, 0.95) if hit else rng.uniform(0.6, 1.0)
            tallies.append(
                EntityTally(
                    record=record,
                    entity_id=entity,
                    items=1,
                    changed=int(hit),
                    changed_confidence=confidence if hit else 0.0,
                    unchanged_confidence=0.0 if hit else confidence,
                )
            )
    CorrectionRecord.objects.bulk_create(corrections, batch_size=5000)
    EntityTally.objects.bulk_create(tallies, batch_size=5000)
    written[0] += len(batch)
    written[1] += len(corrections)
    written[2] += len(tallies)
