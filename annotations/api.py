"""REST endpoints for spans, entities and claims (thin: parse, call a service or selector, render).

Routes are registered in newsdesk.api_urls.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from annotations import exporters, selectors, services, team_api, team_selectors
from annotations.filters import ClaimFilter, EntityFilter, SpanFilter
from annotations.models import Claim, Entity, HistoryBatch, SpanKind, SpanStatus
from annotations.serializers import (
    BatchRestoreSerializer,
    ClaimSerializer,
    DuplicatePairSerializer,
    DuplicatesQuerySerializer,
    EntityMergeSerializer,
    EntitySerializer,
    HistoryBatchSerializer,
    HistoryEntrySerializer,
    MatchesQuerySerializer,
    QuoteMatchSerializer,
    SpanSerializer,
)
from articles.models import Article
from newsdesk.api import (
    ID_REGEX,
    CursorPagination,
    FilterBackend,
    JSONLinesRenderer,
    KnownQueryParameters,
    PageNumberPagination,
    StableOrderingFilter,
    query_int,
)
from newsdesk.api_views import ConflictSerializer
from newsdesk.numbers import InvalidNumber, parse_id

_VERSION_PARAM = OpenApiParameter(
    "version",
    int,
    required=False,
    description="The version you read: if the span changed since, nothing is deleted (409).",
)

# Two lines of the span export, as a client receives them (application/jsonl).
SPANS_JSONL_EXAMPLE = (
    '{"id": 42, "article": 7, "start": 0, "end": 8, "text": "Jane Doe", "kind": "mention", '
    '"speaker": null, "entity": 3, "claim": null, "status": "accepted", "origin": "editor", '
    '"note": "", "proposal": {}, "revised_from": "", "confidence": null, "version": 1, '
    '"prefix": "", "suffix": " said the", "created_by": 1, '
    '"created_at": "2025-01-02T10:00:00Z", "updated_at": "2025-01-02T10:00:00Z"}\n'
    '{"id": 43, "article": 7, "start": 20, "end": 41, "text": "“We will reopen it.”", '
    '"kind": "quote", "speaker": 3, "entity": null, "claim": null, "status": "suggested", '
    '"origin": "quotes", "note": "", "proposal": {"speaker": "Jane Doe"}, "revised_from": "", '
    '"confidence": 0.9, "version": 1, "prefix": "said the mayor: ", "suffix": "", '
    '"created_by": null, "created_at": "2025-01-02T10:05:00Z", '
    '"updated_at": "2025-01-02T10:05:00Z"}\n'
)


_DECIDE_DESCRIPTION = (
    "To accept or reject a suggestion, send `status`: `accepted` (for a `suggested` or "
    "`rejected` span) or `rejected` (for a `suggested` one), optionally with `version`. "
    "Accepting completes what the suggestion lacks: a mention gets the `entity` you send, else "
    "the candidate its `proposal` names (an existing entity with that name or alias, or a new one "
    "of the suggested kind); a quote gets the `speaker` you send, else the known entity its "
    "`proposal` names (else it is accepted without one); a claim span gets a new unreviewed claim "
    "unless you send `claim`. A rejected suggestion is never offered again by "
    "`POST /api/articles/{id}/suggest/`. To decide every suggestion of a kind at once: "
    "`POST /api/articles/{id}/suggestions/`. Any other change (note, offsets) sent along is "
    "applied first, in the same transaction."
)


# What a PATCH/PUT of a span may change (services.span_patch decides what that means).
_SPAN_CHANGES = (
    "entity",
    "speaker",
    "claim",
    "note",
    "status",
    "confidence",
    "start",
    "end",
    "text",
)


class _SpanListBase(KnownQueryParameters, viewsets.GenericViewSet):
    """Span lists: the span filters, ?ordering=, cursor pagination."""

    serializer_class = SpanSerializer
    filterset_class = SpanFilter
    filter_backends = [FilterBackend, StableOrderingFilter]
    pagination_class = CursorPagination
    ordering_fields = ["created_at"]
    ordering = ("-created_at", "-id")
    lookup_value_regex = ID_REGEX


@extend_schema_view(
    list=extend_schema(summary="List spans (cursor-paginated, newest first by default)"),
    create=extend_schema(
        summary="Create a span",
        description=(
            "Send `article`, `kind` and either `start`/`end` (code points; `text` optional, "
            "checked against the body) or `text` alone (with `prefix`/`suffix` when it occurs "
            "more than once). Returns 201, or 200 with the existing span when an identical "
            "live one exists."
        ),
        responses={201: SpanSerializer, 200: SpanSerializer},
    ),
    update=extend_schema(
        summary="Replace a span's changeable fields", description=_DECIDE_DESCRIPTION
    ),
    partial_update=extend_schema(
        summary="Change a span (links, status, note, offsets); accept or reject a suggestion",
        description=_DECIDE_DESCRIPTION,
    ),
    destroy=extend_schema(summary="Delete a span", parameters=[_VERSION_PARAM]),
)
class SpanViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    mixins.ListModelMixin,
    _SpanListBase,
):
    """Quotes, mentions and claims: stretches of an article's body."""

    versioned = True
    filtered_actions = ("list", "export")
    # ?assignment= picks a private layer (team_api.assignment_param).
    query_parameters = {
        "destroy": ("version",),
        "matches": ("limit",),
        "list": ("assignment",),
        "export": ("assignment",),
    }

    def get_queryset(self):
        # Who asks decides what they see (annotations.team_selectors): the shared layer, or
        # with ?assignment=<id> a private layer they may read; one span by id in any layer
        # they may read.
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return selectors.api_span_list()
        if self.action in ("list", "export"):
            return team_selectors.visible_spans(
                user=self.request.user,
                assignment=team_api.assignment_param(self.request),
                queryset=selectors.api_span_list_all_layers(),
            )
        return selectors.api_span_list_all_layers().filter(
            team_selectors.span_visibility(self.request.user)
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        layer = team_api.assignment_in_body(request)
        span, created = services.span_create(
            layer=layer,
            article=data["article"],
            kind=data["kind"],
            start=data.get("start"),
            end=data.get("end"),
            text=data.get("text"),
            prefix=data.get("prefix", ""),
            suffix=data.get("suffix", ""),
            entity=data.get("entity"),
            speaker=data.get("speaker"),
            claim=data.get("claim"),
            status=data.get("status", SpanStatus.ACCEPTED),
            origin=data.get("origin", services.EDITOR_ORIGIN),
            confidence=data.get("confidence"),
            note=data.get("note", ""),
            user=request.user,
        )
        serializer.instance = span  # the answer: the span, through the same serializer
        return Response(
            serializer.data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        changes = {name: data[name] for name in _SPAN_CHANGES if name in data}
        serializer.instance = services.span_patch(
            span=serializer.instance, version=data.get("version"), user=self.request.user, **changes
        )

    def destroy(self, request, *args, **kwargs):
        span = self.get_object()
        version = query_int(request, "version")
        services.span_delete(span=span, version=version, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Export spans as JSON Lines (streamed)",
        description=(
            "Every span matching the same filters as the span list, one JSON object per "
            "line, in the same shape as the list items. Not paginated: streamed."
        ),
        filters=True,
        responses={
            (200, "application/jsonl"): OpenApiResponse(
                OpenApiTypes.STR,
                description="One span object per line (JSON Lines, UTF-8).",
                examples=[OpenApiExample("two spans", value=SPANS_JSONL_EXAMPLE)],
            )
        },
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="export",
        pagination_class=None,
        renderer_classes=[JSONRenderer, JSONLinesRenderer],
    )
    def export(self, request):
        queryset = self.filter_queryset(self.get_queryset())
        response = StreamingHttpResponse(
            exporters.jsonl_lines(selectors.api_span_rows(queryset)),
            content_type="application/jsonl; charset=utf-8",
        )
        response["Content-Disposition"] = 'attachment; filename="spans.jsonl"'
        return response

    @extend_schema(
        summary="A span's history (also of a deleted span), newest first",
        responses=HistoryEntrySerializer(many=True),
    )
    @action(
        detail=True,
        methods=["get"],
        filter_backends=[],
        pagination_class=PageNumberPagination,
    )
    def history(self, request, pk=None):
        return history_page(
            self, selectors.history_for_object(object_type="span", object_id=int(pk))
        )

    @extend_schema(
        summary="Restore a deleted span",
        description=(
            "Brings the span back under its old id, with its entity, speaker and claim (a claim "
            "deleted with it comes back too; a merged entity is followed). If the article's "
            "text changed since, the span is found again, or comes back `orphaned`. 400 when "
            "there is nothing to restore or an identical span exists there now."
        ),
        request=None,
        responses={201: SpanSerializer},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def restore(self, request, pk=None):
        span = services.span_restore(span_id=int(pk), user=request.user)
        return Response(self.get_serializer(span).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="The same or nearly the same quote in other articles (a misquote check)",
        description=(
            "For a quote: other articles' live (accepted or suggested) quotes that say the same "
            "or nearly the same, best first, each with the matching passages and a word diff "
            "(`delete`: words only in this quote, `insert`: words only in the other). Words "
            "are normalised (case, punctuation, contractions). Not paginated: at most `limit`. "
            "400 when the span is not a quote (mentions and claims have no matches)."
        ),
        parameters=[MatchesQuerySerializer],
        responses={200: QuoteMatchSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def matches(self, request, pk=None):
        query = MatchesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        span = self.get_object()
        if span.kind != SpanKind.QUOTE:
            raise DjangoValidationError(
                f"Only quotes have matches; span {span.pk} is a {span.kind}.", code="invalid"
            )
        found = selectors.quote_matches(span, limit=query.validated_data["limit"])
        return Response(QuoteMatchSerializer(found, many=True).data)


def history_page(view, queryset) -> Response:
    """A page of history entries: page numbers (the action's pagination_class), as history
    lists are per object. A batch's lead entry carries the batch's members (one query for
    the page)."""
    page = view.paginate_queryset(queryset)
    leads = {entry.batch_id for entry in page if entry.batch_lead}
    members = selectors.history_batch_members(batch_ids=leads) if leads else {}
    data = HistoryEntrySerializer(page, many=True, context={"members": members}).data
    return view.get_paginated_response(data)


def _parent_param(name: str, what: str) -> OpenApiParameter:
    return OpenApiParameter(name, int, OpenApiParameter.PATH, description=f"{what} id.")


# Spans under a parent in the URL: a missing parent is a 404, not an empty page. (A comment,
# not a docstring: drf-spectacular would copy a docstring into every subclass's description.)
class _NestedSpanList(mixins.ListModelMixin, _SpanListBase):
    parent_model = None  # Article or Entity
    parent_kwarg = ""  # the URL kwarg that holds its id
    select = None  # the selector that takes the parent's id

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no URL kwargs
            return selectors.api_span_list().none()
        pk = int(self.kwargs[self.parent_kwarg])
        if not self.parent_model.objects.filter(pk=pk).exists():
            raise Http404(f"No {self.parent_model._meta.model_name} with id {pk}.")
        # Who asks decides what they see (annotations.team_selectors: private layers).
        return type(self).select(pk).filter(team_selectors.span_visibility(self.request.user))


@extend_schema_view(
    list=extend_schema(
        summary="Spans of one article, in text order by default",
        parameters=[_parent_param("article_pk", "Article")],
    )
)
class ArticleSpanViewSet(_NestedSpanList):
    ordering_fields = ["start", "created_at"]
    ordering = ("start", "-end", "id")
    parent_model, parent_kwarg = Article, "article_pk"

    @staticmethod
    def select(article_id):
        # The shared layer (visibility is applied by list_queryset, per user).
        return selectors.api_article_spans(article_id=article_id)


@extend_schema_view(
    list=extend_schema(
        summary="Quotes spoken by an entity, newest first by default",
        parameters=[_parent_param("entity_pk", "Entity")],
    )
)
class EntityQuoteViewSet(_NestedSpanList):
    parent_model, parent_kwarg = Entity, "entity_pk"

    @staticmethod
    def select(entity_id):
        return selectors.api_entity_quotes(entity_id=entity_id)


@extend_schema_view(
    list=extend_schema(
        summary="Mentions of an entity, newest first by default",
        parameters=[_parent_param("entity_pk", "Entity")],
    )
)
class EntityMentionViewSet(_NestedSpanList):
    parent_model, parent_kwarg = Entity, "entity_pk"

    @staticmethod
    def select(entity_id):
        return selectors.api_entity_mentions(entity_id=entity_id)


# --- entities ----------------------------------------------------------------------------------


def _alias_errors(error: DjangoValidationError) -> DjangoValidationError:
    """The services say "alias"; the API field is "aliases"."""
    if hasattr(error, "error_dict") and "alias" in error.error_dict:
        errors = dict(error.error_dict)
        errors["aliases"] = errors.pop("alias")
        return DjangoValidationError(errors)
    return error


@extend_schema_view(
    list=extend_schema(summary="List entities (best match first when searching with q)"),
    create=extend_schema(summary="Create an entity"),
    update=extend_schema(summary="Replace an entity (aliases: the full new list)"),
    partial_update=extend_schema(summary="Change an entity"),
    destroy=extend_schema(summary="Delete an entity no annotation uses"),
)
class EntityViewSet(KnownQueryParameters, viewsets.ModelViewSet):
    """People, organisations, places…, with their aliases."""

    serializer_class = EntitySerializer
    filterset_class = EntityFilter
    filter_backends = [FilterBackend, StableOrderingFilter]
    pagination_class = PageNumberPagination
    ordering_fields = ["name", "created_at"]
    ordering = None  # the queryset's own: by name, or by similarity when searching
    lookup_value_regex = ID_REGEX
    versioned = True
    query_parameters = {"duplicates": ("limit",)}

    def get_queryset(self):
        return selectors.api_entity_list()

    def perform_create(self, serializer):
        data = serializer.validated_data
        try:
            entity = services.entity_create(
                name=data["name"],
                kind=data["kind"],
                aliases=data.get("aliases", []),
                description=data.get("description", ""),
                external_id=data.get("external_id", ""),
                user=self.request.user,
                **{name: data[name] for name in services.SPEAKER_FIELDS if name in data},
            )
        except DjangoValidationError as error:
            raise _alias_errors(error) from None
        serializer.instance = self.get_queryset().get(pk=entity.pk)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        entity = serializer.instance
        changes = {
            name: data[name]
            for name in ("name", "kind", "description", "external_id", *services.SPEAKER_FIELDS)
            if name in data and data[name] != getattr(entity, name)
        }
        try:
            with transaction.atomic():
                entity = services.entity_update(
                    entity=entity, version=data.get("version"), user=self.request.user, **changes
                )
                if "aliases" in data:
                    services.entity_aliases_replace(
                        entity=entity, names=data["aliases"], user=self.request.user
                    )
        except DjangoValidationError as error:
            raise _alias_errors(error) from None
        serializer.instance = self.get_queryset().get(pk=entity.pk)

    def perform_destroy(self, instance):
        services.entity_delete(entity=instance, user=self.request.user)

    @extend_schema(
        summary="An entity's history: its changes, merges, deletion, and those of the spans "
        "and claims pointing at it (also for a deleted or merged-away entity), newest first",
        responses=HistoryEntrySerializer(many=True),
    )
    @action(
        detail=True,
        methods=["get"],
        filter_backends=[],
        pagination_class=PageNumberPagination,
    )
    def history(self, request, pk=None):
        return history_page(self, selectors.history_for_entity(entity=int(pk)))

    @extend_schema(
        summary="Likely duplicate entities (similar names of the same kind), best first",
        description=(
            "Pairs offered for merging: `keep` is the one more annotations use (`uses`: its "
            "mentions plus quotes), `drop` the other. Merge with "
            '`POST /api/entities/{keep.id}/merge/` and `{"drop": drop.id}`. Not '
            "paginated: at most `limit` pairs."
        ),
        parameters=[DuplicatesQuerySerializer],
        responses={200: DuplicatePairSerializer(many=True)},
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def duplicates(self, request):
        query = DuplicatesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        pairs = selectors.api_entity_duplicates(limit=query.validated_data["limit"])
        return Response(DuplicatePairSerializer(pairs, many=True).data)

    @extend_schema(
        summary="Merge another entity into this one",
        description=(
            "Every span that mentions `drop` or quotes it as speaker, and every claim it "
            "made, moves to this entity; `drop`'s name and aliases become aliases of this "
            "one, and `drop` is deleted (its history stays under its id). Returns this entity. "
            "A merge is an action resource rather than a field update: it changes many rows "
            "of two entities at once, and no PATCH of either entity's fields can say it."
        ),
        request=EntityMergeSerializer,
        responses={
            200: EntitySerializer,
            409: OpenApiResponse(
                ConflictSerializer,
                description="Stale version or drop_version: `current` is that entity now.",
            ),
        },
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def merge(self, request, pk=None):
        """Merge `drop` into this entity (services.entity_merge).

        A verb in the URL, which the conventions otherwise avoid: a merge is an action on two
        entities at once (it moves their spans and claims, turns one name into an alias and
        deletes the other entity), so no PUT/PATCH of one entity's fields can express it, and
        a POST to the surviving entity's merge/ resource says plainly what happens.
        """
        keep = self.get_object()
        payload = EntityMergeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        if data["drop"].pk == keep.pk:
            raise DjangoValidationError({"drop": "An entity cannot be merged into itself."})
        keep = services.entity_merge(
            keep=keep,
            drop=data["drop"],
            user=request.user,
            version=data.get("version"),
            drop_version=data.get("drop_version"),
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=keep.pk)).data)


# --- claims ------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List claims, newest first (e.g. ?verdict=false)"),
    create=extend_schema(summary="Create a claim"),
    update=extend_schema(summary="Replace a claim"),
    partial_update=extend_schema(summary="Change a claim (a new verdict records the reviewer)"),
    destroy=extend_schema(summary="Delete a claim and the spans that state it"),
)
class ClaimViewSet(KnownQueryParameters, viewsets.ModelViewSet):
    """Checkable statements with verdicts; spans in articles state them."""

    serializer_class = ClaimSerializer
    filterset_class = ClaimFilter
    filter_backends = [FilterBackend, StableOrderingFilter]
    pagination_class = CursorPagination
    ordering_fields = ["created_at"]
    ordering = ("-created_at", "-id")
    lookup_value_regex = ID_REGEX
    versioned = True

    def get_queryset(self):
        return selectors.api_claim_list()

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.claim_create(
            text=data["text"],
            claimant=data.get("claimant"),
            verdict=data.get("verdict", "unreviewed"),
            verdict_note=data.get("verdict_note", ""),
            user=self.request.user,
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        claim: Claim = serializer.instance
        changes = {}
        for name in ("text", "verdict", "verdict_note"):
            if name in data and data[name] != getattr(claim, name):
                changes[name] = data[name]
        if "claimant" in data and (data["claimant"] and data["claimant"].pk) != claim.claimant_id:
            changes["claimant"] = data["claimant"]
        serializer.instance = services.claim_update(
            claim=claim, version=data.get("version"), user=self.request.user, **changes
        )

    def perform_destroy(self, instance):
        services.claim_delete(claim=instance, user=self.request.user)


@extend_schema_view(
    list=extend_schema(
        summary="Bulk actions, newest first (`?article=<id>`: of one article)",
        parameters=[OpenApiParameter("article", int, required=False)],
    ),
    retrieve=extend_schema(summary="A bulk action with every change it made (`members`)"),
)
class HistoryBatchViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """A bulk action in the audit trail, with its members; restorable as a whole."""

    serializer_class = HistoryBatchSerializer
    pagination_class = PageNumberPagination
    lookup_value_regex = ID_REGEX
    filter_backends = []

    def get_queryset(self):
        batches = HistoryBatch.objects.select_related("user").order_by("-created_at", "-id")
        article = self.request.query_params.get("article", "")
        if self.action == "list" and article:
            try:
                batches = batches.filter(article_id=parse_id(article))
            except InvalidNumber:
                raise DjangoValidationError(
                    {"article": "Send an article id."}, code="invalid"
                ) from None
        return batches

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.action == "retrieve":
            try:
                batch_id = parse_id(self.kwargs["pk"])
            except InvalidNumber:
                raise Http404 from None  # ID_REGEX lets other scripts' digits in
            context["members"] = selectors.history_batch_members(batch_ids=[batch_id])
        return context

    @extend_schema(
        summary="Undo a bulk action as a whole (editors)",
        description=(
            "Every span the batch changed goes back to how it was before it, every span it "
            "created goes, and entities and claims it created go when unused; an entity a "
            "merge removed comes back. Spans changed since by a later edit are left alone and "
            "listed in `unrestored`. The undo is a batch of its own (`batch`). 400 when the "
            "batch was restored already."
        ),
        request=None,
        responses={200: BatchRestoreSerializer},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def restore(self, request, pk=None):
        batch = self.get_object()
        report = services.batch_restore(batch=batch, user=request.user)
        return Response(
            {
                "restored_batch": batch.pk,
                "batch": report.batch.pk if report.batch else None,
                "restored": report.restored,
                "unrestored": [
                    {"span": item.span_id, "text": item.text, "reason": item.reason}
                    for item in report.unrestored
                ],
                "detail": report.message,
            }
        )
