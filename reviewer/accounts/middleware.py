"""Sign-in required, also for the requests a page makes by itself.

Django's LoginRequiredMiddleware answers a signed-out request with a redirect to the sign-in
page. For a full page that is right; for an htmx request or a script's JSON request it would
draw the sign-in page inside the task panel, or hand a script HTML it cannot read. Those get a
401 instead, which says so and names the sign-in page (with `next` set to the page the person
is on), and htmx is told not to swap anything: what was typed stays where it was.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import reswap, trigger_client_event

SIGNED_OUT = "Your session has ended: sign in again to go on. Nothing you typed is lost."


class SignInRequiredMiddleware(LoginRequiredMiddleware):
    def handle_no_permission(self, request: HttpRequest, view_func) -> HttpResponse:
        scripted = getattr(request, "htmx", False) or "application/json" in request.headers.get("Accept", "")
        if not scripted:
            return super().handle_no_permission(request, view_func)
        page = request.headers.get("HX-Current-URL") or request.headers.get("Referer") or ""
        if not url_has_allowed_host_and_scheme(page, allowed_hosts={request.get_host()}):
            page = ""
        parts = urlsplit(page)
        page = parts.path + (f"?{parts.query}" if parts.query else "")
        login = redirect_to_login(page or "/", resolve_url(self.get_login_url(view_func)))["Location"]
        response = JsonResponse({"error": SIGNED_OUT, "signed_out": True, "login_url": login}, status=401)
        reswap(response, "none")
        return trigger_client_event(response, "reviewer:signed-out", {"login_url": login, "message": SIGNED_OUT})
