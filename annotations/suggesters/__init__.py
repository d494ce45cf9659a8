"""Plain-Python suggesters: text in, frozen dataclasses out (no Django, no database).

- ``quotes.suggest_quotes``: direct (and indirect) quotes with their speakers;
- ``entities.suggest_mentions``: known entities and new name candidates;
- ``claims.suggest_claims``: check-worthy sentences, ranked;
- ``matching``: the same quote in other words; ``resolution``: likely duplicate entities.

The word lists they share live in ``data/`` and are read once per process; the gazetteers
from PyPI data packages (places, given names, titles) are in ``gazetteers``, and the scoring
against hand-written gold (``make eval``) in ``evaluation``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from functools import cache, lru_cache
from pathlib import Path

DATA = Path(__file__).with_name("data")


@cache
def words(name: str) -> frozenset[str]:
    """The non-comment lines of data/<name>.txt, exactly as written (case matters)."""
    lines = (DATA / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def one_of(phrases: Iterable[str]) -> str:
    """A regex that matches any of `phrases` (literal text), written as a trie.

    Python's re tries the branches of an alternation one after another, so a list of a
    hundred words costs a hundred tries at every place it is tried; the trie ("sa(?:id|ys)")
    branches on one character at a time. Greedy: where one phrase is a prefix of another, the
    longer is tried first, so callers that end the regex with ``\\b`` get whole words.
    """
    tree: dict = {}
    for phrase in phrases:
        node = tree
        for char in phrase:
            node = node.setdefault(char, {})
        node[""] = {}  # a phrase ends here
    return _trie(tree)


def _trie(node: dict) -> str:
    branches = [re.escape(char) + _trie(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    ends = "" in node
    if len(branches) == 1 and not ends:
        return branches[0]
    return "(?:" + "|".join(branches) + ")" + ("?" if ends else "")


# "Mr. Smith", "U.S. officials", "J. Smith": a period that does not end a sentence.
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "sen",
        "rep",
        "gen",
        "lt",
        "col",
        "capt",
        "maj",
        "sgt",
        "prof",
        "rev",
        "gov",
        "jr",
        "sr",
        "no",
        "vs",
        "etc",
        "inc",
        "ltd",
        "co",
        "corp",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "u.s",
        "u.k",
        "u.n",
        "e.g",
        "i.e",
    ]
)
# A sentence stop, the spaces after it and (looked at, not taken) what starts the next one.
# "[.!?…][.!?…]*", not "[.!?…]+": a pattern that opens with a plain character class lets the
# regex engine skip to the next such character instead of trying every position.
_STOP = re.compile(r"[.!?…][.!?…]*[\"'”’»)]*(\s+)(?=\S)")
_NEXT_OPENERS = frozenset("\"'“‘«")


def sentences(body: str) -> list[tuple[int, int]]:
    """(start, end) of every sentence, never across a line break."""
    return list(_sentences(body))


# The quote and claim suggesters both cut the same body into sentences: cut it once.
@lru_cache(maxsize=16)
def _sentences(body: str) -> tuple[tuple[int, int], ...]:
    out: list[tuple[int, int]] = []
    line_start = 0
    for line in body.split("\n"):
        line_end = line_start + len(line)
        start = line_start
        for stop in _STOP.finditer(body, line_start, line_end):
            following = stop.end()  # the first character of the next sentence
            first = body[following]
            if not (first.isupper() or first.isdigit() or first in _NEXT_OPENERS):
                continue
            at = stop.start()
            if body[at] == ".":
                word = body[max(start, at - 5) : at].split()
                word = word[-1].lower() if word else ""
                if word in _ABBREVIATIONS or len(word) == 1:
                    continue
            out.append((start, stop.start(1)))
            start = following
        if start < line_end and not body[start:line_end].isspace():
            out.append((start, line_end))
        line_start = line_end + 1
    return tuple(out)


def suggest_all(body: str) -> tuple[list, list, list]:
    """Every suggester over one body: (quotes, mentions, claims)."""
    # Imported here: the suggester modules import `words` from this package.
    from annotations.suggesters.claims import suggest_claims
    from annotations.suggesters.entities import suggest_mentions
    from annotations.suggesters.quotes import suggest_quotes

    mentions = suggest_mentions(body)
    return suggest_quotes(body, mentions=mentions), mentions, suggest_claims(body)


def throughput(text: str, chunk: int = 20_000) -> float:
    """MB of text per second that all the suggesters together get through on one core.

    The text is cut into article-sized pieces at paragraph breaks, because that is how the
    suggesters run in the product (one article at a time).
    """
    pieces = _pieces(text, chunk)
    # Once per process, not per megabyte: import the suggesters, read the word lists.
    suggest_all("“We are ready,” Ann Lee said in Paris.")
    began = time.perf_counter()
    for piece in pieces:
        suggest_all(piece)
    seconds = time.perf_counter() - began
    return len(text.encode("utf-8")) / 1_000_000 / max(seconds, 1e-9)


def _pieces(text: str, size: int) -> list[str]:
    pieces, start = [], 0
    while start < len(text):
        end = text.find("\n\n", start + size)
        end = len(text) if end == -1 else end
        pieces.append(text[start:end].strip("\n"))
        start = end + 2
    return [piece for piece in pieces if piece]
