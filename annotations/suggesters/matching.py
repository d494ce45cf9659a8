"""The same quote in other words: normalise, score, and show the words that differ.

Outlets print one statement differently: curly or straight marks, a comma for a full stop,
"we’ll" for "we will". `normalise` removes those differences, `quote_similarity` scores what
is left (0..1), and `word_diff` lists the words that really differ, for a misquote check.
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher
from typing import Literal

from rapidfuzz import fuzz

MATCH = 0.85  # at or above: the same quote, give or take punctuation and a word or two

_CONTRACTIONS = {
    "n't": " not",
    "'ll": " will",
    "'re": " are",
    "'ve": " have",
    "'m": " am",
    "'d": " would",
}
# "'s" is "is" only after these; elsewhere it is a possessive ("Israel's back").
_IS_AFTER = frozenset({"it", "that", "he", "she", "there", "here", "what", "who", "where", "how"})
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "ʼ": "'"})
_WORD = re.compile(r"\w+(?:'\w+)*")
_IRREGULAR = {"won't": "will not", "can't": "can not", "cannot": "can not", "shan't": "shall not"}

Op = Literal["equal", "insert", "delete"]


def tokens(text: str) -> list[str]:
    """Lower-case words, contractions spelled out, punctuation and quote marks gone."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_APOSTROPHES)
    out: list[str] = []
    for word in _WORD.findall(text):
        out.extend(_expand(word).split())
    return out


def _expand(word: str) -> str:
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    for ending, full in _CONTRACTIONS.items():
        if word.endswith(ending) and len(word) > len(ending):
            return word[: -len(ending)] + full
    if word.endswith("'s"):
        stem = word[:-2]
        if stem == "let":
            return "let us"
        return f"{stem} is" if stem in _IS_AFTER else stem
    return word.replace("'", "")


def normalise(text: str) -> str:
    return " ".join(tokens(text))


def quote_similarity(a: str, b: str) -> float:
    """0..1: how nearly `a` and `b` are the same quote.

    Character-level similarity of the normalised words (forgiving a typo or a changed word
    ending), and, when one quote is a clear excerpt of the other, a slightly discounted
    score for that excerpt.
    """
    return normalised_similarity(normalise(a), normalise(b))


def normalised_similarity(na: str, nb: str) -> float:
    """quote_similarity of two texts already normalised (for scoring many pairs)."""
    if not na or not nb:
        return 0.0
    whole = fuzz.ratio(na, nb) / 100
    shorter = min(len(na.split()), len(nb.split()))
    if shorter >= 5:
        # An excerpt: "we will have it every day" inside a longer quote.
        whole = max(whole, 0.95 * fuzz.partial_ratio(na, nb) / 100)
    return round(whole, 4)


# Scores (0..100) below which normalised_similarity cannot reach MATCH even after rounding to
# 4 decimals: a little under MATCH for the whole texts, and under MATCH ÷ 0.95 for an excerpt.
_RATIO_FLOOR = MATCH * 100 - 0.01
_EXCERPT_FLOOR = MATCH * 100 / 0.95 - 0.01


def first_match(words: str, candidates: list[str]) -> int | None:
    """The index of the first of `candidates` (normalised) that scores at least MATCH with
    `words` (normalised), or None: what trying them in order with normalised_similarity
    finds, with rapidfuzz's score_cutoff skipping the hopeless ones early."""
    if not words:
        return None
    excerpt = len(words.split()) >= 5  # else only the whole texts are compared
    for i, candidate in enumerate(candidates):
        hopeful = fuzz.ratio(candidate, words, score_cutoff=_RATIO_FLOOR) or (
            excerpt and fuzz.partial_ratio(candidate, words, score_cutoff=_EXCERPT_FLOOR)
        )
        if hopeful and normalised_similarity(candidate, words) >= MATCH:
            return i
    return None


def is_match(a: str, b: str) -> bool:
    return quote_similarity(a, b) >= MATCH


def word_diff(a: str, b: str) -> list[tuple[Op, str]]:
    """How `b` differs from `a`, word by word, over the normalised words.

    "equal" words are in both, "delete" only in `a`, "insert" only in `b`; a replaced word
    shows as a delete followed by an insert. Neighbouring words with the same op are joined.
    """
    return _diff(tokens(a), tokens(b))


def exact_word_diff(a: str, b: str) -> list[tuple[Op, str]]:
    """How `b` differs from `a` as printed: words split at white space only, so case,
    punctuation, apostrophes and contractions count ("tomorrow." against "tomorrow," and
    "We will" against "and we'll" both show). The misquote check the editor reads; the
    normalised `word_diff` only ranks and explains how close the wording is."""
    return _diff(a.split(), b.split())


def _diff(ta: list[str], tb: list[str]) -> list[tuple[Op, str]]:
    out: list[tuple[Op, str]] = []
    matcher = SequenceMatcher(a=ta, b=tb, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            _add(out, "equal", ta[i1:i2])
            continue
        if tag in ("delete", "replace"):
            _add(out, "delete", ta[i1:i2])
        if tag in ("insert", "replace"):
            _add(out, "insert", tb[j1:j2])
    return out


def _add(out: list[tuple[Op, str]], op: Op, words: list[str]) -> None:
    if not words:
        return
    if out and out[-1][0] == op:
        out[-1] = (op, f"{out[-1][1]} {' '.join(words)}")
    else:
        out.append((op, " ".join(words)))
