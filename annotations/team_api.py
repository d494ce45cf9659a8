"""REST endpoints of the team workflow: assignments, review decisions, comments and
notifications. Plain DRF viewsets over per-user selectors (annotations.team_selectors):
each request builds its own queryset for its own user. Routes: newsdesk.api_urls.
"""

from __future__ import annotations

import django_filters
from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from annotations import team_selectors, team_services
from annotations.models import (
    Assignment,
    AssignmentStatus,
    AssignmentTask,
    Comment,
    Notification,
    Span,
)
from annotations.serializers import SpanSerializer
from articles.models import Article
from newsdesk.api import (
    ID_REGEX,
    CursorPagination,
    FilterBackend,
    KnownQueryParameters,
    LinkField,
    ModelSerializer,
)

User = get_user_model()


def assignment_param(request) -> int | None:
    """?assignment=<id>: a private layer instead of the shared one; 400 when not an id."""
    value = request.query_params.get("assignment")
    if value in (None, ""):
        return None
    if not value.isdigit() or len(value) > 18:
        raise serializers.ValidationError({"assignment": "An assignment id is required."})
    return int(value)


def assignment_in_body(request) -> Assignment | None:
    """The `assignment` of a span being created: its private layer (the service checks that
    the caller is its assignee)."""
    value = request.data.get("assignment")
    if value in (None, ""):
        return None
    if not str(value).isdigit() or len(str(value)) > 18:
        raise serializers.ValidationError({"assignment": "An assignment id is required."})
    assignment = Assignment.objects.filter(pk=int(value)).first()
    if assignment is None:
        raise serializers.ValidationError({"assignment": "No such assignment."})
    return assignment


# --- assignments ---------------------------------------------------------------------------------


class AssignmentSerializer(ModelSerializer):
    article = LinkField(queryset=Article.objects.only("pk"))
    assignee = LinkField(queryset=User.objects.filter(is_active=True))
    article_title = serializers.CharField(source="article.title", read_only=True)
    assignee_username = serializers.CharField(source="assignee.username", read_only=True)

    class Meta:
        model = Assignment
        fields = [
            "id",
            "article",
            "article_title",
            "assignee",
            "assignee_username",
            "task",
            "status",
            "blind",
            "due",
            "created_by",
            "created_at",
            "updated_at",
            "submitted_at",
        ]
        read_only_fields = ["created_by", "created_at", "updated_at", "submitted_at"]


class AssigneeFilter(django_filters.CharFilter):
    """``?assignee=me`` (the caller) or a user id."""

    def filter(self, qs, value):
        if not value:
            return qs
        if value == "me":
            return qs.filter(assignee=self.parent.request.user)
        if not value.isdigit() or len(value) > 18:
            raise serializers.ValidationError({"assignee": "Send “me” or a user id."})
        return qs.filter(assignee_id=int(value))


class AssignmentFilter(django_filters.FilterSet):
    assignee = AssigneeFilter(help_text="“me” for your own assignments, or a user id.")
    article = django_filters.NumberFilter(field_name="article_id", help_text="Article id.")
    task = django_filters.ChoiceFilter(choices=AssignmentTask.choices)
    status = django_filters.MultipleChoiceFilter(choices=AssignmentStatus.choices, distinct=False)
    blind = django_filters.BooleanFilter()

    class Meta:
        model = Assignment
        fields = ["assignee", "article", "task", "status", "blind"]


class AssignmentViewSet(KnownQueryParameters, viewsets.ModelViewSet):
    """Articles handed to people to annotate or review. Editors create and change them;
    the assignee submits (`POST /api/assignments/{id}/submit/`)."""

    serializer_class = AssignmentSerializer
    filterset_class = AssignmentFilter
    filter_backends = [FilterBackend]
    pagination_class = CursorPagination
    lookup_value_regex = ID_REGEX
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Assignment.objects.none()
        return team_selectors.assignment_list(user=self.request.user)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = team_services.assignment_create(
            user=self.request.user,
            **{k: data[k] for k in ("article", "assignee", "task", "blind", "due") if k in data},
        )

    def perform_update(self, serializer):
        changes = {
            k: v
            for k, v in serializer.validated_data.items()
            if k in {"due", "status", "assignee", "blind"}
        }
        serializer.instance = team_services.assignment_update(
            assignment=serializer.instance, user=self.request.user, **changes
        )

    def perform_destroy(self, instance):
        team_services.assignment_delete(assignment=instance, user=self.request.user)

    @extend_schema(request=None, responses=AssignmentSerializer, summary="Submit an assignment")
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        assignment = team_services.assignment_submit(
            assignment=self.get_object(), user=request.user
        )
        return Response(self.get_serializer(assignment).data)


# --- review --------------------------------------------------------------------------------------


class ReviewSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=list(team_services.DECISIONS))
    comment = serializers.CharField(required=False, allow_blank=True, max_length=10000)


class SpanReviewView(generics.GenericAPIView):
    """`POST /api/spans/{id}/review/`: a reviewer approves a span or requests changes."""

    serializer_class = ReviewSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Span.objects.none()
        return Span.objects.filter(team_selectors.span_visibility(self.request.user))

    @extend_schema(
        request=ReviewSerializer,
        responses={
            200: SpanSerializer,
            400: OpenApiTypes.OBJECT,
            403: OpenApiTypes.OBJECT,
            404: OpenApiTypes.OBJECT,
        },
        summary="Review a span",
    )
    def post(self, request, pk):
        span = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        span = team_services.span_review(span=span, user=request.user, **serializer.validated_data)
        return Response(SpanSerializer(span, context=self.get_serializer_context()).data)


