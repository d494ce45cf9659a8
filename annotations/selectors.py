"""Reads of spans, entities and claims, shaped for their callers (select/prefetch/annotate).

Span reads here are of the shared layer only (layer is null): a blind assignment's private
layer is read through annotations.team_selectors.visible_spans, which knows who asks.

Everyone with a reader role sees every annotation; the API's permission classes check the
role, so these selectors apply no per-user filter yet. Functions used by the REST API are
prefixed ``api_``; ``export_`` ones feed annotations.exporters.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import combinations

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce, Greatest
from rapidfuzz import fuzz

from annotations import exporters, proposals
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
from annotations.suggesters import matching, sentences
from annotations.suggesters.resolution import likely_duplicates
from annotations.suggesting import entities_marker
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
    "proposal",
    "revised_from",
    "confidence",
    "version",
    "prefix",
    "suffix",
    "created_by",
    "created_at",
    "updated_at",
    "review_status",
    "reviewed_by",
    "reviewed_at",
    "layer",
)
_SPAN_FK = {"article", "speaker", "entity", "claim", "created_by", "reviewed_by", "layer"}


# --- spans -------------------------------------------------------------------------------------


def api_span_list() -> QuerySet[Span]:
    """Every span; links are serialised as ids, so nothing needs joining."""
    return Span.objects.filter(layer__isnull=True)


def api_span_list_all_layers() -> QuerySet[Span]:
    """Spans of every layer: only for annotations.team_selectors.visible_spans to narrow."""
    return Span.objects.all()


def api_article_spans(*, article_id: int) -> QuerySet[Span]:
    return Span.objects.filter(article_id=article_id, layer__isnull=True)


def api_entity_quotes(*, entity_id: int) -> QuerySet[Span]:
    """Quotes spoken by the entity (index span_speaker_idx)."""
    return Span.objects.filter(kind=SpanKind.QUOTE, speaker_id=entity_id, layer__isnull=True)


def api_entity_mentions(*, entity_id: int) -> QuerySet[Span]:
    """Mentions of the entity (index span_entity_idx)."""
    return Span.objects.filter(kind=SpanKind.MENTION, entity_id=entity_id, layer__isnull=True)


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

    # One UNION of two index scans (name, alias): an OR across the two tables would force a
    # sequential scan of every entity.
    matching = (
        Entity.objects.filter(matches())
        .order_by()
        .values("pk")
        .union(EntityAlias.objects.filter(matches()).order_by().values("entity_id"))
    )
    alias_score = (
        EntityAlias.objects.filter(entity=OuterRef("pk"))
        .annotate(score=TrigramWordSimilarity(key, "folded"))
        .order_by("-score")
        .values("score")[:1]
    )
    return (
        queryset.filter(pk__in=matching)
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


_ENTITY_COLUMNS = ("id", "name", "kind", "external_id")


def export_article_spans(*, article: Article) -> list[dict]:
    """The accepted spans of an article with everything an export names, in text order, as
    dicts for export_spans (``entity__name``, ``claim__claimant__id``, ``creator``…): an
    export reads every accepted span, and building a Span, its Entities, Claim, claimant and
    User per row cost more CPU than the query did."""
    return list(_export_spans_query(article.pk))


def _export_spans_query(article_id: int) -> QuerySet:
    username = get_user_model().USERNAME_FIELD
    columns = [
        *("id", "kind", "start", "end", "text", "created_at", "updated_at", "origin", "note"),
        *(f"{link}__{c}" for link in ("entity", "speaker") for c in _ENTITY_COLUMNS),
        *(f"claim__{c}" for c in ("id", "text", "verdict", "verdict_note")),
        *(f"claim__claimant__{c}" for c in _ENTITY_COLUMNS),
    ]
    return (
        Span.objects.filter(article_id=article_id, status=SpanStatus.ACCEPTED, layer__isnull=True)
        .order_by("start", "-end", "id")
        .values(*columns, creator=F(f"created_by__{username}"))
    )


def export_spans(rows, iri) -> list[exporters.ExportSpan]:
    """Spans (rows of export_article_spans) as exporter dataclasses; iri(kind, pk) names
    things. Each entity is built once, however many spans name it."""
    entities: dict[int, exporters.ExportEntity] = {}

    def entity(row: dict, link: str) -> exporters.ExportEntity | None:
        pk = row[f"{link}__id"]
        if pk is None:
            return None
        if pk not in entities:
            entities[pk] = exporters.ExportEntity(
                id=pk,
                iri=iri("entity", pk),
                name=row[f"{link}__name"],
                kind=row[f"{link}__kind"],
                external_id=row[f"{link}__external_id"],
            )
        return entities[pk]

    out = []
    for row in rows:
        claim = None
        if row["claim__id"] is not None:
            claim = exporters.ExportClaim(
                id=row["claim__id"],
                iri=iri("claim", row["claim__id"]),
                text=row["claim__text"],
                verdict=row["claim__verdict"],
                verdict_note=row["claim__verdict_note"],
                claimant=entity(row, "claim__claimant"),
            )
        out.append(
            exporters.ExportSpan(
                id=row["id"],
                iri=iri("span", row["id"]),
                kind=row["kind"],
                start=row["start"],
                end=row["end"],
                text=row["text"],
                created=row["created_at"],
                modified=row["updated_at"],
                creator=row["creator"] or "",
                origin=row["origin"],
                note=row["note"],
                entity=entity(row, "entity"),
                speaker=entity(row, "speaker"),
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
        Span.objects.filter(article_id=article_id, status=SpanStatus.ORPHANED, layer__isnull=True)
        .select_related("entity", "speaker", "claim", "created_by")
        .order_by("start", "end", "id")
    )


def history_for_article(*, article: Article | int) -> QuerySet[HistoryEntry]:
    """Who did what to the article's spans and to the claims they state, newest first
    (indexes history_article_idx and history_object_idx).

    A bulk action (a HistoryBatch) appears once, as its lead entry; history_batch_members
    gives the rest."""
    article_id = article.pk if isinstance(article, Article) else article
    claims = Span.objects.filter(article_id=article_id, claim__isnull=False).values("claim_id")
    return (
        HistoryEntry.objects.filter(
            Q(article_id=article_id) | Q(object_type=HistoryObject.CLAIM, object_id__in=claims)
        )
        .filter(Q(batch__isnull=True) | Q(batch_lead=True))
        .select_related("user", "batch")
    )


def history_batch_members(*, batch_ids) -> dict[int, list[HistoryEntry]]:
    """Every entry of each batch, in the order written (one query, for a page of leads)."""
    members: dict[int, list[HistoryEntry]] = {}
    entries = (
        HistoryEntry.objects.filter(batch_id__in=list(batch_ids))
        .select_related("user", "batch")
        .order_by("batch_id", "id")
    )
    for entry in entries:
        members.setdefault(entry.batch_id, []).append(entry)
    return members


def history_for_entity(*, entity: Entity | int) -> QuerySet[HistoryEntry]:
    """The entity's own changes, merges and deletion, and changes to spans and claims that
    point at it, newest first (index history_entity_idx). Works for deleted entities too."""
    entity_id = entity.pk if isinstance(entity, Entity) else entity
    return HistoryEntry.objects.filter(entity_id=entity_id).select_related("user", "batch")


def history_for_object(*, object_type: str, object_id: int) -> QuerySet[HistoryEntry]:
    """One span's, claim's or entity's history, newest first (index history_object_idx)."""
    if object_type not in HistoryObject.values:
        return HistoryEntry.objects.none()
    return HistoryEntry.objects.filter(object_type=object_type, object_id=object_id).select_related(
        "user", "batch"
    )


