"""Find where a span's text sits in an article body (plain Python).

Clients that know only the quoted text (plus, optionally, a little context before and
after it) get their offsets here; the server never trusts an offset it has not checked.
"""

from __future__ import annotations

from dataclasses import dataclass


class AnchorError(ValueError):
    """The text cannot be placed; the message says why, for a person to read."""


@dataclass(frozen=True)
class Anchor:
    start: int
    end: int


def occurrences(body: str, text: str) -> list[int]:
    """Start offsets of every occurrence of text in body (overlapping ones included)."""
    found, at = [], body.find(text)
    while at != -1:
        found.append(at)
        at = body.find(text, at + 1)
    return found


def locate(body: str, text: str, prefix: str = "", suffix: str = "") -> Anchor:
    """The one place where text stands in body, with prefix/suffix to tell repeats apart."""
    if not text:
        raise AnchorError("The text is empty.")
    starts = occurrences(body, text)
    if not starts:
        raise AnchorError("The text does not occur in the article.")
    if prefix or suffix:
        starts = [
            s
            for s in starts
            if body[:s].endswith(prefix) and body[s + len(text) :].startswith(suffix)
        ]
        if not starts:
            raise AnchorError("The text occurs in the article, but not with that prefix/suffix.")
    if len(starts) > 1:
        raise AnchorError(
            f"The text occurs {len(starts)} times in the article; "
            "send start/end, or a prefix/suffix that tells them apart."
        )
    return Anchor(starts[0], starts[0] + len(text))


def trim(body: str, start: int, end: int) -> Anchor:
    """Shrink [start, end) so that it neither starts nor ends with white space."""
    while start < end and body[start].isspace():
        start += 1
    while end > start and body[end - 1].isspace():
        end -= 1
    return Anchor(start, end)
