"""Freshness of the workspace: has the article changed since the page was drawn, who changed
it, and who else has it open.

The workspace polls a small endpoint every POLL_SECONDS (static/freshness.js). The answer is
a version of what the page shows (the article's revision and the count, ids and versions of
the spans it draws, in the one layer the user sees) and the names of the others who have the
article open; its ETag makes an unchanged answer a 304. Nothing lives in a process's memory:
spans are read from the database, presence is kept in Django's cache (Redis or the database
table in production), so any process of any machine answers the same.
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.db.models import Count, Q, Sum

from annotations.models import HistoryEntry, HistoryObject, SpanStatus
from articles.models import Article

POLL_SECONDS = 3  # how often an open workspace asks (static/freshness.js reads it)
PRESENCE_SECONDS = 30  # someone whose page has not asked for this long has left
HEARTBEAT_SECONDS = 10  # a poll rewrites its own presence entry at most this often

# The spans the workspace draws (workspace.workspace_span_tuples): the version covers
# exactly these, so a change to a rejected span elsewhere does not refresh anyone's page.
SHOWN = (SpanStatus.ACCEPTED, SpanStatus.SUGGESTED, SpanStatus.ORPHANED)


def version_of(*, revision: int, count: int, ids: int, versions: int) -> str:
    """One string for the state of an article's drawn spans. Any creation, deletion, status
    change in or out of SHOWN or edit (every edit bumps Span.version) changes one of them."""
    return f"{revision}.{count}.{ids}.{versions}"


def rows_version(*, revision: int, rows: list[tuple]) -> str:
    """The version of the rows the workspace drew (id first, version ninth): no query."""
    return version_of(
        revision=revision,
        count=len(rows),
        ids=sum(row[0] for row in rows),
        versions=sum(row[8] for row in rows),
    )


def spans_version(*, article_id: int, layer_id: int | None) -> str | None:
    """The same version as rows_version, counted by the database in one query (None when
    there is no such article). `layer_id`: the private layer the user works in, else the
    shared one."""
    layer = Q(spans__layer_id=layer_id) if layer_id else Q(spans__layer__isnull=True)
    drawn = layer & Q(spans__status__in=SHOWN)
    row = (
        Article.objects.filter(pk=article_id)
        .annotate(
            drawn_count=Count("spans", filter=drawn),
            drawn_ids=Sum("spans__id", filter=drawn),
            drawn_versions=Sum("spans__version", filter=drawn),
        )
        .values_list("revision", "drawn_count", "drawn_ids", "drawn_versions")
        .first()
    )
    if row is None:
        return None
    revision, count, ids, versions = row
    return version_of(revision=revision, count=count, ids=ids or 0, versions=versions or 0)


def changed_by_name(*, article_id: int, user) -> str:
    """The name to show for the latest change to the shared spans: '' when it was `user`
    or nobody known. Entries about private layers are left out (a snapshot names its
    layer): nobody learns of work they may not see. One query."""
    shared = Q(after__layer=None) | Q(after__isnull=True, before__layer=None)
    row = (
        HistoryEntry.objects.filter(article_id=article_id, object_type=HistoryObject.SPAN)
        .filter(shared)
        .order_by("-created_at", "-id")
        .values_list("user_id", "user__username")
        .first()
    )
    if row is None or row[0] is None or row[0] == user.pk:
        return ""
    return row[1]


# --- presence ------------------------------------------------------------------------------------


def _presence_key(article_id: int) -> str:
    return f"newsdesk:presence:{article_id}"


def presence_seen(*, article_id: int, user, now: float | None = None) -> list[str]:
    """Note that `user` has the article open now; return the names of the others who had it
    open within PRESENCE_SECONDS, A–Z.

    One cache entry per article, {user id: [name, when]}: read on every poll, written when
    the user's own entry is missing or HEARTBEAT_SECONDS old. Two processes writing at once
    may lose one of the two entries; its owner's next poll (POLL_SECONDS later) finds it
    missing and writes it again.
    """
    now = time.time() if now is None else now
    key = _presence_key(article_id)
    seen = cache.get(key) or {}
    current = {pk: entry for pk, entry in seen.items() if now - entry[1] < PRESENCE_SECONDS}
    name = user.get_username()
    mine = current.get(user.pk)
    if mine is None or mine[0] != name or now - mine[1] >= HEARTBEAT_SECONDS:
        current[user.pk] = [name, now]
        cache.set(key, current, PRESENCE_SECONDS * 2)
    return sorted((entry[0] for pk, entry in current.items() if pk != user.pk), key=str.casefold)
