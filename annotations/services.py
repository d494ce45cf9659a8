"""Every write to entities, spans and claims. Views, the API, the admin and commands call these.

Each function is one transaction and raises Django's ValidationError for problems a user
can fix (the message is for that user), or StaleVersion when someone else changed the row
first. Every change is recorded in the audit trail (annotations.history) in the same
transaction: who did what, with the row before and after.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from annotations import anchoring, history, proposals, quote_keys
from annotations.history import snapshot
from annotations.models import (
    NAME_MAX_LENGTH,
    Assignment,
    AssignmentStatus,
    Claim,
    Comment,
    Entity,
    EntityAlias,
    EntityKind,
    Gender,
    HistoryAction,
    HistoryBatch,
    HistoryEntry,
    HistoryObject,
    ReviewStatus,
    Role,
    Span,
    SpanKind,
    SpanStatus,
    Verdict,
)
from annotations.text import (
    context,
    find_names,
    fold,
    has_visible,
    is_grapheme_boundary,
    name_problem,
)
from articles.models import Article
from articles.signals import ReanchorReport
from newsdesk.errors import StaleVersion  # noqa: F401 (services.StaleVersion, as callers know it)

EDITOR_ORIGIN = "editor"
LIVE_STATUSES = (SpanStatus.ACCEPTED, SpanStatus.SUGGESTED)


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
    for at in (anchor.start, anchor.end):
        if not is_grapheme_boundary(body, at):
            raise ValidationError(
                {
                    "text": f"The selection cuts a character in two at {at}; select whole characters."
                },
                code="invalid",
            )
    if not has_visible(body[anchor.start : anchor.end]):
        raise ValidationError({"text": "The selection holds no visible character."}, code="invalid")
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


def _locked_body(article: Article) -> str:
    """The article's body as committed, locked until this transaction ends.

    Offsets are checked against this, never against the caller's copy: a revision of the
    text (which locks the article row FOR UPDATE) cannot slip between check and write.
    """
    try:
        return (
            Article.objects.select_for_update(no_key=True)
            .values_list("body", flat=True)
            .get(pk=article.pk)
        )
    except Article.DoesNotExist:
        raise ValidationError("The article was deleted meanwhile.", code="gone") from None


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
    layer: Assignment | None = None,
) -> tuple[Span, bool]:
    """Create a span, or return the identical live one that exists: (span, created).

    A claim span without a claim creates one, stated by claim_text (default: the span text).
    Two identical creates at once (a double click, two tabs) yield one span. With `layer`,
    the span goes into that open assignment's private layer (only its assignee writes there).
    """
    if layer is not None:
        layer_check(layer, article=article, user=user)
    body = _locked_body(article)
    place = span_place(body=body, start=start, end=end, text=text, prefix=prefix, suffix=suffix)
    _check_links(kind=kind, entity=entity, speaker=speaker, claim=claim, status=status)
    if status not in SpanStatus.values or status == SpanStatus.ORPHANED:
        raise ValidationError({"status": f"A new span cannot be “{status}”."}, code="invalid")
    existing = _live_twin(article.id, kind, place, layer)
    if existing:
        return existing, False
    before, after = context(body, place.start, place.end)
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
        layer=layer,
    )
    quote_keys.spans_key([span])
    try:
        with transaction.atomic():
            # A private layer's claim span states no Claim yet: claims are shared (listed
            # for review by verdict); curation creates one when it takes the span.
            if (
                kind == SpanKind.CLAIM
                and claim is None
                and status == SpanStatus.ACCEPTED
                and layer is None
            ):
                span.claim = _claim_create(
                    text=claim_text.strip() or place.text,
                    claimant=claimant,
                    verdict=verdict,
                    user=user,
                    article_id=article.id,
                )
            span.save()
    except IntegrityError:
        # A double click or a second tab created the same span a moment ago (its claim, if
        # this call made one, rolled back with it).
        twin = _live_twin(article.id, kind, place, layer)
        if twin is None:
            raise
        return twin, False
    history.record(HistoryAction.CREATED, span, user=user)
    return span, True


def layer_check(layer: Assignment, *, article: Article | None, user) -> None:
    """Only the assignee writes in a private layer, and only while the assignment is open
    (every write to a layer span comes through here: create, change, delete, accept, tag all)."""
    if article is not None and layer.article_id != article.pk:
        raise ValidationError({"assignment": "That assignment is for another article."})
    if user is None or layer.assignee_id != user.pk:
        raise PermissionDenied("Only the assignee annotates in a private layer.")
    if layer.status != AssignmentStatus.OPEN:
        raise ValidationError({"assignment": "That assignment was submitted already."})


def _live_twin(
    article_id: int, kind: str, place: Placement, layer: Assignment | None = None
) -> Span | None:
    return (
        Span.objects.filter(
            article_id=article_id,
            kind=kind,
            start=place.start,
            end=place.end,
            status__in=LIVE_STATUSES,
            layer=layer,
        )
        .order_by("id")
        .first()
    )


_SPAN_FIELDS = {"entity", "speaker", "claim", "note", "status", "confidence"}


@transaction.atomic
def span_update(*, span: Span, version: int | None = None, user=None, **changes) -> Span:
    """Change a span's links, note or status (and offsets via start/end/text).

    Giving an orphaned span new offsets re-places it: it gets back the status it had before
    a revision orphaned it (accepted when that is unknown).
    """
    unknown = set(changes) - _SPAN_FIELDS - {"start", "end", "text"}
    if unknown:
        raise ValidationError(f"Cannot change {', '.join(sorted(unknown))}.", code="invalid")
    _check_layer_span(span, user)
    values = {k: v for k, v in changes.items() if k in _SPAN_FIELDS}
    if {"start", "end", "text"} & changes.keys():
        body = _locked_body(span.article)
        if changes.keys() & {"start", "end"}:
            place = span_place(
                body=body,
                start=changes.get("start", span.start),
                end=changes.get("end", span.end),
                text=changes.get("text"),
            )
        else:  # the text alone: find it (it must stand in the body once)
            place = span_place(body=body, text=changes["text"])
        before, after = context(body, place.start, place.end)
        values.update(
            start=place.start, end=place.end, text=place.text, prefix=before, suffix=after
        )
        if span.status == SpanStatus.ORPHANED:
            values.setdefault("status", _status_before_orphaning(span))
    _check_span_values(span, values)
    return _versioned_update(
        Span,
        span,
        version,
        values,
        user=user,
        action=lambda changed, current: history.span_action(changed, current),
        derived=_derived_on_update,
    )


def _check_layer_span(span: Span, user) -> None:
    """A span of a private layer is its assignee's draft: nobody else changes it (a reviewer
    may read it), and nobody once it is submitted."""
    if span.layer_id is not None:
        layer = Assignment.objects.only("article_id", "assignee_id", "status").get(pk=span.layer_id)
        layer_check(layer, article=None, user=user)


def _derived_on_update(changed: dict, current: Span) -> dict:
    return {
        **_review_done(changed, current),
        **_review_reset(changed, current),
        **_match_key(changed, current),
    }


def _match_key(changed: dict, current: Span) -> dict:
    """A quote's new words may belong to another wording group (reused quotes)."""
    if "text" not in changed or current.kind != SpanKind.QUOTE:
        return {}
    return {"match_key": quote_keys.match_keys([changed["text"]])[changed["text"]]}


