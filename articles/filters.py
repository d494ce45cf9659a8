"""Query parameters of /api/articles/ (django-filter, so they appear in the OpenAPI schema)."""

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from annotations import stats
from annotations.models import Entity, EntityKind, Verdict
from articles import selectors
from articles.models import Article
from newsdesk.api import DateTimeFilter, FilterSet


@extend_schema_field(OpenApiTypes.INT)
class _EntityIdFilter(django_filters.ModelChoiceFilter):
    """An entity id (400 if no such entity of the queryset); the schema says integer."""


class ArticleFilter(FilterSet):
    q = django_filters.CharFilter(
        method="filter_q",
        max_length=500,
        help_text=(
            "Full-text search in title and body. On PostgreSQL: English stemming and web-search "
            'syntax ("a phrase", -excluded, or); elsewhere every word must occur (substring).'
        ),
    )
    source = django_filters.CharFilter(help_text="Outlet, exactly as stored.")
    published_after = DateTimeFilter(
        field_name="published_at",
        lookup_expr="gte",
        help_text="Published at or after (ISO 8601); leaves undated articles out.",
    )
    published_before = DateTimeFilter(
        field_name="published_at",
        lookup_expr="lt",
        help_text="Published before (ISO 8601); leaves undated articles out.",
    )
    # What the article contains (accepted annotations; EXISTS subqueries, annotations.stats).
    speaker = _EntityIdFilter(
        queryset=Entity.objects.filter(kind=EntityKind.PERSON).only("pk"),
        method="filter_contains",
        help_text="Id of a person: articles with an accepted quote by them.",
    )
    entity = _EntityIdFilter(
        queryset=Entity.objects.only("pk"),
        method="filter_contains",
        help_text="Id of an entity: articles with an accepted mention of it.",
    )
    has = django_filters.MultipleChoiceFilter(
        choices=[(k.value, k.label) for k in stats.ARTICLE_HAS],
        method="filter_contains",
        help_text="quote, mention or claim: articles with an accepted span of that kind; "
        "repeat for several (all must be present).",
    )
    verdict = django_filters.ChoiceFilter(
        choices=Verdict.choices,
        method="filter_contains",
        help_text="Articles with an accepted claim span whose claim has this verdict.",
    )
    status = django_filters.ChoiceFilter(
        choices=[(s.value, s.label) for s in stats.ARTICLE_STATUS],
        method="filter_contains",
        help_text="suggested (unreviewed suggestions) or orphaned: articles with a span in "
        "that state.",
    )
    imported_after = DateTimeFilter(
        field_name="imported_at", lookup_expr="gte", help_text="Imported at or after (ISO 8601)."
    )
    imported_before = DateTimeFilter(
        field_name="imported_at", lookup_expr="lt", help_text="Imported before (ISO 8601)."
    )

    class Meta:
        model = Article
        fields = [
            "q",
            "source",
            "imported_after",
            "imported_before",
            "published_after",
            "published_before",
            "speaker",
            "entity",
            "has",
            "verdict",
            "status",
        ]

    def filter_q(self, queryset, name, value):
        return selectors.article_search(queryset, value)

    def filter_contains(self, queryset, name, value):
        if name in ("speaker", "entity"):
            value = value.pk
        return stats.articles_containing(queryset, **{name: value})
