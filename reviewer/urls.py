from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.utils.translation import get_language
from django.views.i18n import JavaScriptCatalog

from reviewer.observability.ready import ready

# The catalog of each language as built by this process: it is the same until a new deploy.
_CATALOGS: dict[str, bytes] = {}


@login_not_required
def javascript_catalog(request: HttpRequest) -> HttpResponse:
    """Django's JavaScript catalog, built once per language and process: every page's scripts
    wait for it, and building it reads every catalog of every app."""
    language = get_language()
    body = _CATALOGS.get(language)
    if body is None:
        response = JavaScriptCatalog.as_view()(request)
        if response.status_code != 200:
            return response
        body = _CATALOGS.setdefault(language, response.content)
    return HttpResponse(body, content_type='text/javascript; charset="utf-8"')


urlpatterns = [
    path("", include("reviewer.front.urls")),
    path("", include("reviewer.accounts.urls")),
    path("", include("reviewer.review.urls")),
    path("", include("reviewer.queue.urls")),
    path("", include("reviewer.audit.urls")),
    path("ready/", ready, name="ready"),
    path("admin/", admin.site.urls),
    # The strings of static/js/*.js in the page's language (domain djangojs), for gettext() in
    # scripts; public, as the sign-in page's scripts need them too.
    path("jsi18n/", javascript_catalog, name="javascript-catalog"),
]

# Served alongside unless the sandbox has its own process (SERVE=console; reviewer/sandbox_urls.py).
if settings.SANDBOX_ENABLED and settings.SERVE == "all":
    urlpatterns.append(path("sandbox/", include("reviewer.sandbox.urls")))
