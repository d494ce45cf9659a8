"""Small text helpers shared by services, selectors and suggesters (plain Python)."""

import re
import unicodedata

CONTEXT = 32  # characters of prefix/suffix kept with a span to find it again


def fold(text: str) -> str:
    """Case- and accent-insensitive key: "Ántony  BLINKEN" -> "antony blinken"."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def context(body: str, start: int, end: int, width: int = CONTEXT) -> tuple[str, str]:
    """The text just before and just after body[start:end]."""
    return body[max(0, start - width) : start], body[end : end + width]


def find_names(body: str, names: list[str]) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) of whole-word occurrences of any of names, longest first.

    Case matters: "Israel" is a name, "israel" in a URL slug is not what an editor means.
    """
    names = sorted({n.strip() for n in names if n.strip()}, key=len, reverse=True)
    if not names:
        return []
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names) + r")(?!\w)")
    return [(m.start(), m.end()) for m in pattern.finditer(body)]
