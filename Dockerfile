# Reviewer: one image, two commands (docs: README, "Production").
#   web:     gunicorn reviewer.wsgi --config gunicorn.conf.py   (the default CMD)
#   worker:  python manage.py run_worker
#   release: python manage.py migrate --noinput                 (once per release, before the new web
#            and worker start; never at container start, where two instances would race)
#
# The base is pinned to an exact release. To pin it to the byte, resolve its digest where a
# registry is reachable (`docker buildx imagetools inspect python:3.11.14-slim-bookworm`) and
# build with --build-arg PYTHON_IMAGE=python:3.11.14-slim-bookworm@sha256:<digest>.
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm
FROM ${PYTHON_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    BIND=0.0.0.0:8000 \
    LOG_FORMAT=json

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-compile -r requirements.txt

# The code belongs to root and is read-only to everyone else; the app's user can write nowhere
# in /app. Translations are compiled with Debian's gettext, which does not stay in the image;
# static files are collected and the code byte-compiled here, as nothing can be written later.
# collectstatic needs a secret to import the settings; this one exists only in this build step.
COPY . .
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends gettext \
    && SECRET_KEY=build-only python manage.py compilemessages --ignore '.*' --verbosity 0 \
    && apt-get purge -y -qq gettext && apt-get autoremove -y -qq && rm -rf /var/lib/apt/lists/* \
    && SECRET_KEY=build-only python manage.py collectstatic --noinput --verbosity 0 \
    && python -m compileall -q reviewer \
    && chown -R root:root /app && chmod -R u=rwX,go=rX /app \
    && useradd --system --uid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin reviewer

USER 10001
EXPOSE 8000
# The probe names the first allowed host, so that it passes Django's host check.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import os, sys, urllib.request as u; h = os.environ.get('ALLOWED_HOSTS', 'localhost').split(',')[0]; r = u.urlopen(u.Request('http://127.0.0.1:8000/health/', headers={'Host': h}), timeout=4); sys.exit(r.status != 200)"
CMD ["gunicorn", "reviewer.wsgi", "--config", "gunicorn.conf.py"]
