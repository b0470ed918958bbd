from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.core.cache import cache

from reviewer.accounts.models import ID_VALIDATOR, Role

User = get_user_model()


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's sign-in form, refused for a while after repeated failures.

    Failures are counted in the cache (Redis in production, so every instance
    shares them) per user name and per client address.
    """

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": "Too many failed sign-ins. Wait %(minutes)d minutes, then try again.",
    }

    def _counters(self) -> list[str]:
        username = (self.data.get("username") or "").strip().lower()
        address = self.request.META.get("REMOTE_ADDR", "") if self.request else ""
        return [f"login-failures:user:{username}", f"login-failures:addr:{address}"]

    def clean(self):
        counters = self._counters()
        if any((cache.get(c) or 0) >= settings.LOGIN_FAILURE_LIMIT for c in counters):
            raise forms.ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"minutes": max(1, settings.LOGIN_FAILURE_WINDOW // 60)},
            )
        try:
            return super().clean()
        except forms.ValidationError:
            for counter in counters:
                cache.add(counter, 0, timeout=settings.LOGIN_FAILURE_WINDOW)
                try:
                    cache.incr(counter)
                except ValueError:  # expired between add and incr
                    cache.set(counter, 1, timeout=settings.LOGIN_FAILURE_WINDOW)
            raise


class ApiKeyField(forms.CharField):
    """A write-only field: never rendered back into the page."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("widget", forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}))
        kwargs.setdefault("min_length", 8)
        kwargs.setdefault("max_length", 512)
        super().__init__(**kwargs)

    def validate(self, value: str) -> None:
        super().validate(value)
        if value and any(c.isspace() for c in value):
            raise forms.ValidationError("An API key has no spaces or line breaks in it.", code="whitespace")


class KeyForm(forms.Form):
    api_key = ApiKeyField(label="Send.ai API key", help_text="Stored encrypted; never shown again.")
    team_id = forms.CharField(label="Default team", max_length=128, validators=[ID_VALIDATOR])
    project_id = forms.CharField(label="Default project", max_length=128, validators=[ID_VALIDATOR])


class PersonForm(forms.Form):
    email = forms.EmailField(required=False)
    role = forms.ChoiceField(choices=[("", "No role (cannot sign in to any page)"), *Role.choices], required=False)
    team_id = forms.CharField(label="Default team", max_length=128, required=False, validators=[ID_VALIDATOR])
    project_id = forms.CharField(label="Default project", max_length=128, required=False, validators=[ID_VALIDATOR])
    is_active = forms.BooleanField(label="Active (may sign in)", required=False)


class NewPersonForm(UserCreationForm):
    role = forms.ChoiceField(choices=Role.choices, initial=Role.REVIEWER)

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")
