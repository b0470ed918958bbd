"""Settings for Reviewer, read from environment variables.

One file, no split. Only a secret is required: SECRET_KEY (or DEBUG=True for
local work, or SECRET_KEY_FILE, as `make demo` and `make test` set); everything
else defaults to the embedded set-up (SQLite, the sandbox as upstream) and
production safety comes from what the environment sets. `.env.example` lists
every variable. A secret may also be given as a file: `NAME_FILE=/run/secrets/name`
is read when `NAME` is unset.
"""

from __future__ import annotations

import ipaddress
import os
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envstr(name: str, default: str = "") -> str:
    """Return `name` from the environment, or the contents of `name_FILE`."""
    if name in os.environ:
        return os.environ[name]
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text().strip()
        except OSError as e:
            raise ImproperlyConfigured(f"{name}_FILE={path} cannot be read: {e.strerror}") from e
    return default


def envbool(name: str, default: bool) -> bool:
    value = envstr(name, "").strip()
    if value == "":
        return default
    if value.lower() in ("true", "1", "yes", "on"):
        return True
    if value.lower() in ("false", "0", "no", "off"):
        return False
    raise ImproperlyConfigured(f"Unexpected value {name}={value!r}: use True or False")


def envint(name: str, default: int, *, minimum: int = 0) -> int:
    value = envstr(name, "").strip()
    if value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"Unexpected value {name}={value!r}: use a whole number") from None
    if number < minimum:
        raise ImproperlyConfigured(f"Unexpected value {name}={number}: use {minimum} or more")
    return number


def envfloat(name: str, default: float, *, minimum: float = 0.0) -> float:
    value = envstr(name, "").strip()
    if value == "":
        return default
    try:
        number = float(value)
    except ValueError:
        raise ImproperlyConfigured(f"Unexpected value {name}={value!r}: use a number") from None
    if not number >= minimum:  # also refuses NaN
        raise ImproperlyConfigured(f"Unexpected value {name}={number}: use {minimum} or more")
    return number


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in envstr(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", False)

SECRET_KEY = envstr("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY (or SECRET_KEY_FILE) to a long random "
            "string, or set DEBUG=True for local development."
        )
    SECRET_KEY = "insecure-development-key-only-used-when-DEBUG-is-on"  # noqa: S105

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
# A refused form means an ended session or a stale page: say so, in the product's look.
CSRF_FAILURE_VIEW = "reviewer.accounts.middleware.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "reviewer.accounts",
    "reviewer.front",
    "reviewer.queue",
    "reviewer.review",
    "reviewer.audit",
    "reviewer.sandbox",
    "reviewer.observability",
    "axes",
]

MIDDLEWARE = [
    # First: everything after it (and every log line) knows the request's ID.
    "reviewer.observability.requestid.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "reviewer.accounts.language.ProfileLanguageMiddleware",
    "reviewer.accounts.middleware.SignInRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so that it sees the sign-in's outcome and answers a lockout with its page.
    "axes.middleware.AxesMiddleware",
]

# What this process serves (docs: README, "Production layout for demos"): "all", the console and,
# with SANDBOX_ENABLED, the sandbox under /sandbox (the tests' single live server); "console", the
# console alone; "sandbox", the sandbox alone under /sandbox, in its own gunicorn, so that the
# console's calls to it never wait for a thread of the console's own server (`make demo`).
SERVE = envstr("SERVE", "all").strip().lower() or "all"
if SERVE not in ("all", "console", "sandbox"):
    raise ImproperlyConfigured(f"Unexpected value SERVE={SERVE!r}: use all, console or sandbox")