# --- quote matches and likely duplicate entities (assisted annotation) -------------------------

# Bounds on one quote_matches call, whatever the archive's size.
QUOTE_MATCH_ARTICLES = 200  # PostgreSQL: candidate articles from the full-text index
QUOTE_MATCH_CANDIDATES = 500  # other quotes scored at most
_TERM_SENTENCES = 8  # sentences of the quote that lend search words
_TERMS_PER_SENTENCE = 3  # a sentence's longest uncommon words; any two of them must occur
_PASSAGE_WORDS = 5  # a sentence this long can match on its own (an excerpt, a misquote)


@dataclass(frozen=True)
class QuoteMatch:
    """Another article's quote that says (nearly) the same as the one asked about."""

    span: Span  # the other quote; .article (without its text) and .speaker are loaded
    score: float  # matching.quote_similarity of the passages, MATCH..1
    passage: str  # the words of the asked-about quote that match (normalised)
    other_passage: str  # the words of the other quote they match (normalised)
    # matching.word_diff(passage, other_passage): "delete" words only in the asked-about
    # quote, "insert" words only in the other.
    diff: list[tuple[str, str]]
    # matching.exact_word_diff of the passages as printed (case, punctuation, apostrophes
    # and contractions kept): what the editor reads to spot a misquote.
    exact_diff: list[tuple[str, str]]
    article_id: int
    article_title: str
    speaker: Entity | None
    speaker_name: str  # the speaker's name, or the name a suggester proposed, or ""


