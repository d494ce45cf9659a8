from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from annotations.text import fold, name_problem

# One limit for an entity's name and its aliases, wherever they come from (admin, htmx,
# API, suggesters): the column size.
NAME_MAX_LENGTH = 300


def validate_name(value: str) -> None:
    """A visible name without bidi or control characters, within NAME_MAX_LENGTH (folded
    too). Model forms (the admin) and serializers run it; the services call the same rule."""
    problem = name_problem(value, NAME_MAX_LENGTH)
    if problem:
        raise ValidationError(problem, code="invalid")


class EntityKind(models.TextChoices):
    PERSON = "PERSON", "Person"
    ORG = "ORG", "Organisation"
    GPE = "GPE", "Country, city, state"
    LOC = "LOC", "Location"
    NORP = "NORP", "Nationality, religious or political group"
    EVENT = "EVENT", "Event"
    OTHER = "OTHER", "Other"


class SpanKind(models.TextChoices):
    QUOTE = "quote", "Quote"
    MENTION = "mention", "Mention"
    CLAIM = "claim", "Claim"


class SpanStatus(models.TextChoices):
    SUGGESTED = "suggested", "Suggested"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    ORPHANED = "orphaned", "Orphaned"  # its text vanished in a new revision of the article


class ReviewStatus(models.TextChoices):
    UNREVIEWED = "unreviewed", "Unreviewed"
    APPROVED = "approved", "Approved"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"


class Verdict(models.TextChoices):
    UNREVIEWED = "unreviewed", "Unreviewed"
    TRUE = "true", "True"
    MOSTLY_TRUE = "mostly_true", "Mostly true"
    MIXED = "mixed", "Half true"
    MISLEADING = "misleading", "Misleading"
    MOSTLY_FALSE = "mostly_false", "Mostly false"
    FALSE = "false", "False"
    UNPROVEN = "unproven", "Unproven"


class Gender(models.TextChoices):
    """A PERSON's gender as an editor recorded it; never inferred (README, Who is quoted)."""

    WOMAN = "woman", "Woman"
    MAN = "man", "Man"
    NONBINARY = "nonbinary", "Non-binary"
    UNKNOWN = "unknown", "Unknown"


class Role(models.TextChoices):
    """The capacity in which a PERSON is quoted, as an editor recorded it."""

    POLITICIAN = "politician", "Politician"
    OFFICIAL = "official", "Official"
    EXPERT = "expert", "Expert"
    JOURNALIST = "journalist", "Journalist"
    ADVOCATE = "advocate", "Advocate"
    CITIZEN = "citizen", "Citizen"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Unknown"


def _choices_check(field: str, choices: type[models.TextChoices], name: str):
    return models.CheckConstraint(condition=Q(**{f"{field}__in": choices.values}), name=name)


