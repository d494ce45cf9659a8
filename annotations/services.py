"""Every write to entities, spans and claims. Views, the API, the admin and commands call these.

Each function is one transaction and raises Django's ValidationError for problems a user
can fix (the message is for that user), or StaleVersion when someone else changed the row
first.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from annotations import anchoring
from annotations.models import (
    Claim,
    Entity,
    EntityAlias,
    Span,
    SpanKind,
    SpanStatus,
    Verdict,
)
from annotations.text import context, find_names, fold
from articles.models import Article

EDITOR_ORIGIN = "editor"
LIVE_STATUSES = (SpanStatus.ACCEPTED, SpanStatus.SUGGESTED)


class StaleVersion(Exception):
    """The row changed since the client read it; `current` is how it is now."""

    def __init__(self, current, message: str):
        super().__init__(message)
        self.current = current
        self.message = message


@dataclass(frozen=True)
class Placement:
    start: int
    end: int
    text: str


# --- spans -------------------------------------------------------------------------------


def span_place(
    *,
    body: str,
    start: int | None = None,
    end: int | None = None,
    text: str | None = None,
    prefix: str = "",
    suffix: str = "",
) -> Placement:
    """Check or find a span's offsets against the body; trims surrounding white space."""
    if start is None and end is None:
        if text is None:
            raise ValidationError("Send start and end, or the text to find.", code="invalid")
        try:
            anchor = anchoring.locate(body, text, prefix, suffix)
        except anchoring.AnchorError as error:
            raise ValidationError({"text": str(error)}, code="invalid") from None
        start, end = anchor.start, anchor.end
    elif start is None or end is None:
        raise ValidationError("Send both start and end.", code="invalid")
    if start < 0 or end > len(body):
        raise ValidationError(
            {"start": f"Offsets must lie within the article body (0–{len(body)})."},
            code="invalid",
        )
    if start >= end:
        raise ValidationError({"end": "end must be greater than start."}, code="invalid")
    if text is not None and body[start:end] != text:
        raise ValidationError(
            {"text": f"The text at {start}–{end} is “{body[start:end][:80]}”, not the text sent."},
            code="invalid",
        )
    anchor = anchoring.trim(body, start, end)
    if anchor.start >= anchor.end:
        raise ValidationError({"text": "The selection holds only white space."}, code="invalid")
    return Placement(anchor.start, anchor.end, body[anchor.start : anchor.end])


def _check_links(*, kind: str, entity: Entity | None, speaker: Entity | None, claim, status):
    if kind not in SpanKind.values:
        raise ValidationError({"kind": f"Unknown kind “{kind}”."}, code="invalid")
    if kind == SpanKind.MENTION and entity is None and status == SpanStatus.ACCEPTED:
        raise ValidationError({"entity": "A mention needs the entity it mentions."}, code="invalid")
    if kind != SpanKind.MENTION and entity is not None:
        raise ValidationError({"entity": "Only mentions link to an entity."}, code="invalid")
    if kind != SpanKind.QUOTE and speaker is not None:
        raise ValidationError({"speaker": "Only quotes have a speaker."}, code="invalid")
    if kind != SpanKind.CLAIM and claim is not None:
        raise ValidationError({"claim": "Only claim spans link to a claim."}, code="invalid")


@transaction.atomic
def span_create(
    *,
    article: Article,
    kind: str,
    start: int | None = None,
    end: int | None = None,
    text: str | None = None,
    prefix: str = "",
    suffix: str = "",
    entity: Entity | None = None,
    speaker: Entity | None = None,
    claim: Claim | None = None,
    claim_text: str = "",
    claimant: Entity | None = None,
    verdict: str = Verdict.UNREVIEWED,
    status: str = SpanStatus.ACCEPTED,
    origin: str = EDITOR_ORIGIN,
    confidence: float | None = None,
    note: str = "",
    user=None,
) -> tuple[Span, bool]:
    """Create a span, or return the identical live one that exists: (span, created).

    A claim span without a claim creates one, stated by claim_text (default: the span text).
    """
    place = span_place(
        body=article.body, start=start, end=end, text=text, prefix=prefix, suffix=suffix
    )
    _check_links(kind=kind, entity=entity, speaker=speaker, claim=claim, status=status)
    if status not in SpanStatus.values or status == SpanStatus.ORPHANED:
        raise ValidationError({"status": f"A new span cannot be “{status}”."}, code="invalid")
    existing = _live_twin(article.id, kind, place)
    if existing:
        return existing, False
    if kind == SpanKind.CLAIM and claim is None and status == SpanStatus.ACCEPTED:
        claim = claim_create(
            text=claim_text.strip() or place.text, claimant=claimant, verdict=verdict, user=user
        )
    before, after = context(article.body, place.start, place.end)
    span = Span(
        article=article,
        start=place.start,
        end=place.end,
        text=place.text,
        prefix=before,
        suffix=after,
        kind=kind,
        entity=entity,
        speaker=speaker,
        claim=claim,
        status=status,
        origin=origin,
        confidence=confidence,
        note=note,
        created_by=user,
    )
    try:
        with transaction.atomic():
            span.save()
    except IntegrityError:
        # A double click or a second tab created the same span a moment ago.
        twin = _live_twin(article.id, kind, place)
        if twin is None:
            raise
        return twin, False
    return span, True