def quote_matches(span: Span, limit: int = 20) -> list[QuoteMatch]:
    """The same or nearly the same quote in other articles, best first: a misquote check.

    Candidates come from an index, never a scan of every quote: on PostgreSQL the articles
    whose full-text vector (index article_search_idx) holds the search words, on SQLite the
    quotes that contain them. First any two of the three longest uncommon words of a
    sentence (one changed word still finds it); then, if room is left, the only uncommon word
    of a clause that has just one. At most QUOTE_MATCH_CANDIDATES quotes are scored, in one or
    two queries. A quote matches when the whole or one of its sentences scores at least
    matching.MATCH against the other (or one of its sentences).
    """
    pairs, singles = _search_terms(span.text)
    candidates = _quotes_with(span, pairs, QUOTE_MATCH_CANDIDATES) if pairs else []
    if singles and len(candidates) < QUOTE_MATCH_CANDIDATES:
        seen = {other.pk for other in candidates}
        room = QUOTE_MATCH_CANDIDATES - len(candidates)
        candidates += _quotes_with(span, [(w,) for w in singles], room, exclude=seen)
    pieces = _passages(span.text)
    found = []
    for other in candidates:
        score, mine, theirs = _best_passages(span.text, pieces, other.text)
        if score < matching.MATCH:
            continue
        exact = matching.exact_word_diff(mine, theirs)
        normal_mine, normal_theirs = matching.normalise(mine), matching.normalise(theirs)
        mine, theirs = _aligned(normal_mine, normal_theirs)
        if (mine, theirs) != (normal_mine, normal_theirs):
            exact = _excerpt(exact)  # one quotes an excerpt of the other
        found.append(
            QuoteMatch(
                span=other,
                score=score,
                passage=mine,
                other_passage=theirs,
                diff=matching.word_diff(mine, theirs),
                exact_diff=exact,
                article_id=other.article_id,
                article_title=other.article.title,
                speaker=other.speaker,
                speaker_name=(
                    other.speaker.name if other.speaker else proposals.speaker(other.proposal)
                ),
            )
        )
    found.sort(key=lambda m: (-m.score, m.article_id, m.span.start, m.span.pk))
    return found[:limit]


# English function words of four letters or more (PostgreSQL's "english" stop list and a few
# more): never search terms, since nearly every quote has them.
_COMMON = frozenset(
    (
        "about",
        "above",
        "after",
        "again",
        "against",
        "also",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "could",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "every",
        "from",
        "further",
        "have",
        "having",
        "here",
        "hers",
        "herself",
        "himself",
        "into",
        "itself",
        "just",
        "more",
        "most",
        "myself",
        "once",
        "only",
        "other",
        "ought",
        "ours",
        "ourselves",
        "said",
        "same",
        "says",
        "should",
        "some",
        "such",
        "than",
        "that",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "told",
        "under",
        "until",
        "very",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "whom",
        "will",
        "with",
        "would",
        "your",
        "yours",
        "yourself",
        "yourselves",
    )
)


