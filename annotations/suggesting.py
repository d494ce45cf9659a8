"""Suggestions in the product: run the plain-Python suggesters on an article, store what they
find as `suggested` spans, and let editors accept or reject them, one at a time or a kind at a
time.

- `article_suggest` stores quotes (speaker linked when the suggested name is a known entity),
  mentions (entity linked when the gazetteer knows it) and claims (no Claim row until
  accepted); what each suggester proposed (speaker name, candidate entity, indirect, its
  confidence) goes into the span's `proposal`, never into the editor's `note`. A rejected
  suggestion never comes back for the same place or the same text in the same context;
  re-running creates no twin.
- `known_entities`: the archive's entities and aliases compiled into the entity suggester's
  gazetteer, with editors' decisions on the new names suggested before (a name rejected as its
  kind weighs less); cached until an entity, an alias or a decision changes.
- `suggestions_accept_all` / `suggestions_reject_all` decide every suggestion of a kind in an
  article in a handful of queries, whatever their number (one at a time:
  services.suggestion_accept / suggestion_reject).

Every function that writes is one transaction and records its changes in the audit trail.
"""

from __future__ import annotations

import datetime
import threading
from dataclasses import dataclass, field, replace

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Max, Subquery, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce
from django.utils import timezone
from rapidfuzz import fuzz

from annotations import history, proposals, quote_keys, services
from annotations.history import snapshot
from annotations.models import (
    Assignment,
    Claim,
    Entity,
    EntityAlias,
    EntityKind,
    HistoryAction,
    Span,
    SpanKind,
    SpanStatus,
)
from annotations.suggesters import claims as claim_suggester
from annotations.suggesters import entities as entity_suggester
from annotations.suggesters import quotes as quote_suggester
from annotations.text import context, fold
from articles.models import Article

KINDS = (SpanKind.QUOTE, SpanKind.MENTION, SpanKind.CLAIM)
ORIGINS = {
    SpanKind.QUOTE: quote_suggester.ORIGIN,
    SpanKind.MENTION: entity_suggester.ORIGIN,
    SpanKind.CLAIM: claim_suggester.ORIGIN,
}
INDIRECT_MAX_CONFIDENCE = 0.5  # an indirect quote is always less certain than a direct one
_GIVEN_NAME = 0.75  # "Anthony"/"Antony": close enough for a given name next to a known surname


# --- reports ---------------------------------------------------------------------------------


@dataclass
class KindCounts:
    created: int = 0
    existing: int = 0  # a live span of the kind holds the place already
    rejected: int = 0  # an editor rejected it before

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "existing": self.existing, "rejected": self.rejected}


@dataclass
class SuggestReport:
    counts: dict[str, KindCounts] = field(default_factory=dict)

    @property
    def created(self) -> int:
        return sum(c.created for c in self.counts.values())

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {kind: counts.as_dict() for kind, counts in self.counts.items()}


# --- known entities ----------------------------------------------------------------------------


@dataclass(frozen=True)
class KnownEntities:
    """Every entity and alias, compiled once: the gazetteer, and folded names for speakers."""

    gazetteer: entity_suggester.Gazetteer
    by_name: dict[str, tuple[int, ...]]  # folded name or alias -> entity ids
    kinds: dict[int, str]
    surnames: dict[str, tuple[int, ...]]  # folded last word of a person's name -> ids
    given: dict[int, str]  # person id -> folded first word of its name

    def resolve(self, name: str, *, person: bool = True) -> int | None:
        """The one entity this name stands for, or None when unknown or ambiguous.

        The folded name or an alias first (a person wins a tie with another kind); then, if
        the name is a person's, the surname, when exactly one known person has it and any
        given name fits.
        """
        key = fold(name)
        if not key:
            return None
        ids = self.by_name.get(key, ())
        if len(ids) == 1:
            return ids[0]
        people = [i for i in ids if self.kinds[i] == EntityKind.PERSON]
        if ids or not person:
            return people[0] if len(people) == 1 else None
        words = key.split()
        same_surname = self.surnames.get(words[-1], ())
        if len(same_surname) != 1:
            return None
        person = same_surname[0]
        if len(words) > 1:
            given, known = words[0].rstrip("."), self.given[person].rstrip(".")
            initial = min(len(given), len(known)) == 1 and given[0] == known[0]
            if not initial and fuzz.ratio(given, known) / 100 < _GIVEN_NAME:
                return None
        return person


