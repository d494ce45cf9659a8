"""Turn the bytes of an article file into a title, a clean body and a report.

Plain Python, no Django: the same cleaning runs in the import service, the admin upload,
the management commands and the suggesters' evaluation command.

Every span offset in newsdesk refers to the cleaned body, so the cleaning is deterministic
and the original text is kept beside it for provenance.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

DEFAULT_BOILERPLATE_PATTERNS: tuple[str, ...] = (
    r"advertisement",
    r"skip advertisement",
    r"(story|article) continues below( this)?( advertisement)?",
    r"read also\b.*",
    r"read more\s*[:\-–—].*",
    r"also read\s*[:\-–—].*",
    r"related\s*:.*",
    r"scroll (down )?to continue( reading)?",
    r"sponsored( content)?",
)

# Control characters other than tab/newline/CR say "this is not text", as do NUL bytes.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# In a boilerplate pattern, what would mean something else as one branch of a larger regex:
# a backreference or a group condition (the group numbers shift).
_GROUP_REFERENCE = re.compile(r"\\[1-9]|\(\?P=|\(\?\(")


class ArticleFileError(ValueError):
    """The file cannot become an article; the message says why, for a person to read."""


@dataclass(frozen=True)
class Removal:
    line: int  # 1-based line number in the original text
    text: str
    reason: str  # "boilerplate" or "repeated paragraph"


@dataclass(frozen=True)
class CleanedArticle:
    title: str
    body: str
    original: str  # the decoded text exactly as imported (BOM stripped)
    content_hash: str  # sha256 of the normalised text: same content, same hash
    removals: tuple[Removal, ...] = field(default_factory=tuple)
    # From the optional "Source: …" and "Published: 2023-10-12" lines right after the title.
    source: str = ""
    published: date | None = None

    @cached_property  # the import stores it and reports it
    def word_count(self) -> int:
        return len(self.body.split())


class Cleaner:
    """Holds the compiled boilerplate patterns so a batch compiles them once."""

    def __init__(
        self,
        boilerplate_patterns: Iterable[str] | None = None,
        max_bytes: int = 0,
        max_title: int = 0,
    ):
        patterns = (
            DEFAULT_BOILERPLATE_PATTERNS if boilerplate_patterns is None else boilerplate_patterns
        )
        patterns = list(patterns)
        self.boilerplate = [re.compile(p, re.IGNORECASE) for p in patterns]
        self.boilerplate_any = _one_regex(patterns)
        self.max_bytes = max_bytes
        self.max_title = max_title

    def clean(self, data: bytes) -> CleanedArticle:
        original, controls = self._decode(data)
        text = normalise(original) if controls else _newlines_nfc(original)
        lines = text.split("\n")

        title_index = next((i for i, line in enumerate(lines) if line.strip()), None)
        if title_index is None:
            raise ArticleFileError("The file holds only white space.")
        # Runs of white space become one space. str.split() splits at exactly the characters
        # that regex \s matches, and is five times faster than re.sub on a paragraph.
        title = " ".join(lines[title_index].split())
        if self.max_title and len(title) > self.max_title:
            # Likely a file without a title line, whose first paragraph would become one.
            raise ArticleFileError(
                f"The title (the first non-empty line) has {len(title):,} characters; the "
                f"limit is {self.max_title:,}. Put the title on a line of its own."
            )

        source, published, first_body = _header(lines, title_index + 1)
        removals: list[Removal] = []
        kept: list[tuple[str, bool]] = []  # (paragraph, blank line before it)
        blank_before = False
        previous_key = title.casefold()
        for number, raw in enumerate(lines[first_body:], start=first_body + 1):
            line = raw.strip()
            if not line:
                blank_before = True
                continue
            if self.is_boilerplate(line):
                removals.append(Removal(number, line, "boilerplate"))
                continue
            key = " ".join(line.split()).casefold()
            if key == previous_key:
                removals.append(Removal(number, line, "repeated paragraph"))
                continue
            kept.append((line, blank_before))
            blank_before = False
            previous_key = key

        if not kept:
            raise ArticleFileError(f"“{_short(title)}” has a title but no body text.")
        # A blank line (a paragraph break) survives as exactly one blank line; lines that
        # followed each other directly stay on consecutive lines.
        parts = [kept[0][0]]
        for line, blank in kept[1:]:
            parts.append("\n\n" if blank else "\n")
            parts.append(line)
        body = "".join(parts)
        return CleanedArticle(
            title=title,
            body=body,
            original=original,
            content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
            removals=tuple(removals),
            source=source,
            published=published,
        )

    def decode(self, data: bytes) -> str:
        return self._decode(data)[0]

    def _decode(self, data: bytes) -> tuple[str, int]:
        """The text, and how many stray control characters it holds."""
        if not data:
            raise ArticleFileError("The file is empty.")
        if self.max_bytes and len(data) > self.max_bytes:
            raise ArticleFileError(
                f"The file is {_size(len(data))}; the limit is {_size(self.max_bytes)}."
            )
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise ArticleFileError("The file is UTF-16; save it as UTF-8 and import it again.")
        if b"\x00" in data:
            raise ArticleFileError("The file is binary, not text (it contains NUL bytes).")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ArticleFileError(
                f"The file is not valid UTF-8 (byte {error.start}: {data[error.start : error.start + 1]!r});"
                " save it as UTF-8 and import it again."
            ) from None
        controls = len(_CONTROL.findall(text))
        if controls and controls > len(text) // 100:
            raise ArticleFileError(
                f"The file looks binary, not text ({controls} control characters)."
            )
        return text, controls

    def is_boilerplate(self, line: str) -> bool:
        if self.boilerplate_any is not None:
            return self.boilerplate_any.fullmatch(line) is not None
        return any(pattern.fullmatch(line) for pattern in self.boilerplate)


_HEADER = re.compile(r"(source|published)\s*:\s*(.*)", re.IGNORECASE)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _header(lines: list[str], start: int) -> tuple[str, date | None, int]:
    """(source, published date, index of the first body line): the optional "Source: …" and
    "Published: 2023-10-12" lines right after the title (blank lines between them allowed),
    each at most once; they are metadata, not text, so the body starts after them."""
    found: dict[str, str] = {}
    index = start
    body_start = start
    while index < len(lines):
        line = lines[index].strip()
        index += 1
        if not line:
            continue
        match = _HEADER.fullmatch(line)
        if match is None or match[1].lower() in found:
            break
        found[match[1].lower()] = " ".join(match[2].split())
        body_start = index
    published = None
    if "published" in found:
        value = found["published"]
        try:
            if not _DATE.fullmatch(value):
                raise ValueError
            published = date.fromisoformat(value)
        except ValueError:
            raise ArticleFileError(
                f"“Published: {_short(value)}” is not a date; write it as 2023-10-12."
            ) from None
    source = found.get("source", "")
    if len(source) > 200:  # Article.source's length
        raise ArticleFileError("The “Source:” line is longer than 200 characters.")
    return source, published, body_start


def normalise(text: str) -> str:
    """Newlines to \\n, Unicode to NFC, stray control characters out; nothing else changes."""
    return _CONTROL.sub("", _newlines_nfc(text))


def _newlines_nfc(text: str) -> str:
    # NFC never makes a control character, so text without any needs no _CONTROL pass.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def clean(data: bytes, **options) -> CleanedArticle:
    return Cleaner(**options).clean(data)


def _one_regex(patterns: list[str]) -> re.Pattern | None:
    """The patterns as branches of one regex (one match per line, not one per pattern), or
    None when that could match differently."""
    if not patterns or any(_GROUP_REFERENCE.search(p) for p in patterns):
        return None
    try:
        # A flag for a whole pattern, such as (?s), is an error inside a branch.
        return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
    except re.error:
        return None


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n} bytes"
