"""REST endpoints for articles (read-only) and their annotation exports."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from annotations import exporters, suggesting, team_selectors
from annotations import selectors as annotation_selectors
from annotations.api import history_page
from annotations.article_filters import ArticleFilter
from annotations.models import SpanKind
from annotations.serializers import (
    HistoryEntrySerializer,
    SpanSerializer,
    SuggestionsDecidedSerializer,
    SuggestionsDecideSerializer,
    SuggestReportSerializer,
    SuggestRequestSerializer,
)
from articles import selectors, services
from articles.serializers import (
    ArticleListSerializer,
    ArticleMetadataSerializer,
    ArticleSerializer,
)
from newsdesk.api import (
    ID_REGEX,
    W3C_CONTENT_TYPE,
    CursorPagination,
    FilterBackend,
    JSONLDRenderer,
    JSONLinesRenderer,
    KnownQueryParameters,
    PageNumberPagination,
    PlainTextRenderer,
    StableOrderingFilter,
)
from newsdesk.api_views import ErrorSerializer

_W3C_EXAMPLE = {
    "@context": "http://www.w3.org/ns/anno.jsonld",
    "id": "https://newsdesk.example/api/articles/7/w3c/",
    "type": "AnnotationCollection",
    "label": "Annotations on “Bridge to reopen” (revision 1)",
    "total": 1,
    "first": {
        "id": "https://newsdesk.example/api/articles/7/w3c/#page1",
        "type": "AnnotationPage",
        "startIndex": 0,
        "items": [
            {
                "id": "https://newsdesk.example/api/spans/42/",
                "type": "Annotation",
                "motivation": "identifying",
                "body": [
                    {
                        "type": "SpecificResource",
                        "source": "https://newsdesk.example/api/entities/3/",
                        "purpose": "identifying",
                    },
                    {
                        "type": "TextualBody",
                        "value": "Jane Doe",
                        "format": "text/plain",
                        "purpose": "identifying",
                    },
                ],
                "target": {
                    "source": "https://newsdesk.example/api/articles/7/",
                    "type": "Text",
                    "state": {
                        "id": "https://newsdesk.example/api/articles/7/#revision=1",
                        "type": "TimeState",
                        "sourceDate": "2025-01-02T10:00:00Z",
                    },
                    "selector": [
                        {
                            "type": "TextQuoteSelector",
                            "exact": "Jane Doe",
                            "prefix": "",
                            "suffix": " said",
                        },
                        {"type": "TextPositionSelector", "start": 0, "end": 8},
                    ],
                },
            }
        ],
    },
}


_DOCCANO_EXAMPLE = (
    '{"id": 7, "title": "Bridge to reopen", "text": "Jane Doe said the bridge reopens.", '
    '"label": [[0, 8, "PERSON"], [0, 33, "CLAIM"]]}\n'
)

_KINDS_PARAM = OpenApiParameter(
    "kinds",
    {"type": "array", "items": {"type": "string", "enum": list(SpanKind.values)}},
    style="form",
    explode=False,
    required=False,
    description=(
        "Only these kinds, comma-separated: e.g. `quote,claim` or `mention`. Quotes contain "
        "mentions, so an export of every kind always overlaps: doccano keeps overlapping "
        "spans only in a project that allows them (see the README)."
    ),
)


def doccano_kinds(request) -> set[str]:
    """``?kinds=quote,claim``: a 400 naming any kind that does not exist."""
    values = request.query_params.getlist("kinds")
    if not values:
        return set(SpanKind.values)
    kinds = {kind.strip() for value in values for kind in value.split(",")}
    unknown = sorted(kinds - set(SpanKind.values))
    if unknown:
        raise exceptions.ValidationError(
            {"kinds": [f"Unknown kind {', '.join(map(repr, unknown))}; use quote, mention, claim."]}
        )
    return kinds


# An id no real row has, to cut a reversed detail URL around (URL ids have at most 18 digits).
_ID_MARK = 987654321987654321


@extend_schema_view(
    list=extend_schema(summary="List articles (without bodies), newest import first"),
    retrieve=extend_schema(summary="One article with its body"),
    partial_update=extend_schema(
        summary="Set an article's outlet (`source`) and date (`published_at`) (editors)",
        request=ArticleMetadataSerializer,
        responses=ArticleSerializer,
    ),
)
class ArticleViewSet(KnownQueryParameters, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Imported articles. Import through the admin or `manage.py import_articles`; editors
    can PATCH an article's `source` and `published_at` (its text changes only by revision)."""

    http_method_names = ["get", "patch", "post", "head", "options"]

    query_parameters = {"doccano": ("kinds",)}
    filterset_class = ArticleFilter
    filter_backends = [FilterBackend, StableOrderingFilter]
    pagination_class = CursorPagination
    ordering_fields = ["imported_at"]
    ordering = ("-imported_at", "-id")
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        if self.action == "list":
            return selectors.api_article_list()
        return selectors.api_article_detail()

    def get_serializer_class(self):
        if self.action == "partial_update":
            return ArticleMetadataSerializer
        return ArticleListSerializer if self.action == "list" else ArticleSerializer

    def partial_update(self, request, *args, **kwargs):
        article = self.get_object()
        payload = ArticleMetadataSerializer(article, data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        article = services.article_metadata_update(
            article=article, user=request.user, **payload.validated_data
        )
        return Response(ArticleSerializer(article, context=self.get_serializer_context()).data)

    def _export_parts(self):
        article = self.get_object()
        request = self.request
        # Each kind's IRI is reversed once, around a placeholder id: reverse() and
        # build_absolute_uri() per span and per entity were a tenth of an export's CPU.
        around: dict[str, tuple[str, str]] = {}

        def iri(kind: str, pk: int) -> str:
            if kind not in around:
                url = request.build_absolute_uri(reverse(f"api-{kind}-detail", args=[_ID_MARK]))
                prefix, _, suffix = url.partition(str(_ID_MARK))
                around[kind] = prefix, suffix
            prefix, suffix = around[kind]
            return f"{prefix}{int(pk)}{suffix}"

        # Exports hold the shared layer, which a blind assignee does not see while they work.
        working = team_selectors.working_layer(user=request.user, article_id=article.pk)
        rows = [] if working else annotation_selectors.export_article_spans(article=article)
        spans = annotation_selectors.export_spans(rows, iri)
        data = exporters.ExportArticle(
            id=article.pk,
            iri=iri("article", article.pk),
            title=article.title,
            body=article.body,
            revision=article.revision,
            revised=article.updated_at,
        )
        return data, spans

    @extend_schema(
        summary="The article's accepted annotations as a W3C Web Annotation collection",
        description=(
            "An `AnnotationCollection` (JSON-LD, Content-Type "
            '`application/ld+json;profile="http://www.w3.org/ns/anno.jsonld"`). Each '
            "annotation targets the article with a `TextQuoteSelector` (exact, prefix, suffix) "
            "and a `TextPositionSelector` (Unicode code points), and a `TimeState` naming the "
            "article revision the offsets belong to. Motivations: `highlighting` (quote, the "
            "speaker as body), `identifying` (mention, the entity as body), `assessing` "
            "(claim, the verdict and claim as body)."
        ),
        responses={
            (200, "application/ld+json"): OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="W3C AnnotationCollection",
                examples=[OpenApiExample("collection", value=_W3C_EXAMPLE)],
            )
        },
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONLDRenderer, JSONRenderer])
    def w3c(self, request, pk=None):
        article, spans = self._export_parts()
        iri = request.build_absolute_uri(request.path)
        collection = exporters.w3c_collection(article, spans, iri=iri)
        content_type = W3C_CONTENT_TYPE
        if request.accepted_renderer.media_type == "application/json":
            content_type = None  # the client asked for plain JSON
        return Response(collection, content_type=content_type)

    @extend_schema(
        summary="The article's accepted annotations as doccano JSONL",
        description=(
            'One line: `{"id", "title", "text", "label": [[start, end, label], …]}`; labels '
            "are the entity kind for mentions, QUOTE and CLAIM otherwise; offsets in code "
            "points. `?kinds=` picks layers that do not overlap."
        ),
        parameters=[_KINDS_PARAM],
        responses={
            (200, "application/jsonl"): OpenApiResponse(
                OpenApiTypes.STR,
                description="One doccano record (JSON Lines, UTF-8).",
                examples=[OpenApiExample("one article", value=_DOCCANO_EXAMPLE)],
            )
        },
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, JSONLinesRenderer])
    def doccano(self, request, pk=None):
        kinds = doccano_kinds(request)
        article, spans = self._export_parts()
        spans = [span for span in spans if span.kind in kinds]
        response = HttpResponse(
            exporters.doccano_jsonl(article, spans), content_type="application/jsonl; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="article-{article.id}.jsonl"'
        return response

    @extend_schema(
        summary="The article's accepted mentions as CoNLL IOB2",
        description=(
            "`token<TAB>tag` per line (B-KIND / I-KIND / O, KIND the entity kind), a blank line "
            "after each sentence. Overlapping mentions: the earlier (then longer) one wins."
        ),
        responses={(200, "text/plain"): OpenApiResponse(OpenApiTypes.STR)},
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, PlainTextRenderer])
    def conll(self, request, pk=None):
        article, spans = self._export_parts()
        response = HttpResponse(
            exporters.conll_iob2(article.body, spans), content_type="text/plain; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="article-{article.id}.conll"'
        return response

    @extend_schema(
        summary="Spans a revision of the text could not place (status orphaned)",
        description=(
            "Each keeps its old text. Re-place one with PATCH /api/spans/<id>/ and new "
            "`start`/`end` (or `text`), or delete it."
        ),
        responses=SpanSerializer(many=True),
    )
    @action(
        detail=True,
        methods=["get"],
        filter_backends=[],
        pagination_class=PageNumberPagination,
    )
    def orphans(self, request, pk=None):
        article = self.get_object()
        page = self.paginate_queryset(annotation_selectors.orphaned_spans(article=article))
        return self.get_paginated_response(SpanSerializer(page, many=True).data)

    @extend_schema(
        summary="Who changed which annotation of the article, and how, newest first",
        responses=HistoryEntrySerializer(many=True),
    )
    @action(
        detail=True,
        methods=["get"],
        filter_backends=[],
        pagination_class=PageNumberPagination,
    )
    def history(self, request, pk=None):
        article = self.get_object()
        return history_page(self, annotation_selectors.history_for_article(article=article))

    @extend_schema(
        summary="Run the suggesters on the article (editors)",
        description=(
            "Stores what the quote, entity and claim suggesters find as spans with status "
            "`suggested`, `origin` naming the suggester and a `confidence`; list them with "
            "`GET /api/articles/{id}/spans/?status=suggested`. A place that holds a live span "
            "of the same kind is left alone (`existing`), and a suggestion an editor rejected "
            "is not offered again (`rejected`): running it twice creates nothing new. The body "
            'is optional: `{"kinds": ["quote", "mention", "claim"]}` (default: all). '
            "201 when something was created, 200 otherwise; 409 when the article's annotations "
            "changed meanwhile (run it again)."
        ),
        request=SuggestRequestSerializer,
        responses={
            201: SuggestReportSerializer,
            200: SuggestReportSerializer,
            409: OpenApiResponse(ErrorSerializer, description="Changed meanwhile; run again."),
        },
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def suggest(self, request, pk=None):
        article = self.get_object()
        payload = SuggestRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        kinds = payload.validated_data.get("kinds", suggesting.KINDS)
        try:
            layer = team_selectors.working_layer(user=request.user, article_id=article.pk)
            report = suggesting.article_suggest(
                article=article, kinds=kinds, user=request.user, layer=layer
            )
        except DjangoValidationError as error:
            if getattr(error, "code", None) != "conflict":
                raise
            return Response({"detail": " ".join(error.messages), "code": "conflict"}, status=409)
        data = {"article": article.pk, "created": report.created, "counts": report.as_dict()}
        created = report.created > 0
        return Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        summary="Accept or reject every suggestion of one kind in the article (editors)",
        description=(
            '`{"kind": "mention", "action": "accept"}`: every `suggested` span of '
            "the kind becomes `accepted`, exactly as accepting each alone would leave it "
            "(mentions get the candidate entity their proposal names, quotes the speaker it "
            "names, found by name or alias or created once per name; claim spans get a new "
            'unreviewed claim each), or `rejected` with `"action": "reject"`. One entry of the '
            "article's history (a batch, restorable as a whole). Returns how many. To decide "
            "one: `PATCH /api/spans/{id}/` with `status`."
        ),
        request=SuggestionsDecideSerializer,
        responses={200: SuggestionsDecidedSerializer},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def suggestions(self, request, pk=None):
        article = self.get_object()
        payload = SuggestionsDecideSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        kind, decision = payload.validated_data["kind"], payload.validated_data["action"]
        decide = {
            "accept": suggesting.suggestions_accept_all,
            "reject": suggesting.suggestions_reject_all,
        }[decision]
        count = decide(article=article, kind=kind, user=request.user)
        return Response({"article": article.pk, "kind": kind, "action": decision, "count": count})
