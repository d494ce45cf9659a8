"""Match keys (annotations.quote_keys): every write that sets a quote's words keys it, and
reused quotes (GROUP BY speaker and key) follow at once."""

import importlib

import pytest
from django.apps import apps

from annotations import quote_keys, services, suggesting
from annotations.models import HistoryAction, HistoryEntry, QuoteWording, Span, SpanKind
from annotations.suggesters import matching
from articles.services import article_revise
from tests import stats_archive as fixture
from tests.stats_archive import DAILY, HARBOUR, Q_A, Q_A_CHANGED

SPANS = "/api/spans/"


@pytest.fixture
def archive(db):
    return fixture.build()


def reuse(client, query: str = "") -> list[tuple]:
    response = client.get(f"/api/stats/reuse/{query}")
    assert response.status_code == 200, response.content
    return [
        (r["speaker_name"], r["articles"], r["outlets"], r["words_differ"]) for r in response.json()
    ]


def quote(article, text: str) -> Span:
    return article.spans.get(kind=SpanKind.QUOTE, text=text)


def test_same_words_same_key_a_changed_word_joins_the_first(db):
    keys = quote_keys.match_keys(
        [
            "We will rebuild the bridge before the winter storms",
            "we will rebuild the bridge, before the winter storms!",  # punctuation and case
            "We will rebuild the bridge before the autumn storms",  # a word changed
            "Nobody has measured the tidal currents since 1990",
        ]
    )
    first, same, changed, other = keys.values()
    assert first == same == changed
    assert other != first
    # Registered once each, with the group of the first: later calls read them back.
    assert QuoteWording.objects.count() == 3
    assert quote_keys.match_keys(["We will rebuild the bridge before the autumn storms."]) == {
        "We will rebuild the bridge before the autumn storms.": first
    }


def test_a_wording_keeps_its_group(db):
    """A later wording close to two groups joins the first registered; registering the
    wordings again changes nothing."""
    a = quote_keys.match_keys(["the river sediment data shows a clear warming trend"])
    b = quote_keys.match_keys(["the tidal data shows nothing at all about the harbour"])
    assert a != b
    again = quote_keys.match_keys(
        [
            "the tidal data shows nothing at all about the harbour",
            "the river sediment data shows a clear warming trend",
        ]
    )
    assert set(again.values()) == set(a.values()) | set(b.values())


def test_the_fixture_is_keyed_like_the_services_key(archive):
    a1_quote, a3_quote = quote(archive.a1, Q_A), quote(archive.a3, Q_A_CHANGED)
    assert a1_quote.match_key
    assert a1_quote.match_key == a3_quote.match_key
    assert quote(archive.a2, Q_A).match_key == a1_quote.match_key
    assert set(
        archive.a1.spans.exclude(kind=SpanKind.QUOTE).values_list("match_key", flat=True)
    ) == {""}


def test_a_text_edit_moves_the_quote_to_its_new_group(archive, editor_api):
    assert reuse(editor_api) == [("Ana Ruiz", 3, [DAILY, HARBOUR], True)]
    span = quote(archive.a3, Q_A_CHANGED)
    response = editor_api.patch(
        f"{SPANS}{span.id}/", {"text": "Ruiz told the Post", "version": span.version}
    )
    assert response.status_code == 200, response.content
    span.refresh_from_db()
    assert span.match_key == quote_keys.match_keys([span.text])[span.text]
    assert span.match_key != quote(archive.a1, Q_A).match_key
    assert reuse(editor_api) == [("Ana Ruiz", 2, [DAILY], False)]
    # And back: the words it had rejoin their group.
    response = editor_api.patch(
        f"{SPANS}{span.id}/", {"text": Q_A_CHANGED, "version": span.version}
    )
    assert response.status_code == 200, response.content
    assert reuse(editor_api) == [("Ana Ruiz", 3, [DAILY, HARBOUR], True)]


def test_delete_and_restore(archive, editor, editor_api):
    first = quote(archive.a1, Q_A)
    response = editor_api.delete(f"{SPANS}{first.id}/")
    assert response.status_code == 204, response.content
    # The others keep their key: the quote still ran in two articles.
    assert reuse(editor_api) == [("Ana Ruiz", 2, [DAILY, HARBOUR], True)]
    entry = HistoryEntry.objects.get(object_id=first.id, action=HistoryAction.DELETED)
    restored = services.span_restore(entry=entry, user=editor)
    assert restored.match_key == first.match_key
    assert Span.objects.get(pk=first.pk).match_key == first.match_key
    assert reuse(editor_api) == [("Ana Ruiz", 3, [DAILY, HARBOUR], True)]


