"""A blind assignee's private layer never shows in the statistics or the article filters:
what a draft holds must not count, nor find its article, for anybody (the assignee too)."""

import pytest
from rest_framework.test import APIClient

from annotations import services
from annotations.models import SpanKind
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]


@pytest.fixture
def drafts():
    """Alice, blind, quoted Jane Doe twice in her private layers of two articles, mentioned
    her and stated a false claim; the shared layers hold nothing."""
    alice = factories.EditorFactory()
    jane = factories.EntityFactory(name="Jane Doe", kind="PERSON")
    articles = factories.ArticleFactory.create_batch(2, source="Daily Ledger")
    for article in articles:
        layer = factories.AssignmentFactory(article=article, assignee=alice, blind=True)
        quote = "We will have it open by May,"
        services.span_create(
            article=article, kind=SpanKind.QUOTE, text=quote, speaker=jane, user=alice, layer=layer
        )
        services.span_create(
            article=article,
            kind=SpanKind.MENTION,
            text="Jane Doe",
            entity=jane,
            user=alice,
            layer=layer,
        )
    return {"alice": alice, "jane": jane, "articles": articles}


@pytest.mark.parametrize("who", ["alice", "reviewer"])
def test_private_quotes_count_in_no_statistics(drafts, who):
    user = drafts["alice"] if who == "alice" else factories.ReviewerFactory()
    client = APIClient()
    client.force_login(user)
    for path in ("/api/stats/quotes/?group_by=speaker", "/api/stats/quotes/?group_by=source"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.json()["rows"] == [], path
    # The same quote in two articles' drafts is no reused quote either.
    assert client.get("/api/stats/reuse/").json() == []


@pytest.mark.parametrize(
    "query",
    [
        "speaker={jane}",
        "entity={jane}",
        "has=quote",
        "has=mention",
        "source=Daily+Ledger&has=quote",
    ],
)
def test_private_spans_find_no_article(drafts, query):
    client = APIClient()
    client.force_login(drafts["alice"])
    response = client.get("/api/articles/?" + query.format(jane=drafts["jane"].pk))
    assert response.status_code == 200
    assert response.json()["results"] == []
    shared = factories.SpanFactory(
        article=drafts["articles"][0],
        kind=SpanKind.MENTION,
        entity=drafts["jane"],
        quote="Jane Doe",
    )
    if "entity" in query or "mention" in query:
        found = client.get("/api/articles/?" + query.format(jane=drafts["jane"].pk)).json()
        assert [a["id"] for a in found["results"]] == [shared.article_id]
