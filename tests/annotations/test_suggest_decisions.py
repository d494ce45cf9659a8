"""Editors' earlier decisions on suggested names weigh on the next Suggest (annotations.suggesting
with the entity suggester's `weigh`), on articles brought in by the real importer."""

import pytest

from annotations import services, suggesting
from annotations.models import Span, SpanKind, SpanStatus
from articles import sources
from articles.models import Article
from articles.services import Outcome, articles_import, import_limits

pytestmark = pytest.mark.django_db

KEPLER = "Kepler Cheuvreux"  # a broker: capitalised words with no given name, an ORG at 0.4


def import_texts(tmp_path, bodies: list[str]) -> list[Article]:
    for n, body in enumerate(bodies):
        (tmp_path / f"story-{n:02}.txt").write_text(f"Markets report {n}\n\n{body}\n")
    reports = articles_import(files=list(sources.from_paths([tmp_path], import_limits())))
    assert {r.outcome for r in reports} == {Outcome.IMPORTED}
    return [Article.objects.get(pk=r.article_id) for r in reports]


def broker_notes(tmp_path, count: int, brokers=(KEPLER,)) -> list[Article]:
    return import_texts(
        tmp_path,
        [
            f"Shares in the lender rose {n + 2} percent on Tuesday after analysts at "
            f"{brokers[n % len(brokers)]} praised its plan to cut costs."
            for n in range(count)
        ],
    )


def suggested(article: Article, text: str) -> Span | None:
    suggesting.article_suggest(article=article, kinds=["mention"])
    return Span.objects.filter(
        article=article, kind=SpanKind.MENTION, text=text, status=SpanStatus.SUGGESTED
    ).first()


def test_a_name_rejected_as_its_kind_comes_back_lower_then_not_at_all(tmp_path, editor):
    articles = broker_notes(tmp_path, 6)
    confidences = []
    for article in articles[:4]:
        span = suggested(article, KEPLER)
        assert span.proposal["candidate"] == {"name": KEPLER, "kind": "ORG"}
        confidences.append(span.confidence)
        services.suggestion_reject(span=span, user=editor)

    # One rejection does not kill the name: it keeps 2/3, then 1/2, then 2/5 of its 0.4.
    assert confidences == [0.4, 0.27, 0.2, 0.16]
    assert suggested(articles[4], KEPLER) is None  # four rejections, never accepted: left out
    assert not Span.objects.filter(article=articles[4], text=KEPLER).exists()


def test_an_entity_accepted_as_the_kind_still_wins(tmp_path, editor):
    articles = broker_notes(tmp_path, 6)
    rejected = [
        services.suggestion_reject(span=suggested(article, KEPLER), user=editor)
        for article in articles[:4]
    ]
    assert suggested(articles[4], KEPLER) is None

    # An editor changes their mind about the first: accepting creates the ORG entity.
    accepted = services.suggestion_accept(span=rejected[0], user=editor)
    assert (accepted.entity.name, accepted.entity.kind) == (KEPLER, "ORG")

    # A known entity wins over the decisions on the new name: linked, at the gazetteer's 0.9.
    span = suggested(articles[5], KEPLER)
    assert span.entity == accepted.entity
    assert span.confidence == 0.9
    assert "candidate" not in span.proposal


def test_a_name_editors_link_to_a_person_is_suggested_as_that_person(tmp_path, editor):
    whitfield = services.entity_create(name="Dana Whitfield", kind="PERSON")
    articles = import_texts(
        tmp_path,
        [
            f"The port reopened on {day}, and Whitfield welcomed the decision."
            for day in ("Monday", "Tuesday", "Friday")
        ],
    )
    # A lone surname that the article never gives in full: a low-confidence ORG.
    first = suggested(articles[0], "Whitfield")
    assert (first.entity, first.proposal["candidate"]) == (
        None,
        {"name": "Whitfield", "kind": "ORG"},
    )
    services.suggestion_accept(span=first, entity=whitfield, user=editor)

    # Accepted as a person: that counts against ORG and for PERSON, so the next one is the
    # person, linked through the known surname.
    second = suggested(articles[1], "Whitfield")
    assert second.entity == whitfield
    assert "candidate" not in second.proposal

    # Rejecting a suggestion of the known person judges that entity, not the new name: the
    # decisions stay as they were.
    third = suggested(articles[2], "Whitfield")
    assert third.entity == whitfield
    services.suggestion_reject(span=third, user=editor)
    assert suggesting.known_entities().gazetteer.decisions == {
        "whitfield": {"ORG": (0, 1), "PERSON": (1, 0)}
    }


