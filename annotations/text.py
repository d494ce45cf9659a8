"""Small text helpers shared by services, selectors and suggesters (plain Python)."""

import re
import unicodedata

import regex

CONTEXT = 32  # characters of prefix/suffix kept with a span to find it again

# One extended grapheme cluster (UAX #29): what a reader sees as one character, such as 👍🏽
# (thumb + skin tone), 🇫🇷 (two regional indicators) or e + a combining accent.
_GRAPHEME = regex.compile(r"\X")
# A character that shows something: not white space, not a control, format or unassigned
# code point, not a mark on its own, not one that renderers ignore (U+034F, U+3164, …).
_VISIBLE = regex.compile(
    r"[^\p{White_Space}\p{Default_Ignorable_Code_Point}\p{Cc}\p{Cf}\p{Cs}\p{Cn}\p{Z}\p{M}]"
)
# Never in a name: controls, lone surrogates, bidi controls (U+202E turns "gnp.exe" around),
# and other format characters, except the joiners that some scripts and emoji need.
_NAME_FORBIDDEN = regex.compile(r"[\p{Cc}\p{Cs}\p{Bidi_Control}]|(?![\u200c\u200d])\p{Cf}")


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


def is_grapheme_boundary(text: str, pos: int) -> bool:
    """Whether text[:pos] | text[pos:] splits no user-perceived character.

    Segments from the start of pos's line: a line feed always ends a cluster, so that is
    where segmentation can start (clusters of regional indicators depend on what came
    before), and a long article costs one line, not the whole text.
    """
    if pos <= 0 or pos >= len(text):
        return True
    for match in _GRAPHEME.finditer(text, text.rfind("\n", 0, pos) + 1):
        if match.end() > pos:
            return match.start() == pos
    return True


def has_visible(text: str) -> bool:
    return _VISIBLE.search(text) is not None


def name_problem(name: str, max_length: int) -> str:
    """Why `name` cannot name an entity or be an alias, for a person to read ("" if it can).

    The folded form (stored beside it for lookups) can be longer than the name ("ß" folds
    to "ss"), and it has the same column size.
    """
    if not has_visible(name):
        return "A name needs at least one visible character."
    forbidden = _NAME_FORBIDDEN.search(name)
    if forbidden:
        char = forbidden.group()
        label = unicodedata.name(char, "a control character")
        return f"A name cannot hold U+{ord(char):04X} ({label.lower()})."
    if len(name) > max_length:
        return f"A name can have at most {max_length} characters; this one has {len(name):,}."
    if len(fold(name)) > max_length:
        return (
            f"A name can have at most {max_length} characters; written out for search, this "
            f"one has {len(fold(name)):,}."
        )
    return ""
