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
import io

import django_filters
import django_filters.fields
from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
    ValidationError,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import (
    exceptions,
    filters,
    pagination,
    parsers,
    permissions,
    renderers,
    throttling,
)
from rest_framework import serializers as drf_serializers
from rest_framework.relations import PKOnlyObject
from rest_framework.response import Response

from newsdesk.errors import StaleVersion
from newsdesk.numbers import MAX_ID, InvalidNumber, OutOfRange, parse_id, parse_int
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
    if isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        exc = exceptions.ParseError(str(exc))
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(drf_serializers.as_serializer_error(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    return drf_exception_handler(exc, context)


class RequestTooLarge(exceptions.APIException):
    status_code = 413
    default_code = "too_large"

    def __init__(self):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        super().__init__(f"The request body is larger than {limit} bytes.")


# --- request bodies ----------------------------------------------------------------------------


def read_bounded(stream, request) -> bytes:
    """The body, refused (413) past DATA_UPLOAD_MAX_MEMORY_SIZE: the limit Django applies to
    form fields applies to JSON too. Counted from Content-Length, and again while reading."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is None:
        return stream.read()
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise RequestTooLarge()
    body = stream.read(limit + 1)
    if len(body) > limit:
        raise RequestTooLarge()
    return body


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with a size limit; JSON nested too deep for Python is a 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        body = read_bounded(stream, parser_context["request"])
        try:
            return super().parse(io.BytesIO(body), media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError("JSON parse error - nested too deeply.") from None


class FormParser(parsers.FormParser):
    """DRF's form parser (the browsable API's forms) with the same size limit."""

    def parse(self, stream, media_type=None, parser_context=None):
        body = read_bounded(stream, parser_context["request"])
        return super().parse(io.BytesIO(body), media_type, parser_context)


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
        # A body that does not parse is a 400 with the parser's message (raised here, where
        # the body is first read); a JSON list or string names no username.
        try:
            username = request.data.get("username")
        except AttributeError:
            return None
        if not isinstance(username, str) or not username:
            return None
        # Hashed: a username may hold spaces or control characters no cache key may contain.
        ident = hashlib.sha256(username.casefold().encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": ident}


# --- query parameters --------------------------------------------------------------------------


def check_query_parameters(request, known: set[str]) -> None:
    """400 for a query parameter the endpoint does not take, or one sent empty (``?q=``):
    a typo or a careless client gets a message, never a silently unfiltered answer."""
    errors = {}
    for name, values in request.query_params.lists():
        if name not in known:
            hint = f"Known: {', '.join(sorted(known))}." if known else "This endpoint takes none."
            errors[name] = [f"Unknown parameter. {hint}"]
        elif "" in values:
            errors[name] = ["This parameter may not be empty."]
    if errors:
        raise exceptions.ValidationError(errors)


class KnownQueryParameters:
    """ViewSet mixin: only the query parameters the schema documents for the action.

    Those are the FilterSet's filters and ``ordering`` (on ``filtered_actions``), the
    paginator's ``cursor`` / ``page`` / ``page_size`` (on ``list`` and on actions that set
    ``pagination_class``), and the names in ``query_parameters[action]``.
    """

    filtered_actions: tuple[str, ...] = ("list",)
    query_parameters: dict[str, tuple[str, ...]] = {}

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        check_query_parameters(request, self.known_query_parameters())

    def known_query_parameters(self) -> set[str]:
        names = set(self.query_parameters.get(self.action, ()))
        if self.action in self.filtered_actions:
            for backend in self.filter_backends:
                if issubclass(backend, DjangoFilterBackend) and self.filterset_class:
                    names.update(self.filterset_class.base_filters)
                elif issubclass(backend, filters.OrderingFilter):
                    names.add(backend.ordering_param)
        paginator = self.paginator
        if paginator is not None and (self.action == "list" or self.action_paginates()):
            for attribute in ("cursor_query_param", "page_query_param", "page_size_query_param"):
                if getattr(paginator, attribute, None):
                    names.add(getattr(paginator, attribute))
        return names

    def action_paginates(self) -> bool:
        """An extra action that pages its answer sets pagination_class on its @action."""
        handler = getattr(self, self.action, None) if self.action else None
        return "pagination_class" in getattr(handler, "kwargs", {})


def query_int(request, name: str, **bounds) -> int | None:
    """An integer query parameter through the shared parser: a 400 naming it if malformed."""
    value = request.query_params.get(name)
    if value is None:
        return None
    try:
        return parse_int(value, **bounds)
    except InvalidNumber as error:
        raise exceptions.ValidationError({name: [str(error)]}) from None


# --- pagination and ordering -------------------------------------------------------------------


class PageSizeMixin:
    """``?page_size=``: a whole number of at least 1 (else 400); above MAX_PAGE_SIZE it is
    MAX_PAGE_SIZE, as the description says."""

    page_size_query_param = "page_size"
    page_size_query_description = f"Results per page (default 50, at most {MAX_PAGE_SIZE})."
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        value = request.query_params.get(self.page_size_query_param)
        if value is None:
            return self.page_size
        try:
            return min(parse_int(value, min_value=1, max_value=MAX_ID), self.max_page_size)
        except InvalidNumber as error:
            raise exceptions.ValidationError({self.page_size_query_param: [str(error)]}) from None

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
        return parameters


class PageNumberPagination(PageSizeMixin, pagination.PageNumberPagination):
    """For the small tables (entities) and per-object lists (history): page numbers, a total.

    ``?page=`` is a whole number of at least 1 (else 400); past the last page it is a 404."""

    def get_page_number(self, request, paginator):
        value = request.query_params.get(self.page_query_param)
        if value is None:
            return 1
        try:
            return parse_int(value, min_value=1, max_value=MAX_ID)
        except OutOfRange:
            raise exceptions.NotFound(self.invalid_page_message.format(page_number=value)) from None
        except InvalidNumber as error:
            raise exceptions.ValidationError({self.page_query_param: [str(error)]}) from None

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
        return parameters


class CursorPagination(PageSizeMixin, pagination.CursorPagination):
    """For the big tables (spans, articles, claims): keyset paging, fast on any page.

    The view's ``ordering`` (and the ``ordering`` query parameter) decides the order. A cursor
    that this API did not hand out (not base64, or a position that is not a value of the
    ordering field) is a 400.
    """

    ordering = ("-id",)

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        # The field the cursor's position holds a value of (checked in decode_cursor).
        self.position_field = queryset.model._meta.get_field(ordering[0].lstrip("-"))
        return ordering

    def decode_cursor(self, request):
        try:
            cursor = super().decode_cursor(request)
        except exceptions.NotFound:
            raise self.invalid_cursor() from None
        if cursor is not None and cursor.position is not None:
            self.check_position(cursor.position)
        return cursor

    def check_position(self, position: str) -> None:
        field = self.position_field
        try:
            if field.get_internal_type().endswith(("IntegerField", "AutoField")):
                parse_int(position, min_value=-MAX_ID, max_value=MAX_ID)
                return
            value = field.to_python(position)
            if isinstance(value, dt.datetime) and value.tzinfo is not None:
                value.astimezone(dt.UTC)
        except (InvalidNumber, ValidationError, OverflowError):
            raise self.invalid_cursor() from None

    def invalid_cursor(self):
        return exceptions.ValidationError({self.cursor_query_param: [self.invalid_cursor_message]})


class StableOrderingFilter(filters.OrderingFilter):
    """``?ordering=`` (one of the view's ``ordering_fields``, a leading - for descending; any
    other value is a 400), with the primary key as tie-breaker, so pages never repeat or skip
    rows."""

    def get_ordering(self, request, queryset, view):
        param = request.query_params.get(self.ordering_param)
        if param is not None:
            allowed = self.allowed_terms(view)
            if param not in allowed:
                raise exceptions.ValidationError(
                    {self.ordering_param: [f"Sort by one of: {', '.join(allowed)}."]}
                )
        ordering = super().get_ordering(request, queryset, view)
        if not ordering:
            return ordering
        ordering = list(ordering)
        if not any(term.lstrip("-") in {"id", "pk"} for term in ordering):
            ordering.append("-id" if ordering[0].startswith("-") else "id")
        return tuple(ordering)

    @staticmethod
    def allowed_terms(view) -> list[str]:
        fields = [f for f in getattr(view, "ordering_fields", None) or [] if f != "__all__"]
        return [p + f for f in fields for p in ("", "-")]

    def get_schema_operation_parameters(self, view):
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
                "schema": {"type": "string", "enum": self.allowed_terms(view)},
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


# --- serializers -------------------------------------------------------------------------------


class DateTimeField(drf_serializers.DateTimeField):
    """DRF's DateTimeField, in UTC (``…Z``, as settings.TIME_ZONE has it) named once per field:
    DRF asks for the current time zone for every value, and converting to a ZoneInfo costs
    four times what converting to UTC does; dates were a third of a span list's CPU."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default_timezone", dt.UTC)
        super().__init__(*args, **kwargs)