_cache_lock = threading.Lock()
# "names": the entities alone (keyed by entities_marker), "known": with the decisions.
_cache: dict[str, tuple[tuple, KnownEntities]] = {}


def entities_marker() -> tuple:
    """Cheap "have entities or aliases changed" key: counts, newest change, newest alias (one
    aggregate per table)."""
    entities = Entity.objects.aggregate(count=Count("pk"), changed=Max("updated_at"))
    aliases = EntityAlias.objects.aggregate(count=Count("pk"), newest=Max("pk"))
    return (connection.alias, *entities.values(), *aliases.values())


def _decided_names():
    """Mention suggestions of a new name (a candidate) that editors accepted or rejected: what
    the gazetteer's decisions are counted from (span_decided_name_idx holds exactly these)."""
    return Span.objects.filter(
        kind=SpanKind.MENTION,
        status__in=(SpanStatus.ACCEPTED, SpanStatus.REJECTED),
        proposal__has_key="candidate",
    )


def decisions_marker() -> tuple:
    """Cheap "has a decision on a suggested name changed" key: how many, newest change (a
    decision sets updated_at; a span leaving the set lowers the count). Read from
    span_decided_name_idx alone."""
    return tuple(_decided_names().aggregate(count=Count("*"), changed=Max("updated_at")).values())


def known_marker() -> tuple:
    """The key of the cached KnownEntities: entities, aliases and editors' decisions."""
    return entities_marker(), decisions_marker()


def known_entities() -> KnownEntities:
    """The compiled entities and decisions, cached per known_marker().

    The gazetteer's automaton is rebuilt (two queries) only when entities or aliases changed;
    a new decision only recounts the decisions (one query) and reuses it.
    """
    marker = known_marker()
    cached = _cache.get("known")
    if cached and cached[0] == marker:
        return cached[1]
    names = _cache.get("names")
    if names is None or names[0] != marker[0]:
        names = (marker[0], _build_known_entities())
    known = replace(names[1], gazetteer=names[1].gazetteer.with_decisions(_decisions()))
    with _cache_lock:
        _cache["names"] = names
        _cache["known"] = (marker, known)
    return known


# Decisions read per build, the latest first: what editors decide now, and a bounded cost on
# any archive (the query took 0.2 s on 500,000 spans with 100,000 decisions, on PostgreSQL).
DECISIONS_READ = 20_000
EARLIEST = datetime.datetime(1, 1, 1, tzinfo=datetime.UTC)


def _decisions() -> list[tuple[str, str, int, int]]:
    """(name, kind, accepted, rejected) of the new names suggested before, from the latest
    DECISIONS_READ decisions, in one aggregate query (one row per name, proposed kind,
    status and linked kind).

    A rejection counts against the proposed kind. An acceptance counts for the kind of the
    entity the editor linked; when that is another kind ("Jordan" proposed as a place,
    linked to a person) it also counts against the proposed kind.
    """
    # From the time of the DECISIONS_READ-th newest decision on (from the start of time when
    # there are fewer): the cutoff and the rows are both read by range from
    # span_decided_name_idx. Decisions of one batch share a time: a batch is read whole.
    cutoff = Coalesce(
        Subquery(
            _decided_names()
            .order_by("-updated_at")
            .values("updated_at")[DECISIONS_READ - 1 : DECISIONS_READ]
        ),
        Value(EARLIEST),
    )
    rows = (
        _decided_names()
        .filter(updated_at__gte=cutoff)
        .values(
            "status",
            name=KT("proposal__candidate__name"),
            proposed=KT("proposal__candidate__kind"),
            linked=F("entity__kind"),
        )
        .annotate(count=Count("pk"))
        .order_by()
    )
    found = []
    for row in rows:
        name, proposed, count = row["name"], row["proposed"], row["count"]
        if not isinstance(name, str) or not name.strip():
            continue
        if row["status"] == SpanStatus.REJECTED:
            found.append((name, proposed, 0, count))
            continue
        # A proposed kind that no entity has is accepted as OTHER (suggestion_accept's
        # rule): that is no correction by the editor.
        if (proposed if proposed in EntityKind.values else EntityKind.OTHER) != row["linked"]:
            found.append((name, proposed, 0, count))
        found.append((name, row["linked"], count, 0))
    return found


