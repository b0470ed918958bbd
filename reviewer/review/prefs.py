"""A person's view settings on the review screen: threshold, sort order, shown kinds, zoom mode.

They live in Profile.review_prefs, written by the screen's script through one POST
(`views.view_prefs`) as the person changes them, and applied when a task page renders; a
query parameter (?threshold=, ?order=) still wins over them. What is read back is checked
again, so a value stored by an older version can never break the page.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from reviewer.review.overlays import KINDS

ORDERS = ("page", "confidence")
ZOOMS = ("width", "page")
KIND_NAMES = tuple(k for k, _label in KINDS)
FIELDS = ("threshold", "order", "kinds", "zoom")
DEFAULTS = {"threshold": 0.8, "order": "page", "kinds": list(KIND_NAMES), "zoom": "width"}


class PrefsForm(forms.Form):
    """Only the posted fields are changed; `kinds` is a comma-separated list of the kinds shown."""

    threshold = forms.FloatField(min_value=0, max_value=1, required=False)
    order = forms.ChoiceField(choices=[(o, o) for o in ORDERS], required=False)
    kinds = forms.CharField(required=False, max_length=100)
    zoom = forms.ChoiceField(choices=[(z, z) for z in ZOOMS], required=False)

    def clean_kinds(self) -> list[str] | None:
        if "kinds" not in self.data:
            return None
        names = [k for k in self.cleaned_data["kinds"].split(",") if k]
        unknown = sorted(set(names) - set(KIND_NAMES))
        if unknown:
            raise forms.ValidationError(
                _("Unknown kind %(kinds)s: choose from %(known)s.")
                % {"kinds": ", ".join(unknown), "known": ", ".join(KIND_NAMES)},
                code="unknown",
            )
        return [k for k in KIND_NAMES if k in names]

    def clean(self):
        data = super().clean()
        if not any(name in self.data for name in FIELDS):
            raise forms.ValidationError(
                _("Send at least one of: %(fields)s.") % {"fields": ", ".join(FIELDS)}, code="empty"
            )
        return data

    def posted(self) -> dict:
        """The cleaned values of the fields that were posted."""
        return {name: self.cleaned_data[name] for name in FIELDS if name in self.data}

    def error_text(self) -> str:
        parts = [
            " ".join(errors) if name == "__all__" else f"{name}: {' '.join(errors)}"
            for name, errors in self.errors.items()
        ]
        return " ".join(parts)


def read(stored) -> dict:
    """The person's view settings: what they saved, where it is still valid, else the defaults."""
    stored = stored if isinstance(stored, dict) else {}
    out = dict(DEFAULTS)
    threshold = stored.get("threshold")
    if isinstance(threshold, int | float) and not isinstance(threshold, bool) and 0 <= threshold <= 1:
        out["threshold"] = float(threshold)
    if stored.get("order") in ORDERS:
        out["order"] = stored["order"]
    kinds = stored.get("kinds")
    if isinstance(kinds, list) and all(isinstance(k, str) for k in kinds):
        out["kinds"] = [k for k in KIND_NAMES if k in kinds]
    if stored.get("zoom") in ZOOMS:
        out["zoom"] = stored["zoom"]
    return out