class LinkField(drf_serializers.PrimaryKeyRelatedField):
    """A foreign key as the linked row's id (DRF's PrimaryKeyRelatedField), read straight from
    the row's own ``<link>_id`` attribute: the same value in a few steps instead of DRF's
    general path, which was a tenth of a span list's CPU (seven links a span)."""

    def get_attribute(self, instance):
        try:
            return PKOnlyObject(pk=getattr(instance, self.id_attribute))
        except AttributeError:  # not a model row (validated data), or no plain foreign key
            return super().get_attribute(instance)

    def bind(self, field_name, parent):
        super().bind(field_name, parent)
        # Django names a foreign key's id attribute "<name>_id".
        self.id_attribute = f"{self.source}_id"


# DRF's ModelSerializer with the two fields above for the model's dates and links. (A comment,
# not a docstring: drf-spectacular would copy a docstring into every serializer's schema.)
class ModelSerializer(drf_serializers.ModelSerializer):
    serializer_field_mapping = {
        **drf_serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: DateTimeField,
    }
    serializer_related_field = LinkField


# --- filters -----------------------------------------------------------------------------------


class FilterSet(django_filters.FilterSet):
    """django-filter's FilterSet; a filter declared without a label is labelled with its query
    parameter (in the browsable API's filter form). Otherwise django-filter works a label out
    from the model for every filter of every request (a sixth of a filtered list's CPU), and
    calls a method filter "[invalid name]"."""

    @classmethod
    def get_filters(cls):
        filters = super().get_filters()
        for name, filter_ in filters.items():
            if filter_.label is None:
                filter_.label = name
        return filters


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend. A request that sends none of the FilterSet's parameters is
    not filtered at all, so it builds no FilterSet: its form (a field, a label and deep copies
    per filter) was a fifth of an unfiltered list's CPU."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and request.query_params.keys().isdisjoint(
            filterset_class.base_filters
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)


class _IdChoiceField(django_filters.fields.ModelChoiceField):
    """The id through the shared parser (``²`` or ``١٢`` is not an id), then the row."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            number = parse_id(value)
        except InvalidNumber as error:
            raise ValidationError(str(error), code="invalid") from None
        model = self.queryset.model._meta.verbose_name
        try:
            return self.queryset.get(pk=number)
        except self.queryset.model.DoesNotExist:
            raise ValidationError(f"No {model} with id {number}.", code="invalid_choice") from None


class IdFilter(django_filters.ModelChoiceFilter):
    """``?article=<id>``: rows linked to that row; an id no row has is a 400."""

    field_class = _IdChoiceField


class _BooleanField(forms.NullBooleanField):
    """``true`` or ``false`` (also 1 / 0, any case); anything else is an error, not "no filter"."""

    widget = forms.TextInput

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip().lower()
        if text in {"true", "1"}:
            return True
        if text in {"false", "0"}:
            return False
        raise ValidationError("Enter true or false.", code="invalid")

    def validate(self, value):
        pass


class BooleanFilter(django_filters.BooleanFilter):
    """``?revised=true``: a value that is not true or false is a 400."""

    field_class = _BooleanField


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
