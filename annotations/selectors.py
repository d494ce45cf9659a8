"""Reads of spans, entities and claims, shaped for their callers (select/prefetch/annotate).

Everyone with a reader role sees every annotation; the API's permission classes check the
role, so these selectors apply no per-user filter yet. Functions used by the REST API are
prefixed ``api_``; ``export_`` ones feed annotations.exporters.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest

from annotations import exporters
from annotations.models import (
    Claim,
    Entity,
    EntityAlias,
    HistoryEntry,
    HistoryObject,
    Span,
    SpanKind,
    SpanStatus,
)
from annotations.text import fold
from articles.models import Article

# The columns of a span in the API (serializer, JSONL export), in order.
SPAN_API_FIELDS = (
    "id",
    "article",
    "start",
    "end",
    "text",
    "kind",
    "speaker",
    "entity",
    "claim",
    "status",
    "origin",
    "note",
    "confidence",
    "version",
    "prefix",
    "suffix",
    "created_by",
    "created_at",
    "updated_at",
)
_SPAN_FK = {"article", "speaker", "entity", "claim", "created_by"}


# --- spans -------------------------------------------------------------------------------------


def api_span_list() -> QuerySet[Span]:
    """Every span; links are serialised as ids, so nothing needs joining."""
    return Span.objects.all()


def api_article_spans(*, article_id: int) -> QuerySet[Span]:
    return Span.objects.filter(article_id=article_id)


def api_entity_quotes(*, entity_id: int) -> QuerySet[Span]:
    """Quotes spoken by the entity (index span_speaker_idx)."""
    return Span.objects.filter(kind=SpanKind.QUOTE, speaker_id=entity_id)


def api_entity_mentions(*, entity_id: int) -> QuerySet[Span]:
    """Mentions of the entity (index span_entity_idx)."""
    return Span.objects.filter(kind=SpanKind.MENTION, entity_id=entity_id)


def api_span_rows(queryset: QuerySet[Span], *, chunk_size: int = 2000) -> Iterator[dict]:
    """Stream spans as API-shaped dicts without building model instances (JSONL export)."""
    columns = [f"{name}_id" if name in _SPAN_FK else name for name in SPAN_API_FIELDS]
    for values in queryset.values_list(*columns).iterator(chunk_size=chunk_size):
        yield dict(zip(SPAN_API_FIELDS, values, strict=True))


# --- entities ----------------------------------------------------------------------------------


def api_entity_list() -> QuerySet[Entity]:
    return Entity.objects.prefetch_related(
        Prefetch("aliases", queryset=EntityAlias.objects.order_by("name", "id"))
    )


def entity_search(queryset: QuerySet[Entity], q: str) -> QuerySet[Entity]:
    """Entities whose name or an alias matches q, ignoring case and accents.

    PostgreSQL: substring or trigram word similarity on the folded columns (GIN pg_trgm
    indexes from migration 0003), best match first. SQLite: folded substring match.
    """
    key = fold(q)
    if not key:
        return queryset
    if connection.vendor != "postgresql":
        aliases = EntityAlias.objects.filter(entity=OuterRef("pk"), folded__contains=key)
        return queryset.filter(Q(folded__contains=key) | Exists(aliases))
    from django.contrib.postgres.search import TrigramWordSimilarity

    def matches(prefix: str = "") -> Q:
        return Q(**{f"{prefix}folded__contains": key}) | Q(
            **{f"{prefix}folded__trigram_word_similar": key}
        )

    alias_rows = EntityAlias.objects.filter(entity=OuterRef("pk"))
    alias_score = (
        alias_rows.annotate(score=TrigramWordSimilarity(key, "folded"))
        .order_by("-score")
        .values("score")[:1]
    )
    return (
        queryset.filter(matches() | Exists(alias_rows.filter(matches())))
        .annotate(
            score=Greatest(
                TrigramWordSimilarity(key, "folded"), Coalesce(Subquery(alias_score), Value(0.0))
            )
        )
        .order_by("-score", "name", "id")
    )


# --- claims ------------------------------------------------------------------------------------


def api_claim_list() -> QuerySet[Claim]:
    return Claim.objects.all()


# --- exports -------------------------------------------------------------------------------------


def export_article_spans(*, article: Article) -> QuerySet[Span]:
    """The accepted spans of an article with everything an export names, in text order."""
    return (
        Span.objects.filter(article=article, status=SpanStatus.ACCEPTED)
        .select_related("entity", "speaker", "claim", "claim__claimant", "created_by")
        .order_by("start", "-end", "id")
    )


def _export_entity(entity: Entity | None, iri) -> exporters.ExportEntity | None:
    if entity is None:
        return None
    return exporters.ExportEntity(
        id=entity.pk,
        iri=iri("entity", entity.pk),
        name=entity.name,
        kind=entity.kind,
        external_id=entity.external_id,
    )


def export_spans(spans, iri) -> list[exporters.ExportSpan]:
    """Spans (from export_article_spans) as exporter dataclasses; iri(kind, pk) names things."""
    out = []
    for span in spans:
        claim = None
        if span.claim is not None:
            claim = exporters.ExportClaim(
                id=span.claim.pk,
                iri=iri("claim", span.claim.pk),
                text=span.claim.text,
                verdict=span.claim.verdict,
                verdict_note=span.claim.verdict_note,
                claimant=_export_entity(span.claim.claimant, iri),
            )
        out.append(
            exporters.ExportSpan(
                id=span.pk,
                iri=iri("span", span.pk),
                kind=span.kind,
                start=span.start,
                end=span.end,
                text=span.text,
                created=span.created_at,
                modified=span.updated_at,
                creator=span.created_by.get_username() if span.created_by else "",
                origin=span.origin,
                note=span.note,
                entity=_export_entity(span.entity, iri),
                speaker=_export_entity(span.speaker, iri),
                claim=claim,
            )
        )
    return out


# --- orphans and history (revisions, audit trail) ----------------------------------------------


def orphaned_spans(*, article: Article | int) -> QuerySet[Span]:
    """Spans a revision of the article's text could not place, for an editor to re-place
    (services.span_update with start/end) or delete. Old text order (index
    span_article_start_idx; an article has few spans)."""
    article_id = article.pk if isinstance(article, Article) else article
    return (
        Span.objects.filter(article_id=article_id, status=SpanStatus.ORPHANED)
        .select_related("entity", "speaker", "claim", "created_by")
        .order_by("start", "end", "id")
    )


def history_for_article(*, article: Article | int) -> QuerySet[HistoryEntry]:
    """Who did what to the article's spans (and claims first stated there), newest first
    (index history_article_idx)."""
    article_id = article.pk if isinstance(article, Article) else article
    return HistoryEntry.objects.filter(article_id=article_id).select_related("user")


def history_for_entity(*, entity: Entity | int) -> QuerySet[HistoryEntry]:
    """The entity's own changes, merges and deletion, and changes to spans and claims that
    point at it, newest first (index history_entity_idx). Works for deleted entities too."""
    entity_id = entity.pk if isinstance(entity, Entity) else entity
    return HistoryEntry.objects.filter(entity_id=entity_id).select_related("user")


def history_for_object(*, object_type: str, object_id: int) -> QuerySet[HistoryEntry]:
    """One span's, claim's or entity's history, newest first (index history_object_idx)."""
    if object_type not in HistoryObject.values:
        return HistoryEntry.objects.none()
    return HistoryEntry.objects.filter(object_type=object_type, object_id=object_id).select_related(
        "user"
    )
