"""Query parameters of /api/articles/ (django-filter, so they appear in the OpenAPI schema)."""

import django_filters
from django_filters.constants import EMPTY_VALUES

from annotations import stats
from annotations.models import Entity, EntityKind, Verdict
from articles import selectors
from articles.models import Article
from newsdesk.api import DateTimeFilter, FilterSet


class _ContainsEntityFilter(django_filters.ModelChoiceFilter):
    """``?speaker=<id>`` / ``?entity=<id>``: articles whose accepted annotations name that
    entity (annotations.stats); an id of no such entity is a 400. (field_name is the
    article's id only so that the schema says integer: the filter is `contains`.)"""

    def __init__(self, *args, contains: str, **kwargs):
        super().__init__(*args, field_name="id", **kwargs)
        self.contains = contains

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        return stats.articles_containing(qs, **{self.contains: value.pk})


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
    speaker = _ContainsEntityFilter(
        contains="speaker",
        queryset=Entity.objects.filter(kind=EntityKind.PERSON).only("pk"),
        help_text="Id of a person: articles with an accepted quote by them.",
    )
    entity = _ContainsEntityFilter(
        contains="entity",
        queryset=Entity.objects.only("pk"),
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
        return stats.articles_containing(queryset, **{name: value})
