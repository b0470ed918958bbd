"""Mail in production: SMTP from the environment by default, and a warning for a backend that
would put password-reset links in the log."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from reviewer.accounts.checks import check_mail_backend


def _setting(name: str, **env: str) -> str:
    """A setting as a fresh process with this environment reads it."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("EMAIL_")} | env
    code = f"import django; django.setup(); from django.conf import settings; print(settings.{name})"
    environ["DJANGO_SETTINGS_MODULE"] = "reviewer.settings"
    done = subprocess.run([sys.executable, "-c", code], env=environ, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_production_sends_mail_by_smtp_by_default():
    assert _setting("EMAIL_BACKEND", DEBUG="False") == "django.core.mail.backends.smtp.EmailBackend"


def test_debug_prints_mail_to_the_console():
    assert _setting("EMAIL_BACKEND", DEBUG="True") == "django.core.mail.backends.console.EmailBackend"


def test_the_environment_sets_the_smtp_server():
    assert _setting("EMAIL_HOST", DEBUG="False", EMAIL_HOST="smtp.example.com") == "smtp.example.com"
    assert _setting("EMAIL_TIMEOUT", DEBUG="False") == "10"


@pytest.mark.parametrize("backend", ["console", "locmem"])
def test_it_warns_of_a_local_backend_with_debug_off(settings, backend):
    settings.DEBUG = False
    settings.EMAIL_BACKEND = f"django.core.mail.backends.{backend}.EmailBackend"
    assert [m.id for m in check_mail_backend(None)] == ["reviewer.accounts.W001"]


def test_it_accepts_smtp_and_a_local_backend_under_debug(settings):
    settings.DEBUG = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    assert check_mail_backend(None) == []
    settings.DEBUG = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    assert check_mail_backend(None) == []
