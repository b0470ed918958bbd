"""The language of a page: the signed-in person's choice, else the cookie, else the browser.

Django's LocaleMiddleware (before this one) has already picked the language from the language
cookie or the browser's Accept-Language. A signed-in person who chose a language in their
account (Profile.language, "" meaning "as the browser") gets that one instead, on every device.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation

from reviewer.accounts.roles import profile_of

LANGUAGE_CODES = frozenset(code for code, _ in settings.LANGUAGES)


class ProfileLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            chosen = profile_of(user).language
            if chosen in LANGUAGE_CODES:
                translation.activate(chosen)
                request.LANGUAGE_CODE = chosen
        return self.get_response(request)
