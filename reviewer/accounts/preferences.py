"""A person's look and language: the form that the top bar's switches and My account post.

Each switch posts only its own field; a field that is not posted is left as it was, so the
theme switch never changes the language. `auto_advance` is a checkbox: its form posts a
hidden "off" before the box's "on", and the last value wins.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from reviewer.accounts.models import Theme

FIELDS = ("theme", "language", "auto_advance")


def languages() -> list[tuple[str, str]]:
    """The languages a person may choose: the ones the settings name (LANGUAGES)."""
    return list(settings.LANGUAGES)


def _language_choices() -> list[tuple[str, str]]:
    return [("", _("As the browser")), *languages()]


class PreferencesForm(forms.Form):
    theme = forms.ChoiceField(choices=Theme.choices, required=False)
    language = forms.ChoiceField(choices=_language_choices, required=False)
    auto_advance = forms.ChoiceField(choices=[("on", "on"), ("off", "off")], required=False)

    def clean(self):
        data = super().clean()
        if not any(name in self.data for name in FIELDS):
            raise forms.ValidationError(_("Choose a theme or a language to change."), code="empty")
        return data

    def posted(self) -> dict:
        """The cleaned values of the fields that were posted, as the Profile stores them."""
        values = {name: self.cleaned_data[name] for name in FIELDS if name in self.data}
        if "auto_advance" in values:
            values["auto_advance"] = values["auto_advance"] == "on"
        return values
