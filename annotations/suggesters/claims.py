"""Check-worthy sentences: numbers and quantities, comparisons, causes, stated facts.

Each sentence gets a score from the signals it carries (a death toll with a number scores
higher than a bare "more than"); sentences over a threshold come back ranked, best first.
The weights are deliberately few and readable, so an editor can tell why a sentence came up.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from dataclasses import dataclass

from annotations.suggesters import one_of, sentences

ORIGIN = "suggester:claims"
THRESHOLD = 0.35


@dataclass(frozen=True)
class ClaimSuggestion:
    start: int
    end: int
    text: str
    score: float


_NUMBER_WORDS = (
    r"two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty"
    r"|hundred|hundreds|thousand|thousands|million|millions|billion|billions|trillion|dozen|dozens"
    r"|half|double|twice|triple"
)
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_FIGURE = r"\d[\d,.]*"
# Figures, each its own pattern. Each starts with one character class (a digit or a currency
# sign), which lets the regex engine skip ahead to the next such character; the checks on
# what comes before a figure are lookbehinds after that character.
_FIGURES: tuple[tuple[str, re.Pattern[str], float], ...] = (
    ("percent", re.compile(rf"{_FIGURE}\s?(?:%|per ?cent\b|percent\b)"), 0.25),
    (
        "money",
        # "$5", "€ 12.5" / "5 dollars", "1.5bn"
        re.compile(
            rf"[$£€¥\d](?:(?<=[$£€¥])\s?{_FIGURE}"
            r"|(?<=\d)[\d,.]*\s?(?:dollars|pounds|euros|bn|m)\b)"
        ),
        0.25,
    ),
    # A figure, but not a year ("in 2023"): years and dates are not counts to check. The
    # figure's first digit, not after a letter, digit or point, and not the 1 of 19xx or
    # the 2 of 20xx.
    (
        "figure",
        re.compile(r"\d(?<![\w.]\d)(?!(?<=1)9\d\d(?!\w)|(?<=2)0\d\d(?!\w))[\d,.]*(?!\w)"),
        0.35,
    ),
)
_DATE_BEFORE = re.compile(rf"(?:{_MONTHS})\.? $")
_DATE_AFTER = re.compile(rf"(?:st|nd|rd|th)? (?:{_MONTHS})\b")
# Words and phrases, literal text (no regex), by signal.
_WORD_SIGNALS: tuple[tuple[str, str, float], ...] = (
    ("amount", _NUMBER_WORDS, 0.2),
    (
        "quantity",
        r"death toll|killed|dead|died|deaths|injured|wounded|hostages|casualties"
        r"|victims|arrested|displaced|refugees|votes|troops|cases|jobs|budget|cost|costs"
        r"|inflation|unemployment|population|rate",
        0.15,
    ),
    (
        "comparison",
        r"more than|less than|fewer than|at least|up to|nearly|almost|close to"
        r"|larger|largest|bigger|biggest|higher|highest|lower|lowest|worst|most senior"
        r"|record|doubled|tripled|increased|decreased|rose|fell|surged|plunged|compared"
        r"|than ever|for the first time",
        0.25,
    ),
    (
        "cause",
        r"because|due to|led to|leads to|caused|causes|as a result|result of"
        r"|responsible for|blamed|in response to|so that",
        0.15,
    ),
    ("hedge", r"i think|we think|i believe|we hope|i hope|perhaps|maybe|might|could", -0.1),
    ("fact", r"is|are|was|were|has|have|had", 0.05),
    ("source", r"according to|said|says|say|reported|confirmed", 0.05),
)
# The first signal to list a word has it.
_SIGNAL_OF = {
    phrase: name for name, phrases, _ in reversed(_WORD_SIGNALS) for phrase in phrases.split("|")
}
# All of them in one trie that only starts at a letter; `_SIGNAL_OF` says which signal.
_WORDS = re.compile(r"(?=[a-z])\b(?:" + one_of(_SIGNAL_OF) + r")\b")
_WEIGHTS = {name: weight for name, _, weight in _FIGURES + _WORD_SIGNALS}
_IMPLIES = {"percent": "figure", "money": "figure"}


def _signals(lowered: str, spans: list[tuple[int, int]]) -> list[set[str]]:
    """The signals each sentence carries, from a few passes over the whole text."""
    hits: list[tuple[int, str]] = []  # (where, signal)
    for name, pattern, _ in _FIGURES:
        implied = _IMPLIES.get(name)
        for match in pattern.finditer(lowered):
            start, end = match.span()
            if name == "figure" and (
                _DATE_BEFORE.search(lowered, max(0, start - 11), start)
                or _DATE_AFTER.match(lowered, end)
            ):
                continue  # "october 7", "7 october": a date
            hits.append((start, name))
            if implied:
                hits.append((start, implied))
    signal_of = _SIGNAL_OF
    hits.extend((match.start(), signal_of[match.group()]) for match in _WORDS.finditer(lowered))

    found: list[set[str]] = [set() for _ in spans]
    starts = [start for start, _ in spans]
    for position, name in hits:
        i = bisect_right(starts, position) - 1
        if i >= 0 and position < spans[i][1]:
            found[i].add(name)
    return found


def _score(sentence: str, total: float) -> float:
    """The sentence's score from `total`, the sum of its signals' weights."""
    if sentence.rstrip(" ”’\"'").endswith("?"):
        total -= 0.3  # a question asks; it does not claim
    if len(sentence.split(None, 5)) < 6:  # fewer than six words (at most six pieces)
        total -= 0.2
    return round(max(0.0, min(1.0, total)), 2)


def score(sentence: str) -> float:
    """How check-worthy one sentence is, from 0 to 1."""
    [signals] = _signals(sentence.lower(), [(0, len(sentence))])
    return _score(sentence, sum(map(_WEIGHTS.__getitem__, signals)))


def suggest_claims(body: str, threshold: float = THRESHOLD) -> list[ClaimSuggestion]:
    """Sentences worth checking, highest score first (text order among equals)."""
    spans = []
    for start, end in sentences(body):
        # Quote marks around a whole sentence belong to the quote, not to the claim.
        while start < end and body[start] in " \"'“‘«":
            start += 1
        while end > start and body[end - 1] in " \"'”’»":
            end -= 1
        if start < end:
            spans.append((start, end))
    lowered = body.lower()
    if len(lowered) != len(body):  # "İ" lowercases to two code points
        lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in body)
    found = []
    weight = _WEIGHTS.__getitem__
    # Weights short of the threshold by more than rounding can't reach it (the sentence's own
    # checks only lower a score): most sentences stop here.
    short = threshold - 0.01 if threshold > 0 else -math.inf
    for (start, end), signals in zip(spans, _signals(lowered, spans), strict=True):
        total = sum(map(weight, signals))
        if total < short:
            continue
        text = body[start:end]
        value = _score(text, total)
        if value >= threshold:
            found.append(ClaimSuggestion(start, end, text, value))
    found.sort(key=lambda c: (-c.score, c.start))
    return found