def test_a_revision_that_changes_the_words_rekeys_the_quote(archive, editor, viewer_api):
    a3 = archive.a3
    new_words = "We will close the old ferry pier before the autumn storms arrive"
    body = a3.body.replace(Q_A_CHANGED, new_words)
    article_revise(article=a3, text=f"{a3.title}\n\n{body}\n", user=editor)
    moved = a3.spans.get(kind=SpanKind.QUOTE, speaker=archive.ana)
    assert moved.text == new_words
    assert moved.match_key == quote_keys.match_keys([moved.text])[moved.text]
    assert moved.match_key != quote(archive.a1, Q_A).match_key
    # Back in review (its words changed): only the two accepted Daily Ledger quotes count.
    assert reuse(viewer_api) == [("Ana Ruiz", 2, [DAILY], False)]
    assert reuse(viewer_api, "?status=suggested") == []


def test_suggested_quotes_are_keyed(editor):
    from tests.factories import ArticleFactory

    article = ArticleFactory(
        body="“We will not accept the cuts to the harbour budget,” said Ana Ruiz, the mayor."
    )
    suggesting.article_suggest(article=article, user=editor)
    quotes = list(article.spans.filter(kind=SpanKind.QUOTE))
    assert quotes, "the quote suggester found the quote"
    for span in quotes:
        assert span.match_key == quote_keys.match_keys([span.text])[span.text]


def test_the_migration_keys_the_quotes_there_were(archive, viewer_api):
    expected = dict(Span.objects.filter(kind=SpanKind.QUOTE).values_list("pk", "match_key"))
    before = reuse(viewer_api)
    QuoteWording.objects.all().delete()
    Span.objects.update(match_key="")
    migration = importlib.import_module("annotations.migrations.0016_quote_match_keys")
    migration.quotes_key(apps, None)
    assert dict(Span.objects.filter(kind=SpanKind.QUOTE).values_list("pk", "match_key")) == (
        expected
    )
    assert set(Span.objects.exclude(kind=SpanKind.QUOTE).values_list("match_key", flat=True)) == {
        ""
    }
    assert reuse(viewer_api) == before


def test_first_match_is_the_first_candidate_in_order_that_matches():
    words = matching.normalise("We will rebuild the old harbour bridge before the winter")
    candidates = [
        matching.normalise(text)
        for text in (
            "Nobody has measured the tidal currents",
            "we will rebuild the old harbour bridge before the autumn",  # matches
            "We will rebuild the old harbour bridge before the winter",  # matches better
        )
    ]
    assert matching.first_match(words, candidates) == 1
    assert matching.first_match(words, candidates[:1]) is None
    assert matching.first_match("", candidates) is None
    # An excerpt of five words or more matches the longer quote it stands in.
    excerpt = matching.normalise("rebuild the old harbour bridge")
    assert matching.first_match(excerpt, [words]) == 0
    assert matching.normalised_similarity(words, excerpt) >= matching.MATCH


def test_a_quote_twice_in_one_article_counts_one_article(editor, viewer_api):
    """Groups are ranked by their quotes first (cheap), then by articles: a quote printed
    twice in one article must not push a quote from more articles out of the top."""
    from tests.factories import ArticleFactory, EntityFactory

    ana = EntityFactory(name="Ana Ruiz", kind="PERSON")
    twice = "We will rebuild the old harbour bridge"
    thrice = "Nobody has measured the tidal currents since 1990"
    bodies = [
        f"“{twice}.” Later: “{twice}!” And: “{twice}?” Also “{thrice}.”",
        f"“{twice}.” And “{thrice}.”",
        f"“{thrice}.”",
    ]
    for body in bodies:
        article = ArticleFactory(body=body)
        at = 0
        for words in (twice, thrice):
            while (at := body.find(words, at)) != -1:
                services.span_create(
                    article=article,
                    kind=SpanKind.QUOTE,
                    start=at,
                    end=at + len(words),
                    speaker=ana,
                    user=editor,
                )
                at += len(words)
            at = 0
    # `twice`: 4 quotes in 2 articles; `thrice`: 3 quotes in 3 articles.
    top = viewer_api.get("/api/stats/reuse/?limit=1").json()
    assert [(r["first"]["text"], r["articles"]) for r in top] == [(thrice, 3)]
    both = viewer_api.get("/api/stats/reuse/").json()
    assert [(r["first"]["text"], r["articles"], len(r["appearances"])) for r in both] == [
        (thrice, 3, 3),
        (twice, 2, 4),
    ]
