"""Every API list runs the same number of queries for a page of 10 rows as for a page of 100:
no query per row (N+1), pinned exactly, for a reader signed in by session and by token."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from annotations.models import Claim, Span, SpanKind, SpanStatus
from tests.factories import (
    ArticleFactory,
    EntityAliasFactory,
    EntityFactory,
    ViewerFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]

ROWS = 120  # more than the larger page


@pytest.fixture
def archive(db):
    """ROWS of everything a list shows: articles, quotes and mentions of one entity in one
    article, orphaned spans in another, entities with aliases, claims by that entity."""
    speaker = EntityFactory(name="Speaker")
    for i in range(ROWS):
        EntityAliasFactory(entity=EntityFactory(name=f"Person {i:03d}"), name=f"P{i}")
    articles = [ArticleFactory() for _ in range(ROWS)]
    words = " ".join(f"w{i:04d}" for i in range(ROWS))
    spoken = ArticleFactory(body=words)
    orphaned = ArticleFactory(body=words)

    def spans(article, **fields):
        return [
            Span(article=article, start=i * 6, end=i * 6 + 5, text=f"w{i:04d}", **fields)
            for i in range(ROWS)
        ]

    claims = Claim.objects.bulk_create(
        Claim(text=f"Claim {i}", verdict="false", claimant=speaker) for i in range(ROWS)
    )
    Span.objects.bulk_create(
        [
            *spans(spoken, kind=SpanKind.QUOTE, speaker=speaker),
            *spans(spoken, kind=SpanKind.MENTION, entity=speaker),
            *spans(orphaned, kind=SpanKind.QUOTE, status=SpanStatus.ORPHANED),
        ]
    )
    return {
        "article": articles[0].pk,
        "spoken": spoken.pk,
        "orphaned": orphaned.pk,
        "speaker": speaker.pk,
        "claim": claims[0].pk,
    }


# url, queries after authentication. The lists are cursor-paginated (one query a page) but
# for entities (a count, the page, the page's aliases) and orphans (a count, the page); an
# id filter or a parent in the URL checks that the row exists (one query).
LISTS = [
    pytest.param("/api/articles/", 1, id="articles"),
    pytest.param("/api/articles/?imported_after=2000-01-01", 1, id="articles-filtered"),
    pytest.param("/api/spans/", 1, id="spans"),
    pytest.param("/api/spans/?article={spoken}&kind=quote", 2, id="spans-of-article"),
    pytest.param("/api/spans/?speaker={speaker}&status=accepted", 2, id="spans-of-speaker"),
    pytest.param("/api/articles/{spoken}/spans/", 2, id="article-spans"),
    pytest.param("/api/entities/{speaker}/quotes/", 2, id="entity-quotes"),
    pytest.param("/api/entities/{speaker}/mentions/", 2, id="entity-mentions"),
    pytest.param("/api/entities/", 3, id="entities"),
    pytest.param("/api/entities/?kind=PERSON&q=person", 3, id="entities-search"),
    pytest.param("/api/claims/?verdict=false", 1, id="claims"),
    pytest.param("/api/claims/?claimant={speaker}", 2, id="claims-of-claimant"),
    pytest.param("/api/articles/{orphaned}/orphans/", 3, id="orphans"),
]


def queries(client, url: str) -> tuple[int, int]:
    """(queries, rows) of one request."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(captured), len(response.json()["results"])


def page(url: str, size: int, ids: dict) -> str:
    url = url.format(**ids)
    return f"{url}{'&' if '?' in url else '?'}page_size={size}"


@pytest.mark.parametrize(("url", "listing"), LISTS)
def test_a_page_of_100_costs_what_a_page_of_10_does(archive, url, listing):
    viewer = ViewerFactory()
    session = APIClient()
    session.force_login(viewer)
    token = APIClient(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=viewer).key}")
    for client in (session, token):
        # Who asks and their roles: what the API root costs, which lists nothing.
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/").status_code == 200
        auth = len(captured)
        assert queries(client, page(url, 10, archive)) == (auth + listing, 10)
        assert queries(client, page(url, 100, archive)) == (auth + listing, 100)
