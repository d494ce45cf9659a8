"""The cleaner's fast paths mean what the plain rules say: all boilerplate patterns as one
regex, white space collapsed by str.split, no control-character pass for text without any."""

import hashlib
import re

from hypothesis import given
from hypothesis import strategies as st

from articles.importing import DEFAULT_BOILERPLATE_PATTERNS, Cleaner, clean, normalise

BOILERPLATE_LIKE = st.sampled_from(
    [
        "Advertisement",
        "ADVERTISEMENT",
        "Skip advertisement",
        "Story continues below this advertisement",
        "article continues below",
        "Read also: the other story",
        "READ ALSO",
        "read more — elsewhere",
        "Read more about it",
        "Also read: this",
        "Related: that",
        "Scroll down to continue reading",
        "scroll to continue",
        "Sponsored content",
        "Sponsored",
        "related",
        "",
    ]
)
LINES = st.builds(
    lambda head, core, tail: head + core + tail,
    st.sampled_from(["", " ", "x", "The "]),
    BOILERPLATE_LIKE | st.text(max_size=30),
    st.sampled_from(["", " ", ".", " advertisement", ":"]),
)


@given(line=LINES)
def test_the_default_patterns_as_one_regex_match_like_one_by_one(line):
    cleaner = Cleaner()
    assert cleaner.boilerplate_any is not None
    one_by_one = any(pattern.fullmatch(line) for pattern in cleaner.boilerplate)
    assert cleaner.is_boilerplate(line) == one_by_one


def test_patterns_that_cannot_be_branches_are_matched_one_by_one():
    # A backreference counts groups, which joining the patterns would renumber.
    cleaner = Cleaner(boilerplate_patterns=[r"(sponsored) by", r"(\w+) \1"])
    assert cleaner.boilerplate_any is None
    assert cleaner.clean(b"T\n\nha ha\nha ho\nSponsored by\n").body == "ha ho"
    # A flag for the whole pattern is an error inside a branch.
    cleaner = Cleaner(boilerplate_patterns=[r"x", r"(?s)promo.*"])
    assert cleaner.boilerplate_any is None
    assert cleaner.clean(b"T\n\nkeep\nPROMO today\n").body == "keep"
    # No patterns: nothing is boilerplate.
    assert Cleaner(boilerplate_patterns=[]).clean(b"T\n\nAdvertisement\n").body == "Advertisement"


def test_default_patterns_are_one_regex():
    assert Cleaner(boilerplate_patterns=DEFAULT_BOILERPLATE_PATTERNS).boilerplate_any is not None


@given(text=st.text())
def test_white_space_collapses_as_the_regex_would(text):
    # The cleaner collapses runs of white space with str.split(): the same characters as \s.
    assert " ".join(text.split()) == re.sub(r"\s+", " ", text).strip()


def test_repeats_are_found_across_unusual_white_space_and_case():
    cleaned = clean("Title\u2003\u2003here\n\nJane\u00a0 said so.\n\njane said\u3000so.\n".encode())
    assert cleaned.title == "Title here"
    assert cleaned.body == "Jane\u00a0 said so."
    assert [(r.line, r.reason) for r in cleaned.removals] == [(5, "repeated paragraph")]


def test_a_few_control_characters_are_removed():
    cleaned = clean(b"Title\x07\n\n" + b"a" * 300 + b"\x1b[0m" + b"b\n")
    assert cleaned.title == "Title"
    assert cleaned.body == "a" * 300 + "[0mb"


@given(text=st.text())
def test_the_hash_is_of_the_normalised_text_whichever_path_cleans_it(text):
    data = text.encode("utf-8")
    try:
        cleaned = clean(data)
    except ValueError:
        return
    assert cleaned.original == data.decode("utf-8-sig")
    # Text without control characters skips the pass that removes them.
    assert cleaned.content_hash == hashlib.sha256(normalise(cleaned.original).encode()).hexdigest()
