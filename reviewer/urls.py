from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("reviewer.front.urls")),
    path("", include("reviewer.accounts.urls")),
    path("", include("reviewer.review.urls")),
    path("", include("reviewer.queue.urls")),
    path("", include("reviewer.audit.urls")),
    path("admin/", admin.site.urls),
]

if settings.SANDBOX_ENABLED:
    urlpatterns.append(path("sandbox/", include("reviewer.sandbox.urls")))
