"""Query parameters of /api/articles/ (django-filter, so they appear in the OpenAPI schema)."""

import django_filters

from articles import selectors
from articles.models import Article
from newsdesk.api import DateTimeFilter


class ArticleFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_q",
        max_length=500,
        help_text=(
            "Full-text search in title and body. On PostgreSQL: English stemming and web-search "
            'syntax ("a phrase", -excluded, or); elsewhere every word must occur (substring).'
        ),
    )
    source = django_filters.CharFilter(help_text="Outlet, exactly as stored.")
    imported_after = DateTimeFilter(
        field_name="imported_at", lookup_expr="gte", help_text="Imported at or after (ISO 8601)."
    )
    imported_before = DateTimeFilter(
        field_name="imported_at", lookup_expr="lt", help_text="Imported before (ISO 8601)."
    )

    class Meta:
        model = Article
        fields = ["q", "source", "imported_after", "imported_before"]

    def filter_q(self, queryset, name, value):
        return selectors.article_search(queryset, value)