def _review_done(changed: dict, current: Span) -> dict:
    """A span back in review for its changed words leaves review once an editor accepts or
    rejects it, or places it anew: its accepted words are then history."""
    if current.revised_from and changed.keys() & {"status", "start", "end"}:
        return {"revised_from": ""}
    return {}


def _review_reset(changed: dict, current: Span) -> dict:
    """An edited span needs a fresh review: an approval (or a request) was for what it was."""
    if current.review_status == ReviewStatus.UNREVIEWED:
        return {}
    return {"review_status": ReviewStatus.UNREVIEWED, "reviewed_by": None, "reviewed_at": None}


def span_check(*, span: Span, **changes) -> None:
    """The rules span_update applies to a change of links, note or status, without writing:
    a form (the admin's) checks with it first, to show the problems beside its fields."""
    unknown = set(changes) - _SPAN_FIELDS
    if unknown:
        raise ValidationError(f"Cannot change {', '.join(sorted(unknown))}.", code="invalid")
    _check_span_values(span, changes)


def _check_span_values(span: Span, values: dict) -> None:
    merged = {
        "entity": values.get("entity", span.entity),
        "speaker": values.get("speaker", span.speaker),
        "claim": values.get("claim", span.claim),
        "status": values.get("status", span.status),
    }
    _check_links(kind=span.kind, **merged)
    if merged["status"] not in SpanStatus.values:
        raise ValidationError({"status": f"Unknown status “{merged['status']}”."}, code="invalid")
    if merged["status"] == SpanStatus.ORPHANED and span.status != SpanStatus.ORPHANED:
        raise ValidationError({"status": "Only a revision of the text orphans a span."})


def _status_before_orphaning(span: Span) -> str:
    last = (
        HistoryEntry.objects.filter(
            object_type=HistoryObject.SPAN, object_id=span.pk, action=HistoryAction.ORPHANED
        )
        .order_by("-created_at", "-id")
        .values_list("before", flat=True)
        .first()
    )
    status = (last or {}).get("status")
    if status in (SpanStatus.ACCEPTED, SpanStatus.SUGGESTED, SpanStatus.REJECTED):
        return status
    return SpanStatus.ACCEPTED


def _lock_current(model, obj, version: int | None, *, check: bool = True):
    """The row as committed, locked; StaleVersion if its version is not the client's.

    `version` None means the version of the caller's object (when `check`), or no check.
    """
    name = model._meta.verbose_name
    current = model.objects.select_for_update().filter(pk=obj.pk).first()
    if current is None:
        raise ValidationError(f"This {name} was deleted meanwhile; reload.", code="gone")
    if version is None and not check:
        return current
    check_version(model, current, obj.version if version is None else version)
    return current


def check_version(model, current, expected: int) -> None:
    """StaleVersion, saying who changed it last, if `current` (the row as committed) is no
    longer at the version the client read."""
    if current.version != expected:
        name = model._meta.verbose_name
        who = history.who(history.last_change(model, current.pk))
        by = "" if who == history.SOMEONE else f"by {who}, "
        raise StaleVersion(
            current,
            f"This {name} was changed by someone else meanwhile ({by}now version "
            f"{current.version}; you had {expected}). Reload and try again.",
            changed_by=who,
        )


def _differs(row, name: str, value) -> bool:
    """Whether setting row.name to value would change it (links compare by id)."""
    field = type(row)._meta.get_field(name)
    if field.is_relation:
        value = value.pk if value is not None and hasattr(value, "pk") else value
    return getattr(row, field.attname) != value


def _versioned_update(
    model,
    obj,
    version: int | None,
    values: dict,
    *,
    user=None,
    action=HistoryAction.UPDATED,
    derived=None,
):
    """UPDATE … only if the row still has the client's version; a stale write changes
    nothing and says who changed it meanwhile. Records the change in the history.

    Values equal to the row's are left out; when none is left the call changes nothing: no
    new version, no history entry, no version check (nothing the client sent is lost), and
    the row comes back as it is. `action` may be a function of (changed values, row);
    `derived(changed, current)` adds the fields that follow from a change (a reviewer).
    """
    locked = _lock_current(model, obj, None, check=False)  # the version: once it is a change
    changed = {name: value for name, value in values.items() if _differs(locked, name, value)}
    if not changed:
        return locked
    check_version(model, locked, obj.version if version is None else version)
    if callable(action):
        action = action(changed, locked)
    if derived is not None:
        changed.update(derived(changed, locked))
    before = snapshot(locked)
    changed = {**changed, "version": F("version") + 1, "updated_at": timezone.now()}
    try:
        with transaction.atomic():
            model.objects.filter(pk=obj.pk, version=locked.version).update(**changed)
    except IntegrityError:
        raise ValidationError(
            "An identical annotation already exists at that place.", code="invalid"
        ) from None
    current = model.objects.get(pk=obj.pk)
    after = snapshot(current, aliases=before.get("aliases"))
    history.record(action, current, before=before, after=after, user=user)
    return current


@transaction.atomic
def span_delete(*, span: Span, version: int | None = None, user=None) -> None:
    """Delete a span (restorable from its history entry with span_restore)."""
    current = _lock_current(Span, span, version, check=False)
    _check_layer_span(current, user)
    claim_id = current.claim_id if current.kind == SpanKind.CLAIM else None
    history.record(HistoryAction.DELETED, current, before=snapshot(current), user=user)
    if current.layer_id is not None:
        # A draft leaves no history, so nothing could show its thread again (and nothing may:
        # it was private): it goes with it.
        Comment.objects.filter(span_id=current.pk).delete()
    current.delete()
    if claim_id:
        # A claim that nobody reviewed and no other span states is only clutter now.
        unused = Claim.objects.filter(
            pk=claim_id, verdict=Verdict.UNREVIEWED, spans__isnull=True
        ).first()
        if unused:
            history.record(
                HistoryAction.DELETED,
                unused,
                before=snapshot(unused),
                user=user,
                article_id=current.article_id,
            )
            unused.delete()


def span_accept(*, span: Span, user=None, version: int | None = None) -> Span:
    return span_update(span=span, version=version, user=user, status=SpanStatus.ACCEPTED)


