"""Reads for the browser workspace: the article list, one article's spans and side panel,
entity lookups, an entity's quotes and mentions, and the claims review queue.

Selectors return querysets already shaped for their page (select_related, annotate), so a
page costs the same number of queries however many rows it shows. The panel is built in
Python from the spans the workspace already loaded (no extra query).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from annotations import rendering
from annotations.models import Claim, Entity, EntityAlias, Span, SpanKind, SpanStatus
from annotations.rendering import Mark
from annotations.text import fold
from articles.models import Article

LIVE = (SpanStatus.ACCEPTED, SpanStatus.SUGGESTED)
_LIST_DEFER = ("body", "original", "import_report")


# --- article list ----------------------------------------------------------------------------


def _span_count(**filters) -> Coalesce:
    # A correlated subquery per row of the page: the database counts only the articles shown
    # (a JOIN + GROUP BY would aggregate the whole archive before paginating).
    counted = (
        Span.objects.filter(article=OuterRef("pk"), **filters)
        .order_by()
        .values("article")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def workspace_articles(*, q: str = "", source: str = "", unreviewed: bool = False) -> QuerySet:
    """Articles newest first, with counts of live quotes, mentions and claims."""
    articles = Article.objects.defer(*_LIST_DEFER).annotate(
        quote_count=_span_count(kind=SpanKind.QUOTE, status__in=LIVE),
        mention_count=_span_count(kind=SpanKind.MENTION, status__in=LIVE),
        claim_count=_span_count(kind=SpanKind.CLAIM, status__in=LIVE),
        suggested_count=_span_count(status=SpanStatus.SUGGESTED),
    )
    q = q.strip()
    if q:
        articles = articles.filter(Q(title__icontains=q) | Q(body__icontains=q))
    if source:
        articles = articles.filter(source=source)
    if unreviewed:
        articles = articles.filter(
            Exists(Span.objects.filter(article=OuterRef("pk"), status=SpanStatus.SUGGESTED))
        )
    return articles.order_by("-imported_at", "-id")


def workspace_sources(limit: int = 200) -> list[str]:
    """The outlets to filter by (served by the (source, imported_at) index)."""
    return list(
        Article.objects.exclude(source="")
        .order_by("source")
        .values_list("source", flat=True)
        .distinct()[:limit]
    )


# --- one article -------------------------------------------------------------------------------


def workspace_spans(*, article_id: int) -> QuerySet:
    """Every span the workspace shows (live ones highlighted, orphaned ones listed)."""
    return (
        Span.objects.filter(article_id=article_id, status__in=(*LIVE, SpanStatus.ORPHANED))
        .select_related("entity", "speaker", "claim", "claim__claimant")
        .order_by("start", "-end", "id")
    )


def workspace_marks(spans: list[Span]) -> list[Mark]:
    """The live spans as the renderer needs them, with a short label for the tooltip."""
    return [
        Mark(span.id, span.start, span.end, span.kind, span.status, _label(span))
        for span in spans
        if span.status in LIVE
    ]


def _label(span: Span) -> str:
    suggested = " (suggested)" if span.status == SpanStatus.SUGGESTED else ""
    if span.kind == SpanKind.QUOTE:
        who = span.speaker.name if span.speaker else "unattributed"
        return f"Quote — {who}{suggested}"
    if span.kind == SpanKind.MENTION:
        what = f"{span.entity.name} ({span.entity.kind})" if span.entity else "unlinked"
        return f"Mention — {what}{suggested}"
    verdict = span.claim.get_verdict_display() if span.claim else "no claim"
    return f"Claim — {verdict}{suggested}"


@dataclass
class PanelGroup:
    key: object  # the speaker/entity/claim, or None
    spans: list[Span] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.spans)

    @property
    def first(self) -> Span:
        return self.spans[0]


@dataclass
class Panel:
    quotes: list[PanelGroup]  # by speaker; None (unattributed) last
    entities: list[PanelGroup]  # by entity, most mentioned first
    claims: list[PanelGroup]  # by claim, in text order
    suggested: list[Span]
    orphaned: list[Span]


def panel_build(spans: list[Span]) -> Panel:
    """Quotes by speaker, entities with mention counts, claims with verdicts."""
    quotes: dict[int | None, PanelGroup] = {}
    entities: dict[int | None, PanelGroup] = {}
    claims: dict[int | None, PanelGroup] = {}
    suggested, orphaned = [], []
    for span in spans:
        if span.status == SpanStatus.ORPHANED:
            orphaned.append(span)
            continue
        if span.status == SpanStatus.SUGGESTED:
            suggested.append(span)
        if span.kind == SpanKind.QUOTE:
            quotes.setdefault(span.speaker_id, PanelGroup(span.speaker)).spans.append(span)
        elif span.kind == SpanKind.MENTION:
            entities.setdefault(span.entity_id, PanelGroup(span.entity)).spans.append(span)
        else:
            claims.setdefault(span.claim_id, PanelGroup(span.claim)).spans.append(span)
    return Panel(
        quotes=sorted(quotes.values(), key=lambda g: (g.key is None, _name(g.key))),
        entities=sorted(entities.values(), key=lambda g: (g.key is None, -g.count, _name(g.key))),
        claims=list(claims.values()),
        suggested=suggested,
        orphaned=orphaned,
    )


def _name(entity) -> str:
    return entity.folded if entity is not None else ""


# --- entities ----------------------------------------------------------------------------------


def workspace_entity_search(*, q: str, kind: str = "", limit: int = 8) -> QuerySet:
    """Entities whose name or an alias starts a word with q (folded), exact matches first."""
    key = fold(q)
    if not key:
        return Entity.objects.none()
    word = Q(folded__startswith=key) | Q(folded__contains=" " + key)
    aliases = EntityAlias.objects.filter(entity=OuterRef("pk")).filter(word)
    entities = Entity.objects.filter(word | Exists(aliases))
    if kind:
        entities = entities.filter(kind=kind)
    return entities.annotate(
        matched_alias=Subquery(aliases.order_by("folded").values("name")[:1]),
        rank=Case(
            When(folded=key, then=Value(0)),
            When(
                Exists(EntityAlias.objects.filter(entity=OuterRef("pk"), folded=key)),
                then=Value(1),
            ),
            When(folded__startswith=key, then=Value(2)),
            default=Value(3),
        ),
    ).order_by("rank", "folded", "id")[:limit]


def workspace_entity_exact(*, name: str, kind: str = "") -> Entity | None:
    """The one entity called exactly `name` (folded), by name or alias; None if none or many."""
    key = fold(name)
    if not key:
        return None
    entities = Entity.objects.filter(Q(folded=key) | Q(aliases__folded=key)).distinct()
    if kind:
        entities = entities.filter(kind=kind)
    found = list(entities[:2])
    return found[0] if len(found) == 1 else None


def workspace_entity(*, pk: int) -> Entity:
    return Entity.objects.prefetch_related("aliases").get(pk=pk)


def _entity_spans(**filters) -> QuerySet:
    return (
        Span.objects.filter(status__in=LIVE, **filters)
        .select_related("article")
        .defer(*(f"article__{name}" for name in _LIST_DEFER))
        .order_by("-created_at", "-id")
    )


def workspace_entity_quotes(*, entity: Entity) -> QuerySet:
    """Quotes by the entity across articles, newest first (span_speaker_idx)."""
    return _entity_spans(speaker=entity, kind=SpanKind.QUOTE)


def workspace_entity_mentions(*, entity: Entity) -> QuerySet:
    """Mentions of the entity across articles, newest first (span_entity_idx)."""
    return _entity_spans(entity=entity, kind=SpanKind.MENTION)


# --- claims ------------------------------------------------------------------------------------


def workspace_claims(*, verdict: str = "") -> QuerySet:
    """The review queue: claims newest first with claimant and the spans stating them."""
    claims = Claim.objects.select_related("claimant", "reviewed_by")
    if verdict:
        claims = claims.filter(verdict=verdict)
    stating = (
        Span.objects.filter(status__in=LIVE)
        .select_related("article")
        .defer(*(f"article__{name}" for name in _LIST_DEFER))
        .order_by("article_id", "start")
    )
    return claims.prefetch_related(Prefetch("spans", queryset=stating, to_attr="live_spans"))


def workspace_claim(*, pk: int) -> Claim:
    return workspace_claims().get(pk=pk)


# --- the page ----------------------------------------------------------------------------------


def workspace_page(*, article: Article, can_edit: bool) -> dict:
    """Everything the workspace template shows for one article: two queries in all."""
    spans = list(workspace_spans(article_id=article.id))
    return {
        "article": article,
        "tokens": rendering.tokens(article.body, workspace_marks(spans)),
        "panel": panel_build(spans),
        "span_count": len(spans),
        "can_edit": can_edit,
        "mode": "closed",  # the annotation form region starts closed
        "oob": False,
    }
