"""Quote matching across articles: normalise, score, word diff."""

import pytest

from annotations.suggesters.matching import (
    MATCH,
    exact_word_diff,
    normalise,
    quote_similarity,
    word_diff,
)


def test_the_issue_example_is_a_match():
    a = "we’ll have it tomorrow, and we’ll have it every day"
    b = "We’ll have it tomorrow. We will have it every day."
    assert quote_similarity(a, b) >= MATCH


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("“The United States has Israel’s back”", "'the united states has israel's back'"),
        ("We won't stop. We can't.", "we will not stop, we can not"),
        ("That’s what separates us", "That is what separates us"),
    ],
    ids=["marks and case", "contractions", "that's"],
)
def test_normalising_removes_what_outlets_change(a, b):
    assert normalise(a) == normalise(b)
    assert quote_similarity(a, b) == 1.0


def test_an_excerpt_of_a_longer_quote_matches():
    long = "We have the back of our people. We have their back today. We will have it every day."
    assert quote_similarity("we have their back today, we will have it every day", long) >= MATCH


def test_different_quotes_do_not_match():
    a = "The bridge will reopen on Monday after repairs."
    b = "Nobody has told us anything about the school."
    assert quote_similarity(a, b) < 0.5
    assert quote_similarity("", b) == 0.0


def test_a_changed_word_is_a_near_match_with_a_visible_diff():
    a = "We will win this war"
    b = "We will lose this war"
    assert quote_similarity(a, b) < 1
    assert word_diff(a, b) == [
        ("equal", "we will"),
        ("delete", "win"),
        ("insert", "lose"),
        ("equal", "this war"),
    ]


def test_word_diff_ignores_punctuation_and_contractions():
    a = "we’ll have it tomorrow, and we’ll have it every day"
    b = "We’ll have it tomorrow. We will have it every day."
    assert word_diff(a, b) == [
        ("equal", "we will have it tomorrow"),
        ("delete", "and"),
        ("equal", "we will have it every day"),
    ]
    assert word_diff("Same words.", "same words") == [("equal", "same words")]


def test_the_exact_diff_shows_punctuation_case_and_contractions_as_printed():
    ours = "We'll have it tomorrow. We will have it every day"
    theirs = "we'll have it tomorrow, and we'll have it every day"

    assert exact_word_diff(ours, theirs) == [
        ("delete", "We'll"),
        ("insert", "we'll"),
        ("equal", "have it"),
        ("delete", "tomorrow. We will"),
        ("insert", "tomorrow, and we'll"),
        ("equal", "have it every day"),
    ]
    # The normalised diff, which ranks the matches, sees only "and".
    assert [op for op, _ in word_diff(ours, theirs)] == ["equal", "insert", "equal"]


def test_the_exact_diff_keeps_possessives_and_curly_apostrophes():
    diff = exact_word_diff("has Israel’s back", "has Israel's back")

    assert diff == [
        ("equal", "has"),
        ("delete", "Israel’s"),
        ("insert", "Israel's"),
        ("equal", "back"),
    ]
