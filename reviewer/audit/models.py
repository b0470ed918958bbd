"""Second review of approvals: samples of approved tasks that a lead checks one by one.

The action log itself is `reviewer.review.models.ActionRecord`; this app only reads
it. A sample item points at the approval it checks (PROTECT: a sampled record is
never pruned), and holds the lead's verdict.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from reviewer.review.models import ActionRecord


class Sample(models.Model):
    """A random draw of approved tasks, with the filters it was drawn with."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    created_by_name = models.CharField(max_length=150)
    created_at = models.DateTimeField(default=timezone.now)
    reviewer = models.CharField(_("approved by"), max_length=150, blank=True, help_text=_("Empty: anyone."))
    team_id = models.CharField(max_length=128, blank=True)
    project_id = models.CharField(max_length=128, blank=True, help_text=_("Empty: every project."))
    period_start = models.DateField()
    period_end = models.DateField(help_text=_("Inclusive."))
    size = models.PositiveIntegerField(help_text=_("The size asked for; fewer items when fewer approvals matched."))

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Sample {self.pk} by {self.created_by_name}"

    @property
    def project_label(self) -> str:
        if not self.project_id:
            return gettext("every project")
        return f"{self.team_id}/{self.project_id}" if self.team_id else self.project_id


class Verdict(models.TextChoices):
    NONE = "", _("Not decided")
    AGREED = "agreed", _("Agreed")
    DISAGREED = "disagreed", _("Disagreed")


class SampleItem(models.Model):
    """One sampled approval and the lead's verdict on it."""

    sample = models.ForeignKey(Sample, models.CASCADE, related_name="items")
    record = models.ForeignKey(ActionRecord, models.PROTECT, related_name="+", help_text=_("The approval checked."))
    team_id = models.CharField(max_length=128)
    project_id = models.CharField(max_length=128)
    task_id = models.CharField(max_length=128)
    approver = models.CharField(max_length=150)
    verdict = models.CharField(max_length=16, choices=Verdict.choices, blank=True, default=Verdict.NONE)
    reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    disapproved_upstream = models.BooleanField(default=False)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["sample", "record"], name="audit_item_once_per_sample")]
        indexes = [models.Index(fields=["approver", "verdict"], name="audit_item_approver")]

    def __str__(self) -> str:
        return f"{self.task_id} approved by {self.approver}: {self.verdict or 'not decided'}"

    @property
    def ids(self) -> tuple[str, str, str]:
        return (self.team_id, self.project_id, self.task_id)
