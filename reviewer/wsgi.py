"""WSGI entry point, served by gunicorn (see the Dockerfile and the README)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reviewer.settings")

application = get_wsgi_application()
