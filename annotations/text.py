"""Small text helpers shared by services, selectors and suggesters (plain Python)."""

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