def _live_twin(article_id: int, kind: str, place: Placement) -> Span | None:
    return (
        Span.objects.filter(
            article_id=article_id,
            kind=kind,
            start=place.start,
            end=place.end,
            status__in=LIVE_STATUSES,
        )
        .order_by("id")
        .first()
    )


_SPAN_FIELDS = {"entity", "speaker", "claim", "note", "status", "confidence"}


@transaction.atomic
def span_update(*, span: Span, version: int | None = None, user=None, **changes) -> Span:
    """Change a span's links, note or status (and offsets via start/end/text)."""
    unknown = set(changes) - _SPAN_FIELDS - {"start", "end", "text"}
    if unknown:
        raise ValidationError(f"Cannot change {', '.join(sorted(unknown))}.", code="invalid")
    values = {k: v for k, v in changes.items() if k in _SPAN_FIELDS}
    if {"start", "end", "text"} & changes.keys():
        article = Article.objects.only("body").get(pk=span.article_id)
        place = span_place(
            body=article.body,
            start=changes.get("start", span.start),
            end=changes.get("end", span.end),
            text=changes.get("text"),
        )
        before, after = context(article.body, place.start, place.end)
        values.update(
            start=place.start, end=place.end, text=place.text, prefix=before, suffix=after
        )
        if span.status == SpanStatus.ORPHANED:
            values.setdefault("status", SpanStatus.ACCEPTED)
    merged = {
        "entity": values.get("entity", span.entity),
        "speaker": values.get("speaker", span.speaker),
        "claim": values.get("claim", span.claim),
        "status": values.get("status", span.status),
    }
    _check_links(kind=span.kind, **merged)
    if merged["status"] not in SpanStatus.values:
        raise ValidationError({"status": f"Unknown status “{merged['status']}”."}, code="invalid")
    return _versioned_update(Span, span, version, values)


def _versioned_update(model, obj, version: int | None, values: dict):
    """UPDATE … WHERE version = the client's: a stale write changes nothing and says so."""
    expected = obj.version if version is None else version
    values = {**values, "version": F("version") + 1, "updated_at": timezone.now()}
    try:
        with transaction.atomic():
            changed = model.objects.filter(pk=obj.pk, version=expected).update(**values)
    except IntegrityError:
        raise ValidationError(
            "An identical annotation already exists at that place.", code="invalid"
        ) from None
    current = model.objects.get(pk=obj.pk)
    if not changed:
        raise StaleVersion(
            current,
            f"This {model._meta.verbose_name} was changed by someone else meanwhile "
            f"(now version {current.version}, you had {expected}). Reload and try again.",
        )
    return current


@transaction.atomic
def span_delete(*, span: Span, version: int | None = None, user=None) -> None:
    if version is not None and version != span.version:
        current = Span.objects.get(pk=span.pk)
        raise StaleVersion(current, "This span was changed meanwhile; reload and try again.")
    claim_id = span.claim_id if span.kind == SpanKind.CLAIM else None
    span.delete()
    if claim_id:
        # A claim that nobody reviewed and no other span states is only clutter now.
        Claim.objects.filter(pk=claim_id, verdict=Verdict.UNREVIEWED, spans__isnull=True).delete()


def span_accept(*, span: Span, user=None, version: int | None = None) -> Span:
    return span_update(span=span, version=version, user=user, status=SpanStatus.ACCEPTED)


def span_reject(*, span: Span, user=None, version: int | None = None) -> Span:
    return span_update(span=span, version=version, user=user, status=SpanStatus.REJECTED)


@transaction.atomic
def mentions_tag_all(*, article: Article, entity: Entity, user=None) -> list[Span]:
    """Tag every whole-word occurrence of the entity's name and aliases in the article.

    Places that already hold a live mention (of any entity) are left as they are.
    """
    names = [entity.name, *entity.aliases.values_list("name", flat=True)]
    taken = set(
        Span.objects.filter(
            article=article, kind=SpanKind.MENTION, status__in=LIVE_STATUSES
        ).values_list("start", "end")
    )
    new = []
    for start, end in find_names(article.body, names):
        if (start, end) in taken:
            continue
        before, after = context(article.body, start, end)
        new.append(
            Span(
                article=article,
                start=start,
                end=end,
                text=article.body[start:end],
                prefix=before,
                suffix=after,
                kind=SpanKind.MENTION,
                entity=entity,
                status=SpanStatus.ACCEPTED,
                origin=EDITOR_ORIGIN,
                created_by=user,
            )
        )
    Span.objects.bulk_create(new, ignore_conflicts=True)
    return new


# --- entities ------------------------------------------------------------------------------


