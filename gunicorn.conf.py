"""gunicorn settings for newsdesk: `gunicorn -c gunicorn.conf.py newsdesk.wsgi`.

Every value can be overridden from the environment (GUNICORN_*), e.g. GUNICORN_WORKERS=4.
See docs/deployment.md for the reverse proxy in front of it.
"""

import multiprocessing
import os


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


wsgi_app = "newsdesk.wsgi:application"

# Loopback only: the reverse proxy (nginx) terminates TLS and forwards here. Never expose
# gunicorn directly: the app trusts the proxy's X-Forwarded-Proto.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Sync workers: 2 × cores + 1 (the usual starting point for I/O-bound Django), or set.
workers = _env_int("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1)
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = _env_int("GUNICORN_THREADS", 1)  # >1 with worker_class "gthread"

# A request taking longer is killed (and its transaction rolled back by PostgreSQL); large
# imports belong in `manage.py import_articles`, not in a request.
timeout = _env_int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _env_int("GUNICORN_KEEPALIVE", 5)

# Recycle workers now and then (memory growth), staggered so they do not restart together.
# Not too often: at 2,000 a busy worker restarted every 15 s under the load test, and each
# restart paid for Django's start-up and cold caches again.
max_requests = _env_int("GUNICORN_MAX_REQUESTS", 20000)
max_requests_jitter = _env_int("GUNICORN_MAX_REQUESTS_JITTER", 2000)
# Load the app once in the master, before forking: a new or recycled worker starts at once
# and shares the imported code's memory with the others. (No database connection is opened
# at import time; each worker opens its own.)
preload_app = True

# Bounded request lines and headers (the proxy bounds bodies: client_max_body_size).
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190

# Logs to stdout/stderr for the service manager (journald, docker); "-" means stdout.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Client address as the proxy saw it, request time in microseconds.
access_log_format = '%({x-forwarded-for}i)s %(h)s "%(r)s" %(s)s %(b)s %(D)sus "%(a)s"'

# Only the proxy on this machine may set X-Forwarded-* headers.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
