"""JSON shapes of articles: the list leaves the body out, the detail has it."""

from rest_framework import serializers

from articles.models import Article
from newsdesk.api import ModelSerializer

_LIST_FIELDS = (
    "id",
    "title",
    "source",
    "url",
    "published_at",
    "source_file",
    "content_hash",
    "revision",
    "word_count",
    "imported_by",
    "imported_at",
    "updated_at",
)


class ArticleListSerializer(ModelSerializer):
    url = serializers.CharField(read_only=True, help_text="Where it was published; may be empty.")

    class Meta:
        model = Article
        fields = _LIST_FIELDS
        read_only_fields = _LIST_FIELDS


class ArticleSerializer(ModelSerializer):
    url = serializers.CharField(read_only=True, help_text="Where it was published; may be empty.")
    body = serializers.CharField(
        read_only=True,
        help_text="The cleaned text. Every span offset counts its Unicode code points "
        "(Python str indices; JavaScript strings count UTF-16 units).",
    )

    class Meta:
        model = Article
        fields = (*_LIST_FIELDS, "body", "import_report")
        read_only_fields = fields


class ArticleMetadataSerializer(ModelSerializer):
    """What editors may change of an article through the API: its outlet and date."""

    source = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="Outlet; empty: unknown."
    )
    published_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="When the outlet published it (ISO 8601); null: undated.",
    )

    class Meta:
        model = Article
        fields = ("source", "published_at")