def _build_known_entities() -> KnownEntities:
    aliases: dict[int, list[str]] = {}
    by_name: dict[str, list[int]] = {}
    for entity_id, name, folded in EntityAlias.objects.order_by().values_list(
        "entity_id", "name", "folded"
    ):
        aliases.setdefault(entity_id, []).append(name)
        by_name.setdefault(folded, []).append(entity_id)
    rows = list(Entity.objects.order_by().values_list("id", "name", "kind", "folded"))
    surnames: dict[str, list[int]] = {}
    kinds, given = {}, {}
    for entity_id, _name, kind, folded in rows:
        kinds[entity_id] = kind
        ids = by_name.setdefault(folded, [])
        if entity_id not in ids:  # an alias that folds like the name counts once
            ids.append(entity_id)
        words = folded.split()
        if kind == EntityKind.PERSON and len(words) > 1:
            surnames.setdefault(words[-1], []).append(entity_id)
            given[entity_id] = words[0]
    gazetteer = entity_suggester.Gazetteer(
        (entity_id, name, kind, aliases.get(entity_id, ())) for entity_id, name, kind, _ in rows
    )
    return KnownEntities(
        gazetteer=gazetteer,
        by_name={k: tuple(v) for k, v in by_name.items()},
        kinds=kinds,
        surnames={k: tuple(v) for k, v in surnames.items()},
        given=given,
    )


# --- suggest ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Candidate:
    kind: str
    start: int
    end: int
    confidence: float
    entity_id: int | None = None
    speaker_id: int | None = None
    proposal: dict = field(default_factory=dict)


def _clamp(value: float | None) -> float | None:
    return None if value is None else round(min(1.0, max(0.0, float(value))), 4)


def _candidates(body: str, kinds: set[str], known: KnownEntities) -> list[_Candidate]:
    out: list[_Candidate] = []
    mentions = entity_suggester.suggest_mentions(body, known.gazetteer)
    if SpanKind.MENTION in kinds:
        for m in mentions:
            # The gazetteer matches names as written; a folded name or alias ("Anthony
            # Blinken" for a lone "Blinken" of the article) or a known surname may still say who.
            person = m.kind == EntityKind.PERSON
            entity_id = (
                m.entity_id
                or known.resolve(m.name, person=person)
                or known.resolve(m.text, person=person)
            )
            proposal = proposals.mention(
                name=None if entity_id is not None else m.name,
                kind=m.kind,
                confidence=m.confidence,
            )
            out.append(
                _Candidate(
                    SpanKind.MENTION, m.start, m.end, m.confidence, entity_id, None, proposal
                )
            )
    if SpanKind.QUOTE in kinds:
        for q in quote_suggester.suggest_quotes(body, mentions=mentions):
            speaker_id = known.resolve(q.speaker) if q.speaker else None
            confidence = q.confidence
            if q.indirect:
                confidence = min(confidence, INDIRECT_MAX_CONFIDENCE)
            proposal = proposals.quote(
                speaker=q.speaker,
                indirect=q.indirect,
                confidence=q.confidence,
                speaker_confidence=None if q.indirect else q.speaker_confidence,
                evidence=q.evidence,
            )
            out.append(
                _Candidate(
                    SpanKind.QUOTE,
                    q.start,
                    q.end,
                    confidence,
                    speaker_id=speaker_id,
                    proposal=proposal,
                )
            )
    if SpanKind.CLAIM in kinds:
        for c in claim_suggester.suggest_claims(body):
            proposal = proposals.claim(confidence=c.score)
            out.append(_Candidate(SpanKind.CLAIM, c.start, c.end, c.score, proposal=proposal))
    return out


@dataclass(frozen=True)
class Marked:
    """An accepted span, as far as the overlap rule needs it."""

    kind: str
    start: int
    end: int
    entity_id: int | None = None


def already_marked(
    kind: str, start: int, end: int, entity_id: int | None, accepted: list[Marked]
) -> Marked | None:
    """The accepted span that already marks [start, end), if any: a quote or claim that
    overlaps it, or a mention overlapping it of the same entity (or of an entity the
    suggester could not name, which the editor has then already decided). Such a suggestion
    is not offered: it would stack a second quote or count a person twice."""
    for marked in accepted:
        if marked.kind != kind or marked.start >= end or start >= marked.end:
            continue
        if kind != SpanKind.MENTION or entity_id is None or marked.entity_id == entity_id:
            return marked
    return None


