"""/ready/: whether this instance can serve, checking what it depends on.

/health/ (reviewer/front) says the process answers; /ready/ says its database, its cache and
its task backend do. Each check is one small function in CHECKS, raising on failure; the
answer lists each one's outcome (no detail that could leak a setting), 200 when all pass, 503
otherwise.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


class Skipped(Exception):  # noqa: N818 (an outcome, not an error)
    """The check does not apply to this configuration."""


def database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def cache_round_trip() -> None:
    key, value = f"ready:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, timeout=10)
    try:
        if cache.get(key) != value:
            raise RuntimeError("the cache did not give back what was stored")
    finally:
        cache.delete(key)


def task_backend() -> None:
    """The default backend of Django's task framework (django-tasks), when one is configured:
    its configuration checks pass, and its store answers (the database backend's table, RQ's Redis)."""
    if not getattr(settings, "TASKS", None) or importlib.util.find_spec("django_tasks") is None:
        raise Skipped
    from django_tasks import task_backends

    backend = task_backends["default"]
    serious = [message for message in backend.check() if message.is_serious()]
    if serious:
        raise RuntimeError(f"{len(serious)} configuration errors")
    module = type(backend).__module__
    if module.startswith("django_tasks_db"):
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.exists()
    elif module.startswith("django_tasks_rq"):
        import django_rq

        for queue in backend.queues:
            django_rq.get_connection(queue).ping()


CHECKS: dict[str, Callable[[], None]] = {"database": database, "cache": cache_round_trip, "tasks": task_backend}


@login_not_required
@never_cache
@require_GET
def ready(request: HttpRequest) -> HttpResponse:
    outcomes: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Skipped:
            outcomes[name] = "skipped"
        except Exception as e:  # noqa: BLE001 (any failure at all means not ready)
            logger.warning("readiness check %s failed: %s", name, type(e).__name__)
            outcomes[name] = "failed"
        else:
            outcomes[name] = "ok"
    failed = "failed" in outcomes.values()
    body = json.dumps({"ready": not failed, "checks": outcomes})
    return HttpResponse(body, status=503 if failed else 200, content_type="application/json")