def span_reject(*, span: Span, user=None, version: int | None = None) -> Span:
    return span_update(span=span, version=version, user=user, status=SpanStatus.REJECTED)


def suggestion_decision(span: Span, status: str | None) -> str | None:
    """The status a change decides for a suggestion (accepted or rejected), or None when it
    is an ordinary change for span_update. A suggested span may be accepted or rejected; a
    rejected one accepted again (an editor changing their mind)."""
    if status == SpanStatus.ACCEPTED and span.status in (
        SpanStatus.SUGGESTED,
        SpanStatus.REJECTED,
    ):
        return status
    if status == SpanStatus.REJECTED and span.status == SpanStatus.SUGGESTED:
        return status
    return None


@transaction.atomic
def span_patch(*, span: Span, version: int | None = None, user=None, **changes) -> Span:
    """Change a span as the API's PATCH/PUT says, accepting or rejecting a suggestion when the
    status sent decides one (the other changes first, on the version the client read).

    Changes equal to the span's are no change: a PATCH of `{}` or of the same values writes
    nothing, keeps the version and records no history.
    """
    # Offsets echoed unchanged (a PUT repeats every field) are not a move to check again.
    placement = {name: changes.pop(name) for name in ("start", "end", "text") if name in changes}
    if any(placement[name] != getattr(span, name) for name in placement):
        changes.update(placement)
    decision = suggestion_decision(span, changes.get("status"))
    if decision is None:
        return span_update(span=span, version=version, user=user, **changes)
    del changes["status"]
    # Accepting completes what the suggestion lacks; the entity or speaker sent is the one to
    # link, passed to suggestion_accept, which checks it.
    link = {SpanKind.MENTION: "entity", SpanKind.QUOTE: "speaker"}.get(span.kind)
    chosen = {}
    if decision == SpanStatus.ACCEPTED and link in changes:
        chosen[link] = changes.pop(link)
    changes = {
        name: value
        for name, value in changes.items()
        if name in ("start", "end", "text") or _differs(span, name, value)
    }
    if changes:
        span = span_update(span=span, version=version, user=user, **changes)
        version = None  # checked; the decision applies to the span just written
    if decision == SpanStatus.ACCEPTED:
        return suggestion_accept(span=span, user=user, version=version, **chosen)
    return suggestion_reject(span=span, user=user, version=version)


def _find_entity(name: str, kind: str | None = None) -> Entity | None:
    """The entity whose name or alias folds to name's fold; of `kind` if given, else the
    only one."""
    key = fold(name)
    if not key:
        return None
    found = list(
        Entity.objects.filter(Q(folded=key) | Q(aliases__folded=key)).distinct().order_by("id")
    )
    if kind:
        found = [e for e in found if e.kind == kind]
        return found[0] if found else None
    return found[0] if len(found) == 1 else None


def _entity_for(name: str, kind: str, user) -> Entity:
    return _find_entity(name, kind) or entity_create(name=name, kind=kind, user=user)


@transaction.atomic
def suggestion_accept(
    *,
    span: Span,
    user=None,
    entity: Entity | None = None,
    speaker: Entity | None = None,
    new_entity_name: str | None = None,
    new_entity_kind: str | None = None,
    version: int | None = None,
) -> Span:
    """Accept a suggestion (or a rejected one, changing one's mind), completing what it lacks.

    A mention gets `entity`, or an entity named new_entity_name (kind new_entity_kind), or
    the candidate its proposal names (found by folded name or alias, else created), else one
    named by its text. A quote gets `speaker`, or one named new_entity_name (found or
    created, a person by default), or the known entity its proposal names; without any it is
    accepted speakerless. A claim span gets a new unreviewed Claim stating its text. The
    note, the editor's text, is never read.
    """
    if span.status == SpanStatus.ACCEPTED:
        return span
    if span.status not in (SpanStatus.SUGGESTED, SpanStatus.REJECTED):
        raise ValidationError("Only a suggested or rejected span can be accepted.", code="invalid")
    changes: dict = {"status": SpanStatus.ACCEPTED}
    new_name = " ".join((new_entity_name or "").split())
    if span.kind == SpanKind.MENTION:
        if entity is None and new_name:
            entity = _entity_for(new_name, new_entity_kind or EntityKind.OTHER, user)
        if entity is None and span.entity_id is None:
            name, kind = proposals.candidate(span.proposal) or (span.text, EntityKind.OTHER)
            kind = new_entity_kind or kind
            if kind not in EntityKind.values:
                kind = EntityKind.OTHER
            entity = _entity_for(" ".join(name.split()), kind, user)
        if entity is not None:
            changes["entity"] = entity
    elif span.kind == SpanKind.QUOTE:
        if speaker is None and new_name:
            speaker = _entity_for(new_name, new_entity_kind or EntityKind.PERSON, user)
        if speaker is None and span.speaker_id is None:
            speaker = _proposed_speaker(proposals.speaker(span.proposal), user)
        if speaker is not None:
            changes["speaker"] = speaker
    marked = span_marked_by(span=span, entity=changes.get("entity") or span.entity)
    if marked is not None:
        # Already marked by an editor: merge into that span rather than stack a second one.
        # It gains the speaker it lacked; the suggestion is rejected, so it does not return.
        speaker = changes.get("speaker") or span.speaker
        if span.kind == SpanKind.QUOTE and marked.speaker_id is None and speaker is not None:
            marked = span_update(span=marked, user=user, speaker=speaker)
        span_reject(span=span, user=user, version=version)
        return marked
    if span.kind == SpanKind.CLAIM and span.claim_id is None and span.layer_id is None:
        changes["claim"] = _claim_create(text=span.text, user=user, article_id=span.article_id)
    return span_update(span=span, version=version, user=user, **changes)


def span_marked_by(*, span: Span, entity: Entity | None = None) -> Span | None:
    """The accepted span of the same kind that already marks (overlaps) `span`'s text; for a
    mention, only one of the same entity (`entity`, the one it would link to)."""
    others = Span.objects.filter(
        article_id=span.article_id,
        layer_id=span.layer_id,  # within the span's own layer
        kind=span.kind,
        status=SpanStatus.ACCEPTED,
        start__lt=span.end,
        end__gt=span.start,
    ).exclude(pk=span.pk)
    if span.kind == SpanKind.MENTION:
        if entity is None:
            return None
        others = others.filter(entity=entity)
    return others.order_by("start", "pk").first()


def looks_like_a_name(name: str) -> bool:
    """ "Alex Vatanka", not "critics" or "the Palestinian health ministry": a suggested speaker
    becomes a new person on a plain Accept only when it reads as a proper name."""
    words = name.split()
    return bool(words) and all(word[:1].isupper() for word in (words[0], words[-1]))


