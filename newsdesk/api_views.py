"""API views and the schema class (kept out of newsdesk.api, which DRF's settings import early)."""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from django.views import defaults
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import build_media_type_object, is_list_serializer
from rest_framework import exceptions, pagination, permissions
from rest_framework import serializers as drf_serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.settings import api_settings

from newsdesk import auth, middleware
from newsdesk.api import AuthRateThrottle, AuthUsernameRateThrottle

# --- schema ------------------------------------------------------------------------------------


class ErrorSerializer(drf_serializers.Serializer):
    detail = drf_serializers.CharField()


class ConflictSerializer(drf_serializers.Serializer):
    detail = drf_serializers.CharField()
    code = drf_serializers.CharField()
    current = drf_serializers.DictField(help_text="The object as it is now, with its new version.")


VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "description": (
        "Field name (or non_field_errors) -> list of messages, "
        'e.g. {"end": ["end must be greater than start."]}; items of a list field nest by '
        'index ({"aliases": {"0": ["…"]}}); a body that cannot be parsed gives {"detail": "…"}.'
    ),
    "additionalProperties": {
        "anyOf": [
            {"type": "array", "items": {"type": "string"}},
            {"type": "object"},
            {"type": "string"},
        ]
    },
}


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema plus the error responses every operation can return."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is not None:
            self.add_error_responses(operation["responses"])
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                # An empty query parameter (?q=) is a 400 (KnownQueryParameters): say so.
                if parameter["in"] == "query" and schema.get("type") == "string":
                    schema.setdefault("minLength", 1)
        return operation

    def add_error_responses(self, responses: dict) -> None:
        view = self.view
        public = (
            any(isinstance(p, permissions.AllowAny) for p in view.get_permissions())
            or not view.get_permissions()
        )

        def add(code: str, body, description: str) -> None:
            if code in responses:
                return
            if not isinstance(body, dict):
                body = self.resolve_serializer(body, "response").ref
            responses[code] = {
                "content": {
                    media_type: build_media_type_object(body)
                    for media_type in self.map_renderers("media_type")
                },
                "description": description,
            }

        lists = self.lists()
        # Any operation: a query parameter it does not take, or a malformed one (ViewSets'
        # KnownQueryParameters); writes: an invalid body.
        add("400", VALIDATION_ERROR_SCHEMA, "Invalid input, or an unknown or invalid parameter.")
        if not public:
            add("401", ErrorSerializer, "Not authenticated (send a session cookie or a token).")
            add("403", ErrorSerializer, "Authenticated, but the role does not allow this.")
        if "{" in self.path:
            add("404", ErrorSerializer, "No such object.")
        paginator = getattr(view, "pagination_class", None)
        if lists and paginator and issubclass(paginator, pagination.PageNumberPagination):
            add("404", ErrorSerializer, "No such page (past the last one).")
        if self.method in {"POST", "PUT", "PATCH"}:
            add("413", ErrorSerializer, "The body is larger than DATA_UPLOAD_MAX_MEMORY_SIZE.")
        if self.method in {"PUT", "PATCH", "DELETE"} and getattr(view, "versioned", False):
            add("409", ConflictSerializer, "Stale version: someone changed the object meanwhile.")
        if view.get_throttles():
            add("429", ErrorSerializer, "Too many requests; retry after the Retry-After seconds.")

    def lists(self) -> bool:
        """Whether the operation answers a list: a list action, or a list response declared
        with ``@extend_schema`` (e.g. ``HistoryEntrySerializer(many=True)``)."""
        declared = self.get_response_serializers()
        if isinstance(declared, dict) and declared:
            declared = declared[min(declared, key=str)]
        if is_list_serializer(declared):
            return True
        return getattr(self.view, "action", None) == "list"


# --- token ------------------------------------------------------------------------------------


class TokenObtainView(ObtainAuthToken):
    """POST username and password, get the user's API token (send it as
    ``Authorization: Token <key>``). Throttled per address and per username, and locked like
    the login form: DRF's serializer checks the password with ``authenticate(request=…)``,
    so axes counts the failure and refuses a locked username or address (429); a success
    clears the username's failures, as a login does."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    # The project's parsers (ObtainAuthToken names DRF's own): bounded, deep JSON a 400.
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES
    throttle_classes = [AuthRateThrottle, AuthUsernameRateThrottle]

    def post(self, request, *args, **kwargs):
        try:
            response = super().post(request, *args, **kwargs)
        except exceptions.ValidationError:
            # axes marks the request it refused (or whose failure reached the limit).
            if getattr(request, "axes_locked_out", False):
                raise exceptions.Throttled(
                    wait=auth.lockout_seconds(), detail=auth.locked_message()
                ) from None
            raise
        # The password was right: the name it was checked under (the serializer's).
        auth.token_signed_in(str(request.data["username"]))
        return response


# --- errors outside the API's views (settings.ROOT_URLCONF's handler404 / handler500) ----------
# DRF answers errors raised inside its views; these answer what happens before or outside one
# (a URL no route matches, such as /api/spans/abc/, or an uncaught exception), in the same
# {"detail": …} shape under /api/ and as Django's pages elsewhere.


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def not_found(request, exception=None):
    if _is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request, *args, **kwargs):
    exception = sys.exc_info()[1]
    if _is_api(request) and not isinstance(exception, OperationalError | InterfaceError):
        return JsonResponse(
            {"detail": "A server error occurred.", "code": "server_error"}, status=500
        )
    # A lost database is a 503 (JSON under /api/); anything else outside the API: Django's page.
    return middleware.server_error(request, *args, **kwargs)