def _locked_body(article: Article) -> str:
    """The body as committed, the article row locked until the transaction ends: a revision
    of the text, or an editor's new span, waits for the suggestions to be stored."""
    try:
        return (
            Article.objects.select_for_update(no_key=True)
            .values_list("body", flat=True)
            .get(pk=article.pk)
        )
    except Article.DoesNotExist:
        raise ValidationError("The article was deleted meanwhile.", code="gone") from None


@transaction.atomic
def article_suggest(
    *,
    article: Article,
    user=None,
    kinds: tuple[str, ...] | list[str] = KINDS,
    layer: Assignment | None = None,
) -> SuggestReport:
    """Run the suggesters on the article's body and store new suggestions.

    Places that hold a live span of the same kind are left alone; a candidate an editor
    rejected before (same place, or same text after the same context) is not stored again.
    With `layer` (a blind assignment's private layer) the suggestions go there, judged
    against that layer's spans only.
    """
    wanted = set(kinds)
    unknown = wanted - set(KINDS)
    if unknown:
        raise ValidationError(f"Unknown kind(s): {', '.join(sorted(unknown))}.", code="invalid")
    report = SuggestReport({str(kind): KindCounts() for kind in KINDS if kind in wanted})
    if not wanted:
        return report
    body = _locked_body(article)
    known = known_entities()
    live: set[tuple[str, int, int]] = set()
    rejected_places: set[tuple[str, int, int]] = set()
    rejected_texts: set[tuple[str, str, str]] = set()
    rows = (
        Span.objects.filter(
            article=article,
            kind__in=wanted,
            status__in=(SpanStatus.ACCEPTED, SpanStatus.SUGGESTED, SpanStatus.REJECTED),
            layer=layer,
        )
        .order_by()
        .values_list("kind", "start", "end", "text", "prefix", "status", "entity_id")
    )
    accepted: list[Marked] = []
    for kind, start, end, text, prefix, status, entity_id in rows:
        if status == SpanStatus.REJECTED:
            rejected_places.add((kind, start, end))
            rejected_texts.add((kind, text, prefix))
        else:
            live.add((kind, start, end))
        if status == SpanStatus.ACCEPTED:
            accepted.append(Marked(kind, start, end, entity_id))

    new: list[Span] = []
    for c in _candidates(body, wanted, known):
        try:
            place = services.span_place(body=body, start=c.start, end=c.end)
        except ValidationError:
            continue  # a suggester bug must not block the others
        counts = report.counts[c.kind]
        key = (c.kind, place.start, place.end)
        prefix, suffix = context(body, place.start, place.end)
        if key in live or already_marked(c.kind, place.start, place.end, c.entity_id, accepted):
            counts.existing += 1
            continue
        if key in rejected_places or (c.kind, place.text, prefix) in rejected_texts:
            counts.rejected += 1
            continue
        live.add(key)
        counts.created += 1
        new.append(
            Span(
                article=article,
                start=place.start,
                end=place.end,
                text=place.text,
                prefix=prefix,
                suffix=suffix,
                kind=c.kind,
                entity_id=c.entity_id,
                speaker_id=c.speaker_id,
                status=SpanStatus.SUGGESTED,
                origin=ORIGINS[c.kind],
                confidence=_clamp(c.confidence),
                proposal=c.proposal,
                created_by=user if getattr(user, "pk", None) else None,
                layer=layer,
            )
        )
    if new:
        try:
            # The article row is locked, so no other writer adds spans to it meanwhile (no
            # savepoint: after a conflict the whole call rolls back).
            Span.objects.bulk_create(quote_keys.spans_key(new), batch_size=500)
        except IntegrityError:
            raise ValidationError(
                "The annotations of this article changed meanwhile; run Suggest again.",
                code="conflict",
            ) from None
        made = ", ".join(
            f"{counts.created} {kind}{'s' * (counts.created != 1)}"
            for kind, counts in report.counts.items()
            if counts.created
        )
        history.record_batch(
            (
                history.entry(HistoryAction.CREATED, span, after=snapshot(span), user=user)
                for span in new
            ),
            action=HistoryAction.CREATED,
            summary=f"ran Suggest: {made}",
            size=len(new),
            article_id=article.pk,
            user=user,
        )
    return report


# --- accept and reject a kind at once ----------------------------------------------------------


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValidationError({"kind": f"Unknown kind “{kind}”."}, code="invalid")


