"""Every write of the team workflow: assignments, review decisions, comments and mentions.

Like annotations.services: keyword-only functions, one transaction each, ValidationError for
what a user can fix and PermissionDenied (403) for what their role forbids.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from annotations import history
from annotations.models import (
    Assignment,
    AssignmentStatus,
    AssignmentTask,
    Comment,
    HistoryAction,
    Notification,
    ReviewStatus,
    Span,
    SpanStatus,
)
from articles.models import Article
from newsdesk.roles import is_editor, is_reviewer

# @username: Django's username characters; an e-mail address ("a@b.org") is not a mention.
MENTION = re.compile(r"(?<![\w.@+-])@([\w.@+-]*[\w+-])")
COMMENT_MAX_LENGTH = 10_000
DECISIONS = {"approve": ReviewStatus.APPROVED, "request_changes": ReviewStatus.CHANGES_REQUESTED}


def _require_editor(user) -> None:
    if not is_editor(user):
        raise PermissionDenied("Only editors hand out assignments.")


# --- assignments ---------------------------------------------------------------------------------


def assignment_create(
    *,
    article: Article,
    assignee,
    task: str = AssignmentTask.ANNOTATE,
    blind: bool = False,
    due: date | None = None,
    user,
) -> Assignment:
    """Give one article to one person. An open assignment of the same task for that person and
    article is a 400, not a twin."""
    _require_editor(user)
    if task not in AssignmentTask.values:
        raise ValidationError({"task": f"Unknown task “{task}”."}, code="invalid")
    if not assignee.is_active:
        raise ValidationError({"assignee": "This user is inactive."}, code="invalid")
    try:
        with transaction.atomic():
            return Assignment.objects.create(
                article=article,
                assignee=assignee,
                task=task,
                blind=blind,
                due=due,
                created_by=user,
            )
    except IntegrityError:
        raise ValidationError(
            f"{assignee.get_username()} already has this article open to {task}.",
            code="duplicate",
        ) from None


@transaction.atomic
def assignments_bulk_create(
    *,
    articles: Sequence[Article],
    assignees: Sequence,
    spread: bool = False,
    task: str = AssignmentTask.ANNOTATE,
    blind: bool = False,
    due: date | None = None,
    user,
) -> list[Assignment]:
    """Assign many articles at once: to every assignee, or (spread) each article to the next
    assignee in turn, so the work is shared evenly. Pairs that are already open are skipped."""
    _require_editor(user)
    if not articles or not assignees:
        raise ValidationError("Pick at least one article and one person.", code="invalid")
    if task not in AssignmentTask.values:
        raise ValidationError({"task": f"Unknown task “{task}”."}, code="invalid")
    people = list(assignees)
    if spread:
        pairs = [(article, people[i % len(people)]) for i, article in enumerate(articles)]
    else:
        pairs = [(article, person) for article in articles for person in people]
    open_pairs = set(
        Assignment.objects.filter(
            article__in=[a.pk for a in articles],
            assignee__in=[p.pk for p in people],
            task=task,
            status=AssignmentStatus.OPEN,
        ).values_list("article_id", "assignee_id")
    )
    new = [
        Assignment(
            article=article, assignee=person, task=task, blind=blind, due=due, created_by=user
        )
        for article, person in pairs
        if (article.pk, person.pk) not in open_pairs
    ]
    return Assignment.objects.bulk_create(new)


@transaction.atomic
def assignment_submit(*, assignment: Assignment, user) -> Assignment:
    """The assignee hands the work in: a blind layer becomes visible to the team."""
    current = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if current.assignee_id != user.pk:
        raise PermissionDenied("Only the assignee submits an assignment.")
    if current.status != AssignmentStatus.OPEN:
        raise ValidationError("This assignment was submitted already.", code="invalid")
    current.status = AssignmentStatus.SUBMITTED
    current.submitted_at = timezone.now()
    current.save(update_fields=["status", "submitted_at", "updated_at"])
    return current


@transaction.atomic
def assignment_update(*, assignment: Assignment, user, **changes) -> Assignment:
    """An editor changes an assignment's due date, status or assignee."""
    _require_editor(user)
    allowed = {"due", "status", "assignee", "blind"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(f"Cannot change {', '.join(sorted(unknown))}.", code="invalid")
    if "status" in changes and changes["status"] not in AssignmentStatus.values:
        raise ValidationError({"status": "Unknown status."}, code="invalid")
    for name, value in changes.items():
        setattr(assignment, name, value)
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError:
        raise ValidationError("That person already has this article open.") from None
    return assignment


@transaction.atomic
def assignment_delete(*, assignment: Assignment, user) -> None:
    """An editor withdraws an assignment; its private layer goes with it, and the threads on
    its drafts (no history keeps them, and nobody may read them any longer)."""
    _require_editor(user)
    Comment.objects.filter(span_id__in=Span.objects.filter(layer=assignment).values("pk")).delete()
    assignment.delete()


# --- review --------------------------------------------------------------------------------------


@transaction.atomic
def span_review(*, span: Span, user, decision: str, comment: str = "") -> Span:
    """A reviewer approves a span or sends it back. Nobody reviews their own span. The
    decision is recorded in the history; a comment goes on the span's thread."""
    if not is_reviewer(user):
        raise PermissionDenied("Only reviewers review spans.")
    if decision not in DECISIONS:
        raise ValidationError({"decision": "Send “approve” or “request_changes”."}, code="invalid")
    current = Span.objects.select_for_update().get(pk=span.pk)
    if current.created_by_id == user.pk:
        raise PermissionDenied("You cannot review your own span.")
    before = history.snapshot(current)
    Span.objects.filter(pk=current.pk).update(
        review_status=DECISIONS[decision],
        reviewed_by=user,
        reviewed_at=timezone.now(),
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    current = Span.objects.get(pk=current.pk)
    history.record(HistoryAction.REVIEWED, current, before=before, user=user)
    if comment.strip():
        comment_create(article=current.article, span=current, body=comment, user=user)
    _close_finished_reviews(article_id=current.article_id, user=user)
    return current


# --- comments and mentions -----------------------------------------------------------------------


@transaction.atomic
def comment_create(
    *,
    body: str,
    user,
    article: Article | None = None,
    span: Span | None = None,
    parent: Comment | None = None,
) -> Comment:
    """A comment on a span or an article (a reply when `parent`); each @username of a
    signed-up user other than the author gets a notification."""
    body = body.strip()
    if not body:
        raise ValidationError({"body": "Write something."}, code="required")
    if len(body) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {"body": f"Keep a comment under {COMMENT_MAX_LENGTH:,} characters."}, code="max_length"
        )
    if parent is not None:
        span = span or parent.span
        article = article or parent.article
        if parent.article_id != article.pk or (span and parent.span_id != span.pk):
            raise ValidationError({"parent": "Reply in the same thread."}, code="invalid")
    if span is not None:
        if article is not None and article.pk != span.article_id:
            raise ValidationError({"span": "This span is not in that article."}, code="invalid")
        article = span.article
    if article is None:
        raise ValidationError("Comment on a span or an article.", code="required")
    comment = Comment.objects.create(
        article=article, span=span, parent=parent, body=body, author=user
    )
    names = {name for name in MENTION.findall(body)}
    if names:
        users = get_user_model().objects.filter(username__in=names, is_active=True)
        Notification.objects.bulk_create(
            [Notification(recipient=u, comment=comment) for u in users if u.pk != user.pk]
        )
    return comment


def notifications_read(*, user, ids: Sequence[int] | None = None) -> int:
    """Mark the user's notifications (all, or those ids) read; how many changed."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())


def agreement_report(*, assignments: list[Assignment], bodies: dict, marks: dict) -> dict:
    """Agreement figures per kind over the articles of `assignments` (layers compared per
    article, in the order given). Read-only: here beside the services because the API, the
    page and the bench all call it."""
    from annotations import agreement

    by_article: dict[int, list[Assignment]] = {}
    for assignment in assignments:
        by_article.setdefault(assignment.article_id, []).append(assignment)
    totals = {kind: agreement.KindCounts() for kind in agreement.KINDS}
    compared = 0
    for article_id, layers in by_article.items():
        if len(layers) < 2:
            continue
        compared += 1
        counts = agreement.compare(bodies[article_id], [marks[a.pk] for a in layers])
        for kind, kind_counts in counts.items():
            totals[kind].add(kind_counts)
    return {
        "articles": compared,
        "assignments": [a.pk for a in assignments],
        "kinds": {kind: agreement.figures(counts) for kind, counts in totals.items()},
    }


# --- curation ------------------------------------------------------------------------------------

CURATION_ORIGIN = "curation"


def _curated(span: Span, user) -> Span:
    """A reviewer's curation is a review: the shared span it leaves is approved at once
    (recorded as a review decision; its snapshot keeps its origin, `curation`)."""
    if not is_reviewer(user) or span.review_status == ReviewStatus.APPROVED:
        return span
    before = history.snapshot(span)
    Span.objects.filter(pk=span.pk).update(
        review_status=ReviewStatus.APPROVED,
        reviewed_by=user,
        reviewed_at=timezone.now(),
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    span.refresh_from_db()
    history.record(HistoryAction.REVIEWED, span, before=before, user=user)
    return span


def _shared_at(span: Span, *, live: bool) -> Span | None:
    """The shared span of the same kind at a layer span's place: live, or rejected."""
    statuses = [SpanStatus.ACCEPTED, SpanStatus.SUGGESTED] if live else [SpanStatus.REJECTED]
    return (
        Span.objects.filter(
            article_id=span.article_id,
            layer__isnull=True,
            kind=span.kind,
            start=span.start,
            end=span.end,
            status__in=statuses,
        )
        .order_by("-id")
        .first()
    )


def _check_curated(spans: Sequence[Span], article: Article, user) -> None:
    _require_editor(user)
    for span in spans:
        if span.layer_id is None or span.article_id != article.pk:
            raise ValidationError("Curate spans of this article's private layers only.")


@transaction.atomic
def curation_take(*, spans: Sequence[Span], article: Article, user) -> list[Span]:
    """Copy layer spans into the shared layer as ordinary accepted spans of origin
    `curation` (their history says so); approved at once when the curator is a reviewer.
    Where a live shared span of the kind already stands, it takes the layer span's speaker
    or entity instead ("take B" after "take A" changes the choice)."""
    from annotations import services

    _check_curated(spans, article, user)
    made = []
    for span in spans:
        twin = _shared_at(span, live=True)
        if twin is None:
            shared, _ = services.span_create(
                article=article,
                kind=span.kind,
                start=span.start,
                end=span.end,
                entity=span.entity,
                speaker=span.speaker,
                note=span.note,
                origin=CURATION_ORIGIN,
                user=user,
            )
        else:
            changes = {
                name: getattr(span, name)
                for name in ("speaker", "entity")
                if getattr(span, f"{name}_id") != getattr(twin, f"{name}_id")
            }
            if twin.status != SpanStatus.ACCEPTED:
                changes["status"] = SpanStatus.ACCEPTED
            shared = services.span_update(span=twin, user=user, **changes) if changes else twin
        made.append(_curated(shared, user))
    _close_finished_reviews(article_id=article.pk, user=user)
    return made


@transaction.atomic
def curation_drop(*, spans: Sequence[Span], article: Article, user) -> list[Span]:
    """Settle a disagreement with nothing: the places of these layer spans keep no shared
    span. A live one there (taken before) is rejected; else a rejected shared span of origin
    `curation` records the decision (and keeps Suggest from offering it again)."""
    from annotations import services

    _check_curated(spans, article, user)
    dropped = []
    for span in spans:
        twin = _shared_at(span, live=True)
        if twin is not None:
            shared = services.span_reject(span=twin, user=user)
        else:
            shared = _shared_at(span, live=False)
            if shared is None:
                shared, _ = services.span_create(
                    article=article,
                    kind=span.kind,
                    start=span.start,
                    end=span.end,
                    status=SpanStatus.REJECTED,
                    origin=CURATION_ORIGIN,
                    user=user,
                )
        dropped.append(_curated(shared, user))
    _close_finished_reviews(article_id=article.pk, user=user)
    return dropped


def _close_finished_reviews(*, article_id: int, user) -> int:
    """The user's open review assignment of the article is done once every live shared span
    there has a decision (approved or sent back): it leaves their queue."""
    pending = Span.objects.filter(
        article_id=article_id,
        layer__isnull=True,
        status__in=[SpanStatus.ACCEPTED, SpanStatus.SUGGESTED],
        review_status=ReviewStatus.UNREVIEWED,
    )
    if pending.exists():
        return 0
    return Assignment.objects.filter(
        article_id=article_id,
        assignee=user,
        task=AssignmentTask.REVIEW,
        status=AssignmentStatus.OPEN,
    ).update(status=AssignmentStatus.DONE, submitted_at=timezone.now(), updated_at=timezone.now())


@transaction.atomic
def curation_merge_agreed(*, article: Article, assignments: Sequence[Assignment], user) -> int:
    """One action: every span the first two layers agree on (same kind, place, speaker and
    entity) goes into the shared layer. Returns how many shared spans were made or found."""
    from annotations import agreement

    if len(assignments) < 2:
        raise ValidationError("Curation needs two layers.")
    a, b = assignments[0], assignments[1]
    marks = {
        layer.pk: [
            agreement.Mark(s.kind, s.start, s.end, s.speaker_id, s.entity_id, s.pk)
            for s in Span.objects.filter(layer=layer, status__in=["accepted", "suggested"])
        ]
        for layer in (a, b)
    }
    agreed_ids = [m.id for m in agreement.agreements(marks[a.pk], marks[b.pk])]
    spans = list(Span.objects.filter(pk__in=agreed_ids).select_related("entity", "speaker"))
    return len(curation_take(spans=spans, article=article, user=user))
