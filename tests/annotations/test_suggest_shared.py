"""What the suggesters share: sentences, the trie regex, the caches (readable cases; this
replaces the hash fingerprints of issue 7, which could only say that something changed)."""

import re

import pytest

from annotations.suggesters import one_of, sentences, suggest_all

TEXTS = [
    "Mr. Smith went to Washington. He left!  “Yes.” 3 more… a.b. C?\u2003D",
    "“We will rebuild,” said Mayor Gil Navarro in Pine Hollow.\n\n“Soon.”",
    "Senator Janet K. Doe met Ms. Ortega of the U.S. Senate. She said: “No deal.”",
    "İstanbul’s mayor, Ekrem Demir, said the Bosphorus Bridge would close.",
]


def pieces(body: str, spans: list[tuple[int, int]]) -> list[str]:
    return [body[start:end] for start, end in spans]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("One sentence here. Another one there.", ["One sentence here.", "Another one there."]),
        # Honorifics, initials and abbreviations do not end a sentence.
        (
            "Mr. Smith met Janet K. Doe in the U.S. capital. They spoke.",
            ["Mr. Smith met Janet K. Doe in the U.S. capital.", "They spoke."],
        ),
        # A quote that ends a sentence ends it after the mark; a line break always ends one.
        (
            "“We are ready.” Then he left\nNew line",
            ["“We are ready.”", "Then he left", "New line"],
        ),
        # A lower-case word after a stop does not start a sentence.
        ("It cost 3.5 bn. dollars, he said. Done.", ["It cost 3.5 bn. dollars, he said.", "Done."]),
    ],
)
def test_sentences(body, expected):
    assert pieces(body, sentences(body)) == expected


def test_sentences_hands_out_a_new_list_each_time():
    body = "One sentence here. Another one there."
    first = sentences(body)
    first.append((0, 1))
    assert sentences(body) == [(0, 18), (19, 37)]


def test_one_of_matches_exactly_its_phrases():
    phrases = ["say", "says", "said", "sa", "so that", "s.a", "(x)"]
    pattern = re.compile(r"(?:" + one_of(phrases) + r")\Z")
    for phrase in phrases:
        assert pattern.match(phrase)
    for other in ["s", "sai", "sayss", "so", "so tha", "sxa", "x", ""]:
        assert not pattern.match(other)


def test_cold_and_warm_caches_give_the_same_suggestions():
    from annotations.suggesters import _sentences
    from annotations.suggesters.entities import _split

    warm = [suggest_all(text) for text in TEXTS]
    cold = []
    for text in TEXTS:
        _split.cache_clear()
        _sentences.cache_clear()
        cold.append(suggest_all(text))
    assert cold == warm


def test_all_suggesters_on_one_short_text():
    body = TEXTS[2]  # two women before "She": a guess, and marked as one
    quotes, mentions, claims = suggest_all(body)
    assert [(q.text, q.speaker, q.evidence) for q in quotes] == [
        ("No deal.", "Janet K. Doe", "pronoun, several people")
    ]
    assert [(m.text, m.name, m.kind) for m in mentions] == [
        ("Janet K. Doe", "Janet K. Doe", "PERSON"),
        ("Ortega", "Ortega", "PERSON"),
        ("U.S.", "U.S.", "GPE"),
        ("Senate", "Senate", "ORG"),
    ]
    assert claims == []
