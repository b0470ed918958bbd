"""gunicorn settings, each overridable by its environment variable.

The console and the sandbox each have their own gunicorn in `make demo` (Procfile.demo;
SERVE=console and SERVE=sandbox), both with this file. Served by one server (SERVE=all), a console
request that calls the sandbox needs a second thread of the same server to answer it, and under
load every thread waits for one that never comes free.
"""

import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 10
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn's control socket has one default path per user: two servers on one machine (the demo's
# console and sandbox) would take it from each other. Nothing here uses it.
control_socket_disable = True
