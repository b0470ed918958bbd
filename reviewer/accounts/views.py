"""Sign-in, one's own account and key, and the admins' people pages.

Access to people is checked in one place, `_person()` / `_people_admin()`,
called first in every view of that resource.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from reviewer.accounts import verify as verification
from reviewer.accounts.forms import (
    KeyForm,
    NewPersonForm,
    PersonForm,
    ThrottledAuthenticationForm,
    ThrottledPasswordResetForm,
)
from reviewer.accounts.models import KeyEvent, KeyState, Profile, Role, Theme
from reviewer.accounts.preferences import PreferencesForm
from reviewer.accounts.roles import profile_of, role_of, set_role

User = get_user_model()


class LoginView(auth_views.LoginView):
    """Django's sign-in page; a signed-in person is sent on to `next`, or, when `next` is the
    sign-in page itself (which Django refuses as a loop, with a 500), to the start page."""

    form_class = ThrottledAuthenticationForm
    redirect_authenticated_user = True

    def get_redirect_url(self) -> str:
        url = super().get_redirect_url()
        return "" if url and urlsplit(url).path == self.request.path else url


login = LoginView.as_view()
password_reset = auth_views.PasswordResetView.as_view(form_class=ThrottledPasswordResetForm)


def _people_admin(request: HttpRequest) -> None:
    if not request.user.has_perm("accounts.manage_people"):
        raise PermissionDenied(_("Only admins manage people and their keys."))


def _person(request: HttpRequest, user_id: int):
    """The user `user_id`, for an admin; 403 for anyone else, 404 if there is none."""
    _people_admin(request)
    return get_object_or_404(User, pk=user_id)


def _own_keys_allowed(request: HttpRequest) -> None:
    if not settings.ALLOW_SELF_SERVICE_KEYS and not request.user.has_perm("accounts.manage_people"):
        raise PermissionDenied(_("Only an admin can set your Send.ai API key."))


def _save_key(request: HttpRequest, user, form: KeyForm) -> bool:
    """Store the form's key once Send.ai has checked it. A key that Send.ai rejects is never
    stored, and one it could not check does not replace a key that works: the old key stays,
    the reason goes on the form (never the typed key) and into the key history, and this
    answers False. True when the key was stored, with its verdict."""
    profile = profile_of(user)
    raw = form.cleaned_data["api_key"]
    verdict = verification.check_key(raw, form.cleaned_data["team_id"], form.cleaned_data["project_id"])
    works = profile.has_key and profile.key_state in (KeyState.VERIFIED, KeyState.READ_ONLY)
    if verdict.state == KeyState.REJECTED or (verdict.state is None and works):
        if profile.has_key:
            kept = _("The key ending in %(last4)s was kept.") % {"last4": profile.key_last4}
        else:
            kept = _("No key was stored.")
        refusal = f"{verdict.sentence} {kept}"
        KeyEvent.record(request.user, user, KeyEvent.Action.REFUSED, refusal[:200])
        form.add_error("api_key", refusal)
        return False
    replaced = profile.has_key
    action = KeyEvent.Action.REPLACED if replaced else KeyEvent.Action.SET
    with transaction.atomic():
        profile.set_key(raw, by=request.user)
        profile.team_id = form.cleaned_data["team_id"]
        profile.project_id = form.cleaned_data["project_id"]
        if verdict.state:
            profile.key_state, profile.key_checked_at = verdict.state, timezone.now()
        profile.save()
        KeyEvent.record(request.user, user, action)
        KeyEvent.record(request.user, user, KeyEvent.Action.VERIFIED, verdict.sentence[:200])
    if replaced:
        saved = _("Key replaced (ending in %(last4)s).") % {"last4": profile.key_last4}
    else:
        saved = _("Key set (ending in %(last4)s).") % {"last4": profile.key_last4}
    messages.info(request, f"{saved} {verdict.sentence}")
    return True


@require_GET
def people(request: HttpRequest) -> HttpResponse:
    _people_admin(request)
    users = User.objects.order_by("username").select_related("profile").prefetch_related("groups")
    # The role's name in the page's language (Role.label), empty for who has none.
    rows = [(u, profile_of(u), Role(r).label if (r := role_of(u)) else "") for u in users]
    return render(request, "accounts/people.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
def person_new(request: HttpRequest) -> HttpResponse:
    _people_admin(request)
    form = NewPersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save()
            set_role(user, form.cleaned_data["role"])
            profile_of(user)
        messages.success(request, _("%(username)s can now sign in.") % {"username": user.username})
        return redirect("person", user_id=user.pk)
    return render(request, "accounts/person_new.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def person(request: HttpRequest, user_id: int) -> HttpResponse:
    user = _person(request, user_id)
    profile = profile_of(user)
    initial = _person_initial(user)
    form = PersonForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if user == request.user and (form.cleaned_data["role"] != "admin" or not form.cleaned_data["is_active"]):
            form.add_error(None, _("You cannot take away your own admin role or deactivate yourself."))
        else:
            with transaction.atomic():
                user.email = form.cleaned_data["email"]
                user.is_active = form.cleaned_data["is_active"]
                user.save(update_fields=["email", "is_active"])
                set_role(user, form.cleaned_data["role"] or None)
                profile.team_id = form.cleaned_data["team_id"]
                profile.project_id = form.cleaned_data["project_id"]
                profile.save(update_fields=["team_id", "project_id"])
            messages.success(request, _("Saved %(username)s.") % {"username": user.username})
            return redirect("person", user_id=user.pk)
    return _person_page(request, user, form, KeyForm(initial=initial))


def _person_page(request: HttpRequest, user, form: PersonForm, key_form: KeyForm) -> HttpResponse:
    context = {
        "person": user,
        "profile": profile_of(user),
        "form": form,
        "key_form": key_form,
        "events": KeyEvent.objects.filter(subject=user)[:50],
    }
    return render(request, "accounts/person.html", context, status=400 if form.errors or key_form.errors else 200)


def _person_initial(user) -> dict:
    profile = profile_of(user)
    return {
        "email": user.email,
        "role": role_of(user) or "",
        "team_id": profile.team_id,
        "project_id": profile.project_id,
        "is_active": user.is_active,
    }


@require_POST
def person_key(request: HttpRequest, user_id: int) -> HttpResponse:
    user = _person(request, user_id)
    form = KeyForm(request.POST)
    if not form.is_valid() or not _save_key(request, user, form):
        return _person_page(request, user, PersonForm(initial=_person_initial(user)), form)
    return redirect("person", user_id=user.pk)


@require_http_methods(["GET", "POST"])
def person_key_revoke(request: HttpRequest, user_id: int) -> HttpResponse:
    user = _person(request, user_id)
    return _revoke(request, user, reverse("person", args=[user.pk]))


@require_POST
def person_key_verify(request: HttpRequest, user_id: int) -> HttpResponse:
    user = _person(request, user_id)
    verdict = verification.verify(profile_of(user), request.user)
    messages.info(request, verdict.sentence)
    return redirect("person", user_id=user.pk)


def _revoke(request: HttpRequest, user, back: str) -> HttpResponse:
    """Remove the key after a confirm step: GET asks, a POST with confirm=yes removes it, and a
    POST without (an old page's one-click form) asks again, saying that nothing was removed."""
    profile = profile_of(user)
    if not profile.has_key:
        messages.info(request, _("There was no key to revoke."))
        return redirect(back)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        with transaction.atomic():
            profile.revoke_key()
            profile.save()
            KeyEvent.record(request.user, user, KeyEvent.Action.REVOKED)
        messages.success(request, _("The key was removed from Reviewer. Revoke it in Send.ai too if it leaked."))
        return redirect(back)
    error = _("Nothing was revoked yet: confirm with the button below.") if request.method == "POST" else ""
    context = {"person": user, "profile": profile, "own": user == request.user, "back": back, "error": error}
    return render(request, "accounts/key_revoke.html", context, status=400 if error else 200)


@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    profile: Profile = profile_of(request.user)
    form = KeyForm(request.POST or None, initial={"team_id": profile.team_id, "project_id": profile.project_id})
    if request.method == "POST":
        _own_keys_allowed(request)
        if form.is_valid() and _save_key(request, request.user, form):
            return redirect("account")
    return _account_page(request, form, PreferencesForm())


def _account_page(
    request: HttpRequest, key_form: KeyForm, prefs_form: PreferencesForm, template: str = ""
) -> HttpResponse:
    profile = profile_of(request.user)
    context = {
        "profile": profile,
        "key_form": key_form,
        "prefs_form": prefs_form,
        "theme_choices": Theme.choices,
        "self_service": settings.ALLOW_SELF_SERVICE_KEYS or request.user.has_perm("accounts.manage_people"),
        "events": KeyEvent.objects.filter(subject=request.user)[:20],
    }
    status = 400 if key_form.errors or prefs_form.errors else 200
    return render(request, "accounts/account.html" + template, context, status=status)


def _back(request: HttpRequest) -> str:
    """Where a preferences form came from (its `next`), if that is a page of this site."""
    page = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(page, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return page
    return resolve_url("account")


@require_POST
def account_preferences(request: HttpRequest) -> HttpResponse:
    """Theme, language and moving on by oneself: what was posted is saved, the rest kept."""
    form = PreferencesForm(request.POST)
    if not form.is_valid():
        return _account_page(request, KeyForm(), form, "#preferences" if request.htmx else "")
    profile = profile_of(request.user)
    values = form.posted()
    for name, value in values.items():
        setattr(profile, name, value)
    profile.save(update_fields=list(values))
    messages.success(request, _("Saved your preferences."))
    response = HttpResponseClientRefresh() if request.htmx else redirect(_back(request))
    if "language" in values:
        _set_language_cookie(response, values["language"])
    return response


def _set_language_cookie(response: HttpResponse, language: str) -> None:
    """Django's language cookie, as its set_language view sets it; none means "as the browser"."""
    if not language:
        response.delete_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
        return
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


@require_POST
def account_key_verify(request: HttpRequest) -> HttpResponse:
    verdict = verification.verify(profile_of(request.user), request.user)
    messages.info(request, verdict.sentence)
    return redirect("account")


@require_http_methods(["GET", "POST"])
def account_key_revoke(request: HttpRequest) -> HttpResponse:
    _own_keys_allowed(request)
    return _revoke(request, request.user, reverse("account"))
