from __future__ import annotations

import logging

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, UserCreationForm
from django.utils.translation import gettext_lazy as _

from reviewer.accounts import throttle
from reviewer.accounts.models import ID_VALIDATOR, Role
from reviewer.accounts.roles import NO_ROLE, has_role

User = get_user_model()
logger = logging.getLogger(__name__)


class ThrottledMixin:
    """A sign-in form (ours, the admin's). Throttling happens under every sign-in, in
    django-axes' backend and middleware (reviewer/accounts/throttle.py).

    A person without a role is refused once the password proved who they are (a wrong
    password says nothing about roles); the middleware refuses one signed in before.
    """

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if not has_role(user):
            raise forms.ValidationError(NO_ROLE, code="no_role")


class ThrottledAuthenticationForm(ThrottledMixin, AuthenticationForm):
    """Django's sign-in form, refused for a while after repeated failures per user name or address."""


class ThrottledAdminAuthenticationForm(ThrottledMixin, AdminAuthenticationForm):
    """The Django admin's sign-in form, throttled like ours."""


class ThrottledPasswordResetForm(PasswordResetForm):
    """Django's reset form, sending at most PASSWORD_RESET_LIMIT mails per address and
    PASSWORD_RESET_ADDRESS_LIMIT per client address in a window. The page answers the same
    whether a mail went out or not, as Django's does for an unknown address."""

    def save(self, *args, request=None, **kwargs) -> None:
        email = self.cleaned_data["email"]
        if not throttle.reset_mail_allowed(request, email):
            logger.warning("password reset: limit reached for %s from %s", email, throttle.address_of(request))
            return
        super().save(*args, request=request, **kwargs)  # a mail that fails is logged by Django


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
            raise forms.ValidationError(_("An API key has no spaces or line breaks in it."), code="whitespace")


class KeyForm(forms.Form):
    api_key = ApiKeyField(label=_("Send.ai API key"), help_text=_("Stored encrypted; never shown again."))
    team_id = forms.CharField(label=_("Default team"), max_length=128, validators=[ID_VALIDATOR])
    project_id = forms.CharField(label=_("Default project"), max_length=128, validators=[ID_VALIDATOR])


class PersonForm(forms.Form):
    email = forms.EmailField(label=_("Email"), required=False)
    role = forms.ChoiceField(
        label=_("Role"), choices=[("", _("No role (cannot sign in to any page)")), *Role.choices], required=False
    )
    team_id = forms.CharField(label=_("Default team"), max_length=128, required=False, validators=[ID_VALIDATOR])
    project_id = forms.CharField(label=_("Default project"), max_length=128, required=False, validators=[ID_VALIDATOR])
    is_active = forms.BooleanField(label=_("Active (may sign in)"), required=False)


class NewPersonForm(UserCreationForm):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.REVIEWER)

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")
