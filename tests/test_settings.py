"""Settings read from the environment, each case in a fresh Python process with a clean environment."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

# Prints the settings under test as JSON, so that each test reads what Django really loaded.
SHOW = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "SECRET_KEY": settings.SECRET_KEY,
    "DEBUG": settings.DEBUG,
    "ENGINE": settings.DATABASES["default"]["ENGINE"],
    "DATABASE": {k: settings.DATABASES["default"].get(k) for k in ("NAME", "USER", "HOST", "PORT")},
    "CACHE": settings.CACHES["default"],
    "SESSION_ENGINE": settings.SESSION_ENGINE,
    "SECURE_HSTS_SECONDS": settings.SECURE_HSTS_SECONDS,
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
}))
"""

SECRET = "test-only-secret-key-not-for-production"


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    """Run `args` in the project directory with only PATH, the settings module and `env` set."""
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DJANGO_SETTINGS_MODULE": "reviewer.settings", **env}
    return subprocess.run(args, cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60, check=False)


def show(**env: str) -> dict:
    result = run([PYTHON, "-c", SHOW], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def refusal(**env: str) -> str:
    """The last line of the traceback of a process that must fail to load the settings."""
    result = run([PYTHON, "-c", SHOW], **env)
    assert result.returncode != 0, result.stdout
    return result.stderr.strip().splitlines()[-1]


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    line = refusal()
    assert line.startswith("django.core.exceptions.ImproperlyConfigured:")
    assert "SECRET_KEY is not set" in line


def test_it_refuses_an_empty_secret_key():
    line = refusal(SECRET_KEY="")
    assert line.startswith("django.core.exceptions.ImproperlyConfigured:")
    assert "SECRET_KEY" in line


def test_it_names_the_secret_key_when_manage_py_cannot_start():
    result = run([PYTHON, "manage.py", "check"])
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in result.stderr


def test_it_uses_a_development_key_when_debug_is_on():
    loaded = show(DEBUG="True")
    assert loaded["DEBUG"] is True
    assert loaded["SECRET_KEY"]


def test_it_reads_the_secret_key_from_the_environment():
    assert show(SECRET_KEY=SECRET)["SECRET_KEY"] == SECRET


def test_it_reads_the_secret_key_from_a_file(tmp_path):
    path = tmp_path / "secret_key"
    path.write_text("key-from-a-mounted-secret-file\n")
    loaded = show(SECRET_KEY_FILE=str(path))
    assert loaded["SECRET_KEY"] == "key-from-a-mounted-secret-file"


def test_it_prefers_the_variable_to_the_file(tmp_path):
    path = tmp_path / "secret_key"
    path.write_text("key-from-the-file")
    assert show(SECRET_KEY=SECRET, SECRET_KEY_FILE=str(path))["SECRET_KEY"] == SECRET


def test_it_names_a_secret_file_that_cannot_be_read(tmp_path):
    missing = tmp_path / "no-such-file"
    line = refusal(SECRET_KEY_FILE=str(missing))
    assert line.startswith("django.core.exceptions.ImproperlyConfigured:")
    assert f"SECRET_KEY_FILE={missing} cannot be read" in line


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DEBUG", "maybe", "Unexpected value DEBUG='maybe': use True or False"),
        ("SECURE_SSL_REDIRECT", "si", "Unexpected value SECURE_SSL_REDIRECT='si': use True or False"),
        ("SECURE_HSTS_SECONDS", "one year", "Unexpected value SECURE_HSTS_SECONDS='one year': use a whole number"),
        ("SECURE_HSTS_SECONDS", "-1", "Unexpected value SECURE_HSTS_SECONDS=-1: use 0 or more"),
        ("GUNICORN_TIMEOUT", "0", "Unexpected value GUNICORN_TIMEOUT=0: use 1 or more"),
        ("SENDAI_READ_TIMEOUT", "soon", "Unexpected value SENDAI_READ_TIMEOUT='soon': use a number"),
        ("SENDAI_READ_TIMEOUT", "nan", "Unexpected value SENDAI_READ_TIMEOUT=nan: use 0.1 or more"),
        ("TRUSTED_PROXIES", "10.0.0.1,proxy.local", "TRUSTED_PROXIES: 'proxy.local' is no address or network"),
        ("LOG_FORMAT", "xml", "LOG_FORMAT must be plain or json."),
    ],
)
def test_it_names_the_variable_with_a_bad_value(name, value, message):
    line = refusal(SECRET_KEY=SECRET, **{name: value})
    assert line == f"django.core.exceptions.ImproperlyConfigured: {message}"


@pytest.mark.parametrize(("value", "expected"), [("True", True), ("yes", True), ("0", False), ("off", False)])
def test_it_reads_booleans(value, expected):
    assert show(SECRET_KEY=SECRET, DEBUG=value)["DEBUG"] is expected


def test_it_reads_integers():
    assert show(SECRET_KEY=SECRET, SECURE_HSTS_SECONDS=" 31536000 ")["SECURE_HSTS_SECONDS"] == 31536000


def test_it_uses_sqlite_without_a_database_url():
    assert show(SECRET_KEY=SECRET)["ENGINE"] == "django.db.backends.sqlite3"


def test_it_uses_postgresql_with_a_database_url():
    loaded = show(SECRET_KEY=SECRET, DATABASE_URL="postgres://reviewer:pw@db.example.com:5433/reviews")
    assert loaded["ENGINE"] == "django.db.backends.postgresql"
    assert loaded["DATABASE"] == {"NAME": "reviews", "USER": "reviewer", "HOST": "db.example.com", "PORT": 5433}


def test_it_keeps_cache_and_sessions_in_the_database_without_redis():
    """Shared by every worker: not each process's own memory (issue #13)."""
    loaded = show(SECRET_KEY=SECRET)
    assert loaded["CACHE"]["BACKEND"] == "reviewer.cache.DatabaseCache"
    assert loaded["CACHE"]["LOCATION"] == "reviewer_cache"
    assert loaded["SESSION_ENGINE"] == "django.contrib.sessions.backends.db"


def test_it_puts_cache_and_sessions_in_redis_with_a_redis_url():
    loaded = show(SECRET_KEY=SECRET, REDIS_URL="redis://cache.example.com:6379/2")
    assert loaded["CACHE"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://cache.example.com:6379/2",
    }
    assert loaded["SESSION_ENGINE"] == "django.contrib.sessions.backends.cache"


def test_it_makes_cookies_secure_by_default():
    assert show(SECRET_KEY=SECRET)["SESSION_COOKIE_SECURE"] is True


def test_it_passes_the_deployment_checks_in_the_documented_production_environment():
    """The environment of the README's Production section."""
    production = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FERNET_KEYS": Fernet.generate_key().decode(),
        "SECURE_HSTS_SECONDS": "31536000",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": "True",
        "SECURE_HSTS_PRELOAD": "True",
        "SECURE_SSL_REDIRECT": "True",
        "ALLOWED_HOSTS": "review.example.com",
        "SENDAI_API_URL": "https://api.send.ai",
    }
    result = run([PYTHON, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], **production)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_it_fails_the_deployment_checks_in_the_test_environment():
    insecure = {"SECRET_KEY": SECRET, "SECURE_COOKIES": "False", "SANDBOX_ENABLED": "True"}
    result = run([PYTHON, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], **insecure)
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W009", "security.W012", "security.W016"):
        assert warning in result.stderr
