"""Reads for the browser workspace: the article list, one article's spans and side panel,
entity lookups, an entity's quotes and mentions, and the claims review queue.

Selectors return querysets already shaped for their page (select_related, annotate), so a
page costs the same number of queries however many rows it shows. The panel is built in
Python from the spans the workspace already loaded (no extra query).
"""

from __future__ import annotations

import functools
import hashlib
import marshal
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path

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
from django.template.loader import get_template
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.text import Truncator
from django.utils.translation import get_language
from rapidfuzz import fuzz

from annotations import freshness, proposals, rendering
from annotations.models import (
    Assignment,
    Claim,
    Comment,
    Entity,
    EntityAlias,
    EntityKind,
    HistoryAction,
    HistoryBatch,
    HistoryEntry,
    HistoryObject,
    Span,
    SpanKind,
    SpanStatus,
    Verdict,
)
from annotations.selectors import history_batch_members
from annotations.text import fold
from articles.models import Article, ArticleRevision

LIVE = (SpanStatus.ACCEPTED, SpanStatus.SUGGESTED)
_LIST_DEFER = ("body", "original", "import_report")


# --- article list ----------------------------------------------------------------------------


def _span_count(**filters) -> Coalesce:
    # A correlated subquery per row of the page: the database counts only the articles shown
    # (a JOIN + GROUP BY would aggregate the whole archive before paginating).
    counted = (
        Span.objects.filter(article=OuterRef("pk"), layer__isnull=True, **filters)
        .order_by()
        .values("article")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def workspace_articles(
    *,
    q: str = "",
    source: str = "",
    unreviewed: bool = False,
    assignee: int | None = None,
    assignment_status: str = "",
) -> QuerySet:
    """Articles newest first, with counts of live quotes, mentions and claims (shared layer),
    and how many of the accepted ones are approved; filtered by who has them assigned."""
    articles = Article.objects.defer(*_LIST_DEFER).annotate(
        quote_count=_span_count(kind=SpanKind.QUOTE, status__in=LIVE),
        mention_count=_span_count(kind=SpanKind.MENTION, status__in=LIVE),
        claim_count=_span_count(kind=SpanKind.CLAIM, status__in=LIVE),
        suggested_count=_span_count(status=SpanStatus.SUGGESTED),
        accepted_count=_span_count(status=SpanStatus.ACCEPTED),
        approved_count=_span_count(status=SpanStatus.ACCEPTED, review_status="approved"),
    )
    if assignee or assignment_status:
        assigned = Assignment.objects.filter(article=OuterRef("pk"))
        if assignee:
            assigned = assigned.filter(assignee_id=assignee)
        if assignment_status:
            assigned = assigned.filter(status=assignment_status)
        articles = articles.filter(Exists(assigned))
    q = q.strip()
    if q:
        articles = articles.filter(Q(title__icontains=q) | Q(body__icontains=q))
    if source:
        articles = articles.filter(source=source)
    if unreviewed:
        articles = articles.filter(
            Exists(
                Span.objects.filter(
                    article=OuterRef("pk"), status=SpanStatus.SUGGESTED, layer__isnull=True
                )
            )
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


# The columns the workspace shows, read as plain tuples: no model instances and no timestamp
# conversion (with 1,000 spans that alone cost more than the rest of the page's data).
_SPAN_COLUMNS = (
    "id",
    "start",
    "end",
    "kind",
    "status",
    "text",
    "note",
    "confidence",
    "version",
    "speaker_id",
    "speaker__name",
    "speaker__kind",
    "speaker__folded",
    "entity_id",
    "entity__name",
    "entity__kind",
    "entity__folded",
    "claim_id",
    "claim__text",
    "claim__verdict",
    "claim__claimant__name",
    "proposal",
    "revised_from",
)


def _columns(spans: QuerySet, article_id: int) -> QuerySet:
    """_SPAN_COLUMNS in text order, then the span's comment count (the highlight's badge),
    in the same query: a change to a thread changes the rows, so the cached text's key.

    Counting per span costs a lookup per row (a few ms for 1,000 spans), so one uncorrelated
    EXISTS guards it (PostgreSQL evaluates it once): an article without span threads, most
    of them, pays nothing for it."""
    per_span = (
        Comment.objects.filter(span=OuterRef("pk"))
        .order_by()
        .values("span")
        .annotate(n=Count("pk"))
        .values("n")
    )
    any_thread = Exists(Comment.objects.filter(article_id=article_id, span__isnull=False))
    count = Case(
        When(any_thread, then=Coalesce(Subquery(per_span), Value(0))),
        default=Value(0),
        output_field=IntegerField(),
    )
    return (
        spans.annotate(comment_count=count)
        .order_by("start", "-end", "id")
        .values_list(*_SPAN_COLUMNS, "comment_count")
    )


def workspace_spans(*, article_id: int) -> QuerySet:
    """Every span the workspace shows (live ones highlighted, orphaned ones listed), as tuples
    of _SPAN_COLUMNS and the comment count, in text order; workspace_span_rows turns them
    into WorkspaceSpans."""
    return _columns(
        Span.objects.filter(
            article_id=article_id, status__in=(*LIVE, SpanStatus.ORPHANED), layer__isnull=True
        ),
        article_id,
    )


def workspace_span_tuples(*, article_id: int, layer_id: int | None = None) -> list[tuple]:
    """The rows of workspace_spans; of one private layer instead when `layer_id` (a blind
    assignee's own work: annotations.team_selectors.working_layer)."""
    if layer_id is None:
        return list(workspace_spans(article_id=article_id))
    return list(
        _columns(
            Span.objects.filter(
                layer_id=layer_id, article_id=article_id, status__in=(*LIVE, SpanStatus.ORPHANED)
            ),
            article_id,
        )
    )


@dataclass(slots=True)
class EntityRef:
    """The speaker or entity of a span, as the workspace shows it."""

    pk: int
    name: str
    kind: str
    folded: str


@dataclass(slots=True)
class ClaimRef:
    """The claim a claim span states, as the workspace shows it."""

    pk: int
    text: str
    verdict: str
    claimant_name: str | None
    verdict_label: str

    def get_verdict_display(self) -> str:
        return self.verdict_label


@dataclass(slots=True)
class WorkspaceSpan:
    """A span as the workspace reads it (the attributes its template and panel use)."""

    pk: int
    start: int
    end: int
    kind: str
    status: str
    text: str
    note: str
    confidence: float | None
    version: int
    speaker: EntityRef | None
    entity: EntityRef | None
    claim: ClaimRef | None
    kind_label: str
    proposal: dict  # what the suggester proposed (annotations.proposals)
    revised_from: str = ""  # the accepted words a revision changed (back in review)
    comments: int = 0  # its thread's length: the highlight's badge

    @property
    def id(self) -> int:
        return self.pk

    @property
    def speaker_id(self) -> int | None:
        return self.speaker.pk if self.speaker else None

    @property
    def entity_id(self) -> int | None:
        return self.entity.pk if self.entity else None

    @property
    def claim_id(self) -> int | None:
        return self.claim.pk if self.claim else None

    def get_kind_display(self) -> str:
        return self.kind_label

    @property
    def short(self) -> str:
        """The text as the panel lists it (truncatechars:110)."""
        return truncate(self.text, 110)

    @property
    def label(self) -> str:
        """The highlight's tooltip: what the span is, and for a suggestion how to decide."""
        return _label(self)


def truncate(text: str, length: int) -> str:
    """Exactly what the truncatechars filter gives, without its per-character loop for text
    that fits (the filter counts characters of the NFC form, never more than len(text))."""
    if len(text) <= length:
        return unicodedata.normalize("NFC", text)
    return Truncator(text).chars(length)


def workspace_span_rows(rows) -> list[WorkspaceSpan]:
    """Tuples of workspace_spans as WorkspaceSpans (one EntityRef/ClaimRef per id)."""
    entities: dict[int, EntityRef] = {}
    claims: dict[int, ClaimRef] = {}
    kinds = {value: str(label) for value, label in SpanKind.choices}
    verdicts = {value: str(label) for value, label in Verdict.choices}
    result = []
    for row in rows:
        (pk, start, end, kind, status, text, note, confidence, version) = row[:9]
        speaker_id, entity_id, claim_id = row[9], row[13], row[17]
        speaker = entity = claim = None
        if speaker_id is not None:
            speaker = entities.get(speaker_id)
            if speaker is None:
                speaker = entities[speaker_id] = EntityRef(speaker_id, *row[10:13])
        if entity_id is not None:
            entity = entities.get(entity_id)
            if entity is None:
                entity = entities[entity_id] = EntityRef(entity_id, *row[14:17])
        if claim_id is not None:
            claim = claims.get(claim_id)
            if claim is None:
                verdict = row[19]
                claim = claims[claim_id] = ClaimRef(
                    claim_id, *row[18:21], verdicts.get(verdict, verdict)
                )
        result.append(
            WorkspaceSpan(
                pk,
                start,
                end,
                kind,
                status,
                text,
                note,
                confidence,
                version,
                speaker,
                entity,
                claim,
                kinds.get(kind, kind),
                row[21] or {},
                row[22],
                row[23] if len(row) > 23 else 0,
            )
        )
    return result


def _label(span: WorkspaceSpan) -> str:
    label = _what(span)
    if span.comments:
        label += f" · {span.comments} comment{'s' * (span.comments != 1)}"
    return label


def _what(span: WorkspaceSpan) -> str:
    if span.status == SpanStatus.SUGGESTED:
        return f"{_suggestion(span).title} — press A to accept, R to reject"
    if span.kind == SpanKind.QUOTE:
        who = span.speaker.name if span.speaker else "unattributed"
        return f"Quote — {who}"
    if span.kind == SpanKind.MENTION:
        what = f"{span.entity.name} ({span.entity.kind})" if span.entity else "unlinked"
        return f"Mention — {what}"
    verdict = span.claim.get_verdict_display() if span.claim else "no claim"
    return f"Claim — {verdict}"


@dataclass
class PanelGroup:
    key: object  # the speaker/entity/claim, or None
    spans: list[WorkspaceSpan] = field(default_factory=list)
    url: str = ""  # the entity's page (speakers, entities)
    tag_url: str = ""  # tag all its mentions in the article (entities)

    @property
    def ids(self) -> str:
        """The ids of its spans, for the jump button that steps through them."""
        return " ".join(str(span.pk) for span in self.spans)

    @property
    def label(self) -> str:
        """A claim group's entry: the claim's statement, else its first span's text."""
        text = self.key.text if self.key is not None else self.spans[0].text
        return truncate(text, 140)

    @property
    def count(self) -> int:
        return len(self.spans)

    @property
    def first(self) -> WorkspaceSpan:
        return self.spans[0]


@dataclass(frozen=True)
class Suggestion:
    """A suggested span as the review list shows it: what accepting it would link."""

    span: WorkspaceSpan
    name: str  # the speaker or entity it proposes ("" when none)
    entity_kind: str  # the kind of that entity (mentions)
    known: bool  # name is an entity the span links already (else accepting finds or creates it)
    indirect: bool  # an indirect quote ("officials have said …")
    accept_url: str = ""
    reject_url: str = ""
    unsure: bool = False  # the speaker is a guess (proposals.speaker_unsure)
    evidence: str = ""  # how the suggester found the speaker

    @property
    def title(self) -> str:
        kind = self.span.get_kind_display()
        if self.span.revised_from:
            title = f"{kind} with words changed by a revision"
            return f"{title} — {self.name}" if self.name else title
        if self.indirect:
            kind = "Indirect quote"
        if self.name:
            unsure = " (speaker unsure)" if self.unsure else ""
            return f"Suggested {kind.lower()} — {self.name}{unsure}"
        return f"Suggested {kind.lower()}"

    @property
    def group_key(self) -> tuple:
        """Mentions of one entity (linked, or the same proposed name and kind) group."""
        if self.known and self.span.entity is not None:
            return ("entity", self.span.entity.pk)
        return ("name", fold(self.name), self.entity_kind)


@dataclass
class SuggestionEntityGroup:
    """The suggested mentions of one entity: "Israel ×12 — Accept all"."""

    name: str
    entity_kind: str
    known: bool
    items: list[Suggestion] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def ids(self) -> str:
        return " ".join(str(item.span.pk) for item in self.items)


def mention_groups(items: list[Suggestion]) -> list[SuggestionEntityGroup]:
    """Suggested mentions grouped by entity, most mentioned first (then A–Z)."""
    groups: dict[tuple, SuggestionEntityGroup] = {}
    for item in items:
        group = groups.get(item.group_key)
        if group is None:
            group = groups[item.group_key] = SuggestionEntityGroup(
                item.name, item.entity_kind, item.known
            )
        group.items.append(item)
    return sorted(groups.values(), key=lambda g: (-g.count, fold(g.name)))


@dataclass
class SuggestionGroup:
    kind: str
    label: str
    items: list[Suggestion] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.items)


def _suggestion(span: WorkspaceSpan) -> Suggestion:
    indirect = span.kind == SpanKind.QUOTE and proposals.indirect(span.proposal)
    if span.kind == SpanKind.QUOTE:
        unsure = proposals.speaker_unsure(span.proposal)
        evidence = proposals.evidence(span.proposal)
        if span.speaker is not None:
            return Suggestion(
                span, span.speaker.name, span.speaker.kind, True, indirect, "", "", unsure, evidence
            )
        name = proposals.speaker(span.proposal)
        return Suggestion(
            span, name, EntityKind.PERSON, False, indirect, "", "", unsure and bool(name), evidence
        )
    if span.kind == SpanKind.MENTION:
        if span.entity is not None:
            return Suggestion(span, span.entity.name, span.entity.kind, True, False)
        name, kind = proposals.candidate(span.proposal) or (" ".join(span.text.split()), "")
        return Suggestion(span, name, kind, False, False)
    return Suggestion(span, "", "", False, False)


@dataclass
class PanelGroups:
    quotes: list[PanelGroup]  # accepted quotes by speaker; None (unattributed) last
    entities: list[PanelGroup]  # accepted mentions by entity, most mentioned first
    claims: list[PanelGroup]  # accepted claim spans by claim, in text order
    suggestions: list[SuggestionGroup]  # suggested spans by kind (quotes, mentions, claims)
    orphaned: list[WorkspaceSpan]  # lost in a revision of the text, old text order

    @property
    def suggested_count(self) -> int:
        return sum(group.count for group in self.suggestions)


@dataclass(frozen=True)
class SpeakerQuotes:
    """A speaker's quotes as the panel lists them."""

    speaker: EntityRef | None  # None: unattributed
    url: str  # the speaker's page
    count: int
    html: str  # the rows (rendering.quote_entries)


@dataclass(frozen=True)
class SuggestionList:
    """The suggestions of one kind as the panel lists them."""

    kind: str
    label: str
    count: int
    html: str  # the rows (rendering.suggestion_entries)


@dataclass(frozen=True)
class Panel:
    """The side panel as its template shows it: the long lists already written, so that no
    span, group or claim of the page outlives panel_build. (Django's template context is a
    reference cycle: what it holds waits for the garbage collector, which then has to look at
    thousands of objects, in collections that grow with them.)"""

    orphaned: list[WorkspaceSpan]  # listed by the template (few)
    suggestions: list[SuggestionList]
    suggested_count: int
    quotes: list[SpeakerQuotes]
    entities_html: str  # the rows (rendering.entity_rows), "" when none
    claims_html: str  # the rows (rendering.claim_rows), "" when none


_SUGGESTION_LABELS = {SpanKind.QUOTE: "Quotes", SpanKind.MENTION: "Mentions"}
_SUGGESTION_LABELS[SpanKind.CLAIM] = "Claims"


class _Url:
    """reverse() once per page, the id filled in per row: "/spans/{}/accept/"."""

    _ID = 2_147_483_647  # no real row has this id

    def __init__(self, name: str, *args) -> None:
        self.head, self.tail = reverse(name, args=[*args, self._ID]).split(str(self._ID), 1)

    def __call__(self, pk: int) -> str:
        return f"{self.head}{pk}{self.tail}"


def panel_build(spans: list[WorkspaceSpan], *, article_id: int, can_edit: bool) -> Panel:
    """The panel of panel_groups, its lists written (with the buttons that change things only
    when can_edit)."""
    groups = panel_groups(spans, article_id=article_id)
    return Panel(
        orphaned=groups.orphaned,
        suggestions=[
            SuggestionList(
                group.kind,
                group.label,
                group.count,
                rendering.mention_suggestion_groups(
                    mention_groups(group.items),
                    accept_url=reverse("suggestions-accept-all", args=[article_id, group.kind]),
                    reject_url=reverse("suggestions-reject-all", args=[article_id, group.kind]),
                    can_edit=can_edit,
                )
                if group.kind == SpanKind.MENTION
                else rendering.suggestion_entries(group.items, group.kind, can_edit=can_edit),
            )
            for group in groups.suggestions
        ],
        suggested_count=groups.suggested_count,
        quotes=[
            SpeakerQuotes(group.key, group.url, group.count, rendering.quote_entries(group.spans))
            for group in groups.quotes
        ],
        entities_html=rendering.entity_rows(groups.entities, can_edit=can_edit),
        claims_html=rendering.claim_rows(groups.claims),
    )


def panel_groups(spans: list[WorkspaceSpan], *, article_id: int) -> PanelGroups:
    """Quotes by speaker, entities with mention counts, claims with verdicts (accepted spans);
    suggestions by kind for review; orphans for re-placing."""
    entity_url = _Url("entity-detail")
    tag_url = _Url("mentions-tag-all", article_id)
    accept_url, reject_url = _Url("span-accept"), _Url("span-reject")
    quotes: dict[int | None, PanelGroup] = {}
    entities: dict[int | None, PanelGroup] = {}
    claims: dict[int | None, PanelGroup] = {}
    suggestions = {kind: SuggestionGroup(kind, label) for kind, label in _SUGGESTION_LABELS.items()}
    orphaned = []
    for span in spans:
        if span.status == SpanStatus.ORPHANED:
            orphaned.append(span)
        elif span.status == SpanStatus.SUGGESTED:
            item = replace(
                _suggestion(span), accept_url=accept_url(span.pk), reject_url=reject_url(span.pk)
            )
            suggestions[span.kind].items.append(item)
        elif span.kind == SpanKind.QUOTE:
            group = quotes.get(span.speaker_id)
            if group is None:
                url = entity_url(span.speaker.pk) if span.speaker else ""
                group = quotes[span.speaker_id] = PanelGroup(span.speaker, url=url)
            group.spans.append(span)
        elif span.kind == SpanKind.MENTION:
            group = entities.get(span.entity_id)
            if group is None:
                group = entities[span.entity_id] = PanelGroup(span.entity)
                if span.entity:
                    group.url, group.tag_url = entity_url(span.entity.pk), tag_url(span.entity.pk)
            group.spans.append(span)
        else:
            group = claims.get(span.claim_id)
            if group is None:
                group = claims[span.claim_id] = PanelGroup(span.claim)
            group.spans.append(span)
    return PanelGroups(
        quotes=sorted(quotes.values(), key=lambda g: (g.key is None, _name(g.key))),
        entities=sorted(entities.values(), key=lambda g: (g.key is None, -g.count, _name(g.key))),
        claims=list(claims.values()),
        suggestions=[group for group in suggestions.values() if group.items],
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


CLOSE = 85  # rapidfuzz token_set_ratio (0..100) of folded names: "Anthony"/"Antony Blinken"


def workspace_entity_choices(*, q: str, kind: str = "", limit: int = 8) -> list[Entity]:
    """What an entity field offers for a typed name, the existing entities first.

    Exact names and aliases come first (rank 0, 1), then close matches (rank 2: accents,
    "Anthony" for "Antony", the surname alone, by token_set_ratio >= CLOSE), then names a
    word of which starts with q (rank 3); within a rank, the most used first. Candidates are
    the word-prefix search for q plus, for each word of q, the entities a word of whose name
    or alias starts with it (index-backed prefix lookups, a few rows each), so "Anthony
    Blinken" finds "Antony Blinken" through "blinken". Each carries `uses` (its accepted
    quotes and mentions) and `rank`.
    """
    key = fold(q)
    if not key:
        return []
    words = {word for word in key.split() if len(word) >= 3} - {key}
    pool = list(workspace_entity_search(q=q, kind=kind, limit=limit * 2))
    seen = {e.pk for e in pool}
    for word in sorted(words, key=len, reverse=True)[:3]:
        for entity in workspace_entity_search(q=word, kind=kind, limit=limit):
            if entity.pk not in seen:
                seen.add(entity.pk)
                entity.rank = 3
                pool.append(entity)
    if not pool:
        return []
    uses = dict(
        Span.objects.filter(status=SpanStatus.ACCEPTED)
        .filter(Q(speaker_id__in=seen) | Q(entity_id__in=seen))
        .order_by()
        .values_list(Coalesce("speaker_id", "entity_id"))
        .annotate(n=Count("id"))
    )
    for entity in pool:
        entity.uses = uses.get(entity.pk, 0)
        names = [entity.folded, *([fold(entity.matched_alias)] if entity.matched_alias else [])]
        close = max(fuzz.token_set_ratio(key, name) for name in names) >= CLOSE
        if entity.rank > 1:
            entity.rank = 2 if close else 3
    pool.sort(key=lambda e: (e.rank, -e.uses, e.folded, e.pk))
    return pool[:limit]


def workspace_entity_directory(*, kind: str = "", limit: int = 50) -> QuerySet:
    """The first entities A–Z (of a kind), for the directory before any search
    (indexes on folded and on (kind, folded))."""
    entities = Entity.objects.all()
    if kind:
        entities = entities.filter(kind=kind)
    return entities.annotate(matched_alias=Value(""), rank=Value(3)).order_by("folded", "id")[
        :limit
    ]


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
    return Entity.objects.select_related("affiliation").prefetch_related("aliases").get(pk=pk)


def _entity_spans(**filters) -> QuerySet:
    return (
        Span.objects.filter(status__in=LIVE, layer__isnull=True, **filters)
        .select_related("article")
        .defer(*(f"article__{name}" for name in _LIST_DEFER))
        .order_by("-created_at", "-id")
    )


def workspace_entity_quotes(*, entity: Entity, status: str = SpanStatus.ACCEPTED) -> QuerySet:
    """Quotes by the entity across articles with `status` (accepted ones, or the
    suggestions, which an entity page lists apart), newest first (span_speaker_idx)."""
    return _entity_spans(speaker=entity, kind=SpanKind.QUOTE).filter(status=status)


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
        Span.objects.filter(status__in=LIVE, layer__isnull=True)
        .select_related("article")
        .defer(*(f"article__{name}" for name in _LIST_DEFER))
        .order_by("article_id", "start")
    )
    return claims.prefetch_related(Prefetch("spans", queryset=stating, to_attr="live_spans"))


def workspace_claim_counts() -> dict[str, int]:
    """Claims per verdict (every verdict, 0 when none), for the Claims tabs: one query."""
    counts = dict.fromkeys(Verdict.values, 0)
    rows = Claim.objects.order_by().values_list("verdict").annotate(n=Count("id"))
    counts.update(dict(rows))
    return counts


def workspace_claim(*, pk: int) -> Claim:
    return workspace_claims().get(pk=pk)


# --- the page ----------------------------------------------------------------------------------


# The highlighted text and the side panel are cached as rendered fragments (Django's cache,
# {% cache %} in the template). Their keys are digests of everything they are made of: the
# source of the template and of the markup written in Python (rendering), the language, the
# article (id, revision, body) and every column of every span row the page loads, plus
# can_edit for the panel. A fragment is a pure function of its key, so no write has to
# invalidate anything: any change to a span, its speaker, entity or claim (a rename, a
# verdict), the body, the template or the markup code gives a new key, and an unchanged
# article renders from the cache. Only a miss builds the text's markup and the panel.
FRAGMENT_TIMEOUT = 24 * 60 * 60
_TEMPLATE = "articles/workspace.html"


@functools.cache
def _markup_digest() -> str:
    digest = hashlib.blake2b(digest_size=16)
    for name in (get_template(_TEMPLATE).origin.name, rendering.__file__):
        try:
            digest.update(Path(name).read_bytes())
        except OSError:  # not a file (a test's template loader): the name alone
            digest.update(str(name).encode())
    return digest.hexdigest()


def _digest(*parts) -> str:
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def _rows_digest(rows: list[tuple]) -> str:
    """A digest of the span rows (ints, text, floats, None). marshal's version 2 writes no
    object references, so equal rows are equal bytes in any process, as with repr, in a fifth
    of the time (repr took ~3 ms for 1,000 rows, on every view)."""
    return hashlib.blake2b(marshal.dumps(rows, 2), digest_size=16).hexdigest()


def workspace_page(*, article: Article, can_edit: bool, layer_id: int | None = None) -> dict:
    """Everything the workspace template shows for one article: two queries in all (with
    NEWSDESK_CACHE=database, the two fragment reads too). The text's markup and the panel
    are built only when the template misses its cached fragment."""
    rows = workspace_span_tuples(article_id=article.id, layer_id=layer_id)
    rows_digest = _digest(_markup_digest(), get_language(), _rows_digest(rows))

    # Each fragment makes its own spans from the rows (~2 ms for 1,000), which go when it is
    # written: shared, they would stay in the template context until the garbage collector
    # clears it (see Panel).
    def text_html() -> str:
        live = (span for span in workspace_span_rows(rows) if span.status in LIVE)
        return rendering.article_html(article.body, live)  # the spans are its marks

    return {
        "article": article,
        "text_html": text_html,  # called by the template (only on a cache miss)
        "panel": SimpleLazyObject(
            lambda: panel_build(workspace_span_rows(rows), article_id=article.pk, can_edit=can_edit)
        ),
        # The text carries spans_version (freshness): the revision is part of its key too.
        "text_key": _digest(rows_digest, article.body, article.revision),
        "panel_key": _digest(rows_digest, article.pk, article.revision, can_edit),
        "fragment_timeout": FRAGMENT_TIMEOUT,
        "span_count": len(rows),
        "spans_version": freshness.rows_version(revision=article.revision, rows=rows),
        "poll_seconds": freshness.POLL_SECONDS,
        "can_edit": can_edit,
        "layer_id": layer_id,  # a blind assignee sees and writes their own layer only
        "mode": "closed",  # the annotation form region starts closed
        "oob": False,
        "status": "",  # the status line under the toolbar (what the last write did)
        "status_problem": False,
    }


# --- history -----------------------------------------------------------------------------------

# What a history entry shows of a snapshot, by object type: (key, label). Offsets show as one
# "place"; versions, timestamps, authors and context are bookkeeping, not shown.
_SHOWN = {
    HistoryObject.SPAN: (
        ("place", "Place"),
        ("text", "Text"),
        ("revised_from", "Accepted text"),
        ("status", "Status"),
        ("speaker", "Speaker"),
        ("entity", "Entity"),
        ("claim", "Claim"),
        ("note", "Note"),
    ),
    HistoryObject.CLAIM: (
        ("text", "Statement"),
        ("claimant", "Claimant"),
        ("verdict", "Verdict"),
        ("verdict_note", "Verdict note"),
    ),
    HistoryObject.ENTITY: (
        ("name", "Name"),
        ("kind", "Kind"),
        ("aliases", "Aliases"),
        ("description", "Description"),
        ("external_id", "External id"),
        ("merged_into", "Merged into"),
    ),
}
_ENTITY_KEYS = ("speaker", "entity", "claimant", "merged_into")


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


@dataclass
class HistoryRow:
    """One audit entry, ready to show: what it concerns and which values changed."""

    entry: HistoryEntry
    what: str  # "Quote", "Mention", "Claim", "Entity"
    text: str  # the span's text, the claim's statement, the entity's name
    changes: list[Change]  # the values before → after (for a deletion: before only)
    exists: bool  # the span, claim or entity is there now
    restorable: bool  # a deleted span that can come back
    restored: bool = False
    # In a grouped list (history_rows_grouped), a batch's lead row stands for the batch:
    batch: HistoryBatch | None = None
    members: list[HistoryRow] = field(default_factory=list)  # every entry of the batch

    @property
    def batch_restorable(self) -> bool:
        batch = self.batch
        return (
            batch is not None
            and batch.restored_by_id is None
            and batch.action != HistoryAction.RESTORED
        )


def _shown_value(key: str, value, names: dict[int, str]) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if key in _ENTITY_KEYS:
        return names.get(value, f"#{value} (deleted)")
    if key == "claim":
        return "linked to its claim"  # the claim's own entries say what it states
    if key == "aliases":
        return ", ".join(value)
    if key == "status":
        return SpanStatus(value).label if value in SpanStatus.values else str(value)
    if key == "verdict":
        return Verdict(value).label if value in Verdict.values else str(value)
    if key == "kind" and value in EntityKind.values:
        return EntityKind(value).label
    return str(value)


def _with_place(data: dict | None) -> dict:
    data = dict(data or {})
    if "start" in data and "end" in data:
        data["place"] = f"{data['start']}–{data['end']}"
    return data


def history_rows(entries: list[HistoryEntry]) -> list[HistoryRow]:
    """Shape a page of entries for display in at most four queries, whatever the page's size:
    the names of the entities the snapshots link to (from their history when they are gone),
    and which spans and claims still exist."""
    entity_ids: set[int] = set()
    ids_by_type: dict[str, set[int]] = {}
    for item in entries:
        ids_by_type.setdefault(item.object_type, set()).add(item.object_id)
        if item.object_type == HistoryObject.ENTITY:
            entity_ids.add(item.object_id)
        for data in (item.before or {}, item.after or {}):
            entity_ids.update(data[k] for k in _ENTITY_KEYS if isinstance(data.get(k), int))
    names = dict(Entity.objects.filter(pk__in=entity_ids).values_list("pk", "name"))
    gone = entity_ids - names.keys()
    existing_entities = set(names)
    if gone:  # merged or deleted since: the name they had, from their last entry
        last = HistoryEntry.objects.filter(
            object_type=HistoryObject.ENTITY,
            object_id__in=gone,
            action__in=(HistoryAction.MERGED, HistoryAction.DELETED),
        ).values_list("object_id", "action", "before")
        for pk, action, before in last:
            if before and before.get("name"):
                names[pk] = f"{before['name']} ({'merged' if action == 'merged' else 'deleted'})"
    existing: set[tuple[str, int]] = set()
    models = {HistoryObject.SPAN: Span, HistoryObject.CLAIM: Claim}
    for object_type, ids in ids_by_type.items():
        if object_type == HistoryObject.ENTITY:
            existing.update((object_type, pk) for pk in ids & existing_entities)
        elif object_type in models:
            found = models[object_type].objects.filter(pk__in=ids).values_list("pk", flat=True)
            existing.update((object_type, pk) for pk in found)
    rows = []
    for item in entries:
        before, after = _with_place(item.before), _with_place(item.after)
        data = after or before
        if item.object_type == HistoryObject.SPAN:
            kind = data.get("kind", "")
            what = SpanKind(kind).label if kind in SpanKind.values else "Span"
            text = data.get("text", "")
        elif item.object_type == HistoryObject.CLAIM:
            what, text = "Claim", data.get("text", "")
        else:
            what, text = "Entity", data.get("name", "") or before.get("name", "")
        changes = []
        for key, label in _SHOWN.get(item.object_type, ()):
            if key not in before and key not in after:
                continue
            if key == "place":
                # Offsets mean nothing to an editor: only say that it moved (the text change,
                # if any, shows as Text).
                if item.before and item.after and before.get(key) != after.get(key):
                    changes.append(Change(label, "", "moved to other words of the article"))
                continue
            old = _shown_value(key, before.get(key), names) if item.before else ""
            new = _shown_value(key, after.get(key), names) if item.after else ""
            if item.before and item.after and old == new:
                continue
            if key == "text" and item.before and item.after is None:
                continue  # a deletion: the text is the row's title already
            if not item.before and new == "—":
                continue  # a creation: only the values it was given
            if not item.after and old == "—":
                continue  # a deletion: only the values it had
            changes.append(Change(label, old, new))
        exists = (item.object_type, item.object_id) in existing
        rows.append(
            HistoryRow(
                entry=item,
                what=what,
                text=text,
                changes=changes,
                exists=exists,
                restorable=(
                    item.object_type == HistoryObject.SPAN
                    and item.action == HistoryAction.DELETED
                    and bool(item.before)
                    and not exists
                ),
            )
        )
    return rows


def history_rows_grouped(entries: list[HistoryEntry]) -> list[HistoryRow]:
    """history_rows, a batch's lead row carrying the rows of all its entries (two queries
    more for the whole page: the members, and history_rows of them)."""
    rows = history_rows(entries)
    batch_ids = {row.entry.batch_id for row in rows if row.entry.batch_lead}
    if not batch_ids:
        return rows
    members = history_batch_members(batch_ids=batch_ids)
    member_rows = history_rows([item for items in members.values() for item in items])
    by_batch: dict[int, list[HistoryRow]] = {}
    for row in member_rows:
        by_batch.setdefault(row.entry.batch_id, []).append(row)
    for row in rows:
        if row.entry.batch_lead:
            row.batch = row.entry.batch
            row.members = by_batch.get(row.entry.batch_id, [])
    return rows


def workspace_revisions(*, article: Article) -> QuerySet:
    """The article's earlier texts, newest first (unique (article, number) index); the text
    itself is not needed for the list."""
    return (
        ArticleRevision.objects.filter(article=article)
        .select_related("created_by")
        .defer("body", "original")
        .order_by("-number")
    )


def workspace_merge_pair(*, ids: list[int]) -> tuple[Entity, Entity] | None:
    """The two entities of a merge, in the order given, with their aliases and `uses` (the
    spans a merge would move); None unless both exist."""
    if len(ids) != 2 or ids[0] == ids[1]:
        return None
    shared = Span.objects.filter(layer__isnull=True)
    mentions = shared.filter(entity=OuterRef("pk")).order_by().values("entity")
    quotes = shared.filter(speaker=OuterRef("pk")).order_by().values("speaker")
    found = (
        Entity.objects.filter(pk__in=ids)
        .prefetch_related("aliases")
        .annotate(
            uses=Coalesce(Subquery(mentions.annotate(n=Count("pk")).values("n")), Value(0))
            + Coalesce(Subquery(quotes.annotate(n=Count("pk")).values("n")), Value(0))
        )
    )
    by_id = {entity.pk: entity for entity in found}
    if len(by_id) != 2:
        return None
    return by_id[ids[0]], by_id[ids[1]]
