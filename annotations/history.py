"""The audit trail: snapshots of spans, claims and entities, and the entries that hold them.

Services call `record` (or `record_many`) inside their own transaction, so a change and its
history entry are written together or not at all. Nothing else writes HistoryEntry rows.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import models

from annotations.models import (
    Claim,
    Entity,
    HistoryAction,
    HistoryBatch,
    HistoryEntry,
    HistoryObject,
    Span,
)

# The columns a snapshot holds, by model (foreign keys as their ids, under the field name).
SPAN_FIELDS = (
    "article",
    "start",
    "end",
    "text",
    "prefix",
    "suffix",
    "kind",
    "entity",
    "speaker",
    "claim",
    "status",
    "origin",
    "confidence",
    "note",
    "proposal",
    "revised_from",
    "created_by",
    "created_at",
    "version",
    "review_status",
    "reviewed_by",
    "reviewed_at",
    "layer",
)
CLAIM_FIELDS = (
    "text",
    "claimant",
    "verdict",
    "verdict_note",
    "reviewed_by",
    "reviewed_at",
    "created_by",
    "created_at",
    "version",
)
ENTITY_FIELDS = (
    "name",
    "kind",
    "description",
    "external_id",
    "gender",
    "role",
    "affiliation",
    "created_by",
    "created_at",
    "version",
)

_FIELDS = {Span: SPAN_FIELDS, Claim: CLAIM_FIELDS, Entity: ENTITY_FIELDS}
_TYPES = {Span: HistoryObject.SPAN, Claim: HistoryObject.CLAIM, Entity: HistoryObject.ENTITY}


def _value(obj: models.Model, name: str):
    value = getattr(obj, obj._meta.get_field(name).attname)
    if isinstance(value, datetime.datetime):
        return value.isoformat()  # to the microsecond (DjangoJSONEncoder keeps milliseconds)
    return value


def snapshot(obj: models.Model, *, aliases: list[str] | None = None) -> dict:
    """The row as a JSON-able dict (ids for links). Entities carry their alias names."""
    data = {name: _value(obj, name) for name in _FIELDS[type(obj)]}
    data["id"] = obj.pk
    if isinstance(obj, Entity):
        data["aliases"] = (
            aliases if aliases is not None else sorted(obj.aliases.values_list("name", flat=True))
        )
    return data


def _concerns(obj: models.Model, article_id: int | None) -> tuple[int | None, int | None]:
    """(article id, entity id) an entry about obj is filed under."""
    if isinstance(obj, Span):
        return obj.article_id, obj.entity_id or obj.speaker_id
    if isinstance(obj, Claim):
        return article_id, obj.claimant_id
    return article_id, obj.pk


def entry(
    action: str,
    obj: models.Model,
    *,
    before: dict | None = None,
    after: dict | None = None,
    user=None,
    article_id: int | None = None,
) -> HistoryEntry:
    """An unsaved entry about obj (for record_many)."""
    article, entity = _concerns(obj, article_id)
    return HistoryEntry(
        object_type=_TYPES[type(obj)],
        object_id=obj.pk,
        action=action,
        article_id=article,
        entity_id=entity,
        before=before,
        after=after,
        user=user if getattr(user, "pk", None) else None,
    )


def record(
    action: str,
    obj: models.Model,
    *,
    before: dict | None = None,
    after: dict | None = None,
    user=None,
    article_id: int | None = None,
) -> HistoryEntry:
    """Write one entry. `after` defaults to obj's snapshot unless the action is a deletion."""
    if after is None and action != HistoryAction.DELETED:
        after = snapshot(obj)
    item = entry(action, obj, before=before, after=after, user=user, article_id=article_id)
    if not _private(item):
        item.save()
    return item


def record_many(entries: Iterable[HistoryEntry]) -> None:
    HistoryEntry.objects.bulk_create(
        [item for item in entries if not _private(item)], batch_size=1000
    )


def _private(item: HistoryEntry) -> bool:
    """A blind assignment's draft span: not recorded, since the history is readable by every
    reader of the article (a private layer must not leak through it). Curation records the
    shared spans it makes."""
    return bool((item.after or {}).get("layer") or (item.before or {}).get("layer"))


def record_batch(
    entries: Iterable[HistoryEntry],
    *,
    action: str,
    summary: str,
    size: int,
    kind: str = "",
    article_id: int | None = None,
    user=None,
) -> HistoryBatch | None:
    """Write the entries of one bulk action as one batch (None when there are none).

    History lists show a batch as its lead entries alone: the first entry filed under each
    article (and the first filed under none), so every article's history shows the batch
    once (a merge touches several articles), and no list needs a join to group it.
    """
    # A private layer's drafts are not recorded (_private), nor is a batch of them alone.
    entries = [item for item in entries if not _private(item)]
    if not entries:
        return None
    batch = HistoryBatch.objects.create(
        action=action,
        kind=kind,
        summary=summary,
        size=size,
        article_id=article_id,
        user=user if getattr(user, "pk", None) else None,
    )
    led: set[int | None] = set()
    for item in entries:
        item.batch = batch
        if item.article_id not in led:
            led.add(item.article_id)
            item.batch_lead = True
    record_many(entries)
    return batch


def last_change(model: type[models.Model], pk: int) -> HistoryEntry | None:
    """The newest entry about a row (who changed it last), or None."""
    return (
        HistoryEntry.objects.filter(object_type=_TYPES[model], object_id=pk)
        .select_related("user")
        .order_by("-created_at", "-id")
        .first()
    )


SOMEONE = "someone else"
_LINKS = ("entity", "speaker", "claim")


def who(item: HistoryEntry | None) -> str:
    """A name for the person behind an entry: "Jane Doe", "jdoe", or "someone else"."""
    user = item.user if item else None
    if user is None:
        return SOMEONE
    return user.get_full_name() or user.get_username()


def span_action(changes: dict, span: Span) -> str:
    """Accepted/rejected when a span's status is all that changes (an accept may complete
    the suggestion's links along with it); updated otherwise."""
    if set(changes) == {"status"} or (
        changes.get("status") == "accepted" and set(changes) <= {"status", *_LINKS}
    ):
        if changes["status"] == "accepted" and span.status != "accepted":
            return HistoryAction.ACCEPTED
        if changes["status"] == "rejected" and span.status != "rejected":
            return HistoryAction.REJECTED
    return HistoryAction.UPDATED
