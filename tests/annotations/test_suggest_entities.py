"""The entity suggester on invented sentences (no database, no seeds)."""

import dataclasses

import pytest

from annotations.suggesters.entities import ORIGIN, Gazetteer, MentionSuggestion, suggest_mentions


def found(body: str, gazetteer: Gazetteer | None = None) -> list[tuple[str, str, str]]:
    return [(m.text, m.name, m.kind) for m in suggest_mentions(body, gazetteer)]


def test_offsets_and_frozen_suggestions():
    body = "🎉 Mayor Clara Osei opened the bridge in Lisbon."
    mentions = suggest_mentions(body)
    assert [(m.text, m.kind) for m in mentions] == [("Clara Osei", "PERSON"), ("Lisbon", "GPE")]
    for mention in mentions:
        assert body[mention.start : mention.end] == mention.text
        assert mention.entity_id is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        mentions[0].kind = "ORG"
    assert ORIGIN == "suggester:entities"


def test_titles_make_people_and_are_not_mentions_themselves():
    assert found("Prime Minister Olaf Brenner met President Ruiz in Madrid.") == [
        ("Olaf Brenner", "Olaf Brenner", "PERSON"),
        ("Ruiz", "Ruiz", "PERSON"),
        ("Madrid", "Madrid", "GPE"),
    ]


def test_nationality_title_and_name_split_into_their_parts():
    assert found("The talks ended when Kenyan Foreign Minister Amina Waweru left.") == [
        ("Kenyan", "Kenyan", "NORP"),
        ("Amina Waweru", "Amina Waweru", "PERSON"),
    ]


def test_a_surname_alone_is_the_person_named_in_full_before():
    body = "Tomas Varga runs the clinic. Patients trust Varga, and Varga knows it."
    assert [name for _, name, _ in found(body)] == ["Tomas Varga"] * 3


def test_organisation_words_and_the_places_they_take_in():
    body = (
        "Analysts at the Baltic Policy Institute and the Ministry of Public Works agreed with "
        "the Chilean Mining Association, the Bank of Ghana and Congress."
    )
    assert found(body) == [
        ("Baltic Policy Institute", "Baltic Policy Institute", "ORG"),
        ("Ministry of Public Works", "Ministry of Public Works", "ORG"),
        ("Chilean Mining Association", "Chilean Mining Association", "ORG"),
        ("Bank of Ghana", "Bank of Ghana", "ORG"),
        ("Congress", "Congress", "ORG"),
    ]


def test_places_from_the_shipped_lists_and_after_in():
    body = "Flights from New York to Addis Ababa were cut, and flooding hit villages in Karamoja."
    assert found(body) == [
        ("New York", "New York", "GPE"),
        ("Addis Ababa", "Addis Ababa", "GPE"),
        ("Karamoja", "Karamoja", "GPE"),
    ]


def test_regions_and_possessives_and_hyphenated_words():
    body = "Brazil’s Amazon-backed plan and the Russian-made drones worried the Caribbean."
    assert found(body) == [
        ("Brazil", "Brazil", "GPE"),
        ("Amazon", "Amazon", "LOC"),
        ("Russian", "Russian", "NORP"),
        ("Caribbean", "Caribbean", "LOC"),
    ]


def test_sentence_openers_and_calendar_words_are_not_names():
    body = (
        "Speaking on Monday, the judge adjourned the case. Despite the rain, crowds gathered "
        "in October. However, nobody came."
    )
    assert found(body) == []


def test_a_capitalised_word_that_opens_a_sentence_counts_if_it_appears_inside_one_too():
    body = "Zelnik denied everything. The board still trusts Zelnik."
    assert [(text, kind) for text, _, kind in found(body)] == [("Zelnik", "ORG"), ("Zelnik", "ORG")]


def test_acronyms_are_organisations():
    assert found("Inspectors from the IAEA and the WHO arrived.") == [
        ("IAEA", "IAEA", "ORG"),
        ("WHO", "WHO", "ORG"),
    ]


def test_gazetteer_matches_every_alias_in_one_pass_longest_first():
    gazetteer = Gazetteer(
        [
            (7, "Joe Biden", "PERSON", ["Biden", "President Biden"]),
            (8, "New York Times", "ORG", ["NYT"]),
            (9, "New York", "GPE", []),
        ]
    )
    body = "President Biden told the New York Times that New York and biden-era rules… Biden!"
    mentions = suggest_mentions(body, gazetteer)
    assert [(m.text, m.entity_id, m.name) for m in mentions] == [
        ("President Biden", 7, "Joe Biden"),
        ("New York Times", 8, "New York Times"),
        ("New York", 9, "New York"),
        ("Biden", 7, "Joe Biden"),
    ]


def test_gazetteer_is_case_insensitive_for_phrases_but_one_word_needs_its_capital():
    gazetteer = Gazetteer(
        [(1, "Turkey", "GPE", []), (2, "Antony Blinken", "PERSON", ["Secretary of State"])]
    )
    body = "The secretary of state ate turkey in Turkey."
    assert [(m.text, m.entity_id) for m in suggest_mentions(body, gazetteer)] == [
        ("secretary of state", 2),
        ("Turkey", 1),
    ]


def test_gazetteer_matches_only_whole_words():
    gazetteer = Gazetteer([(1, "Iran", "GPE", [])])
    assert [m.text for m in suggest_mentions("Iranian and Iran-backed groups", gazetteer)] == [
        "Iranian",
        "Iran",
    ]
    assert [m.entity_id for m in suggest_mentions("Iranian and Iran-backed", gazetteer)] == [
        None,
        1,
    ]


def test_title_and_surname_link_to_the_one_known_person_with_that_surname():
    gazetteer = Gazetteer([(3, "Maria Kowalski", "PERSON", [])])
    [mention] = suggest_mentions("On Friday Governor Kowalski resigned.", gazetteer)
    assert (mention.text, mention.entity_id, mention.name) == ("Kowalski", 3, "Maria Kowalski")


def test_suggestion_type():
    assert all(isinstance(m, MentionSuggestion) for m in suggest_mentions("Tomas Varga left."))
    assert suggest_mentions("") == []
