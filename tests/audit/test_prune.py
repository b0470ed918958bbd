"""prune_records: the only way a record goes, and only once it is older than the retention."""

from __future__ import annotations

import datetime as dt
from io import StringIO

from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from reviewer.audit.models import Sample, SampleItem
from reviewer.review.models import ActionRecord, CorrectionRecord, EntityTally
from tests.audit.conftest import correct, rec, tally


def prune(*args: str) -> str:
    out = StringIO()
    call_command("prune_records", *args, stdout=out)
    return out.getvalue()


def ago(days: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def test_it_keeps_everything_when_the_retention_is_zero(settings, people):
    settings.RECORD_RETENTION_DAYS = 0
    rec(at=ago(5000))
    assert "kept forever" in prune()
    assert ActionRecord.objects.count() == 1


def test_it_deletes_only_older_records_in_batches(settings, people):
    settings.RECORD_RETENTION_DAYS = 30
    for n in range(7):
        rec(at=ago(31 + n), task=f"old_{n}")
    rec(at=ago(29), task="young")
    rec(at=ago(0), task="today")
    assert "Deleted 7 record(s)" in prune("--batch-size", "3")
    assert sorted(ActionRecord.objects.values_list("task_id", flat=True)) == ["today", "young"]


def test_a_dry_run_counts_and_deletes_nothing(settings, people):
    settings.RECORD_RETENTION_DAYS = 10
    rec(at=ago(11))
    rec(at=ago(1))
    assert "Would delete 1 record(s)" in prune("--dry-run")
    assert ActionRecord.objects.count() == 2


def test_it_keeps_the_approvals_a_second_review_refers_to(settings, people):
    settings.RECORD_RETENTION_DAYS = 10
    sampled = rec(at=ago(40), task="sampled")
    rec(at=ago(40), task="other")
    sample = Sample.objects.create(created_by_name="leo", period_start="2026-01-01", period_end="2026-01-31", size=1)
    SampleItem.objects.create(sample=sample, record=sampled, team_id="t", project_id="p", task_id="x", approver="rita")
    output = prune()
    assert "Deleted 1 record(s)" in output
    assert "1 kept: a second-review sample refers to them" in output
    assert list(ActionRecord.objects.values_list("task_id", flat=True)) == ["sampled"]


def test_it_deletes_the_corrections_and_tallies_of_the_records_it_deletes(settings, people):
    settings.RECORD_RETENTION_DAYS = 30
    for n in range(3):
        old = rec("rita", "complete", at=ago(40 + n), task=f"old_{n}", correction_count=2)
        correct(old, entity="total_amount", before={"content": "S,OOO?"}, after={"content": "€ 5,000.00"})
        correct(old, "remove", "signature", item="sig_1")
        tally(old, "total_amount", 1, 1, 0.3, 0.0)
    young = rec("rita", "complete", at=ago(1), task="young", correction_count=1)
    correct(young, entity="vat", before={"content": "2O"}, after={"content": "20"})
    tally(young, "vat", 1, 1, 0.6, 0.0)
    assert "with 9 correction and entity row(s)" in prune("--batch-size", "2")
    assert list(ActionRecord.objects.values_list("task_id", flat=True)) == ["young"]
    assert list(CorrectionRecord.objects.values_list("record__task_id", "entity_id")) == [("young", "vat")]
    assert list(EntityTally.objects.values_list("record__task_id", "entity_id")) == [("young", "vat")]
    connection.check_constraints()  # no row refers to a deleted record (PostgreSQL: SET CONSTRAINTS ALL IMMEDIATE)