class Entity(models.Model):
    """A canonical person, organisation, place…; spans point at it."""

    name = models.CharField(max_length=NAME_MAX_LENGTH, validators=[validate_name])
    # Case- and accent-folded name for lookups that work the same on SQLite and PostgreSQL.
    folded = models.CharField(max_length=NAME_MAX_LENGTH, editable=False, db_index=True)
    kind = models.CharField(max_length=10, choices=EntityKind.choices)
    description = models.TextField(blank=True)
    external_id = models.CharField(max_length=100, blank=True, help_text="e.g. a Wikidata QID")
    # Speaker attributes (PERSON only), set by editors, for "who is quoted" statistics.
    gender = models.CharField(
        max_length=10,
        choices=Gender.choices,
        default=Gender.UNKNOWN,
        help_text="PERSON only, as an editor recorded it; never inferred.",
    )
    role = models.CharField(
        max_length=12,
        choices=Role.choices,
        default=Role.UNKNOWN,
        help_text="PERSON only: the capacity in which they are quoted.",
    )
    affiliation = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
        limit_choices_to={"kind": EntityKind.ORG},
        help_text="PERSON only: the organisation (an ORG entity) they speak for.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name_plural = "entities"
        ordering = ["name", "id"]
        constraints = [
            _choices_check("kind", EntityKind, "%(app_label)s_%(class)s_kind_valid"),
            _choices_check("gender", Gender, "%(app_label)s_%(class)s_gender_valid"),
            _choices_check("role", Role, "%(app_label)s_%(class)s_role_valid"),
            # Attributes of a speaker: other kinds keep the defaults.
            models.CheckConstraint(
                condition=Q(kind=EntityKind.PERSON)
                | (Q(gender="unknown") & Q(role="unknown") & Q(affiliation__isnull=True)),
                name="%(app_label)s_%(class)s_person_attributes",
            ),
        ]
        indexes = [
            # Entity list filtered by kind, alphabetical.
            models.Index(fields=["kind", "folded"], name="entity_kind_folded_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"

    def save(self, *args, **kwargs):
        # Derived column, not validation: keep the folded form in step with the name.
        self.folded = fold(self.name)
        super().save(*args, **kwargs)


class EntityAlias(models.Model):
    """Another name for an entity: a misspelling, a surname, a title ("Secretary of State")."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=NAME_MAX_LENGTH, validators=[validate_name])
    folded = models.CharField(max_length=NAME_MAX_LENGTH, editable=False, db_index=True)

    class Meta:
        verbose_name_plural = "entity aliases"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "folded"], name="%(app_label)s_%(class)s_unique_per_entity"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.folded = fold(self.name)
        super().save(*args, **kwargs)


class Claim(models.Model):
    """A checkable statement; one or more spans in one or more articles state it."""

    text = models.TextField(help_text="The claim, normalised.")
    claimant = models.ForeignKey(
        Entity, null=True, blank=True, on_delete=models.SET_NULL, related_name="claims"
    )
    verdict = models.CharField(max_length=20, choices=Verdict.choices, default=Verdict.UNREVIEWED)
    verdict_note = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            _choices_check("verdict", Verdict, "%(app_label)s_%(class)s_verdict_valid"),
        ]
        indexes = [
            # Review queue and "every claim rated false", newest first.
            models.Index(fields=["verdict", "-created_at", "-id"], name="claim_verdict_idx"),
        ]

    def __str__(self) -> str:
        return self.text[:80]


class Span(models.Model):
    """A stretch body[start:end] of one article: a quote, a mention or a claim."""

    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="spans")
    start = models.PositiveIntegerField(help_text="Code point offset into the article body.")
    end = models.PositiveIntegerField(help_text="Code point offset, exclusive.")
    text = models.TextField(help_text="Exactly body[start:end].")
    prefix = models.CharField(
        max_length=64, blank=True, help_text="Text just before, to re-anchor."
    )
    suffix = models.CharField(max_length=64, blank=True, help_text="Text just after, to re-anchor.")
    kind = models.CharField(max_length=10, choices=SpanKind.choices)
    entity = models.ForeignKey(
        Entity, null=True, blank=True, on_delete=models.PROTECT, related_name="mentions"
    )
    speaker = models.ForeignKey(
        Entity, null=True, blank=True, on_delete=models.PROTECT, related_name="quotes"
    )
    claim = models.ForeignKey(
        Claim, null=True, blank=True, on_delete=models.PROTECT, related_name="spans"
    )
    status = models.CharField(
        max_length=10, choices=SpanStatus.choices, default=SpanStatus.ACCEPTED
    )
    origin = models.CharField(
        max_length=50, default="editor", help_text='"editor", or the suggester that proposed it.'
    )
    confidence = models.FloatField(null=True, blank=True)
    note = models.TextField(blank=True, help_text="The editor's free text.")
    # What the suggester proposed (speaker, candidate entity, indirect, its confidence): data
    # that Accept acts on, kept apart from the editor's note. Keys: annotations.proposals.
    proposal = models.JSONField(default=dict, blank=True)
    # An accepted quote or claim whose words a revision of the article changed goes back to
    # review (status "suggested") and keeps here the words that were accepted; accepting,
    # rejecting or re-placing it clears this.
    revised_from = models.TextField(
        blank=True,
        help_text="The accepted text that a revision of the article changed, awaiting review.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)
    # A second person's decision, apart from `status` (annotations.team_services.span_review).
    review_status = models.CharField(
        max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.UNREVIEWED
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # None: the shared layer (the article's published annotations); else the private layer of
    # a blind assignment (annotations.team_selectors decides who sees it).
    layer = models.ForeignKey(
        "Assignment",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="spans",
        db_index=False,  # span_layer_idx leads with it
    )
    # A quote's wording group (annotations.quote_keys): quotes whose normalised words match
    # (matching.MATCH) share it, so "the same quote in several articles" is a GROUP BY.
    # Empty for mentions and claims. Set by the services whenever a quote's text is set.
    match_key = models.CharField(max_length=32, blank=True, default="", editable=False)

    class Meta:
        ordering = ["article_id", "start", "-end", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__gte=0) & Q(start__lt=F("end")),
                name="%(app_label)s_%(class)s_start_before_end",
            ),
            _choices_check("kind", SpanKind, "%(app_label)s_%(class)s_kind_valid"),
            _choices_check("status", SpanStatus, "%(app_label)s_%(class)s_status_valid"),
            models.CheckConstraint(
                condition=Q(confidence__isnull=True)
                | (Q(confidence__gte=0) & Q(confidence__lte=1)),
                name="%(app_label)s_%(class)s_confidence_0_1",
            ),
            # One live annotation of a kind per stretch of text: a double click or a second tab
            # cannot create a twin, and a suggester re-run cannot duplicate.
            models.UniqueConstraint(
                fields=["article", "kind", "start", "end"],
                condition=Q(status__in=[SpanStatus.ACCEPTED, SpanStatus.SUGGESTED])
                & Q(layer__isnull=True),
                name="%(app_label)s_%(class)s_unique_live",
            ),
            # The same inside each private layer: two annotators may mark the same words.
            models.UniqueConstraint(
                fields=["layer", "kind", "start", "end"],
                condition=Q(status__in=[SpanStatus.ACCEPTED, SpanStatus.SUGGESTED])
                & Q(layer__isnull=False),
                name="%(app_label)s_%(class)s_unique_live_in_layer",
            ),
            _choices_check(
                "review_status", ReviewStatus, "%(app_label)s_%(class)s_review_status_valid"
            ),
            # An accepted mention names its entity; a suggestion may still be a bare name (and
            # stays one when a revision orphans it).
            models.CheckConstraint(
                condition=~Q(kind=SpanKind.MENTION)
                | Q(entity__isnull=False)
                | Q(status__in=[SpanStatus.SUGGESTED, SpanStatus.REJECTED, SpanStatus.ORPHANED]),
                name="%(app_label)s_%(class)s_mention_has_entity",
            ),
        ]
        indexes = [
            # Workspace and articles/<id>/spans/: one article's spans in text order.
            models.Index(fields=["article", "start", "end"], name="span_article_start_idx"),
            # Cursor pagination over all spans and the kind/status filters, newest first.
            models.Index(fields=["kind", "-created_at", "-id"], name="span_kind_created_idx"),
            models.Index(fields=["-created_at", "-id"], name="span_created_idx"),
            # entities/<id>/mentions/ and spans?entity=
            models.Index(fields=["entity", "-created_at", "-id"], name="span_entity_idx"),
            # entities/<id>/quotes/ and spans?speaker=
            models.Index(fields=["speaker", "-created_at", "-id"], name="span_speaker_idx"),
            models.Index(fields=["claim"], name="span_claim_idx"),
            # spans?revised=true, newest first: the few spans whose words a revision changed.
            models.Index(
                fields=["-created_at", "-id"],
                condition=~Q(revised_from=""),
                name="span_revised_idx",
            ),
            # Articles with orphaned spans (?status=orphaned): small, like the one above.
            models.Index(
                fields=["article"],
                condition=Q(status=SpanStatus.ORPHANED),
                name="span_orphaned_idx",
            ),
            # Statistics (annotations/stats.py): quotes or claims of a status, grouped by
            # speaker or claim and joined to their article, read from the index alone.
            models.Index(
                fields=["kind", "status", "speaker", "article", "claim"],
                condition=Q(layer__isnull=True),
                name="span_kind_status_stats_idx",
            ),
            # Reused quotes (stats.quote_reuse): a status's quotes grouped by speaker and
            # wording group, with their articles, read from the index alone.
            models.Index(
                fields=["status", "speaker", "match_key", "article"],
                condition=Q(kind=SpanKind.QUOTE, layer__isnull=True),
                name="span_quote_match_idx",
            ),
            # Articles by what they contain (stats.articles_containing): an EXISTS probe per
            # article answered from the index alone: ?has= (article, kind), ?verdict= (the
            # claims of an article's claim spans); ?entity= the mentions of an entity, probed
            # per article or read whole when the entity is rare. (?speaker= uses
            # span_kind_status_stats_idx / span_quote_match_idx.)
            models.Index(
                fields=["article", "kind", "claim"],
                condition=Q(status=SpanStatus.ACCEPTED, layer__isnull=True),
                name="span_accepted_article_idx",
            ),
            models.Index(
                fields=["entity", "article"],
                condition=Q(kind=SpanKind.MENTION, status=SpanStatus.ACCEPTED, layer__isnull=True),
                name="span_accepted_mention_idx",
            ),
            # One private layer's spans in text order (agreement, ?assignment=).
            models.Index(fields=["layer", "start", "end"], name="span_layer_idx"),
            # Review queue: spans awaiting a decision, per article.
            models.Index(
                fields=["article"],
                condition=~Q(review_status=ReviewStatus.APPROVED),
                name="span_unapproved_idx",
            ),
            # "has unreviewed suggestions" per article: small, since most spans are accepted.
            models.Index(
                fields=["article"],
                condition=Q(status=SpanStatus.SUGGESTED),
                name="span_suggested_idx",
            ),
            # Suggested new names that editors accepted or rejected: the marker of the
            # suggesters' cached gazetteer (count, newest change) reads this index alone, and
            # the decisions it counts (annotations.suggesting) read only these rows.
            models.Index(
                fields=["updated_at"],
                condition=Q(kind=SpanKind.MENTION)
                & Q(status__in=[SpanStatus.ACCEPTED, SpanStatus.REJECTED])
                & Q(proposal__has_key="candidate"),
                name="span_decided_name_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.start}-{self.end} “{self.text[:40]}”"


class QuoteWording(models.Model):
    """One normalised wording of a quote (matching.normalise), registered the first time a
    quote carries it, with the wording group it joined then; never changed afterwards, so a
    wording's group is stable (annotations.quote_keys)."""

    digest = models.CharField(max_length=32, unique=True)  # of `words`
    words = models.TextField()
    # The digest of the group's first wording (its own, for that one): Span.match_key.
    key = models.CharField(max_length=32)
    # A group's first wording is compared with later ones sharing one of its three longest
    # words (its blocks); other wordings leave them empty.
    block1 = models.CharField(max_length=64, blank=True, db_index=True)
    block2 = models.CharField(max_length=64, blank=True, db_index=True)
    block3 = models.CharField(max_length=64, blank=True, db_index=True)

    def __str__(self) -> str:
        return self.words[:60]


class HistoryAction(models.TextChoices):
    CREATED = "created", "Created"
    UPDATED = "updated", "Changed"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    MERGED = "merged", "Merged"
    DELETED = "deleted", "Deleted"
    RESTORED = "restored", "Restored"
    MOVED = "moved", "Moved by a revision"
    ORPHANED = "orphaned", "Orphaned by a revision"
    CHANGED = "changed", "Words changed by a revision"
    REVIEWED = "reviewed", "Reviewed"


class HistoryObject(models.TextChoices):
    SPAN = "span", "Span"
    CLAIM = "claim", "Claim"
    ENTITY = "entity", "Entity"


class HistoryBatch(models.Model):
    """One bulk action (accept or reject all, tag all, merge, a batch restored): its entries
    share it, the history shows them as one row, and it is restored as a whole."""

    action = models.CharField(max_length=10, choices=HistoryAction.choices)
    kind = models.CharField(max_length=10, blank=True)  # the span kind decided, if any
    summary = models.CharField(max_length=300)  # "accepted 43 mention suggestions"
    size = models.PositiveIntegerField(default=0)  # the spans it changed
    article = models.ForeignKey(
        "articles.Article",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The batch that restored this one (undid it), once.
    restored_by = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="restores"
    )

    class Meta:
        verbose_name_plural = "history batches"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"batch {self.pk}: {self.summary}"


class HistoryEntry(models.Model):
    """One change to a span, claim or entity: who, when, and the row before and after.

    Entries outlive what they describe: object_id is a plain number, and the article and
    entity links carry no database constraint (a deleted entity's history stays readable).
    `before` is empty for a creation, `after` for a deletion.
    """

    object_type = models.CharField(max_length=10, choices=HistoryObject.choices)
    object_id = models.BigIntegerField()
    action = models.CharField(max_length=10, choices=HistoryAction.choices)
    # The article a span lives in (or where a claim was first stated), for "per article".
    article = models.ForeignKey(
        "articles.Article",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # history_article_idx leads with it
        related_name="+",
    )
    # The entity it concerns (itself, a span's entity or speaker, a claim's claimant).
    entity = models.ForeignKey(
        Entity,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # history_entity_idx leads with it
        related_name="+",
    )
    before = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The bulk action it is part of; history lists show a batch as its lead entry alone.
    batch = models.ForeignKey(
        HistoryBatch, null=True, blank=True, on_delete=models.CASCADE, related_name="entries"
    )
    batch_lead = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "history entries"
        ordering = ["-created_at", "-id"]
        constraints = [
            _choices_check("object_type", HistoryObject, "%(app_label)s_%(class)s_type_valid"),
            _choices_check("action", HistoryAction, "%(app_label)s_%(class)s_action_valid"),
        ]
        indexes = [
            # One span's, claim's or entity's history; the last change for "changed by X".
            models.Index(
                fields=["object_type", "object_id", "-created_at", "-id"],
                name="history_object_idx",
            ),
            # An article's history, newest first.
            models.Index(fields=["article", "-created_at", "-id"], name="history_article_idx"),
            # An entity's history, newest first.
            models.Index(fields=["entity", "-created_at", "-id"], name="history_entity_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.object_type} {self.object_id} {self.action}"


# --- teams: assignments, comments, notifications ------------------------------------------------


class AssignmentTask(models.TextChoices):
    ANNOTATE = "annotate", "Annotate"
    REVIEW = "review", "Review"


class AssignmentStatus(models.TextChoices):
    OPEN = "open", "Open"
    SUBMITTED = "submitted", "Submitted"
    DONE = "done", "Done"


class Assignment(models.Model):
    """An article handed to one person to annotate or review; a blind one owns a private layer
    of spans (Span.layer)."""

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="assignments"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments"
    )
    task = models.CharField(
        max_length=10, choices=AssignmentTask.choices, default=AssignmentTask.ANNOTATE
    )
    status = models.CharField(
        max_length=10, choices=AssignmentStatus.choices, default=AssignmentStatus.OPEN
    )
    blind = models.BooleanField(default=False)
    due = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            _choices_check("task", AssignmentTask, "%(app_label)s_%(class)s_task_valid"),
            _choices_check("status", AssignmentStatus, "%(app_label)s_%(class)s_status_valid"),
            # One live assignment of a task per person and article (bulk create may repeat).
            models.UniqueConstraint(
                fields=["article", "assignee", "task"],
                condition=Q(status=AssignmentStatus.OPEN),
                name="%(app_label)s_%(class)s_one_open",
            ),
        ]
        indexes = [
            # /queue/ and ?assignee=me: one person's assignments by status, due first.
            models.Index(fields=["assignee", "status", "due", "id"], name="assignment_queue_idx"),
            # The article list's filter by assignment and the article's assignments.
            models.Index(fields=["article", "status"], name="assignment_article_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.task} article {self.article_id} for user {self.assignee_id}"


class Comment(models.Model):
    """A remark on a span or an article; `parent` makes it a reply. The body is plain text."""

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="comments"
    )
    # No database constraint: a comment outlives its span (readable in the article's history).
    span = models.ForeignKey(
        Span,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="comments",
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    body = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["article", "created_at", "id"], name="comment_article_idx"),
        ]

    def __str__(self) -> str:
        return self.body[:60]


class Notification(models.Model):
    """Someone @mentioned the recipient in a comment."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="notifications")
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "comment"], name="%(app_label)s_%(class)s_once"
            ),
        ]
        indexes = [
            # The header's unread count and /notifications/, newest first.
            models.Index(
                fields=["recipient", "read_at", "-created_at"], name="notification_inbox_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"for user {self.recipient_id}: comment {self.comment_id}"
