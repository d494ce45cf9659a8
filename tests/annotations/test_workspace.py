import pytest
from django.template.defaultfilters import truncatechars
from hypothesis import given
from hypothesis import strategies as st

from annotations.workspace import _rows_digest, truncate

# Letters, combining marks (U+0301, U+0308), characters NFC composes or decomposes
# (U+212B ANGSTROM SIGN, U+0958 DEVANAGARI QA), an astral character and the ellipsis.
ALPHABET = st.sampled_from(["a", "e", "\u0301", "\u0308", "\u212b", "\u0958", "😀", "…", " "])


@given(text=st.text(ALPHABET, max_size=30), length=st.integers(0, 25))
def test_truncate_is_exactly_the_truncatechars_filter(text, length):
    assert truncate(text, length) == truncatechars(text, length)


def test_truncate_cuts_long_text_with_an_ellipsis():
    assert truncate("abcdefghij", 5) == "abcd…"
    assert truncate("abcde", 5) == "abcde"


ROW = (7, 0, 12, "quote", "accepted", "We will", "", 0.5, 1, 3, "Ann O'Neil", "PERSON", "ann")


def test_the_rows_digest_is_the_same_for_equal_rows_made_apart():
    twin = tuple(
        "".join(list(value)) if isinstance(value, str) else value  # new, equal objects
        for value in ROW
    )
    assert _rows_digest([ROW, ROW]) == _rows_digest([twin, ROW])


@pytest.mark.parametrize(
    "changed",
    [
        pytest.param((8, *ROW[1:]), id="id"),
        pytest.param((*ROW[:5], "We will ", *ROW[6:]), id="text"),
        pytest.param((*ROW[:7], None, *ROW[8:]), id="no confidence"),
        pytest.param((*ROW[:7], 0.5000001, *ROW[8:]), id="confidence"),
        pytest.param((*ROW[:8], 1.0, *ROW[9:]), id="float for int"),
        pytest.param((*ROW[:8], True, *ROW[9:]), id="bool for int"),
        pytest.param((*ROW[:10], "Ann O’Neil", *ROW[11:]), id="name"),
        pytest.param((*ROW[:12], None), id="none for text"),
        pytest.param((*ROW[:12], ""), id="empty text"),
    ],
)
def test_the_rows_digest_changes_with_any_value(changed):
    assert _rows_digest([ROW]) != _rows_digest([changed])
    assert _rows_digest([ROW, ROW]) != _rows_digest([ROW])