def test_the_cache_follows_every_decision(tmp_path, editor):
    articles = broker_notes(tmp_path, 3)
    spans = [suggested(article, KEPLER) for article in articles]
    known = suggesting.known_entities()
    assert suggesting.known_entities() is known  # nothing changed: the same compiled object

    spans[0] = services.suggestion_reject(span=spans[0], user=editor)
    after_one = suggesting.known_entities()
    assert after_one.gazetteer.decisions == {"kepler cheuvreux": {"ORG": (0, 1)}}
    # Only the decisions were recounted: the automaton of the entities is the same one.
    assert after_one.gazetteer.automaton is known.gazetteer.automaton

    suggesting.suggestions_reject_all(article=articles[1], kind="mention", user=editor)
    assert suggesting.known_entities().gazetteer.decisions == {"kepler cheuvreux": {"ORG": (0, 2)}}

    # Changing one's mind: the rejected span is accepted (and its entity created).
    services.suggestion_accept(span=spans[0], user=editor)
    assert suggesting.known_entities().gazetteer.decisions == {"kepler cheuvreux": {"ORG": (1, 1)}}

    # A decided span that goes away takes its decision with it.
    services.span_delete(span=Span.objects.get(pk=spans[1].pk), user=editor)
    assert suggesting.known_entities().gazetteer.decisions == {"kepler cheuvreux": {"ORG": (1, 0)}}
    # A suggestion nobody decided yet counts for nothing.
    assert Span.objects.get(pk=spans[2].pk).status == SpanStatus.SUGGESTED


# Invented brokers: each an ORG at 0.4, with decisions of its own.
BROKERS = [KEPLER] + [
    f"{word} Brastock" for word in ("Quorvin", "Zeltar", "Vendrix", "Oskow", "Trelane", "Pellix")
]


@pytest.mark.parametrize("count", [1, len(BROKERS)])
def test_the_build_costs_the_same_few_queries_however_many_decisions(
    tmp_path, editor, count, django_assert_num_queries
):
    # Each broker: rejected in one article, accepted as the ORG it is in another.
    articles = broker_notes(tmp_path, 2 * count, BROKERS[:count])
    for n, article in enumerate(articles):
        span = suggested(article, BROKERS[n % count])
        if n < count:
            services.suggestion_reject(span=span, user=editor)
        else:
            services.suggestion_accept(span=span, user=editor)

    # markers: entities, aliases, decisions; the entities and aliases; the decisions
    with django_assert_num_queries(6):
        known = suggesting.known_entities()
    assert len(known.gazetteer.decisions) == count
    assert known.gazetteer.decisions["kepler cheuvreux"] == {"ORG": (1, 1)}
    with django_assert_num_queries(3):  # unchanged: the three markers only
        assert suggesting.known_entities() is known


def test_a_new_decision_recounts_the_decisions_only(tmp_path, editor, django_assert_num_queries):
    articles = broker_notes(tmp_path, 2)
    spans = [suggested(article, KEPLER) for article in articles]
    suggesting.known_entities()
    services.suggestion_reject(span=spans[0], user=editor)
    with django_assert_num_queries(4):  # the three markers, the decisions
        suggesting.known_entities()


def test_only_the_latest_decisions_are_read(tmp_path, editor, monkeypatch):
    monkeypatch.setattr(suggesting, "DECISIONS_READ", 2)
    articles = broker_notes(tmp_path, 3, BROKERS[:3])
    for n, article in enumerate(articles):
        services.suggestion_reject(span=suggested(article, BROKERS[n]), user=editor)

    # The oldest decision is left out: the build reads a bounded number, newest first.
    assert set(suggesting.known_entities().gazetteer.decisions) == {
        "quorvin brastock",
        "zeltar brastock",
    }