ROOT_URLCONF = "reviewer.sandbox_urls" if SERVE == "sandbox" else "reviewer.urls"
WSGI_APPLICATION = "reviewer.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# The embedded default is SQLite; DATABASE_URL (postgres://…) switches to PostgreSQL.
DATABASE_URL = envstr("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=envint("CONN_MAX_AGE", 60), conn_health_checks=True)
    }
    # One test database per process, so that test runs side by side do not collide.
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": envstr("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            # IMMEDIATE makes every atomic block take the write lock up front, so two
            # concurrent actions on one row serialize instead of both reading stale state;
            # a writer waits up to `timeout` seconds for the lock instead of failing at once.
            # WAL lets reads go on while a write commits (the default journal blocks every
            # commit until all reads finish, and 20 claimers then met "database is locked");
            # synchronous=NORMAL is WAL's usual, still crash-safe, setting.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
            },
            # A file, not memory, so that live-server threads each get their own connection;
            # one per process, so that test runs side by side do not collide.
            "TEST": {"NAME": str(Path(tempfile.gettempdir()) / f"reviewer-test-{os.getpid()}.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# REDIS_URL puts the cache and the sessions in Redis, shared by every instance. Without it the
# cache is a table of the database (created by migrate: accounts' migration 0008), so that what
# must be shared (action tokens, sign-in throttles, the copies of tasks: reviewer/queue/copies.py)
# is shared by every gunicorn worker, not kept apart in each one's memory.
REDIS_URL = envstr("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {
        "default": {
            "BACKEND": "reviewer.cache.DatabaseCache",
            "LOCATION": "reviewer_cache",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }

# Background work (docs/background-work.md) on Django's task framework (the django-tasks backport):
# the database backend by default, so nothing but the database is needed; RQ on Redis where
# REDIS_URL is set. `manage.py run_worker` runs the worker (and the periodic work) of either.
TASK_BACKEND = envstr("TASK_BACKEND", "rq" if REDIS_URL else "database").strip().lower()
if TASK_BACKEND == "rq":
    if not REDIS_URL:
        raise ImproperlyConfigured("TASK_BACKEND=rq needs REDIS_URL.")
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 30 * 60}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
elif TASK_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
else:
    raise ImproperlyConfigured("TASK_BACKEND must be database or rq.")
# A task that fails in a way a retry may mend is tried again this many times in all, waiting
# TASK_RETRY_DELAY seconds before the second attempt and twice as long before each next one.
TASK_MAX_ATTEMPTS = envint("TASK_MAX_ATTEMPTS", 5, minimum=1)
TASK_RETRY_DELAY = envint("TASK_RETRY_DELAY", 30, minimum=1)
# A sync with no sign of life for this long is taken to have lost its worker and is run again.
TASK_STALE_SECONDS = envint("TASK_STALE_SECONDS", 10 * 60, minimum=60)
# The periodic work the worker enqueues (reviewer/queue/periodic.py): (task, every so many seconds).
PERIODIC_TASKS = [
    ("reviewer.queue.tasks.sweep_leases", envint("LEASE_SWEEP_SECONDS", 60, minimum=1)),
    ("reviewer.queue.tasks.recover_syncs", envint("SYNC_RECOVER_SECONDS", 5 * 60, minimum=1)),
    ("reviewer.queue.tasks.prune_records", envint("PRUNE_SECONDS", 24 * 60 * 60, minimum=1)),
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "index"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 3 * 60 * 60
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sign-in throttling (django-axes, reviewer/accounts/throttle.py): after this many failures for
# one user name from one client address within the window (seconds), that pair is refused until
# the window has passed. Counted in the shared database; lockouts are listed in the admin and
# lifted there or with `manage.py axes_reset`.
LOGIN_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_FAILURE_WINDOW = envint("LOGIN_FAILURE_WINDOW", 15 * 60, minimum=1)
# Axes' backend first: it refuses a locked-out pair before any password is checked, for every
# sign-in (ours, the admin's).
# axes counts and refuses; then Django's user-and-password backend, with permissions in one query.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "reviewer.accounts.roles.PermissionsBackend"]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = "reviewer.accounts.throttle.failure_limit"
AXES_COOLOFF_TIME = "reviewer.accounts.throttle.cool_off"
AXES_USERNAME_CALLABLE = "reviewer.accounts.throttle.user_name"
AXES_CLIENT_IP_CALLABLE = "reviewer.observability.proxy.client_address"
AXES_LOCKOUT_CALLABLE = "reviewer.accounts.throttle.locked_out"
AXES_RESET_ON_SUCCESS = True
# Failures only: no row for every successful sign-in (the action log records what people do).
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

# The proxies in front of the console (addresses or networks, comma-separated, e.g.
# 10.0.0.0/8). Only a request from one of them has its X-Forwarded-For (the client's address,
# for throttling and logs) and its X-Request-ID believed; empty: none is, REMOTE_ADDR is the
# client (reviewer/observability/proxy.py).
TRUSTED_PROXIES = envlist("TRUSTED_PROXIES")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_proxy!r} is no address or network") from None

# Password-reset mails: at most this many per address, and per client address, within the window.
PASSWORD_RESET_LIMIT = envint("PASSWORD_RESET_LIMIT", 3, minimum=1)
PASSWORD_RESET_ADDRESS_LIMIT = envint("PASSWORD_RESET_ADDRESS_LIMIT", 10, minimum=1)
PASSWORD_RESET_WINDOW = envint("PASSWORD_RESET_WINDOW", 60 * 60, minimum=1)

# Mail (password resets) goes out by SMTP, except under DEBUG, where it is printed to the console.
# Outside DEBUG the console or locmem backend would put reset links in the server log or nowhere
# (system check reviewer.accounts.W001).
EMAIL_BACKEND = envstr("EMAIL_BACKEND").strip() or (
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = envstr("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 10, minimum=1)  # seconds: no outgoing call without a deadline
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "reviewer@localhost")

# Encryption of the users' Send.ai API keys: Fernet keys, newest first (the first
# encrypts, all decrypt; `manage.py rotate_api_keys` re-encrypts under the first).
# Unset: one key derived from SECRET_KEY (system check reviewer.W002 warns).
FERNET_KEYS = envlist("FERNET_KEYS")
# Whether people may set their own Send.ai API key (otherwise only admins do).
ALLOW_SELF_SERVICE_KEYS = envbool("ALLOW_SELF_SERVICE_KEYS", True)
# How reviewers' corrections reach Send.ai (docs/corrections.md): "complete" sends them with
# complete (API.md §5); "report" sends them in a report, then a plain complete, for an
# upstream whose complete takes no body; "off" hides editing.
CORRECTIONS_MODE = envstr("CORRECTIONS_MODE", "complete").strip().lower()
if CORRECTIONS_MODE not in ("complete", "report", "off"):
    raise ImproperlyConfigured("CORRECTIONS_MODE must be complete, report or off.")

# Two languages (docs/i18n.md): a signed-in person's choice (Profile.language), else the language
# cookie, else the browser's Accept-Language. Dates and numbers are formatted for the language;
# English keeps 24-hour times and ISO dates (reviewer/formats/en). Thousands are grouped only
# where a figure is shown (number_format(..., force_grouping=True), humanize's intcomma), never
# in IDs, attributes or URLs.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("nl", "Nederlands")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["reviewer.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "static-collected"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if DEBUG:
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}

# Production safety. Behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER_ENABLED.
SECURE_COOKIES = envbool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^health/$"]  # the container's health probe speaks plain http
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
if envbool("SECURE_PROXY_SSL_HEADER_ENABLED", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# The Content-Security-Policy of every page (django-csp): scripts and styles from the console's
# own origin only (no inline script, no style="" attribute: per-element values travel as
# data-style, applied by static/js/styles.js), no eval, no framing, forms only to itself. The
# one inline style is the 500 page's, which needs no static file, allowed by its hash
# (tests/test_csp.py keeps the two in step). A response that sets its own policy keeps it
# (the page images' stricter one).
ERROR_PAGE_STYLE_HASH = "'sha256-CBnFz+b4yg/rLaTkoWGHRChBkZlWgVCJc75WL1/Y5YQ='"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", ERROR_PAGE_STYLE_HASH],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = envlist("SILENCED_SYSTEM_CHECKS")

# The Send.ai v2 API that the console talks to. By default the embedded sandbox.
SENDAI_API_URL = envstr("SENDAI_API_URL", "http://127.0.0.1:8000/sandbox").rstrip("/")
SENDAI_CONNECT_TIMEOUT = envfloat("SENDAI_CONNECT_TIMEOUT", 3.05, minimum=0.1)
SENDAI_READ_TIMEOUT = envfloat("SENDAI_READ_TIMEOUT", 10.0, minimum=0.1)
GUNICORN_TIMEOUT = envint("GUNICORN_TIMEOUT", 30, minimum=1)
GUNICORN_THREADS = envint("GUNICORN_THREADS", 8, minimum=1)
# How many requests of one process may wait on Send.ai at once; the rest are answered at once
# ("try again in a moment"), so that a hung upstream leaves threads for /health/ and the pages
# that need no Send.ai (system check reviewer.E007).
SENDAI_MAX_WAITING = envint("SENDAI_MAX_WAITING", max(1, GUNICORN_THREADS - 2), minimum=1)

# The work queue. A claim on a task lasts this long unless the task page renews it.
QUEUE_LEASE_SECONDS = envint("QUEUE_LEASE_SECONDS", 600, minimum=30)
# Whose Send.ai key lists an upload's tasks when a notification event announces it.
QUEUE_SYNC_USER = envstr("QUEUE_SYNC_USER")
# The webhook receiver for Send.ai notification events: each is signed with this shared secret
# (X-Sendai-Signature, docs/webhooks.md). Empty: the receiver answers 503.
WEBHOOK_SECRET = envstr("WEBHOOK_SECRET")

# The action log: records older than this many days are deleted by `manage.py prune_records`,
# which the worker runs daily (PRUNE_SECONDS); nothing else ever deletes one. 0 keeps every record forever.
RECORD_RETENTION_DAYS = envint("RECORD_RETENTION_DAYS", 0)

# The sandbox: a local implementation of the Send.ai v2 Task API under /sandbox.
SANDBOX_ENABLED = envbool("SANDBOX_ENABLED", False)
if SERVE == "sandbox" and not SANDBOX_ENABLED:
    raise ImproperlyConfigured("SERVE=sandbox needs SANDBOX_ENABLED=True.")
SANDBOX_PROCESSING_DELAY = envfloat("SANDBOX_PROCESSING_DELAY", 5.0)
SANDBOX_REPORT_HOOK_URL = envstr("SANDBOX_REPORT_HOOK_URL")
SANDBOX_WEBHOOK_URL = envstr("SANDBOX_WEBHOOK_URL")
SANDBOX_WEBHOOK_SECRET = envstr("SANDBOX_WEBHOOK_SECRET")
SANDBOX_OUTGOING_TIMEOUT = envfloat("SANDBOX_OUTGOING_TIMEOUT", 3.0, minimum=0.1)
if SANDBOX_ENABLED:  # events whose delivery is still owed, tried again by the worker
    PERIODIC_TASKS.append(("reviewer.sandbox.tasks.deliver_pending", envint("SANDBOX_REDELIVER_SECONDS", 5 * 60)))

# Logs go to stderr, each line with the request's ID (and the client's address): plain text, or
# JSON objects one a line with LOG_FORMAT=json (reviewer/observability/logs.py).
LOG_FORMAT = envstr("LOG_FORMAT", "plain").strip().lower()
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured("LOG_FORMAT must be plain or json.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "reviewer.observability.requestid.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s [request_id=%(request_id)s]"},
        "json": {"()": "reviewer.observability.logs.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # Axes tells of every sign-in at INFO; its lockouts are warnings.
        "axes": {"level": "WARNING"},
    },
}

# Error reporting: with SENTRY_DSN set, unhandled errors go to Sentry, with API keys, cookies
# and Authorization headers scrubbed (reviewer/observability/errors.py). Empty: stderr only.
SENTRY_DSN = envstr("SENTRY_DSN")
SENTRY_ENVIRONMENT = envstr("SENTRY_ENVIRONMENT")
SENTRY_RELEASE = envstr("SENTRY_RELEASE")
SENTRY_TRACES_SAMPLE_RATE = envfloat("SENTRY_TRACES_SAMPLE_RATE", 0.0)