def _locked_suggestions(
    article: Article, kind: str, span_ids=None, *, layer: Assignment | None = None, user=None
) -> list[Span]:
    """The suggestions to decide, of the shared layer or of `layer` (its assignee's only)."""
    if layer is not None:
        services.layer_check(layer, article=article, user=user)
    spans = Span.objects.select_for_update().filter(
        article=article, kind=kind, status=SpanStatus.SUGGESTED, layer=layer
    )
    if span_ids is not None:
        spans = spans.filter(pk__in=list(span_ids))
    # Text order: one by one in this order gives exactly the same result.
    return list(spans.order_by("start", "id"))


def _matches(keys: set[str]) -> dict[str, list[Entity]]:
    """Folded name -> the entities with that name or alias, oldest first (two queries)."""
    found: dict[str, dict[int, Entity]] = {}
    for entity in Entity.objects.filter(folded__in=keys):
        found.setdefault(entity.folded, {})[entity.pk] = entity
    for alias in EntityAlias.objects.filter(folded__in=keys).select_related("entity"):
        found.setdefault(alias.folded, {})[alias.entity_id] = alias.entity
    return {key: sorted(by_id.values(), key=lambda e: e.pk) for key, by_id in found.items()}


def _entities_create(new: list[Entity], user, entries: list) -> None:
    """Create entities in one query, with the history entries entity_create writes; a name
    that entity_create would refuse refuses the whole batch, naming it (nothing is written)."""
    for entity in new:
        problem = services.entity_name_problem(entity.name)
        if problem:
            shown = entity.name if len(entity.name) <= 60 else f"{entity.name[:60]}…"
            raise ValidationError(
                f"“{shown}” cannot become an entity: {problem} Correct or reject that "
                "suggestion, then accept the others.",
                code="invalid",
            )
    if new:
        Entity.objects.bulk_create(new)  # bulk_create skips save(): folded is set already
        entries.extend(
            history.entry(HistoryAction.CREATED, e, after=snapshot(e, aliases=[]), user=user)
            for e in new
        )


def _mention_entities(spans: list[Span], user, entries: list) -> dict[int, Entity]:
    """span id -> the entity accepting it links (services.suggestion_accept's rule for one:
    the candidate's name and kind, found by folded name or alias among entities of that
    kind, else created; each new (name, kind) created once, spelt as its first span has it)."""
    wanted: dict[int, tuple[str, str, str]] = {}  # span id -> (folded, kind, name)
    for span in spans:
        if span.entity_id is None:
            name, kind = proposals.candidate(span.proposal) or (span.text, EntityKind.OTHER)
            name = " ".join(name.split())
            wanted[span.pk] = (
                fold(name),
                kind if kind in EntityKind.values else EntityKind.OTHER,
                name,
            )
    found = _matches({key for key, _, _ in wanted.values()})
    chosen: dict[tuple[str, str], Entity] = {}
    new: list[Entity] = []
    for key, kind, name in wanted.values():
        if (key, kind) in chosen:
            continue
        same_kind = [e for e in found.get(key, []) if e.kind == kind]
        if same_kind:
            chosen[key, kind] = same_kind[0]
        else:
            chosen[key, kind] = Entity(name=name, folded=fold(name), kind=kind, created_by=user)
            new.append(chosen[key, kind])
    _entities_create(new, user, entries)
    return {pk: chosen[key, kind] for pk, (key, kind, _) in wanted.items()}


def _quote_speakers(spans: list[Span], user, entries: list) -> dict[int, Entity]:
    """span id -> the speaker accepting it links (services._proposed_speaker's rule for one:
    a person of that name or alias, else the one entity of any kind, else a new person when
    it reads as a name; each new person created once)."""
    wanted: dict[int, tuple[str, str]] = {}
    for span in spans:
        name = " ".join(proposals.speaker(span.proposal).split())
        if span.speaker_id is None and fold(name):
            wanted[span.pk] = (fold(name), name)
    found = _matches({key for key, _ in wanted.values()})
    chosen: dict[str, Entity | None] = {}
    new: list[Entity] = []
    for key, name in wanted.values():
        if key in chosen:
            continue
        options = found.get(key, [])
        people = [e for e in options if e.kind == EntityKind.PERSON]
        if people:
            chosen[key] = people[0]
        elif len(options) == 1:
            chosen[key] = options[0]
        elif not options and services.looks_like_a_name(name):
            chosen[key] = Entity(name=name, folded=key, kind=EntityKind.PERSON, created_by=user)
            new.append(chosen[key])
        else:
            chosen[key] = None
    _entities_create(new, user, entries)
    return {pk: chosen[key] for pk, (key, _) in wanted.items() if chosen[key] is not None}


