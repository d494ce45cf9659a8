"""Project-wide REST API plumbing: errors, permissions, throttles, pagination, ordering.

Apps' ViewSets (articles.api, annotations.api) build on these; settings.REST_FRAMEWORK names
them as the defaults, so a new endpoint is safe (authenticated, role-checked, bounded) by default.
DRF imports this module while rest_framework.views is still loading, so nothing here may import
rest_framework.views (or generics) at module level: the schema class and the token view live in
newsdesk.api_views.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import django_filters
import django_filters.fields
from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.http import Http404
from django.utils import timezone
from rest_framework import exceptions, filters, pagination, permissions, renderers, throttling
from rest_framework import serializers as drf_serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject
from rest_framework.response import Response
from rest_framework.settings import api_settings

from annotations.services import StaleVersion
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


# --- serializers: fast lists ------------------------------------------------------------------


class FastListSerializer(drf_serializers.ListSerializer):
    """``many=True`` output of a ModelSerializer, built row by row from a plan made once per
    serializer class, with the keys, types and formats DRF's fields give.

    DRF spends most of a 50-row page in per-field machinery (a deep copy of every declared
    field per request, ``get_attribute`` chains, a ``to_representation`` call per value: ~4–6
    ms of CPU per page, more than the SQL; see README, Performance). The serializer stays the
    declared shape (the schema is generated from it, and input and single objects still go
    through it); only the list read path is short-cut. Set it with
    ``Meta.list_serializer_class``. Fields whose type the plan does not know (nested lists,
    method fields, …) are rendered by the field itself, as DRF would.
    """

    def to_representation(self, data):
        iterable = data.all() if isinstance(data, models.manager.BaseManager) else data
        row = _row_function(type(self.child))
        zone = timezone.get_current_timezone() if settings.USE_TZ else None
        return [row(item, zone) for item in iterable]


_ROW_FUNCTIONS: dict[type, object] = {}


def _row_function(serializer_class):
    row = _ROW_FUNCTIONS.get(serializer_class)
    if row is None:
        row = _ROW_FUNCTIONS[serializer_class] = _build_row_function(serializer_class)
    return row


_PLAIN, _DATETIME, _FIELD = range(3)


def _build_row_function(serializer_class):
    template = serializer_class()  # unbound: these fields need no request or context
    model = serializer_class.Meta.model
    # (how, key, attribute, convert, field), in the serializer's field order
    plan = []
    for key, field in template.fields.items():
        if field.write_only:
            continue
        fast = _fast_attribute(field, model)
        if fast is None:
            plan.append((_FIELD, key, None, None, field))
        else:
            attribute, convert = fast
            how = _DATETIME if convert is _datetime else _PLAIN
            plan.append((how, key, attribute, convert, field))

    def row(instance, zone):
        out = {}
        for how, key, attribute, convert, field in plan:
            if how == _PLAIN:
                value = getattr(instance, attribute)
                out[key] = None if value is None else convert(value)
            elif how == _DATETIME:
                out[key] = _datetime(getattr(instance, attribute), zone, field)
            else:  # the field renders it, with DRF's own None and SkipField handling
                try:
                    value = field.get_attribute(instance)
                except SkipField:
                    continue
                check = value.pk if isinstance(value, PKOnlyObject) else value
                out[key] = None if check is None else field.to_representation(value)
        return out

    return row


def _fast_attribute(field, model):
    """(attribute, convert) that give what ``field`` renders for a model instance, or None
    when only the field itself knows (then it renders the value, as DRF would)."""
    if len(field.source_attrs) != 1:
        return None
    source = field.source_attrs[0]
    kind = type(field)
    if kind is drf_serializers.PrimaryKeyRelatedField:
        # DRF's pk-only optimisation renders the foreign key column as it is.
        if field.pk_field is not None:
            return None
        try:
            model_field = model._meta.get_field(source)
        except Exception:  # noqa: BLE001 — not a model field: let DRF resolve it
            return None
        if not getattr(model_field, "many_to_one", False):
            return None
        return model_field.attname, _same
    if kind is drf_serializers.IntegerField:
        return source, int
    if kind is drf_serializers.FloatField:
        return source, float
    if kind is drf_serializers.CharField:
        return source, str
    if kind is drf_serializers.ChoiceField:
        choices = field.choice_strings_to_values
        return source, lambda value: choices.get(str(value), value)
    if kind is drf_serializers.DateTimeField:
        output = getattr(field, "format", api_settings.DATETIME_FORMAT)
        if hasattr(field, "timezone") or output is None or output.lower() != "iso-8601":
            return None
        return source, _datetime
    return None


def _same(value):
    return value


def _datetime(value, zone, field):
    """DateTimeField.to_representation for ISO 8601 output in the current time zone."""
    if not value:
        return None
    if isinstance(value, str) or zone is None or value.tzinfo is None:
        return field.to_representation(value)
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


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


class FilterSet(django_filters.FilterSet):
    """django-filter's FilterSet, with its form class built once per FilterSet class.

    django-filter builds a new form class on every request (a form field for every filter,
    labels, choices: ~0.5 ms of CPU on a span list, as much as the page's SQL). The form
    class depends only on the filters' declarations, unless a filter's queryset is a callable
    of the request: then it is built per request, as django-filter does. Every request still
    gets its own form instance (a deep copy of the fields) and its own filters.
    """

    def get_form_class(self):
        cls = type(self)
        form_class = cls.__dict__.get("_form_class")
        if form_class is None:
            form_class = super().get_form_class()
            if not any(callable(getattr(f, "queryset", None)) for f in self.filters.values()):
                cls._form_class = form_class
        return form_class


class _UTCDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 date or date-time that must also be representable in UTC."""

    def to_python(self, value):
        parsed = super().to_python(value)
        if parsed is not None and parsed.tzinfo is not None:
            try:
                parsed.astimezone(dt.UTC)
            except OverflowError:
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        return parsed


class DateTimeFilter(django_filters.IsoDateTimeFilter):
    """``?x_after=2024-05-01`` or ``2024-05-01T12:00:00Z``; naive values are UTC."""

    field_class = _UTCDateTimeField
