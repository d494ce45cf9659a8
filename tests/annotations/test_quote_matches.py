"""The same quote in other articles (selectors.quote_matches), on the seeds."""

import pytest

from annotations import selectors, services, suggesting
from annotations.models import Span, SpanStatus
from annotations.suggesters.matching import MATCH
from tests.annotations.test_suggesting import DAILY, WION, import_seeds
from tests.conftest import on_postgres
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

# How the two outlets printed one sentence of Blinken's.
DAILY_WORDS = "we’ll have it tomorrow, and we’ll have it every day"
WION_WORDS = "We’ll have it tomorrow. We will have it every day."


@pytest.fixture
def seeds(db):
    return import_seeds()


@pytest.fixture
def blinken(db):
    return services.entity_create(name="Antony Blinken", kind="PERSON")


def quote(article, text, **kwargs):
    span, _ = services.span_create(article=article, kind="quote", text=text, **kwargs)
    return span


def test_an_editor_quote_matches_the_other_outlets_wording_with_a_word_diff(seeds, blinken):
    daily = quote(seeds[DAILY], DAILY_WORDS)
    wion = quote(seeds[WION], WION_WORDS, speaker=blinken)

    (match,) = selectors.quote_matches(daily)

    assert match.span == wion
    assert MATCH <= match.score < 1
    assert match.article_id == seeds[WION].pk
    assert match.article_title == seeds[WION].title
    assert match.speaker == blinken
    assert match.speaker_name == "Antony Blinken"
    assert match.diff == [
        ("equal", "we will have it tomorrow"),
        ("delete", "and"),
        ("equal", "we will have it every day"),
    ]
    # And the other way round: the word is missing from the other side.
    (back,) = selectors.quote_matches(wion)
    assert back.span == daily
    assert back.diff[1] == ("insert", "and")


def test_suggested_whole_quotes_match_on_the_sentence_they_share(seeds):
    for article in seeds.values():
        suggesting.article_suggest(article=article, kinds=["quote"])
    daily = Span.objects.get(
        article=seeds[DAILY], kind="quote", text__startswith="We have their back today"
    )

    matches = selectors.quote_matches(daily)

    assert matches, "the WION quote holds the same sentence"
    best = matches[0]
    assert best.span.article_id == seeds[WION].pk
    assert best.span.text.startswith("We are heading, as you know")
    assert best.score >= MATCH
    assert best.speaker_name == "Antony Blinken"  # suggested, named in its proposal
    assert best.passage.startswith("we have their back today we will have it tomorrow")
    assert best.other_passage.startswith("we have their back today we will have it tomorrow")
    assert ("delete", "and") in best.diff
    assert len(best.other_passage.split()) < len(best.span.text.split())  # only the excerpt


def test_the_slogan_both_outlets_printed_matches_exactly_enough(seeds):
    daily = quote(seeds[DAILY], "the United States has Israel’s back", prefix="that ‘")
    for article in seeds.values():
        suggesting.article_suggest(article=article, kinds=["quote"])

    found = {m.span.article_id for m in selectors.quote_matches(daily)}

    assert found == {seeds[WION].pk}  # never the quote's own article
    assert all(m.score >= MATCH for m in selectors.quote_matches(daily))


def test_unrelated_rejected_and_own_article_quotes_do_not_match(seeds):
    daily = quote(seeds[DAILY], DAILY_WORDS)
    same_article = quote(seeds[DAILY], "We have their back today, we’ll have it tomorrow")
    wion = quote(seeds[WION], WION_WORDS)
    services.span_reject(span=wion)
    unrelated = quote(seeds[WION], "I’m not getting into any of the operational details")

    assert selectors.quote_matches(daily) == []
    assert selectors.quote_matches(unrelated) == []
    assert same_article.pk not in {m.span.pk for m in selectors.quote_matches(daily)}


def test_limit_and_order(seeds):
    daily = quote(seeds[DAILY], DAILY_WORDS)
    exact = ArticleFactory(body=f"He said: “{DAILY_WORDS}.” Then he left.")
    quote(exact, DAILY_WORDS)
    quote(seeds[WION], WION_WORDS)

    matches = selectors.quote_matches(daily)

    assert [m.span.article_id for m in matches] == [exact.pk, seeds[WION].pk]
    assert matches[0].score == 1.0
    assert [kind for kind, _ in matches[0].diff] == ["equal"]
    assert len(selectors.quote_matches(daily, limit=1)) == 1


def test_quote_matches_costs_a_few_queries(seeds, blinken, django_assert_max_num_queries):
    for article in seeds.values():
        suggesting.article_suggest(article=article)
    for n in range(5):
        other = ArticleFactory(body=f"“{DAILY_WORDS},” a speaker number {n} said.")
        suggesting.article_suggest(article=other, kinds=["quote"])
    daily = Span.objects.get(
        article=seeds[DAILY], kind="quote", text__startswith="We have their back today"
    )

    # Quotes with word pairs, then with single words (on PostgreSQL each after its articles).
    with django_assert_max_num_queries(4 if on_postgres() else 2):
        matches = selectors.quote_matches(daily)
        names = [(m.article_title, m.speaker_name, m.span.text) for m in matches]

    assert len(names) == 6
    assert all(m.span.status == SpanStatus.SUGGESTED for m in matches)
