from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

TITLE_MAX_LENGTH = 500


class Article(models.Model):
    """One news article. Every span offset counts code points of `body`."""

    # A text column (the stored search vector of 0004 reads it, so its type stays), with a
    # limit that forms, the API, the import and a constraint all apply.
    title = models.TextField(max_length=TITLE_MAX_LENGTH)
    body = models.TextField(help_text="The cleaned text that every span offset refers to.")
    original = models.TextField(help_text="The text exactly as imported, for provenance.")
    source = models.CharField(max_length=200, blank=True, help_text="Outlet, when known.")
    url = models.URLField(max_length=2000, blank=True)
    published_at = models.DateTimeField(
        null=True, blank=True, help_text="When the outlet published it; empty: undated."
    )
    source_file = models.CharField(max_length=255, blank=True)
    content_hash = models.CharField(max_length=64, help_text="sha256 of the normalised text.")
    revision = models.PositiveIntegerField(default=1)
    word_count = models.PositiveIntegerField(default=0)
    import_report = models.JSONField(default=dict, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-imported_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_hash"], name="%(app_label)s_%(class)s_unique_content_hash"
            ),
            # A file name identifies an article: a new version becomes a revision, never a twin.
            models.UniqueConstraint(
                fields=["source_file"],
                condition=~Q(source_file=""),
                name="%(app_label)s_%(class)s_unique_source_file",
            ),
            models.CheckConstraint(
                condition=Q(revision__gte=1), name="%(app_label)s_%(class)s_revision_positive"
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("title"), TITLE_MAX_LENGTH),
                name="%(app_label)s_%(class)s_title_max_length",
            ),
        ]
        indexes = [
            # Article list, newest first (keyset/cursor pagination).
            models.Index(fields=["-imported_at", "-id"], name="article_imported_idx"),
            # Filter by outlet.
            models.Index(fields=["source", "-imported_at"], name="article_source_idx"),
            # ?published_after= / published_before= and statistics by month.
            models.Index(fields=["published_at"], name="article_published_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class ArticleRevision(models.Model):
    """An earlier text of an article, kept when a new revision replaced it.

    Revision `number` is the text the article had as its revision `number`; `created_by` and
    `created_at` say who replaced it and when (so revision number + 1 is theirs). Revision 1's
    author is the article's `imported_by`. `report` counts what re-anchoring did to the spans.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.TextField()
    body = models.TextField()
    original = models.TextField()
    content_hash = models.CharField(max_length=64)
    report = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["article_id", "-number"]
        constraints = [
            # Also serves "an article's revisions, newest first".
            models.UniqueConstraint(
                fields=["article", "number"], name="%(app_label)s_%(class)s_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="%(app_label)s_%(class)s_number_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title[:60]} (revision {self.number})"
