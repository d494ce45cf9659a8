"""Check-worthy sentences: numbers and quantities, comparisons, causes, stated facts.

Each sentence gets a score from the signals it carries (a death toll with a number scores
higher than a bare "more than"); sentences over a threshold come back ranked, best first.
The weights are deliberately few and readable, so an editor can tell why a sentence came up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from annotations.suggesters import sentences

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
    r"|hundred|hundreds|thousand|thousands|million|millions|billion|billions|trillion|dozens?"
    r"|half|double|twice|triple"
)
_SIGNALS: tuple[tuple[re.Pattern[str], float], ...] = (
    # A figure that is not a bare year ("in 2023") or a date ("October 7").
    (re.compile(r"(?<![\w.])(?!(?:19|20)\d\d\b)\d[\d,.]*(?!\w)"), 0.35),
    (re.compile(rf"\b(?:{_NUMBER_WORDS})\b", re.IGNORECASE), 0.2),
    (re.compile(r"\d\s?(?:%|per ?cent\b|percent\b)"), 0.25),
    (re.compile(r"[$£€¥]\s?\d|\d\s?(?:dollars|pounds|euros|bn|m)\b"), 0.25),
    (
        re.compile(
            r"\b(?:death toll|killed|dead|died|deaths|injured|wounded|hostages|casualties"
            r"|victims|arrested|displaced|refugees|votes|troops|cases|jobs|budget|cost|costs"
            r"|inflation|unemployment|population|rate)\b",
            re.IGNORECASE,
        ),
        0.15,
    ),
    (
        re.compile(
            r"\b(?:more than|less than|fewer than|at least|up to|nearly|almost|close to"
            r"|larger|largest|bigger|biggest|higher|highest|lower|lowest|worst|most senior"
            r"|record|doubled|tripled|increased|decreased|rose|fell|surged|plunged|compared"
            r"|than ever|for the first time)\b",
            re.IGNORECASE,
        ),
        0.2,
    ),
    (
        re.compile(
            r"\b(?:because|due to|led to|leads to|caused|causes|as a result|result of"
            r"|responsible for|blamed|in response to|so that)\b",
            re.IGNORECASE,
        ),
        0.15,
    ),
    (re.compile(r"\b(?:is|are|was|were|has|have|had)\b"), 0.05),
    (re.compile(r"\b(?:according to|said|says|reported|confirmed)\b"), 0.05),
)
_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December"
    "|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
# "October 7", "7 October": a date is not a quantity to check.
_DATES = re.compile(
    rf"\b(?:(?:{_MONTHS})\.? \d{{1,2}}(?:st|nd|rd|th)?|\d{{1,2}}(?:st|nd|rd|th)? (?:{_MONTHS}))\b"
)
_HEDGES = re.compile(
    r"\b(?:I think|we think|I believe|we hope|I hope|perhaps|maybe|might|could)\b",
    re.IGNORECASE,
)


def score(sentence: str) -> float:
    """How check-worthy one sentence is, from 0 to 1."""
    plain = _DATES.sub("a date", sentence)
    total = sum(weight for pattern, weight in _SIGNALS if pattern.search(plain))
    if sentence.rstrip(" ”’\"'").endswith("?"):
        total -= 0.3  # a question asks; it does not claim
    if _HEDGES.search(sentence):
        total -= 0.1
    if len(sentence.split()) < 6:
        total -= 0.2
    return round(max(0.0, min(1.0, total)), 2)


def suggest_claims(body: str, threshold: float = THRESHOLD) -> list[ClaimSuggestion]:
    """Sentences worth checking, highest score first (text order among equals)."""
    found = []
    for start, end in sentences(body):
        # Quote marks around a whole sentence belong to the quote, not to the claim.
        while start < end and body[start] in " \"'“‘«":
            start += 1
        while end > start and body[end - 1] in " \"'”’»":
            end -= 1
        text = body[start:end]
        value = score(text)
        if value >= threshold:
            found.append(ClaimSuggestion(start, end, text, value))
    found.sort(key=lambda c: (-c.score, c.start))
    return found