@transaction.atomic
def entity_create(
    *,
    name: str,
    kind: str,
    aliases: list[str] | None = None,
    description: str = "",
    external_id: str = "",
    user=None,
) -> Entity:
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "An entity needs a name."}, code="invalid")
    if kind not in _entity_kinds():
        raise ValidationError({"kind": f"Unknown kind “{kind}”."}, code="invalid")
    entity = Entity.objects.create(
        name=name, kind=kind, description=description, external_id=external_id, created_by=user
    )
    for alias in aliases or []:
        alias_add(entity=entity, name=alias)
    return entity


def _entity_kinds() -> list[str]:
    return [value for value, _ in Entity._meta.get_field("kind").choices]


@transaction.atomic
def entity_update(*, entity: Entity, version: int | None = None, user=None, **changes) -> Entity:
    allowed = {"name", "kind", "description", "external_id"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(f"Cannot change {', '.join(sorted(unknown))}.", code="invalid")
    if "name" in changes:
        changes["name"] = " ".join(str(changes["name"]).split())
        if not changes["name"]:
            raise ValidationError({"name": "An entity needs a name."}, code="invalid")
        changes["folded"] = fold(changes["name"])
    if "kind" in changes and changes["kind"] not in _entity_kinds():
        raise ValidationError({"kind": f"Unknown kind “{changes['kind']}”."}, code="invalid")
    return _versioned_update(Entity, entity, version, changes)


def alias_add(*, entity: Entity, name: str) -> EntityAlias | None:
    """Add an alias; the entity's own name or a known alias adds nothing (returns None)."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"alias": "An alias needs a name."}, code="invalid")
    key = fold(name)
    if key == entity.folded or entity.aliases.filter(folded=key).exists():
        return None
    return EntityAlias.objects.create(entity=entity, name=name)


def alias_remove(*, entity: Entity, alias_id: int) -> None:
    deleted, _ = EntityAlias.objects.filter(entity=entity, pk=alias_id).delete()
    if not deleted:
        raise ValidationError({"alias": "No such alias on this entity."}, code="invalid")


@transaction.atomic
def entity_delete(*, entity: Entity, user=None) -> None:
    used = Span.objects.filter(Q(entity=entity) | Q(speaker=entity)).count()
    if used:
        raise ValidationError(
            f"“{entity.name}” is still used by {used} annotation(s); merge it into another "
            "entity or delete those first.",
            code="protected",
        )
    entity.delete()


@transaction.atomic
def entity_merge(*, keep: Entity, drop: Entity, user=None) -> Entity:
    """Move every span, claim and alias of `drop` to `keep`; drop's name becomes an alias."""
    if keep.pk == drop.pk:
        raise ValidationError("An entity cannot be merged into itself.", code="invalid")
    Span.objects.filter(entity=drop).update(entity=keep, version=F("version") + 1)
    Span.objects.filter(speaker=drop).update(speaker=keep, version=F("version") + 1)
    Claim.objects.filter(claimant=drop).update(claimant=keep, version=F("version") + 1)
    names = [drop.name, *drop.aliases.values_list("name", flat=True)]
    drop.delete()
    for name in names:
        alias_add(entity=keep, name=name)
    Entity.objects.filter(pk=keep.pk).update(version=F("version") + 1)
    keep.refresh_from_db()
    return keep


# --- claims --------------------------------------------------------------------------------


def claim_create(
    *,
    text: str,
    claimant: Entity | None = None,
    verdict: str = Verdict.UNREVIEWED,
    verdict_note: str = "",
    user=None,
) -> Claim:
    text = " ".join(text.split())
    if not text:
        raise ValidationError({"text": "A claim needs its statement."}, code="invalid")
    if verdict not in Verdict.values:
        raise ValidationError({"verdict": f"Unknown verdict “{verdict}”."}, code="invalid")
    reviewed = verdict != Verdict.UNREVIEWED
    return Claim.objects.create(
        text=text,
        claimant=claimant,
        verdict=verdict,
        verdict_note=verdict_note,
        reviewed_by=user if reviewed else None,
        reviewed_at=timezone.now() if reviewed else None,
        created_by=user,
    )


@transaction.atomic
def claim_update(*, claim: Claim, version: int | None = None, user=None, **changes) -> Claim:
    allowed = {"text", "claimant", "verdict", "verdict_note"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(f"Cannot change {', '.join(sorted(unknown))}.", code="invalid")
    if "text" in changes:
        changes["text"] = " ".join(str(changes["text"]).split())
        if not changes["text"]:
            raise ValidationError({"text": "A claim needs its statement."}, code="invalid")
    if "verdict" in changes:
        if changes["verdict"] not in Verdict.values:
            raise ValidationError(
                {"verdict": f"Unknown verdict “{changes['verdict']}”."}, code="invalid"
            )
        if changes["verdict"] != claim.verdict or "verdict_note" in changes:
            changes.update(reviewed_by=user, reviewed_at=timezone.now())
    return _versioned_update(Claim, claim, version, changes)


@transaction.atomic
def claim_delete(*, claim: Claim, user=None) -> None:
    """Delete a claim and the spans that state it."""
    Span.objects.filter(claim=claim).delete()
    claim.delete()