def _proposed_speaker(name: str, user) -> Entity | None:
    """The speaker a quote's proposal names: a person of that name or alias, else the one
    entity of any kind, else a new person when it reads as a name, else none.
    (suggesting.suggestions_accept_all applies the same rule to many quotes at once.)"""
    name = " ".join(name.split())
    if not name:
        return None
    found = _find_entity(name, EntityKind.PERSON) or _find_entity(name)
    if found is None and looks_like_a_name(name):
        found = entity_create(name=name, kind=EntityKind.PERSON, user=user)
    return found


def suggestion_reject(*, span: Span, user=None, version: int | None = None) -> Span:
    """Reject a suggestion; the suggesters will not offer it again."""
    if span.status == SpanStatus.REJECTED:
        return span
    if span.status != SpanStatus.SUGGESTED:
        raise ValidationError("Only a suggestion can be rejected here.", code="invalid")
    return span_reject(span=span, user=user, version=version)


@transaction.atomic
def span_restore(
    *, entry: HistoryEntry | None = None, span_id: int | None = None, user=None
) -> Span:
    """Bring back a deleted span, under its old id, with its entity, speaker and claim.

    A claim deleted along with it comes back too; an entity merged away meanwhile is
    followed to the one it was merged into. If its text has moved since (a revision), it is
    found again; if it cannot be found, it comes back orphaned, for an editor to re-place.
    """
    if entry is None:
        entry = (
            HistoryEntry.objects.filter(
                object_type=HistoryObject.SPAN, object_id=span_id, action=HistoryAction.DELETED
            )
            .order_by("-created_at", "-id")
            .first()
        )
    if (
        entry is None
        or entry.object_type != HistoryObject.SPAN
        or entry.action != HistoryAction.DELETED
        or not entry.before
    ):
        raise ValidationError("There is no deleted span to restore.", code="invalid")
    if Span.objects.filter(pk=entry.object_id).exists():
        raise ValidationError("This span exists; it was restored already.", code="invalid")
    data = entry.before
    article = Article.objects.filter(pk=data["article"]).first()
    if article is None:
        raise ValidationError("Its article was deleted; the span cannot come back.")
    layer_id = data.get("layer")  # a private layer's span goes back to that layer only
    if layer_id is not None and not Assignment.objects.filter(pk=layer_id).exists():
        raise ValidationError("Its assignment was deleted; the span cannot come back.")
    body = _locked_body(article)
    entity = _resolve_entity(data["entity"])
    speaker = _resolve_entity(data["speaker"])
    claim = (
        _resolve_claim(data["claim"], user=user, article_id=article.id) if data["claim"] else None
    )
    status = data["status"]
    found = anchoring.reanchor(
        anchoring.SpanText(
            data["start"], data["end"], data["text"], data["prefix"], data["suffix"]
        ),
        anchoring.BodyDiff(body, body),
    )
    start, end, text = found.start, found.end, found.text
    prefix, suffix = data["prefix"], data["suffix"]
    if found.fate is anchoring.Fate.ORPHANED:
        status = SpanStatus.ORPHANED
    else:
        prefix, suffix = context(body, start, end)
    span = Span(
        pk=entry.object_id,
        article=article,
        start=start,
        end=end,
        text=text,
        prefix=prefix,
        suffix=suffix,
        kind=data["kind"],
        entity=entity,
        speaker=speaker,
        claim=claim,
        status=status,
        origin=data["origin"],
        confidence=data["confidence"],
        note=data["note"],
        proposal=data.get("proposal") or {},  # entries written before it existed lack it
        revised_from=data.get("revised_from", ""),  # entries before it existed lack it
        layer_id=layer_id,
        created_by_id=_user_id(data["created_by"]),
        version=data["version"] + 1,
    )
    quote_keys.spans_key([span])  # its words may have moved on with the article
    try:
        with transaction.atomic():
            span.save(force_insert=True)
    except IntegrityError:
        raise ValidationError(
            "An identical annotation exists at that place now; nothing was restored.",
            code="invalid",
        ) from None
    created_at = parse_datetime(data["created_at"] or "")
    if created_at:
        Span.objects.filter(pk=span.pk).update(created_at=created_at)
        span.created_at = created_at
    history.record(HistoryAction.RESTORED, span, user=user)
    return span


def _resolve_entity(entity_id: int | None) -> Entity | None:
    """The entity, or the one it was merged into; ValidationError if it was deleted."""
    seen = set()
    while entity_id is not None and entity_id not in seen:
        seen.add(entity_id)
        entity = Entity.objects.filter(pk=entity_id).first()
        if entity:
            return entity
        merged = (
            HistoryEntry.objects.filter(
                object_type=HistoryObject.ENTITY, object_id=entity_id, action=HistoryAction.MERGED
            )
            .values_list("after", flat=True)
            .first()
        )
        if not merged or "merged_into" not in merged:
            raise ValidationError(
                f"The entity it linked to (#{entity_id}) was deleted; nothing was restored.",
                code="invalid",
            )
        entity_id = merged["merged_into"]
    return None


def _resolve_claim(claim_id: int, *, user, article_id: int) -> Claim:
    """The claim, or the deleted claim brought back from its history."""
    claim = Claim.objects.filter(pk=claim_id).first()
    if claim:
        return claim
    gone = (
        HistoryEntry.objects.filter(
            object_type=HistoryObject.CLAIM, object_id=claim_id, action=HistoryAction.DELETED
        )
        .order_by("-created_at", "-id")
        .first()
    )
    if gone is None or not gone.before:
        raise ValidationError(
            f"The claim it stated (#{claim_id}) is gone; nothing was restored.", code="invalid"
        )
    data = gone.before
    claimant = Entity.objects.filter(pk=data["claimant"]).first() if data["claimant"] else None
    claim = Claim(
        pk=claim_id,
        text=data["text"],
        claimant=claimant,
        verdict=data["verdict"],
        verdict_note=data["verdict_note"],
        reviewed_by_id=_user_id(data["reviewed_by"]),
        reviewed_at=parse_datetime(data["reviewed_at"] or ""),
        created_by_id=_user_id(data["created_by"]),
        version=data["version"] + 1,
    )
    claim.save(force_insert=True)
    history.record(HistoryAction.RESTORED, claim, user=user, article_id=article_id)
    return claim


def _user_id(user_id: int | None) -> int | None:
    if user_id is None:
        return None
    return user_id if get_user_model().objects.filter(pk=user_id).exists() else None


