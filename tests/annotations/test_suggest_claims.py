"""The claim suggester on invented sentences (no database, no seeds)."""

import dataclasses

import pytest

from annotations.suggesters.claims import ORIGIN, ClaimSuggestion, score, suggest_claims


def test_numbers_and_quantities_come_first_and_offsets_hold():
    body = (
        "The weather was pleasant.\n\n"
        "The death toll from the earthquake has risen to 2,300, officials said.\n\n"
        "Unemployment fell to 4.1% in March, the lowest rate since 2001.\n\n"
        "The mayor thanked the volunteers."
    )
    claims = suggest_claims(body)
    assert {c.text for c in claims} == {
        "The death toll from the earthquake has risen to 2,300, officials said.",
        "Unemployment fell to 4.1% in March, the lowest rate since 2001.",
    }
    for claim in claims:
        assert body[claim.start : claim.end] == claim.text
        assert 0 < claim.score <= 1
    assert ORIGIN == "suggester:claims"
    with pytest.raises(dataclasses.FrozenInstanceError):
        claims[0].score = 0


def test_ranked_by_score():
    body = (
        "Prices rose because the harvest failed. "
        "The government spent $4 billion, more than twice the 2019 budget."
    )
    claims = suggest_claims(body)
    assert [c.score for c in claims] == sorted((c.score for c in claims), reverse=True)
    assert claims[0].text.startswith("The government spent $4 billion")


@pytest.mark.parametrize(
    "sentence",
    [
        "Hundreds of families were displaced by the floods in the north.",
        "The new bridge cost 40 million euros, according to the ministry.",
        "Crime has doubled in the city compared with last year, police say.",
    ],
)
def test_check_worthy_sentences(sentence):
    assert score(sentence) >= 0.35


@pytest.mark.parametrize(
    "sentence",
    [
        "The ceremony took place on October 7 in the old town hall.",
        "How many people were really there that night?",
        "She smiled and waved at the crowd outside the station.",
    ],
    ids=["a date is not a quantity", "a question", "no claim"],
)
def test_not_check_worthy(sentence):
    assert score(sentence) < 0.35


def test_quote_marks_around_a_sentence_are_left_out():
    body = "“More than 500 people were rescued from the rubble,” the captain said."
    [claim] = suggest_claims(body)
    assert isinstance(claim, ClaimSuggestion)
    assert claim.text.startswith("More than 500 people")


def test_empty_text():
    assert suggest_claims("") == []
