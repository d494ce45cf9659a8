"""Security headers on every response, and a clean 503 when the database goes away.

Content-Security-Policy (django-csp; the policy is settings.CONTENT_SECURITY_POLICY)
    Pages get a strict policy: scripts, styles, images, fonts and fetches from this origin
    only, no inline script, no eval, no plugins, no framing, forms post only here. htmx works
    under it because it is a static file and the app configures it in
    ``<meta name="htmx-config" content='{"allowEval": false, "includeIndicatorStyles": false, …}'>``
    (no eval, no injected <style>); the app's own JavaScript lives in ``static/``.

    Documented relaxations, by path prefix (``CSP_RELAXED``):
    - ``/admin/``: ``style-src 'unsafe-inline'`` — Django's admin writes a few inline <style>
      blocks (e.g. the change list without actions). Scripts stay strict.
    - ``/api/docs/``: Swagger UI (served from drf-spectacular-sidecar, nothing from a CDN)
      starts from an inline <script> and styles with inline styles. The page shows only the
      API schema, which the code generates; no article text or user input is rendered there.
      (ReDoc is not offered: its bundle loads a logo from a CDN; /api/redoc/ redirects here.)

Database failure
    ``OperationalError`` / ``InterfaceError`` from a view (PostgreSQL restarted, a connection
    killed, a lock timeout) becomes a 503 with ``Retry-After`` — JSON under ``/api/``, a short
    page otherwise — instead of a traceback. Each service runs in one transaction, so the
    failed write left nothing behind; the broken connection is closed here, and the next
    request connects afresh (Django's CONN_HEALTH_CHECKS replaces one that died while idle).
"""

from __future__ import annotations

import logging
import sys

import csp.middleware
from django.conf import settings
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views import defaults
from django_htmx.http import trigger_client_event

logger = logging.getLogger("newsdesk.database")

# Directives replaced (not added to) on these paths; everything else stays strict.
CSP_RELAXED: dict[str, dict[str, list[str]]] = {
    "/admin/": {"style-src": ["'self'", "'unsafe-inline'"]},
    "/api/docs/": {
        "script-src": ["'self'", "'unsafe-inline'"],
        "style-src": ["'self'", "'unsafe-inline'"],
    },
}

PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

UNAVAILABLE_MESSAGE = (
    "The database is unavailable at the moment; nothing was saved. Please try again shortly."
)
RETRY_AFTER_SECONDS = 5


class CSPMiddleware(csp.middleware.CSPMiddleware):
    """django-csp's middleware, with the documented relaxations of ``CSP_RELAXED`` (a view's
    own ``@csp_replace`` / ``@csp_update`` still wins)."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and parts.replace is None:
            for prefix, replace in CSP_RELAXED.items():
                if request.path.startswith(prefix):
                    parts.replace = replace
                    break
        return parts


class PermissionsPolicyMiddleware:
    """Permissions-Policy (Django's SecurityMiddleware does the rest: nosniff,
    Referrer-Policy, Cross-Origin-Opener-Policy, HSTS, the HTTPS redirect)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


class RequestSizeLimitMiddleware:
    """413 for a request whose declared body exceeds NEWSDESK_MAX_REQUEST_BYTES, before Django
    reads a byte of it (Django bounds fields and file counts, not the total of the files)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.limit = settings.NEWSDESK_MAX_REQUEST_BYTES

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if self.limit and length > self.limit:
            message = f"The request is too large (limit {self.limit // (1024 * 1024)} MB)."
            if _wants_json(request):
                return JsonResponse({"detail": message, "code": "too_large"}, status=413)
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """Turn a lost database connection during a view into a clean 503."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError | InterfaceError):
            return database_unavailable(request, exception)
        return None


def database_unavailable(request, exception: BaseException) -> HttpResponse:
    logger.error(
        "Database unavailable during %s %s: %s",
        request.method,
        request.path,
        exception,
        exc_info=(type(exception), exception, exception.__traceback__),
    )
    _drop_broken_connections()
    if _wants_json(request):
        response = JsonResponse(
            {"detail": UNAVAILABLE_MESSAGE, "code": "database_unavailable"}, status=503
        )
    else:
        # Rendered without the request: no context processor may touch the database now.
        response = HttpResponse(render_to_string("503.html"), status=503)
        if getattr(request, "htmx", False):
            trigger_client_event(response, "newsdesk:error", {"message": UNAVAILABLE_MESSAGE})
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request, *args, **kwargs):
    """handler500: a database outage outside a view (e.g. saving the session) is a 503 too."""
    exception = sys.exc_info()[1]
    if isinstance(exception, OperationalError | InterfaceError):
        return database_unavailable(request, exception)
    return defaults.server_error(request, *args, **kwargs)


def _wants_json(request) -> bool:
    if request.path.startswith("/api/"):
        return True
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def _drop_broken_connections() -> None:
    # Django would close them at the end of the request anyway (errors_occurred); closing
    # now also covers callers that skip the request signals, and is idempotent.
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None and not connection.is_usable():
            connection.close()
