"""Reads of the team workflow, per requesting user. Every function takes the user and returns
a plain queryset built for that user: nothing here is cached across requests or users.

`span_visibility` is the one rule for private layers; every span list, export, suggestion
and workspace path filters through `visible_spans`.
"""

from __future__ import annotations

from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery

from annotations.models import (
    Assignment,
    AssignmentStatus,
    AssignmentTask,
    Comment,
    Notification,
    ReviewStatus,
    Span,
)
from newsdesk.roles import is_editor, is_reviewer


def _open_blind(user) -> QuerySet[Assignment]:
    return Assignment.objects.filter(assignee=user, blind=True, status=AssignmentStatus.OPEN)


def span_visibility(user) -> Q:
    """Which spans `user` may see.

    - A private layer (a blind assignment's spans) is visible to its assignee, and to
      reviewers; once submitted, to every reader.
    - While the user works blind on an article, they see their own layer of it and nothing
      else there: not the shared spans, not the other layers.
    """
    if not user.is_authenticated:
        return Q(pk__in=[])
    blind = _open_blind(user)
    working = Q(article_id__in=blind.values("article_id")) & ~Q(layer__in=blind.values("pk"))
    if user.is_superuser or is_reviewer(user):
        return ~working  # every layer (no join to the layers' assignments to say so)
    layers = (
        Q(layer__isnull=True)
        | Q(layer__assignee=user)
        | Q(layer__status__in=[AssignmentStatus.SUBMITTED, AssignmentStatus.DONE])
    )
    return layers & ~working


def visible_spans(
    *, user, assignment: int | None = None, queryset: QuerySet[Span] | None = None
) -> QuerySet[Span]:
    """The spans of one layer that `user` may see: the shared layer by default, or the
    private layer of `assignment`. For an assignee working blind on an article, their own
    layer stands in for the shared one there."""
    queryset = Span.objects.all() if queryset is None else queryset
    if assignment is None:
        blind = _open_blind(user) if user.is_authenticated else Assignment.objects.none()
        layer = Q(layer__isnull=True) | Q(layer__in=blind.values("pk"))
    else:
        layer = Q(layer_id=assignment)
    return queryset.filter(layer & span_visibility(user))


def workspace_spans(*, user) -> QuerySet[Span]:
    """The spans the user's workspace shows and acts on (open, edit, delete, accept, review):
    the shared layer, except on an article they annotate blind, where their own open layer
    stands in for it. Nobody reaches another person's private layer through the workspace."""
    return visible_spans(user=user)


def working_layer(*, user, article_id: int) -> Assignment | None:
    """The user's open blind assignment of the article: while it is open, their workspace
    shows and writes that private layer instead of the shared spans."""
    if not user.is_authenticated:
        return None
    return _open_blind(user).filter(article_id=article_id).order_by("id").first()


def layer_visible(*, user, assignment: Assignment) -> bool:
    """Whether `user` may read the private layer of `assignment` (agreement, curation)."""
    if assignment.assignee_id == user.pk:
        return True
    blind = _open_blind(user).filter(article_id=assignment.article_id)
    if blind.exists():
        return False
    return (
        user.is_superuser
        or is_reviewer(user)
        or assignment.status != AssignmentStatus.OPEN
        or not assignment.blind
    )


# --- assignments ---------------------------------------------------------------------------------


def assignment_list(*, user) -> QuerySet[Assignment]:
    """Editors and reviewers see every assignment; anyone else their own."""
    queryset = Assignment.objects.select_related("article", "assignee", "created_by").only(
        "id",
        "article_id",
        "article__title",
        "assignee_id",
        "assignee__username",
        "task",
        "status",
        "blind",
        "due",
        "created_by_id",
        "created_by__username",
        "created_at",
        "updated_at",
        "submitted_at",
    )
    if user.is_superuser or is_editor(user) or is_reviewer(user):
        return queryset
    return queryset.filter(assignee=user)


def queue(*, user) -> QuerySet[Assignment]:
    """The user's open assignments, due first (no date last), with progress: spans in their
    layer (annotate) or the article's approved share (review)."""
    return (
        Assignment.objects.filter(assignee=user, status=AssignmentStatus.OPEN)
        .select_related("article")
        .annotate(
            layer_spans=Count("spans", distinct=True),
            shared_spans=Count(
                "article__spans", filter=Q(article__spans__layer__isnull=True), distinct=True
            ),
            approved_spans=Count(
                "article__spans",
                filter=Q(
                    article__spans__layer__isnull=True,
                    article__spans__review_status=ReviewStatus.APPROVED,
                ),
                distinct=True,
            ),
        )
        .order_by(F("due").asc(nulls_last=True), "id")
        # A review row links the article's submitted blind layers to their agreement page.
        .prefetch_related(
            Prefetch(
                "article__assignments",
                queryset=Assignment.objects.filter(
                    task=AssignmentTask.ANNOTATE,
                    blind=True,
                    status__in=[AssignmentStatus.SUBMITTED, AssignmentStatus.DONE],
                )
                .only("id", "article_id")
                .order_by("id"),
                to_attr="layers",
            )
        )
    )


# --- comments and notifications ------------------------------------------------------------------


