"""Full-text search reads a stored vector on PostgreSQL (migration 0004_article_search_document)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles import selectors
from articles.models import Article
from tests.conftest import on_postgres
from tests.factories import ArticleFactory


@pytest.mark.django_db
def test_search_finds_words_of_the_title_and_the_body():
    reservoir = ArticleFactory(title="Council approves reservoir", body="Work starts in May.")
    bridge = ArticleFactory(title="Bridge news", body="The bridge will reopen by May.")
    ArticleFactory(title="Unrelated", body="Nothing to see.")

    found = selectors.article_search(selectors.api_article_list(), "reservoir")
    assert list(found) == [reservoir]
    found = selectors.article_search(selectors.api_article_list(), "bridge")
    assert list(found) == [bridge]


@pytest.mark.django_db
def test_the_stored_vector_follows_an_edited_body():
    article = ArticleFactory(title="Budget", body="Nothing about water.")
    Article.objects.filter(pk=article.pk).update(body="The reservoir is empty.")
    found = selectors.article_search(Article.objects.all(), "reservoir")
    assert list(found.values_list("pk", flat=True)) == [article.pk]


@pytest.mark.django_db
@pytest.mark.postgres
def test_postgres_search_filters_the_stored_column_with_stemming():
    if not on_postgres():
        pytest.skip("PostgreSQL full-text search")
    fishing = ArticleFactory(title="Quotas", body="Fishermen protested the fishing quota.")
    ArticleFactory(title="Other", body="No fish here, only quotas of steel.")
    with CaptureQueriesContext(connection) as queries:
        found = list(selectors.article_search(Article.objects.all(), '"fished quota"'))
    assert found == [fishing]
    assert '"search_document" @@' in queries.captured_queries[0]["sql"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'article_search_document_idx'"
        )
        assert "gin (search_document)" in cursor.fetchone()[0]
