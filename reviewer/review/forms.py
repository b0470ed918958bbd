from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reviewer import sendai
from reviewer.review.models import IssueType

OTHER = "other"


def issue_types() -> list[sendai.Issue]:
    """The contract's five common issue types, then the ones an admin added."""
    extra = IssueType.objects.filter(active=True).order_by("label")
    common = {i.value for i in sendai.COMMON_ISSUES}
    return [*sendai.COMMON_ISSUES, *(sendai.Issue(t.label, t.value) for t in extra if t.value not in common)]


def shown_label(issue: sendai.Issue) -> str:
    """An issue's label in the reviewer's language: the contract's five are translated (their
    English label is what Send.ai receives); an admin's own are shown as the admin wrote them."""
    return _(issue.label) if issue in sendai.COMMON_ISSUES else issue.label


class ReportForm(forms.Form):
    issues = forms.MultipleChoiceField(
        label=gettext_lazy("Issues"), required=False, widget=forms.CheckboxSelectMultiple, choices=()
    )
    other = forms.CharField(
        label=gettext_lazy("Other issue"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("Describe an issue that is not in the list."),
    )
    message = forms.CharField(
        label=gettext_lazy("Message"), required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._types = issue_types()
        self.fields["issues"].choices = [(t.value, shown_label(t)) for t in self._types]

    def clean(self):
        data = super().clean()
        if not data.get("issues") and not (data.get("other") or "").strip():
            raise forms.ValidationError(_("Choose at least one issue, or describe another one."), code="no_issue")
        return data

    def chosen_issues(self) -> list[sendai.Issue]:
        chosen = set(self.cleaned_data["issues"])
        out = [t for t in self._types if t.value in chosen]
        other = self.cleaned_data["other"].strip()
        if other:
            out.append(sendai.Issue(other, OTHER))
        return out

    def error_list(self) -> list[str]:
        return [str(e) for errors in self.errors.values() for e in errors]


class IssueTypeForm(forms.ModelForm):
    class Meta:
        model = IssueType
        fields = ("label", "value")
        labels = {"label": gettext_lazy("Label"), "value": gettext_lazy("Code")}
        help_texts = {"value": gettext_lazy("The machine-readable code sent to Send.ai: letters, digits, '-' and '_'.")}

    def clean_value(self):
        value = self.cleaned_data["value"]
        if value in {i.value for i in sendai.COMMON_ISSUES} or value == OTHER:
            raise forms.ValidationError(_("That code is one of the built-in issue types."), code="builtin")
        return value
