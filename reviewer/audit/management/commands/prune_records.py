"""Delete action records older than RECORD_RETENTION_DAYS: the only way a record ever goes.

Records that a second-review sample points at are kept (the sample needs its approval).
Deletes in batches, each in its own transaction, so that the table is never locked for long.
A record's corrections and entity tallies go with it, in the same transaction, first.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.utils import timezone

from reviewer.audit.models import SampleItem
from reviewer.review.models import ActionRecord, CorrectionRecord, EntityTally


class Command(BaseCommand):
    help = "Delete action records older than RECORD_RETENTION_DAYS days (0: keep them all)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count what would be deleted; delete nothing.")
        parser.add_argument("--batch-size", type=int, default=5000, help="Records deleted per transaction.")

    def handle(self, *args, dry_run: bool, batch_size: int, **options):
        days = settings.RECORD_RETENTION_DAYS
        if days <= 0:
            self.stdout.write("RECORD_RETENTION_DAYS is 0: records are kept forever; nothing to delete.")
            return
        cutoff = timezone.now() - dt.timedelta(days=days)
        old = ActionRecord.objects.filter(at__lt=cutoff)
        sampled = SampleItem.objects.values("record_id")
        kept = old.filter(pk__in=sampled).count()
        prunable = old.exclude(pk__in=sampled)
        when = cutoff.strftime("%Y-%m-%d %H:%M UTC")
        note = f" ({kept} kept: a second-review sample refers to them)" if kept else ""
        if dry_run:
            self.stdout.write(f"Would delete {prunable.count()} record(s) from before {when}{note}.")
            return
        deleted = details = 0
        while True:
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    # The log's trigger refuses every DELETE but those of a transaction that says it prunes.
                    with connection.cursor() as cursor:
                        cursor.execute("SET LOCAL reviewer.pruning = 'on'")
                batch = list(prunable.order_by("pk").values_list("pk", flat=True)[: max(batch_size, 1)])
                if not batch:
                    break
                # Plain DELETEs: the models' delete() refuses, by design, and a raw delete cascades to
                # nothing, so the rows that refer to the records go first (PostgreSQL's foreign keys
                # would refuse otherwise, at the latest when the transaction commits).
                for model in (CorrectionRecord, EntityTally):
                    details += model.objects.filter(record_id__in=batch)._raw_delete(DEFAULT_DB_ALIAS)
                deleted += ActionRecord.objects.filter(pk__in=batch)._raw_delete(DEFAULT_DB_ALIAS)
        also = f", with {details} correction and entity row(s)" if details else ""
        self.stdout.write(f"Deleted {deleted} record(s) from before {when}{also}{note}.")
