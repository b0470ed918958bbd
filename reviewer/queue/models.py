"""The work queue: references to upstream tasks, and the claims reviewers hold on them.

The upstream owns the tasks; an entry only remembers where a task is and what it
last looked like, and when it was seen so (`status_at`): what a slow read saw before
a reviewer acted never overwrites what the action answered. A claim is a lease: it lasts `QUEUE_LEASE_SECONDS` unless
renewed, and a lapsed claim is free for anyone: it goes back to the queue when it is swept
(claims.sweep_lapsed, which every claim runs when some claim has lapsed). Every claim, renewal-free
release and expiry is recorded in `ClaimEvent`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Entries with these statuses can be handed out (empty: not known yet, confirmed at claim time).
CLAIMABLE = ("REVIEWING", "")


class Entry(models.Model):
    class Source(models.TextChoices):
        LIST = "list", _("Task list")
        WEBHOOK = "webhook", _("Notification")
        IMPORT = "import", _("Import")

    team_id = models.CharField(max_length=128)
    project_id = models.CharField(max_length=128)
    task_id = models.CharField(max_length=128)
    status = models.CharField(
        max_length=32, blank=True, help_text=_("The last status seen upstream; empty if unknown.")
    )
    status_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_(
            "When the task was seen in that status: the start of the read that saw it, or the end of the"
            " action that set it. An older sighting never overwrites a newer one."
        ),
    )
    name = models.CharField(max_length=500, blank=True)
    step_type = models.CharField(max_length=64, blank=True)
    upload_id = models.CharField(max_length=128, blank=True)
    created_at = models.DateTimeField(help_text=_("When the task was created upstream, or first seen here."))
    seen_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=16, choices=Source.choices)
    # Indexed by queue_one_claim_per_reviewer (its unique index holds every claimed entry).
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team_id", "project_id", "task_id"], name="queue_entry_unique"),
            # A reviewer works on one task at a time: a lapsed claim is cleared when they take another.
            models.UniqueConstraint(
                fields=["claimed_by"], condition=models.Q(claimed_by__isnull=False), name="queue_one_claim_per_reviewer"
            ),
        ]
        indexes = [
            # "The oldest free entry" is the first row of this index that no concurrent claimer has
            # locked: a claim takes its entry out (it sets the holder), so a claim costs the same
            # however many are held. A lapsed claim stays out until it is swept back (claims.sweep_lapsed).
            models.Index(
                fields=["created_at", "id"],
                condition=models.Q(status__in=CLAIMABLE, claimed_by__isnull=True),
                name="queue_entry_next",
            ),
            # The claims in order of expiry: finding the lapsed ones reads only those.
            models.Index(
                fields=["claim_expires_at"], condition=models.Q(claimed_by__isnull=False), name="queue_entry_lapse"
            ),
        ]
        verbose_name = _("entry")
        verbose_name_plural = _("entries")

    def __str__(self) -> str:
        return f"{self.team_id}/{self.project_id}/{self.task_id}"

    def holder(self, now=None):
        """Who holds a live claim on this entry, or None."""
        now = now or timezone.now()
        if self.claimed_by_id and self.claim_expires_at and self.claim_expires_at > now:
            return self.claimed_by
        return None


class ClaimEvent(models.Model):
    class Kind(models.TextChoices):
        CLAIMED = "claimed", _("Claimed")
        RELEASED = "released", _("Released")
        EXPIRED = "expired", _("Expired")
        RELEASED_BY_LEAD = "released_by_lead", _("Released by a lead")
        DROPPED = "dropped", _("Dropped: no longer in review")

    at = models.DateTimeField(default=timezone.now)
    entry = models.ForeignKey(Entry, models.CASCADE, related_name="events")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    username = models.CharField(max_length=150)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    by = models.CharField(max_length=150, blank=True, help_text=_("Who did it, when not the holder."))

    class Meta:
        ordering = ["-at", "-pk"]


class AheadFetch(models.Model):
    """A task being fetched ahead, or fetched ahead lately, for one reviewer's next step.

    The row is the single-flight lock that every process shares: while `until` lies ahead, no
    one else fetches this task ahead, and its "next" is offered to `user` first (who holds a
    copy of it: see claims.keep_ahead).
    """

    entry = models.OneToOneField(Entry, models.CASCADE, primary_key=True, related_name="ahead")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    until = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["user", "until"], name="queue_ahead_user")]


class Reach(models.Model):
    """A team and project that a person's current key was seen to reach: it opened a task there,
    or listed its tasks. The queue shows a person what their key reaches (see reviewer/queue/reach.py);
    a row learned under an older key (`key_set_at`) no longer counts."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    team_id = models.CharField(max_length=128)
    project_id = models.CharField(max_length=128)
    key_set_at = models.DateTimeField(null=True)
    learned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "team_id", "project_id"], name="queue_reach_unique"),
        ]


class Skip(models.Model):
    """A task that one reviewer passed over: it comes to them after every other task
    (SKIPPED), or not at all, since their key cannot open it (NO_ACCESS: the upstream said 404)."""

    class Kind(models.TextChoices):
        SKIPPED = "skipped", _("Skipped")
        NO_ACCESS = "no_access", _("Not opened by this person's key")

    entry = models.ForeignKey(Entry, models.CASCADE, related_name="skips")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entry", "user"], name="queue_skip_unique")]


class WebhookDelivery(models.Model):
    """A notification event received from Send.ai; the unique event ID makes replays harmless.

    An upload event is recorded when it is received, with the sync that lists its tasks
    (`sync_run`, run by the worker): a replay of an event whose sync failed for good starts it again.
    """

    event_id = models.CharField(max_length=128, unique=True)
    event = models.CharField(max_length=64)
    level = models.CharField(max_length=10)
    received_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=200, blank=True)
    sync_run = models.ForeignKey("SyncRun", models.SET_NULL, null=True, blank=True, related_name="deliveries")


class SyncRun(models.Model):
    """One sync of a project's (or an upload's) task list, run by the worker (queue/tasks.py).

    The run is the durable record of the work: each page is stored with the entries it listed, in
    one transaction, with the cursor of the next page, so a run that was cut short (a worker that
    died) goes on from there when it is picked up again, and running it twice changes nothing.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for the worker")
        RUNNING = "running", _("Running")
        RETRYING = "retrying", _("Failed; will be tried again")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Kind(models.TextChoices):
        MANUAL = "manual", _("Sync now")
        UPLOAD = "upload", _("Upload event")

    ACTIVE = (Status.QUEUED, Status.RUNNING, Status.RETRYING)

    kind = models.CharField(max_length=10, choices=Kind.choices)
    team_id = models.CharField(max_length=128)
    project_id = models.CharField(max_length=128)
    upload_id = models.CharField(max_length=128, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    pages = models.PositiveIntegerField(default=0)
    seen = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    cursor = models.CharField(max_length=2000, blank=True, help_text=_("Where the next page starts."))
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True, help_text=_("Why the last attempt failed."))
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now, help_text=_("The run's last sign of life."))
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "updated_at"], name="queue_syncrun_status")]
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        upload = f" upload {self.upload_id}" if self.upload_id else ""
        return f"sync {self.pk} of {self.team_id}/{self.project_id}{upload}: {self.status}"

    @property
    def active(self) -> bool:
        return self.status in self.ACTIVE
