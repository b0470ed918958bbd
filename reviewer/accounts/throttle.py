"""Counting failures in the cache, per name and per client address, and refusing for a while.

One mechanism for every sign-in (ours and the Django admin's, through the authentication
backend below) and for password-reset mails. The counters live in the cache: Redis in
production, so every instance shares them. A window starts at the first failure and is not
extended by later ones.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied

from reviewer.accounts.roles import permissions_of


def address_of(request) -> str:
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""


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


def sign_in_throttled(request, username: str) -> bool:
    return exceeded("login-failures", username, request, settings.LOGIN_FAILURE_LIMIT)


def reset_mail_allowed(request, email: str) -> bool:
    """Whether one more password-reset mail may go to `email` for this client; counts it if so.

    Counted whether or not the address belongs to anyone, so the limit tells nothing either.
    """
    limits = (settings.PASSWORD_RESET_LIMIT, settings.PASSWORD_RESET_ADDRESS_LIMIT)
    if exceeded("reset-mails", email, request, *limits):
        return False
    count("reset-mails", email, request, settings.PASSWORD_RESET_WINDOW)
    return True


class ThrottledModelBackend(ModelBackend):
    """Django's user-and-password backend, refused after LOGIN_FAILURE_LIMIT failures.

    Every sign-in goes through `authenticate()`, so the console's form and the admin's are
    throttled alike. While throttled, even the right password is refused (PermissionDenied
    stops `authenticate()` from asking any other backend).
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        name = username if username is not None else kwargs.get(get_user_model().USERNAME_FIELD, "")
        if sign_in_throttled(request, name):
            raise PermissionDenied("Too many failed sign-ins.")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            count("login-failures", name, request, settings.LOGIN_FAILURE_WINDOW)
        return user

    def get_all_permissions(self, user_obj, obj=None):
        """As ModelBackend's, in one query instead of two (a permission check on every request)."""
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        return permissions_of(user_obj)
