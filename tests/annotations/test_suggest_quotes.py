"""The quote suggester on invented news sentences (no database, no seeds)."""

import dataclasses

import pytest

from annotations.suggesters.quotes import ORIGIN, QuoteSuggestion, suggest_quotes


def direct(body: str) -> list[QuoteSuggestion]:
    return [q for q in suggest_quotes(body) if not q.indirect]


def pairs(body: str) -> list[tuple[str, str | None]]:
    return [(q.text, q.speaker) for q in direct(body)]


def test_offsets_cover_the_words_between_the_marks():
    body = "Mayor Clara Osei said: “The bridge will reopen on Monday.”"
    [quote] = direct(body)
    assert body[quote.start : quote.end] == quote.text == "The bridge will reopen on Monday."
    assert quote.speaker == "Clara Osei"
    assert ORIGIN == "suggester:quotes"


def test_suggestions_are_frozen():
    [quote] = direct("“We will rebuild every school,” said Tomas Varga.")
    with pytest.raises(dataclasses.FrozenInstanceError):
        quote.start = 0


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ("“We will rebuild every school,” said Tomas Varga.", "We will rebuild every school"),
        ('"We will rebuild every school," said Tomas Varga.', "We will rebuild every school"),
        ("‘We will rebuild every school,’ said Tomas Varga.", "We will rebuild every school"),
        ("'We will rebuild every school,' said Tomas Varga.", "We will rebuild every school"),
        ("«We will rebuild every school», said Tomas Varga.", "We will rebuild every school"),
    ],
    ids=["curly double", "straight double", "curly single", "straight single", "guillemets"],
)
def test_every_kind_of_quote_mark(body, text):
    assert pairs(body) == [(text, "Tomas Varga")]


def test_apostrophes_do_not_open_or_close_quotes():
    body = "Tomas Varga said: ‘The council’s plan won’t work and the residents’ anger is real.’"
    assert pairs(body) == [
        ("The council’s plan won’t work and the residents’ anger is real.", "Tomas Varga")
    ]


def test_a_quote_inside_a_quote_stays_inside():
    body = "“They told us ‘leave your homes now’ and we did,” said Amira Haddad."
    assert pairs(body) == [("They told us ‘leave your homes now’ and we did", "Amira Haddad")]


def test_typo_marks_still_make_one_quote():
    body = "Reaffirming the plan, Governor Lena Brandt said that ‘’the state has your back.”"
    assert pairs(body) == [("the state has your back.", "Lena Brandt")]


def test_a_single_mark_closed_by_a_double_mark_is_a_typo():
    assert pairs("Nadia Petrov said, ‘We are not leaving this city.”") == [
        ("We are not leaving this city.", "Nadia Petrov")
    ]


def test_an_unclosed_paragraph_continues_into_the_next_paragraphs_opening_mark():
    body = (
        "The minister, Oskar Lind, spoke for an hour.\n\n"
        "“We have cut waiting lists by a third,” Lind said. “That is only the start.\n\n"
        "“Next year we will open four hospitals.\n\n"
        "“And we will hire nurses.”\n\n"
        "The opposition was not convinced."
    )
    assert pairs(body) == [
        ("We have cut waiting lists by a third", "Oskar Lind"),
        ("That is only the start.", "Oskar Lind"),
        ("Next year we will open four hospitals.", "Oskar Lind"),
        ("And we will hire nurses.", "Oskar Lind"),
    ]


def test_a_new_opening_mark_ends_a_quote_left_open_in_the_same_paragraph():
    body = "Ines Duarte said the talks failed. “We tried for months. “Nobody listened to us."
    assert pairs(body) == [
        ("We tried for months.", "Ines Duarte"),
        ("Nobody listened to us.", "Ines Duarte"),
    ]


def test_quote_in_a_headline_like_line_goes_to_the_person_it_names():
    body = "Prime Minister Rafael Ortiz visits flood zone: ‘We will not forget you’\n\nText."
    assert pairs(body) == [("We will not forget you", "Rafael Ortiz")]


@pytest.mark.parametrize(
    "body",
    [
        "“The dam is safe for now,” said engineer Maria Kowalski.",
        "“The dam is safe for now,” Maria Kowalski said.",
        "“The dam is safe for now,” Maria Kowalski told reporters.",
        "“The dam is safe for now,” Maria Kowalski insisted on Tuesday.",
        "Maria Kowalski vowed: “The dam is safe for now.”",
        "Maria Kowalski told reporters that “the dam is safe for now”.",
        "Maria Kowalski insisted, “The dam is safe for now.”",
        "Maria Kowalski added: “The dam is safe for now.”",
        "According to Maria Kowalski, “the dam is safe for now”.",
        "“The dam is safe for now,” according to Maria Kowalski.",
    ],
)
def test_reporting_verbs_before_and_after(body):
    [quote] = direct(body)
    assert quote.speaker == "Maria Kowalski"
    assert quote.text.lower().startswith("the dam is safe for now")
    assert quote.confidence >= 0.8


