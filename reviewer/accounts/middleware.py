"""Sign-in required, also for the requests a page makes by itself.

Django's LoginRequiredMiddleware answers a signed-out request with a redirect to the sign-in
page. For a full page that is right; for an htmx request or a script's JSON request it would
draw the sign-in page inside the task panel, or hand a script HTML it cannot read. Those get a
401 instead, which says so and names the sign-in page (with `next` set to the page the person
is on), and htmx is told not to swap anything: what was typed stays where it was.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render, resolve_url
from django.urls import Resolver404, resolve
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django_htmx.http import reswap, trigger_client_event

from reviewer.accounts.roles import NO_ROLE, has_role

SIGNED_OUT = _("Your session has ended: sign in again to go on. Nothing you typed is lost.")
STALE = _(
    "This page is out of date (you signed in again elsewhere, or cookies were cleared): "
    "reload it to go on. Nothing you typed is lost."
)


def _scripted(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False)) or "application/json" in request.headers.get("Accept", "")


def page_of(request: HttpRequest) -> str:
    """The page a request was made from, as a local path, or "" when it is not ours.

    A form's POST, or a script's request, must not become the `next` of the sign-in page:
    signing in would then GET an address that only takes POST, or a fragment. The page the
    person was on is what they come back to.
    """
    if request.method in ("GET", "HEAD") and not _scripted(request):
        return request.get_full_path()
    page = request.headers.get("HX-Current-URL") or request.headers.get("Referer") or ""
    if not url_has_allowed_host_and_scheme(page, allowed_hosts={request.get_host()}):
        return ""
    parts = urlsplit(page)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _scripted_answer(status: int, message: str, url: str, **extra) -> HttpResponse:
    """Tell a script what happened without swapping anything: what was typed stays."""
    message = str(message)  # in the request's language
    response = JsonResponse({"error": message, "login_url": url, **extra}, status=status)
    reswap(response, "none")
    return trigger_client_event(response, "reviewer:signed-out", {"login_url": url, "message": message, **extra})


def signed_out(request: HttpRequest) -> HttpResponse:
    """The answer to a request that needs a sign-in: a script is told, a page is sent to sign in."""
    login = redirect_to_login(page_of(request) or "/", resolve_url(settings.LOGIN_URL))
    if _scripted(request):
        return _scripted_answer(401, SIGNED_OUT, login["Location"], signed_out=True)
    return login


class SignInRequiredMiddleware(LoginRequiredMiddleware):
    """Sign-in required, and a role: a person whose role was taken away while signed in gets
    403 on every page that needs a sign-in, except signing out (the sign-in form refuses
    such a person in the first place, forms.ThrottledMixin)."""

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        if (
            request.user.is_authenticated
            and getattr(view_func, "login_required", True)
            and request.resolver_match.view_name != "logout"
            and not has_role(request.user)
        ):
            raise PermissionDenied(NO_ROLE)
        return super().process_view(request, view_func, view_args, view_kwargs)

    def handle_no_permission(self, request: HttpRequest, view_func) -> HttpResponse:
        return signed_out(request)


def _needs_sign_in(request: HttpRequest) -> bool:
    try:
        view = resolve(request.path_info).func
    except Resolver404:
        return True
    return getattr(view, "login_required", True)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a refused form is the symptom of an ended session or a stale page.

    With the cookies cleared the person is signed out too, and the CSRF check (which runs
    first) would answer a bare 403: they are sent to sign in as anywhere else. A signed-in
    person's stale page is told to reload, in the page's own look, or by an event for a script.
    """
    if not request.user.is_authenticated and _needs_sign_in(request):
        return signed_out(request)
    page = page_of(request) or "/"
    if _scripted(request):
        return _scripted_answer(403, STALE, page, stale=True)
    return render(request, "403_csrf.html", {"page": page}, status=403)
