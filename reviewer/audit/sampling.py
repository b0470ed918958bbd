"""Drawing a second-review sample, and what "the task's approval state now" means.

The approval state now of a task is the `task_approved` of its latest record (by anyone)
that knows it: every successful action, and every opening, stores the state the upstream
answered with. It is computed in SQL, per row, through the index on (team, project, task, at).
"""

from __future__ import annotations

import random

from django.db import transaction
from django.db.models import BooleanField, Max, OuterRef, QuerySet, Subquery

from reviewer.audit.models import Sample, SampleItem
from reviewer.review.models import ActionRecord

CHUNK = 500


def approval_now() -> Subquery:
    """For a queryset with team_id, project_id and task_id: the task's approval state now (or None)."""
    latest = (
        ActionRecord.objects.filter(
            team_id=OuterRef("team_id"),
            project_id=OuterRef("project_id"),
            task_id=OuterRef("task_id"),
            task_approved__isnull=False,
        )
        .order_by("-at")  # the index's order: the first row found is the answer
        .values("task_approved")[:1]
    )
    return Subquery(latest, output_field=BooleanField(null=True))


def draw(approvals: QuerySet, size: int, *, by, filters: dict, rng: random.Random | None = None) -> Sample | None:
    """Draw up to `size` tasks at random among `approvals` (ok approve records) that are still approved.

    One item per task: its latest approval among `approvals`. None when nothing matches.
    """
    rng = rng or random.Random()
    latest = approvals.values("team_id", "project_id", "task_id").annotate(last=Max("pk")).order_by()
    candidates = [row["last"] for row in latest]
    rng.shuffle(candidates)
    chosen: list[ActionRecord] = []
    for start in range(0, len(candidates), CHUNK):
        chunk = candidates[start : start + CHUNK]
        found = ActionRecord.objects.filter(pk__in=chunk).annotate(approved_now=approval_now()).in_bulk()
        chosen.extend(found[pk] for pk in chunk if found[pk].approved_now)
        if len(chosen) >= size:
            break
    if not chosen:
        return None
    with transaction.atomic():
        sample = Sample.objects.create(created_by=by, created_by_name=by.get_username(), size=size, **filters)
        SampleItem.objects.bulk_create(
            SampleItem(
                sample=sample,
                record=record,
                team_id=record.team_id,
                project_id=record.project_id,
                task_id=record.task_id,
                approver=record.username,
            )
            for record in chosen[:size]
        )
    return sample