def _search_terms(text: str) -> tuple[list[tuple[str, str]], list[str]]:
    """(pairs, singles): any two of each sentence's three longest uncommon words, and the
    uncommon word of each clause that has only one ("we’ll have it tomorrow"). Only words
    that occur as written (LIKE on SQLite finds them)."""
    folded = text.casefold()

    def rare(piece: str) -> list[str]:
        words = dict.fromkeys(matching.tokens(piece))
        return [w for w in words if len(w) >= 4 and w.isalnum() and w not in _COMMON]

    pairs: dict[tuple[str, str], None] = {}
    singles: dict[str, None] = {}
    for start, end in sentences(text)[:_TERM_SENTENCES]:
        sentence = text[start:end]
        longest = sorted(rare(sentence), key=lambda w: (-len(w), w))[:_TERMS_PER_SENTENCE]
        longest = [w for w in longest if w in folded]
        pairs.update(dict.fromkeys(combinations(longest, 2)))
        for clause in [longest] + [rare(c) for c in _CLAUSE.split(sentence)]:
            if len(clause) == 1 and clause[0] in folded:
                singles[clause[0]] = None
    if not pairs and not singles:  # only common words: the longest of them, then
        words = [w for w in dict.fromkeys(matching.tokens(text)) if w.isalnum() and w in folded]
        singles = dict.fromkeys(sorted(words, key=lambda w: (-len(w), w))[:2])
    return list(pairs), list(singles)


_CLAUSE = re.compile(r"[,;:—–]\s")


def _quotes_with(
    span: Span, terms: list[tuple[str, ...]], cap: int, exclude: set[int] = frozenset()
) -> list[Span]:
    """Live quotes of other articles containing all the words of any of the terms."""
    live = Span.objects.filter(
        kind=SpanKind.QUOTE,
        status__in=[SpanStatus.ACCEPTED, SpanStatus.SUGGESTED],
        layer__isnull=True,
    ).exclude(article_id=span.article_id)
    if exclude:
        live = live.exclude(pk__in=exclude)
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery

        from articles.selectors import search_vector

        query = None
        for words in terms:
            each = None
            for word in words:
                term = SearchQuery(word, config="english")
                each = term if each is None else each & term
            query = each if query is None else query | each
        # The article ids are read first: as a subquery, a planner with stale statistics may
        # run the full-text search once per quote of the archive (seen: 7 s for 3,000 quotes).
        articles = list(
            Article.objects.alias(search=search_vector())
            .filter(search=query)
            .exclude(pk=span.article_id)
            .order_by()
            .values_list("pk", flat=True)[:QUOTE_MATCH_ARTICLES]
        )
        if not articles:
            return []
        live = live.filter(article_id__in=articles)
    else:
        match = Q()
        for words in terms:
            each = Q()
            for word in words:
                each &= Q(text__icontains=word)
            match |= each
        live = live.filter(match)
    return list(
        live.select_related("article", "speaker")
        .defer("article__body", "article__original", "article__import_report")
        .order_by()[:cap]
    )


def _passages(text: str) -> list[str]:
    out = []
    for start, end in sentences(text):
        piece = text[start:end]
        if len(matching.tokens(piece)) >= _PASSAGE_WORDS:
            out.append(piece)
    return out if len(out) > 1 else []


def _best_passages(text: str, pieces: list[str], other: str) -> tuple[float, str, str]:
    """(score, passage of text, passage of other): the whole quotes, or else the longest
    sentence of either that matches the whole of the other (the best score if none does)."""
    whole = matching.quote_similarity(text, other)
    if whole >= matching.MATCH:
        return whole, text, other
    tries = [(matching.quote_similarity(piece, other), piece, other) for piece in pieces]
    tries += [(matching.quote_similarity(text, piece), text, piece) for piece in _passages(other)]
    if not tries:
        return whole, text, other

    def weight(found: tuple[float, str, str]) -> tuple[bool, int, float]:
        score, mine, theirs = found
        return score >= matching.MATCH, min(len(mine), len(theirs)), score

    return max(tries, key=weight)


