"""The local record of every attempt to act on a task, and of every opening of one.

One table that the audit views read. It is append-only: nothing in the product
edits or deletes a row (a retention command prunes old ones).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Action(models.TextChoices):
    OPEN = "open", pgettext_lazy("action", "Opened")
    COMPLETE = "complete", pgettext_lazy("action", "Complete")
    DISCARD = "discard", pgettext_lazy("action", "Discard")
    REPORT = "report", pgettext_lazy("action", "Report")
    APPROVE = "approve", pgettext_lazy("action", "Approve")
    DISAPPROVE = "disapprove", pgettext_lazy("action", "Disapprove")
    UNLOCK = "unlock", pgettext_lazy("action", "Unlock")


class Outcome(models.TextChoices):
    OK = "ok", _("Done")
    WARNING = "warning", _("Done, with a warning")
    REFUSED = "refused", _("Refused by Send.ai")
    KEY = "key", _("Key problem")
    UNAVAILABLE = "unavailable", _("Send.ai unavailable")
    ERROR = "error", _("Unreadable answer")
    DUPLICATE = "duplicate", _("Duplicate, not sent")


class AppendOnly(models.Model):
    """A row of the log: written once, never changed, deleted only by the retention command."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            raise PermissionError("The action log is append-only: records are never changed.")
        # PostgreSQL's text cannot hold NUL (an upstream message may carry one): the record keeps
        # it visibly as ␀ on every database, instead of failing to be written after the action.
        for field in self._meta.concrete_fields:
            value = getattr(self, field.attname)
            if isinstance(value, str) and "\x00" in value:
                setattr(self, field.attname, value.replace("\x00", "\u2400"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The action log is append-only: records are pruned only by manage.py prune_records.")


class ActionRecord(AppendOnly):
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
    task_status = models.CharField(max_length=32, blank=True, help_text=_("The task's status after the attempt."))
    task_approved = models.BooleanField(null=True, help_text=_("Whether the task was approved after the attempt."))
    seconds_on_task = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Seconds since this person last opened the task, for actions.")
    )
    correction_count = models.PositiveIntegerField(
        default=0, help_text=_("How many corrections the attempt sent (complete, or a report in report mode).")
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


class CorrectionRecord(AppendOnly):
    """One correction that an attempt sent: which item, and its values before and after.

    `before` holds the AI's values of the fields that changed (empty for an added item),
    `after` the reviewer's (empty for a removed item); `confidence` is the AI's for the item.
    """

    record = models.ForeignKey(ActionRecord, models.CASCADE, related_name="corrections")
    op = models.CharField(max_length=8)  # update, remove, add
    kind = models.CharField(max_length=12)  # annotation, checkbox, segment, signature
    page_id = models.CharField(max_length=128)
    item_id = models.CharField(max_length=128, blank=True)
    entity_id = models.CharField(max_length=128, blank=True)
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    confidence = models.FloatField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["entity_id"], name="review_correction_entity")]

    def __str__(self) -> str:
        return f"{self.op} {self.kind} {self.item_id or '(new)'}"


class EntityTally(AppendOnly):
    """Per completed task and entity: how many of the AI's values the reviewer kept or changed.

    With the sum of the AI's confidences on each side, so that figures can tell whether the
    model's confidence knew where it was wrong. Written once per successful complete.
    """

    record = models.ForeignKey(ActionRecord, models.CASCADE, related_name="tallies")
    entity_id = models.CharField(max_length=128)
    items = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    changed_confidence = models.FloatField(default=0.0, help_text=_("Sum of the AI's confidence over changed items."))
    unchanged_confidence = models.FloatField(default=0.0, help_text=_("Sum over the items kept as they were."))

    def __str__(self) -> str:
        return f"{self.entity_id}: {self.changed}/{self.items}"


class Draft(models.Model):
    """A person's unsent corrections to one task, saved as they are made.

    `changes` maps a key per item ("page_1/annotation/ann_3", or "new/<n>" for an added
    item) to {"op", "page_id", "kind", "item_id", "fields" or "item", "original"}. `version`
    grows with every save, so a tab that saw an older version learns that another tab wrote.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="drafts")
    team_id = models.CharField(max_length=128)
    project_id = models.CharField(max_length=128)
    task_id = models.CharField(max_length=128)
    changes = models.JSONField(default=dict)
    failures = models.JSONField(default=list, help_text=_("What the upstream's last validation said failed."))
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "team_id", "project_id", "task_id"], name="review_draft_unique")
        ]
        indexes = [models.Index(fields=["team_id", "project_id", "task_id"], name="review_draft_task")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.task_id} ({len(self.changes)})"

    @property
    def ids(self) -> tuple[str, str, str]:
        return (self.team_id, self.project_id, self.task_id)


class IssueType(models.Model):
    """A report issue type that an admin adds to the contract's five common ones."""

    label = models.CharField(max_length=200)
    value = models.SlugField(max_length=100, unique=True)
    active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.label
