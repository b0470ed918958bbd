"""The routes of a process that serves only the sandbox (SERVE=sandbox): the Send.ai v2 API under
/sandbox, as the console's urls.py mounts it when both share a server, so that SENDAI_API_URL only
changes its port (http://127.0.0.1:8001/sandbox in `make demo`)."""

from django.urls import include, path, re_path

from reviewer.front.views import health
from reviewer.sandbox import views

urlpatterns = [
    path("sandbox/", include("reviewer.sandbox.urls")),
    path("health/", health, name="health"),
    # Anything else gets the contract's error envelope, not a console page this process cannot draw.
    re_path(r"", views.not_found),
]
