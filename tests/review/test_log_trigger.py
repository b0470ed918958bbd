"""The action log is append-only in the database too (PostgreSQL): a trigger refuses UPDATE and
DELETE on its tables except for the pruning command, and a person's deletion clearing `user`.

On SQLite, the embedded default, the models' guard stands alone; the pruning and a person's
deletion are checked on both."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from reviewer.review.models import ActionRecord, CorrectionRecord, EntityTally
from tests.audit.conftest import correct, rec, tally
from tests.conftest import make_person

ON_POSTGRESQL = connection.vendor == "postgresql"


def _refused(sql: str, *params) -> bool:
    """Whether the database refuses the statement as append-only (run in its own savepoint)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError as e:
        return "append-only" in str(e)
    return False


def test_the_database_refuses_to_change_or_delete_a_record(people):
    record = rec()
    correct(record)
    tally(record, "total", 2, 1, 0.5, 0.9)
    statements = [
        ("UPDATE review_actionrecord SET outcome = 'refused' WHERE id = %s", record.pk),
        ("DELETE FROM review_actionrecord WHERE id = %s", record.pk),
        ("UPDATE review_correctionrecord SET after = '{}' WHERE record_id = %s", record.pk),
        ("DELETE FROM review_correctionrecord WHERE record_id = %s", record.pk),
        ("UPDATE review_entitytally SET changed = 99 WHERE record_id = %s", record.pk),
        ("DELETE FROM review_entitytally WHERE record_id = %s", record.pk),
    ]
    if ON_POSTGRESQL:
        for sql, pk in statements:
            assert _refused(sql, pk), sql
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            ActionRecord.objects.filter(pk=record.pk).update(outcome="refused")  # a queryset, past the models
    with pytest.raises(PermissionError):
        record.delete()
    assert ActionRecord.objects.get().outcome == "ok"
    assert CorrectionRecord.objects.count() == EntityTally.objects.count() == 1


@pytest.mark.django_db(transaction=True)  # each batch of the pruning is a transaction of its own, as in production
def test_pruning_still_deletes_old_records_with_their_rows(settings, people):
    settings.RECORD_RETENTION_DAYS = 30
    old = rec(at=timezone.now() - dt.timedelta(days=40), task="old")
    correct(old)
    tally(old, "total", 2, 1, 0.5, 0.9)
    rec(at=timezone.now(), task="young")
    out = StringIO()
    call_command("prune_records", stdout=out)
    assert "Deleted 1 record(s)" in out.getvalue()
    assert list(ActionRecord.objects.values_list("task_id", flat=True)) == ["young"]
    assert CorrectionRecord.objects.count() == EntityTally.objects.count() == 0
    if ON_POSTGRESQL:  # the pruning's permission ended with its transactions
        assert _refused("DELETE FROM review_actionrecord")


def test_deleting_a_person_keeps_their_records_under_their_name(people):
    gone = make_person("gone", "reviewer")
    rec("gone", user=gone)
    gone.delete()
    record = ActionRecord.objects.get()
    assert (record.user_id, record.username) == (None, "gone")
