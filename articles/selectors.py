"""Reads of articles, shaped for the API and the exports."""

from __future__ import annotations

from django.db import connection
from django.db.models import Q, QuerySet

from articles.models import Article

# Not needed by lists: the body and the original text are the bulk of every row.
_HEAVY = ("body", "original", "import_report")


def api_article_list() -> QuerySet[Article]:
    return Article.objects.defer(*_HEAVY)


def api_article_detail() -> QuerySet[Article]:
    return Article.objects.defer("original")


def search_vector():
    """The expression the GIN index of migration 0002_article_search is built on.

    The migration spells the same expression out; change both together (a PostgreSQL test
    checks with EXPLAIN that searches use the index).
    """
    from django.contrib.postgres.search import SearchVector

    return SearchVector("title", "body", config="english")


def article_search(queryset: QuerySet[Article], q: str) -> QuerySet[Article]:
    """Articles matching q: web-search syntax full-text search on PostgreSQL ("quoted
    phrases", -excluded, or), words in title or body (case-insensitive substring) elsewhere."""
    q = q.strip()
    if not q:
        return queryset
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery

        query = SearchQuery(q, search_type="websearch", config="english")
        return queryset.alias(search=search_vector()).filter(search=query)
    match = Q()
    for word in q.split():
        match &= Q(title__icontains=word) | Q(body__icontains=word)
    return queryset.filter(match)
