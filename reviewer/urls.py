from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from reviewer.observability.ready import ready

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
    path("jsi18n/", login_not_required(JavaScriptCatalog.as_view()), name="javascript-catalog"),
]

# Served alongside unless the sandbox has its own process (SERVE=console; reviewer/sandbox_urls.py).
if settings.SANDBOX_ENABLED and settings.SERVE == "all":
    urlpatterns.append(path("sandbox/", include("reviewer.sandbox.urls")))
