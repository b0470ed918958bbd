"""The local record of every attempt to act on a task, and of every opening of one.

One table that the audit views read. It is append-only: nothing in the product
edits or deletes a row (a retention command prunes old ones).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Action(models.TextChoices):
    OPEN = "open", "Opened"
    COMPLETE = "complete", "Complete"
    DISCARD = "discard", "Discard"
    REPORT = "report", "Report"
    APPROVE = "approve", "Approve"
    DISAPPROVE = "disapprove", "Disapprove"
    UNLOCK = "unlock", "Unlock"


class Outcome(models.TextChoices):
    OK = "ok", "Done"
    WARNING = "warning", "Done, with a warning"
    REFUSED = "refused", "Refused by Send.ai"
    KEY = "key", "Key problem"
    UNAVAILABLE = "unavailable", "Send.ai unavailable"
    ERROR = "error", "Unreadable answer"
    DUPLICATE = "duplicate", "Duplicate, not sent"


class ActionRecord(models.Model):
    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    username = models.CharField(max_length=150)
    team_id = models.CharField(max_length=128)
    project_id = models.CharField(max_length=128)
    task_id = models.CharField(max_length=128)
    action = models.CharField(max_length=16, choices=Action.choices)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    upstream_status = models.PositiveSmallIntegerField(null=True, blank=True)
    upstream_code = models.CharField(max_length=64, blank=True)
    message = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    request_id = models.CharField(max_length=64, blank=True)
    task_status = models.CharField(max_length=32, blank=True, help_text="The task's status after the attempt.")
    task_approved = models.BooleanField(null=True, help_text="Whether the task was approved after the attempt.")
    seconds_on_task = models.PositiveIntegerField(
        null=True, blank=True, help_text="Seconds since this person last opened the task, for actions."
    )

    class Meta:
        indexes = [
            models.Index(fields=["team_id", "project_id", "task_id", "at"], name="review_action_task"),
            models.Index(fields=["user", "at"], name="review_action_user"),
            models.Index(fields=["username", "at"], name="review_action_username"),
            models.Index(fields=["action", "at"], name="review_action_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.username} {self.action} {self.task_id} {self.outcome}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            raise PermissionError("The action log is append-only: records are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The action log is append-only: records are pruned only by manage.py prune_records.")


class IssueType(models.Model):
    """A report issue type that an admin adds to the contract's five common ones."""

    label = models.CharField(max_length=200)
    value = models.SlugField(max_length=100, unique=True)
    active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.label