@transaction.atomic
def mentions_tag_all(
    *, article: Article, entity: Entity, user=None, layer: Assignment | None = None
) -> list[Span]:
    """Tag every whole-word occurrence of the entity's name and aliases in the article.

    An occurrence is left alone when it holds a live mention already (of any entity), when
    it overlaps a live mention of this entity (no mention stacked on another of the same
    entity: "Blinken" inside a tagged "Antony Blinken"), or when it would wrap another live
    mention. Returns the new mentions, in text order; they form one HistoryBatch.
    """
    body = _locked_body(article)
    names = [entity.name, *entity.aliases.values_list("name", flat=True)]
    mentions = list(
        Span.objects.filter(
            article=article, kind=SpanKind.MENTION, status__in=LIVE_STATUSES
        ).values_list("start", "end", "entity_id")
    )
    new = []
    for start, end in find_names(body, names):
        if any(
            (s, e) == (start, end)
            or (entity_id == entity.pk and s < end and start < e)
            or (start <= s and e <= end)
            for s, e, entity_id in mentions
        ):
            continue
        before, after = context(body, start, end)
        new.append(
            Span(
                article=article,
                start=start,
                end=end,
                text=body[start:end],
                prefix=before,
                suffix=after,
                kind=SpanKind.MENTION,
                entity=entity,
                status=SpanStatus.ACCEPTED,
                origin=EDITOR_ORIGIN,
                created_by=user,
                layer=layer,
            )
        )
    if not new:
        return []
    Span.objects.bulk_create(new, ignore_conflicts=True)
    # ignore_conflicts returns no ids: read back the ones that landed (a concurrent tag-all
    # may have won some places; those are its mentions, not ours).
    wanted = {(span.start, span.end) for span in new}
    created = [
        span
        for span in Span.objects.filter(
            article=article,
            layer=layer,
            kind=SpanKind.MENTION,
            entity=entity,
            status=SpanStatus.ACCEPTED,
            start__in={start for start, _ in wanted},
        ).order_by("start", "id")
        if (span.start, span.end) in wanted
    ]
    history.record_batch(
        (
            history.entry(HistoryAction.CREATED, span, after=snapshot(span), user=user)
            for span in created
        ),
        action=HistoryAction.CREATED,
        kind=SpanKind.MENTION,
        summary=f"tagged {len(created)} mention{'s' * (len(created) != 1)} of {entity.name}",
        size=len(created),
        article_id=article.pk,
        user=user,
    )
    return created


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
    **speaker,
) -> Entity:
    """`speaker`: optional `gender`, `role`, `affiliation` (an ORG entity), for a PERSON."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "An entity needs a name."}, code="invalid")
    _check_name(name, "name")
    if kind not in _entity_kinds():
        raise ValidationError({"kind": f"Unknown kind “{kind}”."}, code="invalid")
    _speaker_check(kind, speaker, entity=None)
    entity = Entity.objects.create(
        name=name,
        kind=kind,
        description=description,
        external_id=external_id,
        created_by=user,
        **speaker,
    )
    for alias in aliases or []:
        _alias_add(entity=entity, name=alias)
    history.record(HistoryAction.CREATED, entity, user=user)
    return entity


def entity_name_problem(name: str) -> str:
    """Why `name` cannot name an entity or be an alias ("" if it can): the rule of
    annotations.models.validate_name, which every entity a service creates passes (one by
    one here, or many at once in suggesting.suggestions_accept_all)."""
    return name_problem(name, NAME_MAX_LENGTH)


def _check_name(name: str, field: str) -> None:
    """entity_name_problem, with the message on `field`."""
    problem = entity_name_problem(name)
    if problem:
        raise ValidationError({field: problem}, code="invalid")


def _entity_kinds() -> list[str]:
    return [value for value, _ in Entity._meta.get_field("kind").choices]


@transaction.atomic
def entity_update(*, entity: Entity, version: int | None = None, user=None, **changes) -> Entity:
    allowed = {"name", "kind", "description", "external_id", *SPEAKER_FIELDS}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(f"Cannot change {', '.join(sorted(unknown))}.", code="invalid")
    if "name" in changes:
        changes["name"] = " ".join(str(changes["name"]).split())
        if not changes["name"]:
            raise ValidationError({"name": "An entity needs a name."}, code="invalid")
        _check_name(changes["name"], "name")
        changes["folded"] = fold(changes["name"])
    if "kind" in changes and changes["kind"] not in _entity_kinds():
        raise ValidationError({"kind": f"Unknown kind “{changes['kind']}”."}, code="invalid")
    kind = changes.get("kind", entity.kind)
    current = {name: getattr(entity, name) for name in SPEAKER_FIELDS}
    _speaker_check(kind, {**current, **_speaker_only(changes)}, entity=entity)
    return _versioned_update(Entity, entity, version, changes, user=user)


# What editors say about a PERSON as a speaker; statistics group quotes by them.
SPEAKER_FIELDS = ("gender", "role", "affiliation")


def _speaker_only(values: dict) -> dict:
    return {name: value for name, value in values.items() if name in SPEAKER_FIELDS}


def _speaker_check(kind: str, values: dict, *, entity: Entity | None) -> None:
    """Gender, role and affiliation are a PERSON's, set by an editor; an affiliation is an
    ORG entity. The database checks the first rule too (entity_person_attributes)."""
    gender = values.get("gender", Gender.UNKNOWN)
    role = values.get("role", Role.UNKNOWN)
    affiliation = values.get("affiliation")
    errors = {}
    if gender not in Gender.values:
        errors["gender"] = f"Unknown gender “{gender}”."
    if role not in Role.values:
        errors["role"] = f"Unknown role “{role}”."
    if affiliation is not None:
        if not isinstance(affiliation, Entity) or affiliation.kind != EntityKind.ORG:
            errors["affiliation"] = "An affiliation is an organisation (an ORG entity)."
        elif entity is not None and affiliation.pk == entity.pk:
            errors["affiliation"] = "An entity cannot be its own affiliation."
    speaker_set = gender != Gender.UNKNOWN or role != Role.UNKNOWN or affiliation is not None
    if kind != EntityKind.PERSON and speaker_set:
        errors.setdefault("kind", "Only a person (kind PERSON) has a gender, role or affiliation.")
    if errors:
        raise ValidationError(errors, code="invalid")


@transaction.atomic
def alias_add(*, entity: Entity, name: str, user=None) -> EntityAlias | None:
    """Add an alias; the entity's own name or a known alias adds nothing (returns None).

    Aliases do not change the entity's version (an edit form with a new alias list and a
    version calls entity_update and then this); the history records them.
    """
    names = sorted(entity.aliases.values_list("name", flat=True))
    alias = _alias_add(entity=entity, name=name)
    if alias is not None:
        before = snapshot(entity, aliases=names)
        after = {**before, "aliases": sorted([*names, alias.name])}
        history.record(HistoryAction.UPDATED, entity, before=before, after=after, user=user)
    return alias


def _alias_add(*, entity: Entity, name: str) -> EntityAlias | None:
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"alias": "An alias needs a name."}, code="invalid")
    _check_name(name, "alias")
    key = fold(name)
    if key == entity.folded or entity.aliases.filter(folded=key).exists():
        return None
    return EntityAlias.objects.create(entity=entity, name=name)


@transaction.atomic
def entity_aliases_replace(*, entity: Entity, names: list[str], user=None) -> None:
    """Make `names` the entity's whole alias list: remove the others, add the new ones (each
    change in the history; names that fold alike count once; the version is unchanged, as
    with alias_add)."""
    wanted = {fold(name) for name in names}
    for alias in list(entity.aliases.all()):
        if alias.folded not in wanted:
            alias_remove(entity=entity, alias_id=alias.pk, user=user)
    for name in names:
        alias_add(entity=entity, name=name, user=user)


@transaction.atomic
def alias_remove(*, entity: Entity, alias_id: int, user=None) -> None:
    names = sorted(entity.aliases.values_list("name", flat=True))
    alias = EntityAlias.objects.filter(entity=entity, pk=alias_id).first()
    if alias is None:
        raise ValidationError({"alias": "No such alias on this entity."}, code="invalid")
    alias.delete()
    before = snapshot(entity, aliases=names)
    after = {**before, "aliases": sorted(n for n in names if n != alias.name)}
    history.record(HistoryAction.UPDATED, entity, before=before, after=after, user=user)


@transaction.atomic
def entity_delete(*, entity: Entity, user=None, version: int | None = None) -> None:
    current = _lock_current(Entity, entity, version, check=False)
    used = Span.objects.filter(Q(entity=current) | Q(speaker=current)).count()
    if used:
        raise ValidationError(
            f"“{current.name}” is still used by {used} annotation(s); merge it into another "
            "entity or delete those first.",
            code="protected",
        )
    history.record(HistoryAction.DELETED, current, before=snapshot(current), user=user)
    current.delete()


@transaction.atomic
def entity_merge(
    *,
    keep: Entity,
    drop: Entity,
    user=None,
    version: int | None = None,
    drop_version: int | None = None,
) -> Entity:
    """Move every span, claim and alias of `drop` to `keep`; drop's name becomes an alias.

    `version` / `drop_version`, when given, must be the entities' current versions.
    """
    if keep.pk == drop.pk:
        raise ValidationError("An entity cannot be merged into itself.", code="invalid")
    # Lock in id order, so two merges of the same pair cannot deadlock.
    locked = {}
    for obj, expected in sorted([(keep, version), (drop, drop_version)], key=lambda p: p[0].pk):
        locked[obj.pk] = _lock_current(Entity, obj, expected, check=False)
    keep, drop = locked[keep.pk], locked[drop.pk]
    keep_before, drop_before = snapshot(keep), snapshot(drop)

    entries = []
    spans = list(Span.objects.select_for_update().filter(Q(entity=drop) | Q(speaker=drop)))
    for span in spans:
        before = snapshot(span)
        if span.entity_id == drop.pk:
            span.entity_id = keep.pk
        if span.speaker_id == drop.pk:
            span.speaker_id = keep.pk
        span.version += 1
        entries.append(
            history.entry(
                HistoryAction.MERGED, span, before=before, after=snapshot(span), user=user
            )
        )
    claims = list(Claim.objects.select_for_update().filter(claimant=drop))
    for claim in claims:
        before = snapshot(claim)
        claim.claimant_id = keep.pk
        claim.version += 1
        entries.append(
            history.entry(
                HistoryAction.MERGED, claim, before=before, after=snapshot(claim), user=user
            )
        )
    Span.objects.filter(entity=drop).update(entity=keep, version=F("version") + 1)
    Span.objects.filter(speaker=drop).update(speaker=keep, version=F("version") + 1)
    Claim.objects.filter(claimant=drop).update(claimant=keep, version=F("version") + 1)
    if keep.kind == EntityKind.ORG:  # its members now belong to the kept organisation
        Entity.objects.filter(affiliation=drop).update(affiliation=keep)
    names = [drop.name, *drop.aliases.values_list("name", flat=True)]
    entries.append(
        history.entry(
            HistoryAction.MERGED,
            drop,
            before=drop_before,
            after={"merged_into": keep.pk, "name": keep.name},
            user=user,
        )
    )
    drop.delete()
    for name in names:
        _alias_add(entity=keep, name=name)
    Entity.objects.filter(pk=keep.pk).update(version=F("version") + 1)
    keep.refresh_from_db()
    entries.append(
        history.entry(
            HistoryAction.MERGED,
            keep,
            before=keep_before,
            after={**snapshot(keep), "merged_from": drop_before["id"]},
            user=user,
        )
    )
    history.record_batch(
        entries,
        action=HistoryAction.MERGED,
        summary=f"merged “{drop_before['name']}” into “{keep.name}” ({len(spans)} "
        f"annotation{'s' * (len(spans) != 1)})",
        size=len(spans),
        user=user,
    )
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
    return _claim_create(
        text=text, claimant=claimant, verdict=verdict, verdict_note=verdict_note, user=user
    )


@transaction.atomic
def _claim_create(
    *,
    text: str,
    claimant: Entity | None = None,
    verdict: str = Verdict.UNREVIEWED,
    verdict_note: str = "",
    user=None,
    article_id: int | None = None,
) -> Claim:
    text = " ".join(text.split())
    if not text:
        raise ValidationError({"text": "A claim needs its statement."}, code="invalid")
    if verdict not in Verdict.values:
        raise ValidationError({"verdict": f"Unknown verdict “{verdict}”."}, code="invalid")
    reviewed = verdict != Verdict.UNREVIEWED
    claim = Claim.objects.create(
        text=text,
        claimant=claimant,
        verdict=verdict,
        verdict_note=verdict_note,
        reviewed_by=user if reviewed else None,
        reviewed_at=timezone.now() if reviewed else None,
        created_by=user,
    )
    history.record(HistoryAction.CREATED, claim, user=user, article_id=article_id)
    return claim


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
    if "verdict" in changes and changes["verdict"] not in Verdict.values:
        raise ValidationError(
            {"verdict": f"Unknown verdict “{changes['verdict']}”."}, code="invalid"
        )

    def reviewed(changed: dict, current: Claim) -> dict:
        # A verdict sent counts as a review when it, or the note beside it, changes.
        if "verdict" in changes and changed.keys() & {"verdict", "verdict_note"}:
            return {"reviewed_by": user, "reviewed_at": timezone.now()}
        return {}

    return _versioned_update(Claim, claim, version, changes, user=user, derived=reviewed)


@transaction.atomic
def claim_delete(*, claim: Claim, user=None, version: int | None = None) -> None:
    """Delete a claim and the spans that state it (each restorable from the history)."""
    current = _lock_current(Claim, claim, version, check=False)
    spans = list(Span.objects.select_for_update().filter(claim=current))
    entries = [
        history.entry(HistoryAction.DELETED, span, before=snapshot(span), user=user)
        for span in spans
    ]
    entries.append(
        history.entry(
            HistoryAction.DELETED,
            current,
            before=snapshot(current),
            user=user,
            article_id=spans[0].article_id if spans else None,
        )
    )
    history.record_many(entries)
    Span.objects.filter(claim=current).delete()
    current.delete()


# --- revisions -------------------------------------------------------------------------------


def _update_rows(spans: list[Span], fields: list[str]) -> None:
    """UPDATE each span's fields by id, as one executemany: bulk_update's CASE expressions
    cost ~5 ms of Python per span (2 s for an article with 350 moved spans)."""
    quote = connection.ops.quote_name
    columns = [Span._meta.get_field(name) for name in fields]
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        quote(Span._meta.db_table),
        ", ".join(f"{quote(column.column)} = %s" for column in columns),
        quote(Span._meta.pk.column),
    )
    rows = [
        [column.get_db_prep_save(getattr(span, column.attname), connection) for column in columns]
        + [span.pk]
        for span in spans
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


@transaction.atomic
def spans_reanchor(*, article: Article, old_body: str, user=None) -> ReanchorReport:
    """Carry every span of `article` from old_body to its (new) body; none is deleted.

    Called through articles.signals.article_revised (connected in AnnotationsConfig.ready)
    with the article row locked. Kept spans stay
    (their context is refreshed), moved ones get new offsets, text and context, the rest
    become orphaned with their old text. Spans orphaned earlier stay orphaned.
    """
    body = article.body
    spans = list(Span.objects.select_for_update().filter(article=article).order_by("id"))
    live = [span for span in spans if span.status != SpanStatus.ORPHANED]
    results = anchoring.reanchor_all(
        old_body,
        body,
        [anchoring.SpanText(s.start, s.end, s.text, s.prefix, s.suffix) for s in live],
    )
    # Two live spans of a kind may not share a place: kept ones hold theirs, moved ones
    # take theirs in id order, and a later one that collides is orphaned rather than lost.
    places: set[tuple[str, int, int]] = set()
    for span, result in zip(live, results, strict=True):
        if result.fate is anchoring.Fate.KEPT and span.status in LIVE_STATUSES:
            places.add((span.kind, result.start, result.end))
    now = timezone.now()
    kept, moved, orphaned, entries = [], [], [], []
    for span, result in zip(live, results, strict=True):
        if result.fate is anchoring.Fate.KEPT:
            prefix, suffix = context(body, result.start, result.end)
            if (prefix, suffix) != (span.prefix, span.suffix):
                span.prefix, span.suffix = prefix, suffix
                kept.append(span)
            continue
        before = snapshot(span)
        key = (span.kind, result.start, result.end)
        if result.fate is anchoring.Fate.MOVED and not (
            span.status in LIVE_STATUSES and key in places
        ):
            if span.status in LIVE_STATUSES:
                places.add(key)
            action, bucket = HistoryAction.MOVED, moved
            if _words_changed(span, result.text):
                # Accepted words are what a newsroom publishes: changed ones need a second
                # look, with the words that were accepted kept beside the new ones.
                span.revised_from = span.revised_from or span.text
                span.status = SpanStatus.SUGGESTED
                action = HistoryAction.CHANGED
            span.start, span.end, span.text = result.start, result.end, result.text
            span.prefix, span.suffix = context(body, result.start, result.end)
        else:
            span.status = SpanStatus.ORPHANED
            action, bucket = HistoryAction.ORPHANED, orphaned
        span.version += 1
        span.updated_at = now
        bucket.append(span)
        entries.append(history.entry(action, span, before=before, after=snapshot(span), user=user))
    quote_keys.spans_key(moved)  # moved quotes with other words change wording group
    if kept:
        _update_rows(kept, ["prefix", "suffix"])
    if moved:
        # Park the moving spans outside the "one live span per place" index first, so that
        # two spans swapping places never collide half-way.
        Span.objects.filter(pk__in=[s.pk for s in moved]).update(status=SpanStatus.ORPHANED)
    if moved or orphaned:
        _update_rows(
            [*moved, *orphaned],
            [
                "start",
                "end",
                "text",
                "prefix",
                "suffix",
                "status",
                "revised_from",
                "match_key",
                "version",
                "updated_at",
            ],
        )
    history.record_many(entries)
    return ReanchorReport(
        kept=len(live) - len(moved) - len(orphaned),
        moved=len(moved),
        orphaned=len(orphaned),
        already_orphaned=len(spans) - len(live),
        to_review=sum(entry.action == HistoryAction.CHANGED for entry in entries),
    )


# Kinds whose words are the point: a changed quote is another quote, a changed claim
# another claim. A mention names an entity whatever its spelling.
REVIEWED_WORDS = (SpanKind.QUOTE, SpanKind.CLAIM)


def _words_changed(span: Span, new_text: str) -> bool:
    """An accepted quote or claim (or one already back in review) whose text is not the same."""
    if span.kind not in REVIEWED_WORDS or new_text == span.text:
        return False
    return span.status == SpanStatus.ACCEPTED or bool(span.revised_from)


# --- batches (bulk actions) --------------------------------------------------------------------


@dataclass(frozen=True)
class Unrestored:
    """A span a batch restore left as it is: a later change conflicts."""

    span_id: int
    text: str
    reason: str


@dataclass(frozen=True)
class BatchRestoreReport:
    batch: HistoryBatch | None  # the batch of the restore itself (None: nothing to undo)
    restored: int  # spans put back as they were before the batch
    unrestored: list[Unrestored]

    @property
    def message(self) -> str:
        text = f"Restored {self.restored} span{'s' * (self.restored != 1)}."
        if self.unrestored:
            listed = "; ".join(
                f"#{item.span_id} “{item.text[:60]}” ({item.reason})" for item in self.unrestored
            )
            text += f" Could not restore {len(self.unrestored)}, changed since: {listed}."
        return text


_RESTORED_SPAN_FIELDS = ("status", "entity", "speaker", "claim", "revised_from")


@transaction.atomic
def batch_restore(*, batch: HistoryBatch, user=None) -> BatchRestoreReport:
    """Undo one bulk action as a whole, leaving later edits alone.

    Each span the batch changed goes back to how it was before (its status and links), and
    each span it created goes, unless the span changed since (its version is no longer the
    one the batch left): those are reported, not touched. Entities and claims the batch
    created go when nothing uses them any more; an entity a merge removed comes back under
    its id, with its aliases, and the spans and claims that were its own. The undo is a
    batch of its own, in one transaction; a batch is restored once.
    """
    batch = HistoryBatch.objects.select_for_update().filter(pk=batch.pk).first()
    if batch is None:
        raise ValidationError("There is no such batch.", code="invalid")
    if batch.restored_by_id is not None:
        raise ValidationError("This batch was restored already.", code="invalid")
    if batch.action == HistoryAction.RESTORED:
        raise ValidationError("A restore cannot be restored; undo its changes one by one.")
    members = list(batch.entries.order_by("id"))
    by_type: dict[str, list[HistoryEntry]] = {}
    for item in members:
        by_type.setdefault(item.object_type, []).append(item)
    entries: list[HistoryEntry] = []
    now = timezone.now()
    _restore_merged_away(by_type.get(HistoryObject.ENTITY, []), user, entries)
    restored, unrestored = _restore_spans(by_type.get(HistoryObject.SPAN, []), user, entries, now)
    _restore_claims(by_type.get(HistoryObject.CLAIM, []), user, entries, now)
    _restore_entities(by_type.get(HistoryObject.ENTITY, []), user, entries)
    undo = history.record_batch(
        entries,
        action=HistoryAction.RESTORED,
        kind=batch.kind,
        summary=f"restored batch #{batch.pk} ({batch.summary})",
        size=restored,
        article_id=batch.article_id,
        user=user,
    )
    if undo is not None:
        batch.restored_by = undo
        batch.save(update_fields=["restored_by"])
    return BatchRestoreReport(undo, restored, unrestored)


def _restore_spans(items, user, entries, now) -> tuple[int, list[Unrestored]]:
    spans = Span.objects.select_for_update().in_bulk([item.object_id for item in items])
    changed, deleted, unrestored = [], [], []
    for item in items:
        span = spans.get(item.object_id)
        left = (item.after or {}).get("version")
        if span is None or span.version != left:
            text = (item.after or item.before or {}).get("text", "")
            reason = "deleted since" if span is None else _changed_by(span)
            unrestored.append(Unrestored(item.object_id, text, reason))
            continue
        before = snapshot(span)
        if item.action == HistoryAction.CREATED:
            deleted.append(span)
            entries.append(history.entry(HistoryAction.DELETED, span, before=before, user=user))
            continue
        for name in _RESTORED_SPAN_FIELDS:
            if name in item.before:  # entries written before revised_from existed lack it
                setattr(span, Span._meta.get_field(name).attname, item.before[name])
        span.version += 1
        span.updated_at = now
        changed.append(span)
        entries.append(
            history.entry(
                HistoryAction.RESTORED, span, before=before, after=snapshot(span), user=user
            )
        )
    if deleted:
        Span.objects.filter(pk__in=[span.pk for span in deleted]).delete()
    if changed:
        fields = [*_RESTORED_SPAN_FIELDS, "version", "updated_at"]
        try:
            with transaction.atomic():
                Span.objects.bulk_update(changed, fields, batch_size=500)
        except IntegrityError:
            raise ValidationError(
                "An annotation was created since at a place this batch would bring back; "
                "nothing was restored.",
                code="invalid",
            ) from None
    return len(changed) + len(deleted), unrestored


def _changed_by(span: Span) -> str:
    who = history.who(history.last_change(Span, span.pk))
    return "changed since" if who == history.SOMEONE else f"changed by {who} since"


def _restore_claims(items, user, entries, now) -> None:
    claims = Claim.objects.select_for_update().in_bulk([item.object_id for item in items])
    used = set(Span.objects.filter(claim_id__in=list(claims)).values_list("claim_id", flat=True))
    gone = []
    for item in items:
        claim = claims.get(item.object_id)
        if claim is None or claim.version != (item.after or {}).get("version"):
            continue  # changed since: a later edit's to keep
        if item.action == HistoryAction.CREATED and claim.pk not in used:
            gone.append(claim)
            entries.append(
                history.entry(
                    HistoryAction.DELETED,
                    claim,
                    before=snapshot(claim),
                    user=user,
                    article_id=item.article_id,
                )
            )
        elif item.action == HistoryAction.MERGED:
            before = snapshot(claim)
            claim.claimant_id = item.before["claimant"]
            claim.version += 1
            claim.save(update_fields=["claimant", "version", "updated_at"])
            entries.append(
                history.entry(
                    HistoryAction.RESTORED,
                    claim,
                    before=before,
                    after=snapshot(claim),
                    user=user,
                    article_id=item.article_id,
                )
            )
    if gone:
        Claim.objects.filter(pk__in=[claim.pk for claim in gone]).delete()


def _restore_merged_away(items, user, entries) -> None:
    """Bring back the entity a merge removed (before its spans are given back to it)."""
    for item in items:
        after = item.after or {}
        if item.action != HistoryAction.MERGED or "merged_into" not in after:
            continue
        data = item.before
        if Entity.objects.filter(pk=item.object_id).exists():
            continue
        entity = Entity(
            pk=item.object_id,
            name=data["name"],
            kind=data["kind"],
            description=data["description"],
            external_id=data["external_id"],
            created_by_id=_user_id(data["created_by"]),
            version=data["version"] + 1,
        )
        entity.save(force_insert=True)
        for name in data.get("aliases", []):
            _alias_add(entity=entity, name=name)
        entries.append(
            history.entry(HistoryAction.RESTORED, entity, user=user, after=snapshot(entity))
        )


def _restore_entities(items, user, entries) -> None:
    """Entities the batch created go when unused; one a merge kept loses the merged names."""
    created = [item for item in items if item.action == HistoryAction.CREATED]
    ids = [item.object_id for item in created]
    used = set(Span.objects.filter(entity_id__in=ids).values_list("entity_id", flat=True))
    used |= set(Span.objects.filter(speaker_id__in=ids).values_list("speaker_id", flat=True))
    used |= set(Claim.objects.filter(claimant_id__in=ids).values_list("claimant_id", flat=True))
    entities = Entity.objects.in_bulk(ids)
    gone = []
    for item in created:
        entity = entities.get(item.object_id)
        if entity is None or entity.pk in used or entity.version != item.after.get("version"):
            continue  # a later edit uses or changed it
        gone.append(entity)
        entries.append(
            history.entry(HistoryAction.DELETED, entity, before=snapshot(entity), user=user)
        )
    if gone:
        Entity.objects.filter(pk__in=[entity.pk for entity in gone]).delete()
    for item in items:
        after = item.after or {}
        if item.action != HistoryAction.MERGED or "merged_from" not in after:
            continue
        keep = Entity.objects.filter(pk=item.object_id).first()
        if keep is None:
            continue
        before = snapshot(keep)
        kept = {fold(name) for name in item.before.get("aliases", [])}
        keep.aliases.exclude(folded__in=kept).delete()
        Entity.objects.filter(pk=keep.pk).update(version=F("version") + 1)
        keep.refresh_from_db()
        entries.append(
            history.entry(
                HistoryAction.RESTORED, keep, before=before, after=snapshot(keep), user=user
            )
        )