# --- comments ------------------------------------------------------------------------------------


class CommentSerializer(ModelSerializer):
    article = LinkField(queryset=Article.objects.only("pk"), required=False, allow_null=True)
    span = LinkField(queryset=Span.objects.all(), required=False, allow_null=True)
    parent = LinkField(queryset=Comment.objects.all(), required=False, allow_null=True)
    author_username = serializers.CharField(source="author.username", read_only=True)

    class Meta:
        model = Comment
        fields = [
            "id",
            "article",
            "span",
            "parent",
            "body",
            "author",
            "author_username",
            "created_at",
        ]
        read_only_fields = ["author", "created_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # A span or parent the caller may not see is "does not exist", not a leak.
            self.fields["span"].queryset = Span.objects.filter(
                team_selectors.span_visibility(request.user)
            )
            self.fields["parent"].queryset = team_selectors.comment_list(user=request.user)


class CommentFilter(django_filters.FilterSet):
    article = django_filters.NumberFilter(field_name="article_id")
    span = django_filters.NumberFilter(field_name="span_id")

    class Meta:
        model = Comment
        fields = ["article", "span"]


class CommentPagination(CursorPagination):
    ordering = ("created_at", "id")


class CommentViewSet(
    KnownQueryParameters,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Threads on a span or an article; `@username` in the body notifies that user."""

    serializer_class = CommentSerializer
    filterset_class = CommentFilter
    filter_backends = [FilterBackend]
    pagination_class = CommentPagination
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Comment.objects.none()
        return team_selectors.comment_list(user=self.request.user)

    def perform_create(self, serializer):
        serializer.instance = team_services.comment_create(
            user=self.request.user, **serializer.validated_data
        )


# --- notifications -------------------------------------------------------------------------------


class NotificationSerializer(ModelSerializer):
    comment = CommentSerializer(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "comment", "read_at", "created_at"]


class NotificationPagination(CursorPagination):
    ordering = ("-created_at", "-id")


class NotificationViewSet(KnownQueryParameters, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Your notifications (someone @mentioned you), newest first; `POST …/read/` marks them
    read."""

    serializer_class = NotificationSerializer
    pagination_class = NotificationPagination
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return team_selectors.notification_list(user=self.request.user)

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        response.data["unread"] = team_selectors.unread_count(user=request.user)
        return response

    @extend_schema(request=None, responses={200: None}, summary="Mark all read")
    @action(detail=False, methods=["post"])
    def read(self, request):
        changed = team_services.notifications_read(user=request.user)
        return Response({"read": changed}, status=status.HTTP_200_OK)


# --- agreement -----------------------------------------------------------------------------------


def _ids(request, name: str) -> list[int] | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    parts = [p.strip() for p in raw.split(",") if p.strip()]
    if not parts or not all(p.isdigit() and len(p) <= 18 for p in parts):
        raise serializers.ValidationError({name: "A comma-separated list of ids is required."})
    return [int(p) for p in parts]


class AgreementView(generics.GenericAPIView):
    """`GET /api/agreement/?assignments=A,B,…` or `?articles=1,2&task=annotate`: agreement
    per kind (exact and overlap F1, speaker and entity agreement, κ, α, counts) over the
    layers of each article, pooled over the articles."""

    filter_backends = []
    pagination_class = None

    @extend_schema(
        parameters=[
            OpenApiParameter("assignments", str, description="Assignment ids, comma-separated."),
            OpenApiParameter("articles", str, description="Article ids, comma-separated."),
            OpenApiParameter("task", str, description="With articles: annotate or review."),
        ],
        responses={
            200: OpenApiTypes.OBJECT,
            400: OpenApiTypes.OBJECT,
            403: OpenApiTypes.OBJECT,
            404: OpenApiTypes.OBJECT,
        },
        summary="Inter-annotator agreement over a corpus",
    )
    def get(self, request, article_pk=None):
        ids = _ids(request, "assignments")
        articles = _ids(request, "articles") if article_pk is None else [int(article_pk)]
        if ids is None and articles is None:
            raise serializers.ValidationError(
                {"non_field_errors": ["Send assignments=… or articles=…."]}
            )
        task = request.query_params.get("task", "")
        if task and task not in AssignmentTask.values:
            raise serializers.ValidationError({"task": "annotate or review."})
        if article_pk is not None:
            get_object_or_404(Article.objects.only("pk"), pk=article_pk)
        chosen = team_selectors.agreement_assignments(
            user=request.user, ids=ids, articles=None if ids else articles, task=task
        )
        if article_pk is not None and any(a.article_id != int(article_pk) for a in chosen):
            raise serializers.ValidationError(
                {"assignments": "Every assignment must be of this article."}
            )
        if len(chosen) < 2:
            raise serializers.ValidationError(
                {"non_field_errors": ["Agreement needs at least two assignments."]}
            )
        bodies, marks = team_selectors.agreement_marks(chosen)
        return Response(
            team_services.agreement_report(assignments=chosen, bodies=bodies, marks=marks)
        )
