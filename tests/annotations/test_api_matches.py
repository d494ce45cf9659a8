"""GET /api/spans/<id>/matches/: the same or nearly the same quote in other articles, with a
word diff; on the seeds, through the real importer and the real API."""

import pytest
from rest_framework.test import APIClient

from annotations import services, suggesting
from annotations.models import Span, SpanKind
from annotations.suggesters.matching import MATCH
from tests.annotations.test_suggesting import DAILY, WION, import_seeds
from tests.conftest import on_postgres
from tests.factories import ArticleFactory, EditorFactory, SpanFactory, ViewerFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]

# How the two outlets printed Blinken's sentence.
DAILY_WORDS = "We have their back today, we’ll have it tomorrow, and we’ll have it every day."
WION_WORDS = "We have their back today. We’ll have it tomorrow. We will have it every day."


def matches_url(span) -> str:
    return f"/api/spans/{span.pk}/matches/"


@pytest.fixture
def seeds(db):
    return import_seeds()


@pytest.fixture
def quotes(seeds, editor_api):
    """The sentence as each outlet printed it, marked as a quote through the API."""
    blinken = services.entity_create(name="Antony Blinken", kind="PERSON")
    out = {}
    for name, text, speaker in ((DAILY, DAILY_WORDS, None), (WION, WION_WORDS, blinken.pk)):
        response = editor_api.post(
            "/api/spans/",
            {"article": seeds[name].pk, "kind": "quote", "text": text, "speaker": speaker},
            format="json",
        )
        assert response.status_code == 201, response.content
        out[name] = Span.objects.get(pk=response.json()["id"])
    return out


def test_the_other_outlets_wording_is_found_with_a_word_diff(viewer_api, seeds, quotes):
    response = viewer_api.get(matches_url(quotes[DAILY]))

    assert response.status_code == 200, response.content
    (match,) = response.json()
    wion = quotes[WION]
    assert match["span"]["id"] == wion.pk
    assert match["span"]["text"] == WION_WORDS
    assert match["span"]["kind"] == "quote"
    assert match["article"] == seeds[WION].pk
    assert match["article_title"] == seeds[WION].title
    assert (match["speaker"], match["speaker_name"]) == (wion.speaker_id, "Antony Blinken")
    assert MATCH <= match["score"] < 1
    assert match["diff"] == [
        {"op": "equal", "text": "we have their back today we will have it tomorrow"},
        {"op": "delete", "text": "and"},
        {"op": "equal", "text": "we will have it every day"},
    ]
    assert (
        match["passage"]
        == "we have their back today we will have it tomorrow and we will have it every day"
    )
    assert (
        match["other_passage"]
        == "we have their back today we will have it tomorrow we will have it every day"
    )

    # The other way round: the word is missing from the other side; no speaker linked there.
    (back,) = viewer_api.get(matches_url(wion)).json()
    assert back["span"]["id"] == quotes[DAILY].pk
    assert {"op": "insert", "text": "and"} in back["diff"]
    assert (back["speaker"], back["speaker_name"]) == (None, "")


def suggested_before(quote: Span, articles, editor_api) -> Span:
    """Suggest on `articles` as if before the editor marked `quote`: Suggest does not offer a
    quote over an editor's own, but a suggestion made before the editor marked the sentence
    stays (and matches too). Returns the quote, marked again."""
    place = {"start": quote.start, "end": quote.end, "text": quote.text}
    Span.objects.filter(pk=quote.pk).delete()
    for article in articles:
        editor_api.post(f"/api/articles/{article.pk}/suggest/", {"kinds": ["quote"]}, format="json")
    again, _ = services.span_create(
        article=quote.article, kind="quote", speaker=quote.speaker, **place
    )
    return again


def test_suggested_quotes_match_too_and_limit_bounds_the_list(editor_api, seeds, quotes):
    suggested_before(quotes[WION], seeds.values(), editor_api)

    everything = editor_api.get(matches_url(quotes[DAILY])).json()
    one = editor_api.get(matches_url(quotes[DAILY]) + "?limit=1").json()

    assert len(everything) >= 2  # the editor's quote and the suggested whole paragraph
    assert {m["article"] for m in everything} == {seeds[WION].pk}
    assert {m["span"]["status"] for m in everything} == {"accepted", "suggested"}
    assert [m["score"] for m in everything] == sorted(
        (m["score"] for m in everything), reverse=True
    )
    assert one == everything[:1]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        pytest.param("limit=0", "limit", id="zero"),
        pytest.param("limit=51", "limit", id="too-many"),
        pytest.param("limit=x", "limit", id="not-a-number"),
    ],
)
def test_bad_limits_are_a_400(viewer_api, quotes, query, field):
    response = viewer_api.get(f"{matches_url(quotes[DAILY])}?{query}")
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize("kind", [SpanKind.MENTION, SpanKind.CLAIM])
def test_a_span_that_is_not_a_quote_is_a_400(viewer_api, kind):
    span = SpanFactory(kind=kind)

    response = viewer_api.get(matches_url(span))

    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": [f"Only quotes have matches; span {span.pk} is a {kind}."]
    }


def test_an_unknown_span_is_a_404(viewer_api):
    assert viewer_api.get("/api/spans/987654321/matches/").status_code == 404


@pytest.mark.parametrize("role", ["anonymous", "viewer", "editor"])
def test_every_reader_may_ask(quotes, role):
    client = APIClient()
    if role != "anonymous":
        client.force_login({"viewer": ViewerFactory, "editor": EditorFactory}[role]())

    response = client.get(matches_url(quotes[DAILY]))

    assert response.status_code == (401 if role == "anonymous" else 200)
    if role != "anonymous":
        assert len(response.json()) == 1


def test_the_query_count_does_not_grow_with_the_matches(
    viewer_api, editor_api, seeds, quotes, django_assert_max_num_queries
):
    suggested_before(quotes[WION], seeds.values(), editor_api)
    for article in seeds.values():
        suggesting.article_suggest(article=article)
    for n in range(6):
        other = ArticleFactory(body=f"“{DAILY_WORDS}” speaker number {n} said.")
        services.span_create(article=other, kind="quote", text=DAILY_WORDS)

    # Session, user and role; the span; then quote_matches' two candidate queries (on
    # PostgreSQL each after reading its candidate articles).
    with django_assert_max_num_queries(8 if on_postgres() else 6):
        response = viewer_api.get(matches_url(quotes[DAILY]))

    found = response.json()
    assert len(found) >= 8
    assert sum(m["score"] == 1.0 for m in found) == 6