def _summary(done: str, count: int, kind: str) -> str:
    return f"{done} {count} {SpanKind(kind).label.lower()} suggestion{'s' * (count != 1)}"


@transaction.atomic
def suggestions_accept_all(
    *, article: Article, kind: str, user=None, span_ids=None, layer: Assignment | None = None
) -> int:
    """Accept every suggestion of `kind` in the article (or those of span_ids); returns how
    many. Each span ends exactly as services.suggestion_accept leaves it when accepted alone
    (in text order): the same links, entities created once each, the same versions and
    history content; the entries form one HistoryBatch ("accepted 43 mention suggestions").
    A fixed number of queries, however many suggestions there are.
    """
    _check_kind(kind)
    spans = _locked_suggestions(article, kind, span_ids, layer=layer, user=user)
    if not spans:
        return 0
    entries: list = []
    links: dict[int, dict] = {span.pk: {} for span in spans}
    if kind == SpanKind.MENTION:
        for pk, entity in _mention_entities(spans, user, entries).items():
            links[pk]["entity"] = entity
    elif kind == SpanKind.QUOTE:
        for pk, speaker in _quote_speakers(spans, user, entries).items():
            links[pk]["speaker"] = speaker
    else:
        # A private layer's claim spans state no shared Claim (services.span_create).
        unclaimed = [span for span in spans if span.claim_id is None and layer is None]
        claims = [Claim(text=" ".join(s.text.split()), created_by=user) for s in unclaimed]
        Claim.objects.bulk_create(claims)
        for span, claim in zip(unclaimed, claims, strict=True):
            links[span.pk]["claim"] = claim
            entries.append(
                history.entry(
                    HistoryAction.CREATED,
                    claim,
                    after=snapshot(claim),
                    user=user,
                    article_id=article.pk,
                )
            )
    now = timezone.now()
    for span in spans:
        before = snapshot(span)
        changed = {"status": SpanStatus.ACCEPTED, **links[span.pk]}
        action = history.span_action(changed, span)
        for name, value in changed.items():
            setattr(span, name, value)
        span.revised_from = ""  # reviewed: changed words are accepted too (as span_update)
        span.version += 1
        span.updated_at = now
        entries.append(history.entry(action, span, before=before, after=snapshot(span), user=user))
    Span.objects.bulk_update(
        spans,
        ["status", "entity", "speaker", "claim", "revised_from", "version", "updated_at"],
        batch_size=500,
    )
    if layer is not None:
        # Drafts of a private layer are not recorded; the entities made for them are shared,
        # and recorded on their own (no batch names the article).
        history.record_many(entries)
        return len(spans)
    history.record_batch(
        entries,
        action=HistoryAction.ACCEPTED,
        kind=kind,
        summary=_summary("accepted", len(spans), kind),
        size=len(spans),
        article_id=article.pk,
        user=user,
    )
    return len(spans)


@transaction.atomic
def suggestions_reject_all(
    *, article: Article, kind: str, user=None, span_ids=None, layer: Assignment | None = None
) -> int:
    """Reject every suggestion of `kind` in the article (or those of span_ids), as
    services.suggestion_reject does one; one HistoryBatch. Returns how many."""
    _check_kind(kind)
    spans = _locked_suggestions(article, kind, span_ids, layer=layer, user=user)
    if not spans:
        return 0
    now = timezone.now()
    entries = []
    for span in spans:
        before = snapshot(span)
        span.status = SpanStatus.REJECTED
        span.revised_from = ""
        span.version += 1
        span.updated_at = now
        entries.append(
            history.entry(
                HistoryAction.REJECTED, span, before=before, after=snapshot(span), user=user
            )
        )
    # The rows are locked: every version is exactly one more than read.
    Span.objects.filter(pk__in=[span.pk for span in spans]).update(
        status=SpanStatus.REJECTED, revised_from="", version=F("version") + 1, updated_at=now
    )
    history.record_batch(
        entries,
        action=HistoryAction.REJECTED,
        kind=kind,
        summary=_summary("rejected", len(spans), kind),
        size=len(spans),
        article_id=article.pk,
        user=user,
    )
    return len(spans)