def _excerpt(diff: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """An exact diff without the words around an excerpt: the one-sided runs at either end,
    before the first and after the last shared words."""
    equal = [i for i, (op, _) in enumerate(diff) if op == "equal"]
    if not equal:
        return diff
    return diff[equal[0] : equal[-1] + 1]


def _aligned(a: str, b: str) -> tuple[str, str]:
    """Normalised a and b, the longer cut to the whole words that line up with the shorter
    (so the diff shows how an excerpt differs, not everything around it)."""
    if not a or not b or fuzz.ratio(a, b) >= fuzz.partial_ratio(a, b):
        return a, b
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    found = fuzz.partial_ratio_alignment(short, long_)
    start, end = found.dest_start, found.dest_end
    while start < end and long_[start] == " ":
        start += 1
    while start > 0 and long_[start - 1] != " ":
        start -= 1
    while end > start and long_[end - 1] == " ":
        end -= 1
    while end < len(long_) and long_[end] != " ":
        end += 1
    cut = long_[start:end]
    return (a, cut) if short is a else (cut, b)


@dataclass(frozen=True)
class DuplicatePair:
    """Two entities that probably name the same thing, offered for services.entity_merge."""

    keep: Entity  # the one more annotations use (the older on a tie): merge drop into it
    drop: Entity
    score: float  # resolution.likely_duplicates' score, THRESHOLD..1


_duplicates_cache: dict[str, tuple[tuple, list]] = {}


def entity_duplicates(limit: int = 50) -> list[DuplicatePair]:
    """Likely duplicate entities, best first, at most `limit` pairs.

    Names and many-word aliases are compared by resolution.likely_duplicates (same kind,
    blocked by name prefixes, so not every pair). The comparison runs once per change of the
    entities (the same cheap marker as the suggesters' gazetteer); each call then costs two
    queries, and `keep`/`drop` carry `uses` (their mentions plus quotes).
    """
    marker = entities_marker()
    cached = _duplicates_cache.get("pairs")
    if cached and cached[0] == marker:
        pairs = cached[1]
    else:
        items = list(Entity.objects.order_by().values_list("id", "name", "kind"))
        kinds = {entity_id: kind for entity_id, _, kind in items}
        aliases = EntityAlias.objects.order_by().values_list("entity_id", "name")
        items += [(eid, name, kinds[eid]) for eid, name in aliases if len(name.split()) > 1]
        best: dict[tuple[int, int], float] = {}
        for a, b, score in likely_duplicates(items):
            if a != b:
                key = (min(a, b), max(a, b))
                best[key] = max(score, best.get(key, 0.0))
        pairs = sorted(best.items(), key=lambda p: (-p[1], p[0]))
        _duplicates_cache["pairs"] = (marker, pairs)
    pairs = pairs[:limit]
    ids = {entity_id for pair, _ in pairs for entity_id in pair}
    shared = Span.objects.filter(layer__isnull=True)
    mentions = shared.filter(entity=OuterRef("pk")).order_by().values("entity")
    quotes = shared.filter(speaker=OuterRef("pk")).order_by().values("speaker")
    entities = Entity.objects.filter(pk__in=ids).annotate(
        uses=Coalesce(Subquery(mentions.annotate(n=Count("pk")).values("n")), Value(0))
        + Coalesce(Subquery(quotes.annotate(n=Count("pk")).values("n")), Value(0))
    )
    by_id = {entity.pk: entity for entity in entities}
    out = []
    for (a, b), score in pairs:
        if a not in by_id or b not in by_id:
            continue
        first, second = sorted([by_id[a], by_id[b]], key=lambda e: (-e.uses, e.pk))
        out.append(DuplicatePair(keep=first, drop=second, score=score))
    return out


def api_entity_duplicates(limit: int = 50) -> list[DuplicatePair]:
    """entity_duplicates, with each entity's aliases loaded (one query) for the API."""
    pairs = entity_duplicates(limit=limit)
    prefetch_related_objects(
        [entity for pair in pairs for entity in (pair.keep, pair.drop)],
        Prefetch("aliases", queryset=EntityAlias.objects.order_by("name", "id")),
    )
    return pairs