def test_he_and_she_are_the_nearest_person_before_them():
    body = (
        "Chief Inspector Hana Sato met the mayor, Daniel Reyes, on Friday.\n\n"
        "Sato then visited the harbour.\n\n"
        "“The evidence points to arson,” she told reporters."
    )
    assert pairs(body) == [("The evidence points to arson", "Hana Sato")]


def test_a_run_of_quote_paragraphs_keeps_the_last_speaker():
    body = (
        "“Prices will keep rising this winter,” said Farid Nasser, an economist at Kaleva Bank.\n\n"
        "“Families should expect higher heating bills.\n\n"
        "“There is no quick fix for this.”\n\n"
        "Other economists disagree."
    )
    assert [speaker for _, speaker in pairs(body)] == ["Farid Nasser"] * 3


def test_a_new_named_speaker_takes_over_from_the_last_one():
    body = (
        "“We need more buses,” said Carla Jensen.\n\n"
        "“The buses are already full,” said Peter Olsen.\n\n"
        "“And the trains are late.”"
    )
    assert [speaker for _, speaker in pairs(body)] == ["Carla Jensen", "Peter Olsen", "Peter Olsen"]


def test_scare_quotes_are_not_suggested():
    body = "The so-called ‘reform’ was described as a “done deal” by its critics."
    assert direct(body) == []


def test_indirect_quotes_are_flagged_and_less_confident():
    body = (
        "Officials have said the death toll in the province has risen to 42.\n\n"
        "“We are searching every house,” said Captain Idris Bello.\n\n"
        "The flood destroyed 300 homes, the regional council said on Sunday."
    )
    quotes = suggest_quotes(body)
    indirect = [q for q in quotes if q.indirect]
    assert [(q.text, q.speaker) for q in indirect] == [
        ("the death toll in the province has risen to 42", "Officials"),
        ("The flood destroyed 300 homes", "the regional council"),
    ]
    most_direct = min(q.confidence for q in quotes if not q.indirect)
    assert all(q.confidence < most_direct for q in indirect)


def test_indirect_speech_names_the_speaker_by_pronoun():
    body = "Judge Anna Berg closed the hearing. She said that the trial would resume in May."
    [quote] = [q for q in suggest_quotes(body) if q.indirect]
    assert (quote.text, quote.speaker) == ("the trial would resume in May", "Anna Berg")


def test_offsets_count_code_points_after_emoji_and_astral_characters():
    body = "🎉🎉 Fans cheered. “We did it, we really did,” said captain Lea Novak 🏆."
    [quote] = direct(body)
    assert body[quote.start : quote.end] == "We did it, we really did"
    assert quote.speaker == "Lea Novak"


def test_empty_and_quote_free_text():
    assert suggest_quotes("") == []
    assert suggest_quotes("The council met on Tuesday.\n\nIt adjourned at noon.") == []


@pytest.mark.parametrize(
    "body",
    [
        # Words on signs and banners, introduced by the sign itself.
        "Protesters held a hand-painted sign that read “Who pays for the flood?”",
        "A banner hung from the town hall across the square: “Next year, the cup.”",
        "Marchers carried placards reading “Fund our libraries”.",
        # All capitals: a sign, whatever introduces it.
        "By morning somebody had written “CLOSED FOR GOOD. THANKS.” on the shutters.",
        # Title Case with no reporting verb after it: a work's name.
        "She spent five years writing “The Long Harvest,” her second novel.",
        "The ministry's new report, “Roads to Nowhere: Rural Transport in Crisis”, is out.",
        "Its working title, she added, is “Low Water.”",
    ],
)
def test_titles_and_signs_in_quote_marks_are_no_quotes(body):
    assert direct(body) == []


def test_a_sign_noun_before_a_reporting_verb_does_not_hide_the_quote():
    body = "A sign went up at the gate, and the owner, Pia Lund, said: “We will not sell.”"
    assert pairs(body) == [("We will not sell.", "Pia Lund")]


def test_sign_as_a_verb_is_no_cue():
    body = "Aide Rosa Kim said the governor would sign the bill “as soon as it reaches her desk.”"
    assert [q.text for q in direct(body)] == ["as soon as it reaches her desk."]


def test_title_case_with_a_reporting_verb_after_it_is_speech():
    assert pairs("“Absolutely Not,” Tomas Varga said.") == [("Absolutely Not", "Tomas Varga")]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (
            "Drivers walked out over what their union called a ‘take-it-or-leave-it’ offer.",
            "take-it-or-leave-it",
        ),
        (
            "Theatre companies accused the arts council of “cultural vandalism” on Monday.",
            "cultural vandalism",
        ),
        ("The chair of the jury praised the novel's “quiet ferocity”.", "quiet ferocity"),
        ("“Finally,” a resident said, unlocking her bicycle.", "Finally"),
    ],
)
def test_short_quotes_that_cite_somebody_are_kept(body, words):
    assert [q.text for q in direct(body)] == [words]


def test_short_scare_quotes_without_a_citation_are_dropped():
    assert direct("The group has commissioned what it calls an “independent” study.") == []
    assert direct("The plan is “temporary”, the notice said nothing more.") == []
