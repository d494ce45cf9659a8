"""Likely duplicate entities (selectors.entity_duplicates) and merging them, on the seeds."""

import pytest

from annotations import selectors, services, suggesting
from annotations.models import Entity, EntityAlias, Span
from tests.annotations.test_suggesting import DAILY, WION, import_seeds

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted(db, editor):
    """Both seeds suggested and every mention accepted, as a hurried editor would: each
    outlet's spelling of a name becomes its own entity."""
    seeds = import_seeds()
    for article in seeds.values():
        suggesting.article_suggest(article=article, user=editor)
        suggesting.suggestions_accept_all(article=article, kind="mention", user=editor)
    return seeds


def pair_names(pairs):
    return {frozenset((p.keep.name, p.drop.name)) for p in pairs}


def test_the_seeds_spellings_come_up_as_duplicates(accepted):
    isaac = services.entity_create(name="Isaac Herzog", kind="PERSON")

    pairs = selectors.entity_duplicates()

    names = pair_names(pairs)
    assert frozenset(("Anthony Blinken", "Antony Blinken")) in names
    assert frozenset(("Issac Herzog", "Isaac Herzog")) in names
    assert frozenset(("Israel", "Israeli")) not in names  # another kind (GPE, NORP)
    herzog = next(p for p in pairs if "Isaac Herzog" in (p.keep.name, p.drop.name))
    # The one annotations use is the one to keep; the new, unused spelling goes.
    assert (herzog.keep.name, herzog.drop) == ("Issac Herzog", isaac)
    assert herzog.keep.uses == 1
    assert herzog.drop.uses == 0
    assert all(0.85 <= p.score <= 1 for p in pairs)
    assert [p.score for p in pairs] == sorted((p.score for p in pairs), reverse=True)


def test_merging_a_pair_moves_every_span_and_keeps_the_other_name(accepted, editor):
    pair = next(
        p
        for p in selectors.entity_duplicates()
        if {p.keep.name, p.drop.name} == {"Anthony Blinken", "Antony Blinken"}
    )
    keep, drop = pair.keep, pair.drop
    moving = set(Span.objects.filter(entity=drop).values_list("pk", flat=True))
    staying = set(Span.objects.filter(entity=keep).values_list("pk", flat=True))
    assert moving
    assert staying
    assert {a.pk for a in accepted.values()} == set(
        Span.objects.filter(pk__in=moving | staying).values_list("article", flat=True)
    )

    services.entity_merge(keep=keep, drop=drop, user=editor)

    assert not Entity.objects.filter(pk=drop.pk).exists()
    assert set(Span.objects.filter(entity=keep).values_list("pk", flat=True)) == moving | staying
    assert EntityAlias.objects.filter(entity=keep, name=drop.name).exists()
    assert frozenset(("Anthony Blinken", "Antony Blinken")) not in pair_names(
        selectors.entity_duplicates()
    )
    # The next suggestion run links both spellings to the one entity.
    suggesting.suggestions_reject_all(article=accepted[WION], kind="quote", user=editor)
    Span.objects.filter(article=accepted[DAILY], kind="quote").delete()
    suggesting.article_suggest(article=accepted[DAILY], kinds=["quote"])
    speakers = set(
        Span.objects.filter(article=accepted[DAILY], kind="quote", speaker__isnull=False)
        .values_list("speaker", flat=True)
        .distinct()
    )
    assert keep.pk in speakers


def test_an_alias_counts_as_a_name(db):
    blinken = services.entity_create(name="Antony Blinken", kind="PERSON", aliases=["Tony Blinken"])
    other = services.entity_create(name="Tony Blinkin", kind="PERSON")
    (pair,) = selectors.entity_duplicates()
    assert {pair.keep, pair.drop} == {blinken, other}
    assert pair.score >= 0.85


def test_limit_and_query_count(accepted, django_assert_max_num_queries):
    services.entity_create(name="Isaac Herzog", kind="PERSON")
    everything = selectors.entity_duplicates()
    assert len(everything) >= 2

    # the marker (entities, aliases), the pairs' entities with their uses
    with django_assert_max_num_queries(3):
        assert len(selectors.entity_duplicates(limit=1)) == 1
    services.entity_create(name="Benjamin Netanyhu", kind="PERSON")
    with django_assert_max_num_queries(5):  # entities changed: names and aliases read again
        again = selectors.entity_duplicates()
    assert len(again) == len(everything) + 1
