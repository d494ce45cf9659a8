"""Reads of articles, shaped for the API and the exports."""

from __future__ import annotations

from django.db import connection
from django.db.models import Expression, Q, QuerySet

from articles.models import Article

# Not needed by lists: the body and the original text are the bulk of every row.
_HEAVY = ("body", "original", "import_report")


def api_article_list() -> QuerySet[Article]:
    return Article.objects.defer(*_HEAVY)


def api_article_detail() -> QuerySet[Article]:
    return Article.objects.defer("original")


class _SearchDocument(Expression):
    """The article's stored tsvector column (PostgreSQL only; see migration
    0004_article_search_document), named through the query's own alias of the article table so
    it also works inside subqueries."""

    def __init__(self):
        from django.contrib.postgres.search import SearchVectorField

        super().__init__(output_field=SearchVectorField())

    def as_sql(self, compiler, connection):
        table = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        return f"{table}.{connection.ops.quote_name('search_document')}", []


def search_vector():
    """The full-text vector of title + body (english) that searches match against.

    A stored, GIN-indexed column computed by PostgreSQL on every write (migration
    0004_article_search_document, which explains why a column and not an expression index):
    filtering by it costs microseconds a row, whatever plan the database picks.
    """
    return _SearchDocument()


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
