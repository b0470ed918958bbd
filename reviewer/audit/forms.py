"""The audit pages' forms: log filters, the figures' period, drawing a sample, a verdict.

Days are whole UTC days and both ends of a range are included. Every form keeps what
was typed when it is invalid, and says what to fix.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reviewer import sendai
from reviewer.audit.models import Verdict
from reviewer.review.models import Action, Outcome

MAX_PERIOD_DAYS = 366
MAX_SAMPLE = 200
CORRECTED_ACTIONS = {Action.COMPLETE.value, Action.REPORT.value}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def day_bounds(start: dt.date | None, end: dt.date | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The UTC instants [start 00:00, the day after end 00:00) of an inclusive range of days."""
    first = dt.datetime.combine(start, dt.time.min, tzinfo=dt.UTC) if start else None
    after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC) if end else None
    return first, after


def today() -> dt.date:
    return timezone.now().astimezone(dt.UTC).date()


class ScopeForm(forms.Form):
    """Whose work, in which project, over which days."""

    reviewer = forms.CharField(
        label=_("Reviewer"), required=False, max_length=150, help_text=_("A user name, exactly.")
    )
    project = forms.CharField(
        label=_("Project"), required=False, max_length=257, help_text=_("A project ID, or team ID/project ID.")
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput, help_text=_("Included; days in UTC."))

    def clean_reviewer(self) -> str:
        return self.cleaned_data["reviewer"].strip()

    def clean_project(self) -> tuple[str, str]:
        value = self.cleaned_data["project"].strip()
        if not value:
            return ("", "")
        team, slash, project = value.rpartition("/")
        try:
            if slash:
                sendai.check_id(team, "team")
            sendai.check_id(project, "project")
        except sendai.InvalidId:
            raise forms.ValidationError(
                _(
                    "Enter a project ID, or a team ID and a project ID separated by '/' "
                    "(each 1 to 128 letters, digits, '_', '.' or '-')."
                ),
                code="invalid_project",
            ) from None
        return (team, project)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", forms.ValidationError(_("The end comes before the start."), code="reversed"))
        return data

    @property
    def team_id(self) -> str:
        return self.cleaned_data["project"][0]

    @property
    def project_id(self) -> str:
        return self.cleaned_data["project"][1]

    def scope(self, records: QuerySet, *, reviewer_field: str = "username", at_field: str = "at") -> QuerySet:
        """`records` narrowed to the chosen reviewer, project and days."""
        data = self.cleaned_data
        if data["reviewer"]:
            records = records.filter(**{reviewer_field: data["reviewer"]})
        if self.team_id:
            records = records.filter(team_id=self.team_id)
        if self.project_id:
            records = records.filter(project_id=self.project_id)
        first, after = day_bounds(data.get("date_from"), data.get("date_to"))
        if first:
            records = records.filter(**{f"{at_field}__gte": first})
        if after:
            records = records.filter(**{f"{at_field}__lt": after})
        return records


class LogFilterForm(ScopeForm):
    """The filters of the approvals ledger and of the activity log."""

    action = forms.ChoiceField(label=_("Action"), required=False)
    outcome = forms.ChoiceField(label=_("Outcome"), required=False, choices=[("", _("Any outcome")), *Outcome.choices])
    corrected = forms.BooleanField(
        label=_("Only with corrections"),
        required=False,
        help_text=_("Completes (or reports) that sent corrections to the AI's values."),
    )

    def __init__(self, *args, actions: list[str], **kwargs) -> None:
        kwargs.setdefault("auto_id", "filter-%s")
        super().__init__(*args, **kwargs)
        labels = dict(Action.choices)
        self.actions = actions
        self.fields["action"].choices = [("", _("Any action")), *((a, labels[a]) for a in actions)]
        if not set(actions) & CORRECTED_ACTIONS:  # the ledger: approvals never carry corrections
            del self.fields["corrected"]

    def scope(self, records: QuerySet, **kwargs) -> QuerySet:
        records = super().scope(records.filter(action__in=self.actions), **kwargs)
        if action := self.cleaned_data["action"]:
            records = records.filter(action=action)
        if outcome := self.cleaned_data["outcome"]:
            records = records.filter(outcome=outcome)
        if self.cleaned_data.get("corrected"):
            records = records.filter(correction_count__gt=0)
        return records


class PeriodForm(ScopeForm):
    """The figures' period: the last 30 days unless chosen, at most a year."""

    DEFAULT_DAYS = 30

    def __init__(self, data=None, **kwargs) -> None:
        kwargs.setdefault("auto_id", "period-%s")
        data = data.copy() if data is not None else {}
        end = today()
        if not data.get("date_to"):
            data["date_to"] = end.isoformat()
        if not data.get("date_from"):
            data["date_from"] = (end - dt.timedelta(days=self.DEFAULT_DAYS - 1)).isoformat()
        super().__init__(data, **kwargs)
        self.fields["date_from"].required = self.fields["date_to"].required = True

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and (end - start).days + 1 > MAX_PERIOD_DAYS:
            self.add_error("date_from", _("Choose at most %(days)s days.") % {"days": MAX_PERIOD_DAYS})
        return data


class SampleForm(ScopeForm):
    """What to draw for a second review: whose approvals, where, when, how many."""

    size = forms.IntegerField(label=_("How many tasks"), min_value=1, max_value=MAX_SAMPLE, initial=20)

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", "sample-%s")
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].help_text = _("Whose approvals: a user name, exactly. Empty: anyone's.")
        self.fields["date_from"].required = self.fields["date_to"].required = True
        self.fields["date_from"].label = _("Approved from")
        if not self.is_bound:
            end = today()
            self.initial.setdefault("date_to", end)
            self.initial.setdefault("date_from", end - dt.timedelta(days=PeriodForm.DEFAULT_DAYS - 1))

    def scope(self, records: QuerySet, **kwargs) -> QuerySet:
        return super().scope(records.filter(Q(action=Action.APPROVE) & Q(outcome=Outcome.OK)), **kwargs)


class VerdictForm(forms.Form):
    """A lead's verdict on one sampled approval."""

    verdict = forms.ChoiceField(
        label=_("Verdict"),
        choices=[(Verdict.AGREED, _("Agree: the approval is right")), (Verdict.DISAGREED, _("Disagree"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when you disagree."),
    )
    disapprove = forms.BooleanField(
        label=_("Disapprove it upstream too"),
        required=False,
        help_text=_("Takes the task out of the training data, with your own Send.ai key."),
    )

    def clean(self):
        data = super().clean()
        if data.get("verdict") == Verdict.DISAGREED and not (data.get("reason") or "").strip():
            self.add_error("reason", forms.ValidationError(_("Say why you disagree."), code="no_reason"))
        if data.get("disapprove") and data.get("verdict") != Verdict.DISAGREED:
            self.add_error(
                "disapprove", forms.ValidationError(_("Only a disagreement can disapprove the task."), code="agreed")
            )
        return data
