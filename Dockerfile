# Reviewer: slim image, non-root, static files collected at build time.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    BIND=0.0.0.0:8000

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# collectstatic needs a secret to import the settings; this one exists only in this build step.
# The translations are compiled here with Debian's gettext, which does not stay in the image.
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends gettext \
    && SECRET_KEY=build-only python manage.py compilemessages --ignore '.*' --verbosity 0 \
    && apt-get purge -y -qq gettext && apt-get autoremove -y -qq && rm -rf /var/lib/apt/lists/* \
    && SECRET_KEY=build-only python manage.py collectstatic --noinput --verbosity 0 \
    && useradd --create-home --uid 10001 reviewer \
    && chown -R reviewer /app

USER reviewer
EXPOSE 8000
# The probe names the first allowed host, so that it passes Django's host check.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import os, sys, urllib.request as u; h = os.environ.get('ALLOWED_HOSTS', 'localhost').split(',')[0]; r = u.urlopen(u.Request('http://127.0.0.1:8000/health/', headers={'Host': h}), timeout=4); sys.exit(r.status != 200)"
CMD ["gunicorn", "reviewer.wsgi", "--config", "gunicorn.conf.py"]
