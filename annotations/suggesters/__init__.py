"""Plain-Python suggesters: text in, frozen dataclasses out (no Django, no database).

- ``quotes.suggest_quotes``: direct (and indirect) quotes with their speakers;
- ``entities.suggest_mentions``: known entities and new name candidates;
- ``claims.suggest_claims``: check-worthy sentences, ranked;
- ``matching``: the same quote in other words; ``resolution``: likely duplicate entities.

The word lists they share live in ``data/`` and are read once per process.
"""

from __future__ import annotations

import re
import time
from functools import cache
from pathlib import Path

DATA = Path(__file__).with_name("data")


@cache
def words(name: str) -> frozenset[str]:
    """The non-comment lines of data/<name>.txt, exactly as written (case matters)."""
    lines = (DATA / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


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
_STOP = re.compile(r"[.!?…]+[\"'”’»)]*(?=\s)")


def sentences(body: str) -> list[tuple[int, int]]:
    """(start, end) of every sentence, never across a line break."""
    out: list[tuple[int, int]] = []
    line_start = 0
    for line in body.split("\n"):
        line_end = line_start + len(line)
        start = line_start
        for stop in _STOP.finditer(body, line_start, line_end):
            end = stop.end()
            rest = body[end:line_end].lstrip()
            if not rest or not (rest[0].isupper() or rest[0].isdigit() or rest[0] in "\"'“‘«"):
                continue
            word = body[max(start, stop.start() - 5) : stop.start()].split()
            word = word[-1].lower() if word else ""
            if stop.group()[0] == "." and (word in _ABBREVIATIONS or len(word) == 1):
                continue
            out.append((start, end))
            start = end + (len(body[end:line_end]) - len(rest))
        if body[start:line_end].strip():
            out.append((start, line_end))
        line_start = line_end + 1
    return out


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
