"""Sign-in throttling (django-axes) and the password-reset mail limit.

Sign-in: django-axes counts failures per user name *and* client address together
(AXES_LOCKOUT_PARAMETERS), in the database that every instance shares, and refuses that pair
for LOGIN_FAILURE_WINDOW seconds after LOGIN_FAILURE_LIMIT failures. Its authentication
backend stands in front of Django's, so every sign-in is covered: ours and the Django admin's.
The client's address is read through the trusted proxies (reviewer.observability.proxy), so
behind a load balancer one person's guesses lock out only that person from that address.
Admins see the lockouts in the admin (Axes → access attempts) and lift them there or with
``manage.py axes_reset`` (``--username``, ``--ip``).

Password-reset mails: counted in the cache (Redis in production, shared by every instance)
per mail address and per client address, each window starting at the first mail.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import ngettext

from reviewer.observability.proxy import client_address


def address_of(request) -> str:
    return client_address(request)


# --- django-axes hooks (named in settings) ---------------------------------------------------


def failure_limit(request: HttpRequest | None, credentials: dict | None) -> int:
    return settings.LOGIN_FAILURE_LIMIT


def cool_off(request: HttpRequest | None) -> timedelta:
    return timedelta(seconds=settings.LOGIN_FAILURE_WINDOW)


def user_name(request: HttpRequest | None, credentials: dict | None) -> str:
    """The name as counted: trimmed and lower-cased, so "Rita " and "rita" share one counter."""
    name = (credentials or {}).get("username")
    if name is None and request is not None:
        name = request.POST.get("username")
    return (name or "").strip().lower()


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """The page shown instead of the sign-in form (ours or the admin's) while locked out: 429."""
    minutes = max(1, -(-settings.LOGIN_FAILURE_WINDOW // 60))
    message = ngettext(
        "Too many failed sign-ins. Wait %(minutes)d minute, then try again.",
        "Too many failed sign-ins. Wait %(minutes)d minutes, then try again.",
        minutes,
    ) % {"minutes": minutes}
    return render(request, "accounts/locked_out.html", {"message": message}, status=429)


# --- password-reset mails ------------------------------------------------------------------


def _keys(kind: str, name: str, request) -> list[str]:
    return [f"{kind}:name:{(name or '').strip().lower()}", f"{kind}:addr:{address_of(request)}"]


def exceeded(kind: str, name: str, request, limit: int, address_limit: int | None = None) -> bool:
    """Whether the name has reached `limit`, or the address `address_limit` (default: the same),
    within the current window."""
    by_name, by_address = (cache.get(key) or 0 for key in _keys(kind, name, request))
    return by_name >= limit or by_address >= (limit if address_limit is None else address_limit)


def count(kind: str, name: str, request, window: int) -> None:
    for key in _keys(kind, name, request):
        cache.add(key, 0, timeout=window)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window)


def reset_mail_allowed(request, email: str) -> bool:
    """Whether one more password-reset mail may go to `email` for this client; counts it if so.

    Counted whether or not the address belongs to anyone, so the limit tells nothing either.
    """
    limits = (settings.PASSWORD_RESET_LIMIT, settings.PASSWORD_RESET_ADDRESS_LIMIT)
    if exceeded("reset-mails", email, request, *limits):
        return False
    count("reset-mails", email, request, settings.PASSWORD_RESET_WINDOW)
    return True
