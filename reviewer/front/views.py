from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from reviewer.accounts.roles import profile_of

logger = logging.getLogger(__name__)


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "front/index.html", {"profile": profile_of(request.user)})


@login_not_required
@never_cache
@require_GET
def health(request: HttpRequest) -> HttpResponse:
    """Answer 200 "OK" when the database and the cache answer, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        cache.get("health-check")
    except Exception as e:  # noqa: BLE001  (any failure at all means unhealthy)
        logger.warning("health check failed: %s", type(e).__name__)
        return HttpResponse("Unavailable", status=503, content_type="text/plain")
    return HttpResponse("OK", content_type="text/plain")


@login_not_required
@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico by themselves: send them to the SVG icon the pages name."""
    response = redirect(static("favicon.svg"))
    patch_cache_control(response, public=True, max_age=24 * 60 * 60)
    return response
