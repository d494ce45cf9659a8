from django.template.defaultfilters import truncatechars
from hypothesis import given
from hypothesis import strategies as st

from annotations.workspace import truncate

# Letters, combining marks (U+0301, U+0308), characters NFC composes or decomposes
# (U+212B ANGSTROM SIGN, U+0958 DEVANAGARI QA), an astral character and the ellipsis.
ALPHABET = st.sampled_from(["a", "e", "\u0301", "\u0308", "\u212b", "\u0958", "😀", "…", " "])


@given(text=st.text(ALPHABET, max_size=30), length=st.integers(0, 25))
def test_truncate_is_exactly_the_truncatechars_filter(text, length):
    assert truncate(text, length) == truncatechars(text, length)


def test_truncate_cuts_long_text_with_an_ellipsis():
    assert truncate("abcdefghij", 5) == "abcd…"
    assert truncate("abcde", 5) == "abcde"
