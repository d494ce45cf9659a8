"""Project-wide REST API plumbing: errors, permissions, throttles, pagination, ordering.

The apps' ViewSets (annotations.api, annotations.article_api) build on these;
settings.REST_FRAMEWORK names them as the defaults, so a new endpoint is safe (authenticated,
role-checked, bounded) by default.
DRF imports this module while rest_framework.views is still loading, so nothing here may import
rest_framework.views (or generics) at module level: the schema class and the token view live in
newsdesk.api_views.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import django_filters
import django_filters.fields
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import (
    exceptions,
    filters,
    pagination,
    permissions,
    renderers,
    throttling,
)
from rest_framework import serializers as drf_serializers
from rest_framework.response import Response

from newsdesk.errors import StaleVersion
from newsdesk.roles import can_read, is_editor

MAX_PAGE_SIZE = 200
# Ids in URLs: at most 18 digits, so that every id a URL can hold fits a 64-bit column (a
# longer one is a 404 from the URL resolver, not an overflow in the database).
ID_REGEX = r"\d{1,18}"

# --- errors ----------------------------------------------------------------------------------


def exception_handler(exc, context):
    """DRF's handler, plus the exceptions our services raise.

    - Django ``ValidationError`` (services) -> 400 ``{"field": ["message"]}``, or
      ``{"non_field_errors": ["message"]}`` when it names no field.
    - Django ``PermissionDenied`` -> 403, ``Http404`` -> 404 (``{"detail": "..."}``).
    - ``services.StaleVersion`` -> 409 ``{"detail": "...", "current": <the row as it is now>}``.
    """
    # Imported here: DRF imports this module (its settings name our classes) while
    # rest_framework.views is still loading.
    from rest_framework.views import exception_handler as drf_exception_handler
    from rest_framework.views import set_rollback

    if isinstance(exc, StaleVersion):
        set_rollback()
        data = {"detail": exc.message, "code": "stale_version"}
        view = context.get("view")
        if view is not None and hasattr(view, "get_serializer"):
            data["current"] = view.get_serializer(exc.current).data
        return Response(data, status=409)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(drf_serializers.as_serializer_error(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    return drf_exception_handler(exc, context)


# --- permissions -----------------------------------------------------------------------------


class EditorsWrite(permissions.BasePermission):
    """Readers (viewers and editors) may read; only editors may write."""

    message = "Only members of the editors group may change annotations."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False  # DRF turns this into 401 (TokenAuthentication sends WWW-Authenticate)
        if request.method in permissions.SAFE_METHODS:
            if not can_read(user):
                self.message = "Your account has no reader role (viewers or editors)."
                return False
            return True
        return is_editor(user)


# --- throttles -------------------------------------------------------------------------------


class AuthRateThrottle(throttling.AnonRateThrottle):
    """Token requests per client address (settings: DEFAULT_THROTTLE_RATES["auth"])."""

    scope = "auth"


class AuthUsernameRateThrottle(throttling.SimpleRateThrottle):
    """Token requests per username, whatever the address (guessing one user's password)."""

    scope = "auth_username"

    def get_cache_key(self, request, view):
        try:
            username = request.data.get("username")
        except (AttributeError, exceptions.ParseError):
            return None
        if not isinstance(username, str) or not username:
            return None
        # Hashed: a username may hold spaces or control characters no cache key may contain.
        ident = hashlib.sha256(username.casefold().encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": ident}


# --- pagination and ordering -------------------------------------------------------------------


class PageNumberPagination(pagination.PageNumberPagination):
    """For the small tables (entities): page numbers and a total count."""

    page_size_query_param = "page_size"
    page_size_query_description = f"Results per page (default 50, at most {MAX_PAGE_SIZE})."
    max_page_size = MAX_PAGE_SIZE


class CursorPagination(pagination.CursorPagination):
    """For the big tables (spans, articles, claims): keyset paging, fast on any page.

    The view's ``ordering`` (and the ``ordering`` query parameter) decides the order.
    """

    page_size_query_param = "page_size"
    page_size_query_description = f"Results per page (default 50, at most {MAX_PAGE_SIZE})."
    max_page_size = MAX_PAGE_SIZE
    ordering = ("-id",)


class StableOrderingFilter(filters.OrderingFilter):
    """``?ordering=`` with the primary key as tie-breaker, so pages never repeat or skip rows."""

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        if not ordering:
            return ordering
        ordering = list(ordering)
        if not any(term.lstrip("-") in {"id", "pk"} for term in ordering):
            ordering.append("-id" if ordering[0].startswith("-") else "id")
        return tuple(ordering)

    def get_schema_operation_parameters(self, view):
        fields = [f for f in getattr(view, "ordering_fields", None) or [] if f != "__all__"]
        default = getattr(view, "ordering", None)
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": (
                    "Sort by this field; a leading - sorts descending"
                    + (f" (default: {', '.join(default)})." if default else ".")
                ),
                "schema": {"type": "string", "enum": [p + f for f in fields for p in ("", "-")]},
            }
        ]


# --- renderers ---------------------------------------------------------------------------------

W3C_CONTENT_TYPE = 'application/ld+json;profile="http://www.w3.org/ns/anno.jsonld"'


class JSONLDRenderer(renderers.JSONRenderer):
    """JSON-LD; views set the exact Content-Type (with its profile) on the response."""

    media_type = "application/ld+json"
    format = "jsonld"


class JSONLinesRenderer(renderers.BaseRenderer):
    """Declares JSON Lines so content negotiation accepts it; the views stream the body."""

    media_type = "application/jsonl"
    format = "jsonl"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        # Only errors come through here (exports stream their own response): one JSON line.
        return renderers.JSONRenderer().render(data) + b"\n"


class PlainTextRenderer(renderers.BaseRenderer):
    media_type = "text/plain"
    format = "txt"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, str):
            return data.encode(self.charset)
        return renderers.JSONRenderer().render(data)


# --- filters -----------------------------------------------------------------------------------


class IdFilter(django_filters.ModelChoiceFilter):
    """``?article=<id>``: rows linked to that row; an id no row has is a 400."""


class _UTCDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 date or date-time that must also be representable in UTC."""

    def to_python(self, value):
        parsed = super().to_python(value)
        if parsed is not None and parsed.tzinfo is not None:
            try:
                # In UTC: PostgreSQL refuses offsets beyond ±15:59 that Python accepts.
                parsed = parsed.astimezone(dt.UTC)
            except OverflowError:
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
            # PostgreSQL refuses offsets beyond ±15:59 (a DataError, and an aborted
            # transaction, not a 400).
            if abs(parsed.utcoffset()) >= dt.timedelta(hours=16):
                raise ValidationError(self.error_messages["invalid"], code="invalid")
        return parsed


class DateTimeFilter(django_filters.IsoDateTimeFilter):
    """``?x_after=2024-05-01`` or ``2024-05-01T12:00:00Z``; naive values are UTC."""

    field_class = _UTCDateTimeField
