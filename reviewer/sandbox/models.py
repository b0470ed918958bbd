"""The sandbox's own records: a local, inspectable Send.ai v2 Task API.

Teams, projects and uploads hold the public string IDs that appear in URLs and
task objects; every table has its own integer primary key. Tasks keep their
pages as JSON, exactly as loaded, so that what goes in comes back out.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid

from django.db import models
from django.utils import timezone

SCOPES = ("task.read", "task.edit")
# The contract's ID rule (API.md §1), for every team, project, task, upload and page ID.
ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}"
ID_RE = re.compile(ID_PATTERN)


class Status(models.TextChoices):
    PROCESSING = "PROCESSING"
    REVIEWING = "REVIEWING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    DISCARDED = "DISCARDED"
    FILTERED = "FILTERED"


# Statuses in which a task waits for nothing more; an upload whose tasks are all
# in one of them is fully processed.
FINAL_STATUSES = (Status.COMPLETED, Status.FAILED, Status.DISCARDED, Status.FILTERED)


class Team(models.Model):
    team_id = models.CharField(max_length=128, unique=True)
    name = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return self.team_id


class Project(models.Model):
    team = models.ForeignKey(Team, models.CASCADE, related_name="projects")
    project_id = models.CharField(max_length=128)
    name = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "project_id"], name="sandbox_project_unique")]

    def __str__(self) -> str:
        return f"{self.team_id}/{self.project_id}"


class Upload(models.Model):
    project = models.ForeignKey(Project, models.CASCADE, related_name="uploads")
    upload_id = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "upload_id"], name="sandbox_upload_unique")]

    def __str__(self) -> str:
        return self.upload_id

    def is_fully_processed(self) -> bool:
        return not self.tasks.exclude(status__in=FINAL_STATUSES).exists()


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiKey(models.Model):
    """A sandbox API key. Only its SHA-256 digest is stored; keys are 256-bit random."""

    name = models.CharField(max_length=200)
    prefix = models.CharField(max_length=24, help_text="The start of the key, to tell keys apart.")
    digest = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def create(cls, name: str, scopes: list[str], grants: list[tuple[Team, Project | None]]) -> tuple[ApiKey, str]:
        """Create a key with its grants; return it with the raw key, which is shown once."""
        raw = "sk_sbx_" + secrets.token_urlsafe(32)
        key = cls.objects.create(name=name, prefix=raw[:11], digest=hash_key(raw), scopes=list(scopes))
        for team, project in grants:
            KeyGrant.objects.create(key=key, team=team, project=project)
        return key, raw

    def can_access(self, project: Project) -> bool:
        return (
            self.grants.filter(team_id=project.team_id)
            .filter(models.Q(project__isnull=True) | models.Q(project=project))
            .exists()
        )


class KeyGrant(models.Model):
    """Access to a whole team (project empty) or to one of its projects."""

    key = models.ForeignKey(ApiKey, models.CASCADE, related_name="grants")
    team = models.ForeignKey(Team, models.CASCADE)
    project = models.ForeignKey(Project, models.CASCADE, null=True, blank=True)


class Task(models.Model):
    project = models.ForeignKey(Project, models.CASCADE, related_name="tasks")
    upload = models.ForeignKey(Upload, models.CASCADE, related_name="tasks")
    task_id = models.CharField(max_length=128)
    name = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    meta = models.JSONField(default=list)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REVIEWING)
    step_type = models.CharField(max_length=64, default="EXTRACT")
    approved = models.BooleanField(default=False)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(ApiKey, models.SET_NULL, null=True, blank=True, related_name="+")
    exported_at = models.DateTimeField(null=True, blank=True)
    export_failed_at = models.DateTimeField(null=True, blank=True)
    last_opened_at = models.DateTimeField(null=True, blank=True)
    pages = models.JSONField(default=list)
    # Sandbox behaviour, not part of the public task object:
    processing_until = models.DateTimeField(
        null=True, blank=True, help_text="When a PROCESSING task moves on to COMPLETED (empty: it stays)."
    )
    has_images = models.BooleanField(default=True, help_text="Whether page images are served for this task.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "task_id"], name="sandbox_task_unique")]
        indexes = [models.Index(fields=["project", "status", "created_at", "id"], name="sandbox_task_list")]

    def __str__(self) -> str:
        return self.task_id

    def page(self, page_id: str) -> dict | None:
        return next((p for p in self.pages if isinstance(p, dict) and p.get("id") == page_id), None)


class TrainingExample(models.Model):
    """Membership of the training dataset: a row per approved task, with its pages as approved.

    `pages` is a snapshot taken at approval: the corrected values where the task was corrected
    (API.md §5), so that later changes to the task do not alter what was trained on.
    """

    task = models.OneToOneField(Task, models.CASCADE, related_name="training_example")
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(ApiKey, models.SET_NULL, null=True, blank=True, related_name="+")
    pages = models.JSONField(default=list, help_text="The task's pages when it was approved.")


class Correction(models.Model):
    """One operation of a complete with corrections (API.md §5), as applied.

    `before` holds the values the operation replaced (the whole item for a remove, nothing for
    an add), `after` the values it set (the whole new item for an add, nothing for a remove).
    """

    class Op(models.TextChoices):
        UPDATE = "update"
        REMOVE = "remove"
        ADD = "add"

    class Kind(models.TextChoices):
        ANNOTATION = "annotation"
        CHECKBOX = "checkbox"
        SEGMENT = "segment"
        SIGNATURE = "signature"

    task = models.ForeignKey(Task, models.CASCADE, related_name="corrections")
    api_key = models.ForeignKey(ApiKey, models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    index = models.PositiveIntegerField(help_text="The operation's place in the request's list (0-based).")
    op = models.CharField(max_length=10, choices=Op.choices)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    page_id = models.CharField(max_length=128)
    item_id = models.CharField(max_length=128, help_text="For an add, the id the API assigned.")
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["task", "created_at", "index"], name="sandbox_correction_task")]

    def __str__(self) -> str:
        return f"{self.task_id} {self.op} {self.kind} {self.page_id}/{self.item_id}"


class ValidationRule(models.Model):
    """A check that complete runs on a task of the project (docs/corrections.md, "Validation rules").

    With `category` set, the rule applies only to tasks whose meta `category` has that value.
    """

    class Rule(models.TextChoices):
        REQUIRED = "required", "required: an annotation of the entity, not blank"
        DATE = "date", "date: every annotation of the entity is a date"
        AMOUNT = "amount", "amount: every annotation of the entity is an amount"
        LINE_TOTALS = "line_totals", "line_totals: line_item_amount plus vat make the entity (the total)"

    project = models.ForeignKey(Project, models.CASCADE, related_name="validation_rules")
    rule = models.CharField(max_length=20, choices=Rule.choices)
    entity_id = models.CharField(max_length=128)
    category = models.CharField(max_length=128, blank=True, help_text="Empty: every task of the project.")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "rule", "entity_id", "category"], name="sandbox_validation_rule_unique"
            )
        ]

    def __str__(self) -> str:
        where = f" ({self.category})" if self.category else ""
        return f"{self.rule} {self.entity_id}{where}"


class Report(models.Model):
    task = models.ForeignKey(Task, models.CASCADE, related_name="reports")
    api_key = models.ForeignKey(ApiKey, models.SET_NULL, null=True, blank=True, related_name="+")
    issues = models.JSONField()
    message = models.TextField(null=True, blank=True)  # noqa: DJ001 (null: no message was sent)
    created_at = models.DateTimeField(default=timezone.now)
    hook_status = models.CharField(max_length=20, blank=True, help_text="sent, failed, or empty (no hook configured).")
    hook_error = models.TextField(blank=True)


class Event(models.Model):
    """A notification event, published by an action and delivered to the subscribed URL."""

    event_id = models.UUIDField(default=uuid.uuid4, unique=True)
    event = models.CharField(max_length=64)
    event_level = models.CharField(max_length=10)  # UPLOAD or TASK
    team_id = models.CharField(max_length=128)
    project_id = models.CharField(max_length=128)
    upload = models.JSONField(null=True)
    task = models.JSONField(null=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    def body(self) -> dict:
        return {
            "id": str(self.event_id),
            "event": self.event,
            "event_level": self.event_level,
            "team_id": self.team_id,
            "project_id": self.project_id,
            "upload": self.upload,
            "task": self.task,
            "created_at": self.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
