"""Two editors at once: stale versions are refused, twin creates yield one span, and a
revision of the text cannot slip between an offset check and its write."""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from annotations import services
from annotations.models import Claim, Entity, Span
from articles.models import Article
from articles.services import article_revise
from tests.factories import ArticleFactory, EditorFactory, EntityFactory, SpanFactory

on_sqlite = connection.vendor != "postgresql"


# --- stale versions through the services (the API's 409 and the htmx message build on these) ---


@pytest.mark.django_db
def test_stale_span_update_names_who_changed_it(article):
    jane = EditorFactory(first_name="Jane", last_name="Roe")
    span = SpanFactory(article=article, kind="quote", quote="Springfield", entity=None)
    services.span_update(span=span, version=1, note="mine", user=jane)

    with pytest.raises(services.StaleVersion) as stale:
        services.span_update(span=span, version=1, note="theirs", user=EditorFactory())

    assert stale.value.changed_by == "Jane Roe"
    assert "changed by someone else meanwhile (by Jane Roe, now version 2; you had 1)" in (
        stale.value.message
    )
    assert (stale.value.current.note, stale.value.current.version) == ("mine", 2)
    span.refresh_from_db()
    assert span.note == "mine"


@pytest.mark.django_db
def test_an_old_copy_without_a_version_is_stale_too(article):
    span = SpanFactory(article=article, kind="quote", quote="Springfield", entity=None)
    old_copy = Span.objects.get(pk=span.pk)
    services.span_update(span=span, note="first")
    with pytest.raises(services.StaleVersion):
        services.span_update(span=old_copy, note="second")
    # Accepting it again changes nothing, so there is nothing to be stale about.
    assert services.span_accept(span=old_copy).version == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    "write",
    [
        pytest.param(lambda span: services.span_delete(span=span, version=1), id="span-delete"),
        pytest.param(lambda span: services.span_reject(span=span, version=1), id="span-reject"),
        pytest.param(
            lambda span: services.claim_update(claim=span.claim, version=1, verdict="false"),
            id="claim-update",
        ),
        pytest.param(
            lambda span: services.claim_delete(claim=span.claim, version=1), id="claim-delete"
        ),
    ],
)
def test_every_span_and_claim_write_honours_the_version(article, write):
    span, _ = services.span_create(
        article=article, kind="claim", text="1,200 people use it daily.", verdict="true"
    )
    services.span_update(span=span, note="changed")
    services.claim_update(claim=span.claim, verdict="mostly_true")
    span.refresh_from_db()
    with pytest.raises(services.StaleVersion):
        write(span)
    assert Span.objects.filter(pk=span.pk, note="changed", status="accepted").exists()
    assert Claim.objects.filter(pk=span.claim_id, verdict="mostly_true").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "write",
    [
        pytest.param(
            lambda e: services.entity_update(entity=e, version=1, name="X"), id="entity-update"
        ),
        pytest.param(lambda e: services.entity_delete(entity=e, version=1), id="entity-delete"),
        pytest.param(
            lambda e: services.entity_merge(keep=EntityFactory(), drop=e, drop_version=1),
            id="merge-drop",
        ),
        pytest.param(
            lambda e: services.entity_merge(keep=e, drop=EntityFactory(), version=1),
            id="merge-keep",
        ),
    ],
)
def test_every_entity_write_honours_the_version(db, write):
    entity = EntityFactory(name="Jane Doe")
    services.entity_update(entity=entity, description="changed")
    with pytest.raises(services.StaleVersion):
        write(Entity.objects.get(pk=entity.pk))
    entity.refresh_from_db()
    assert (entity.name, entity.version) == ("Jane Doe", 2)


@pytest.mark.django_db
def test_a_write_to_a_row_deleted_meanwhile_says_so(article):
    span = SpanFactory(article=article, kind="quote", quote="Springfield", entity=None)
    services.span_delete(span=Span.objects.get(pk=span.pk))
    with pytest.raises(ValidationError, match="deleted meanwhile"):
        services.span_update(span=span, version=1, note="too late")


# --- real threads on PostgreSQL ------------------------------------------------------------------


def threaded(test):
    """Real threads, each with its own connection, on committed data (PostgreSQL only)."""
    marks = [
        pytest.mark.skipif(
            on_sqlite, reason="SQLite serialises writers; the race needs PostgreSQL"
        ),
        pytest.mark.postgres,
        pytest.mark.django_db(transaction=True),
    ]
    for mark in marks:
        test = mark(test)
    return test


def run_at_once(count: int, work) -> list:
    """Run work(i) in `count` threads released together; results or exceptions, in order."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def target(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as error:  # the test inspects what each thread met
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return results


@threaded
@pytest.mark.parametrize("kind", ["quote", "claim"])
def test_simultaneous_creates_of_one_span_yield_one(kind):
    article = ArticleFactory()
    editors = [EditorFactory() for _ in range(8)]

    results = run_at_once(
        8,
        lambda i: services.span_create(
            article=article, kind=kind, text="Springfield", user=editors[i]
        ),
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    spans = {span.pk for span, _ in results}
    assert len(spans) == 1
    assert sum(created for _, created in results) == 1
    assert Span.objects.filter(article=article).count() == 1
    if kind == "claim":
        assert Claim.objects.count() == 1, "the losers' claims rolled back with them"


@threaded
def test_simultaneous_updates_with_one_version_let_one_win():
    span = SpanFactory(kind="quote", quote="Springfield", entity=None)

    results = run_at_once(
        6, lambda i: services.span_update(span=span, version=1, note=f"editor {i}")
    )

    winners = [r for r in results if isinstance(r, Span)]
    losers = [r for r in results if isinstance(r, services.StaleVersion)]
    assert (len(winners), len(losers)) == (1, 5), results
    span.refresh_from_db()
    assert (span.note, span.version) == (winners[0].note, 2)


@threaded
def test_a_span_placed_during_a_revision_is_checked_against_the_new_text():
    """The revision holds the article row; a create waits for it, then sees the new text."""
    article = ArticleFactory()
    start = article.body.index("Springfield")
    outcome = {}

    def place():
        try:
            outcome["span"] = services.span_create(
                article=article, kind="quote", start=start, end=start + 11, text="Springfield"
            )
        except Exception as error:
            outcome["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=place)
    with transaction.atomic():
        article_revise(article=article, text="Title\n\nA new first paragraph.\n\n" + article.body)
        thread.start()
        time.sleep(0.5)  # the create is now waiting for the article row
        assert not outcome, "the create must wait for the revision"
    thread.join(timeout=10)

    assert isinstance(outcome.get("error"), ValidationError), outcome
    assert "not the text sent" in str(outcome["error"])
    assert not Span.objects.exists()
    body = Article.objects.get(pk=article.pk).body
    assert body[start : start + 11] != "Springfield"
