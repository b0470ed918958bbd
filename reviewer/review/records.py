"""Writing the action log: one row per attempt to act on a task, and per opening of one."""

from __future__ import annotations

import time

from django.utils import timezone

from reviewer import sendai
from reviewer.review.models import Action, ActionRecord
from reviewer.sendai.client import scrub_code


def record_action(
    user,
    ids: tuple[str, str, str],
    action: str,
    outcome: str,
    *,
    started: float,
    request_id: str | None = None,
    status: int | None = None,
    code: str = "",
    message: str = "",
    task: sendai.Task | None = None,
    correction_count: int = 0,
) -> ActionRecord:
    """Record an attempt. `started` is the time.monotonic() at which it began.

    For an action other than opening, `seconds_on_task` is the time since the same
    person last opened the task, when they did.
    """
    team_id, project_id, task_id = ids
    now = timezone.now()
    seconds = None
    if action != Action.OPEN:
        opened = (
            ActionRecord.objects.filter(
                user=user, team_id=team_id, project_id=project_id, task_id=task_id, action=Action.OPEN
            )
            .order_by("-at")
            .values_list("at", flat=True)
            .first()
        )
        if opened is not None:
            seconds = max(0, round((now - opened).total_seconds()))
    return ActionRecord.objects.create(
        at=now,
        user=user,
        username=user.get_username(),
        team_id=team_id,
        project_id=project_id,
        task_id=task_id,
        action=action,
        outcome=outcome,
        upstream_status=status,
        upstream_code=scrub_code(code) if code else "",
        message=message[:2000],
        duration_ms=round((time.monotonic() - started) * 1000),
        request_id=(request_id or "")[:64],
        task_status=task.status if task else "",
        task_approved=task.approved if task else None,
        seconds_on_task=seconds,
        correction_count=correction_count,
    )