def comment_list(*, user) -> QuerySet[Comment]:
    """Comments the user may read: on articles, and on spans they may see (a deleted span's
    comments stay readable with the article's)."""
    hidden = Span.objects.filter(layer__isnull=False).exclude(span_visibility(user))
    comments = Comment.objects.select_related("author").exclude(span_id__in=hidden.values("pk"))
    if user.is_authenticated:
        # While working blind on an article, only the threads of one's own drafts there (the
        # shared spans' threads would tell what the others marked).
        blind = _open_blind(user)
        own = Span.objects.filter(layer__in=blind.values("pk")).values("pk")
        comments = comments.exclude(
            Q(article_id__in=blind.values("article_id"))
            & Q(span_id__isnull=False)
            & ~Q(span_id__in=own)
        )
    return comments.order_by("created_at", "id")


def span_thread(*, user, span_id: int) -> list[Comment]:
    """A span's comments as its thread reads: each followed by its replies (oldest first),
    with `depth` set (0 for a comment, 1 for a reply, …). One query."""
    comments = list(comment_list(user=user).filter(span_id=span_id))
    children: dict[int | None, list[Comment]] = {}
    ids = {c.pk for c in comments}
    for comment in comments:
        parent = comment.parent_id if comment.parent_id in ids else None
        children.setdefault(parent, []).append(comment)
    ordered: list[Comment] = []

    def walk(parent: int | None, depth: int) -> None:
        for comment in children.get(parent, []):
            comment.depth = depth
            ordered.append(comment)
            walk(comment.pk, depth + 1)

    walk(None, 0)
    return ordered


def deleted_span_comments(*, user, article_id: int) -> QuerySet[Comment]:
    """Comments on the article's spans that were deleted, with what the span was (from its
    deletion entry): the article's history keeps them readable. Spans of private layers
    leave no history, so their comments are not listed here."""
    from annotations.models import HistoryAction, HistoryEntry, HistoryObject

    deletions = HistoryEntry.objects.filter(
        article_id=article_id, object_type=HistoryObject.SPAN, action=HistoryAction.DELETED
    )
    last = deletions.filter(object_id=OuterRef("span_id")).order_by("-created_at", "-id")
    return (
        comment_list(user=user)
        .filter(article_id=article_id, span_id__in=deletions.values("object_id"))
        .exclude(span_id__in=Span.objects.filter(article_id=article_id).values("pk"))
        .annotate(
            span_kind=Subquery(last.values("before__kind")[:1]),
            span_text=Subquery(last.values("before__text")[:1]),
        )
    )


def notification_list(*, user) -> QuerySet[Notification]:
    return (
        Notification.objects.filter(recipient=user)
        .select_related("comment", "comment__author")
        .order_by("-created_at", "-id")
    )


def unread_count(*, user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


# --- agreement -----------------------------------------------------------------------------------

# Corpus agreement reads at most this many assignments (a bounded request).
MAX_AGREEMENT_ASSIGNMENTS = 1000


def agreement_assignments(
    *, user, ids: list[int] | None = None, articles: list[int] | None = None, task: str = ""
) -> list[Assignment]:
    """The assignments to compare, in the order asked (else by id): each one's layer must be
    readable by `user` (PermissionDenied otherwise: a blind layer before its submission)."""
    from django.core.exceptions import PermissionDenied

    queryset = Assignment.objects.only("id", "article_id", "assignee_id", "status", "blind")
    if ids is not None:
        found = {a.pk: a for a in queryset.filter(pk__in=ids[:MAX_AGREEMENT_ASSIGNMENTS])}
        chosen = [found[pk] for pk in dict.fromkeys(ids) if pk in found]
    else:
        queryset = queryset.filter(article_id__in=articles or [])
        if task:
            queryset = queryset.filter(task=task)
        chosen = list(queryset.order_by("article_id", "id")[:MAX_AGREEMENT_ASSIGNMENTS])
    blind_articles = set(_open_blind(user).values_list("article_id", flat=True))
    privileged = user.is_superuser or is_reviewer(user)
    for assignment in chosen:
        if assignment.assignee_id == user.pk:
            continue
        if assignment.article_id in blind_articles or (
            assignment.blind and assignment.status == AssignmentStatus.OPEN and not privileged
        ):
            raise PermissionDenied("A blind layer is visible to its assignee and reviewers only.")
    return chosen


def agreement_marks(assignments: list[Assignment]) -> tuple[dict[int, str], dict[int, list]]:
    """The article bodies and each layer's live spans as agreement.Mark (two queries)."""
    from annotations.agreement import Mark
    from articles.models import Article

    bodies = dict(
        Article.objects.filter(pk__in={a.article_id for a in assignments}).values_list("pk", "body")
    )
    marks: dict[int, list] = {a.pk: [] for a in assignments}
    rows = (
        Span.objects.filter(layer__in=list(marks), status__in=["accepted", "suggested"])
        .order_by("start", "-end", "id")
        .values_list("layer_id", "kind", "start", "end", "speaker_id", "entity_id", "id")
    )
    for layer, kind, start, end, speaker, entity, pk in rows:
        marks[layer].append(Mark(kind, start, end, speaker, entity, pk))
    return bodies, marks
