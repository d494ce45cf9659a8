"""Find where a span's text sits in an article body (plain Python).

Clients that know only the quoted text (plus, optionally, a little context before and
after it) get their offsets here; the server never trusts an offset it has not checked.
When an article's text is revised, `reanchor_all` carries every span to the new body.
"""

from __future__ import annotations

import bisect
import difflib
import re
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz

from annotations.text import CONTEXT


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


# --- re-anchoring after a revision of the body ------------------------------------------------
#
# A span remembers (start, end, text, prefix, suffix) against the old body. After the body is
# revised it is either
#   kept      — the diff maps it to the same offsets and the text there is unchanged;
#   moved     — found again: through the diff of old and new body (precise, also when a word
#               inside it changed), by its exact text with prefix/suffix context (a moved
#               paragraph), or by a fuzzy search for slightly changed text;
#   orphaned  — not found with confidence; the caller keeps it with its old text.
# Nothing here guesses silently: a moved span always satisfies new_body[start:end] == text.

_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
_SENTENCE_END = re.compile(r"(?<=[.!?…])(?=\s)")
_LINE = re.compile(r"[^\n]*\n*")
# How alike (0–100, rapidfuzz ratio) a changed stretch must be to the old text to be "the same
# span, slightly edited".
FUZZY_MIN_SCORE = 80.0
# Shorter texts are never placed fuzzily: a changed short name is another name.
FUZZY_MIN_LENGTH = 12
# An exact occurrence elsewhere is taken when its context matches this well (0–100)…
CONTEXT_MIN_SCORE = 60.0
# …or, without context, when it is the only occurrence of a text at least this long.
UNIQUE_MIN_LENGTH = 20
# A replaced stretch larger than this (old × new characters) is mapped proportionally instead
# of character by character (a rewrite of the whole article must not take seconds).
_SUBDIFF_MAX_CELLS = 4_000_000


class Fate(StrEnum):
    KEPT = "kept"
    MOVED = "moved"
    ORPHANED = "orphaned"


@dataclass(frozen=True)
class SpanText:
    """What a span knows about where it stood: offsets, text and context in the old body."""

    start: int
    end: int
    text: str
    prefix: str = ""
    suffix: str = ""


@dataclass(frozen=True)
class Reanchored:
    """Where a span stands in the new body. Orphaned ones keep their old offsets and text."""

    fate: Fate
    start: int
    end: int
    text: str
    how: str = ""  # "diff", "diff-fuzzy", "search", "fuzzy", "" (kept/orphaned)
    score: float = 100.0


@dataclass(frozen=True)
class _Segment:
    tag: str  # "equal", "replace", "delete", "insert"
    i1: int
    i2: int
    j1: int
    j2: int


def _offsets(parts: list[str], base: int) -> list[int]:
    """Where each part starts (and, last, where the final one ends)."""
    at = [base]
    for part in parts:
        at.append(at[-1] + len(part))
    return at


def _lines(text: str) -> list[str]:
    """Lines with the blank lines after them: a lone blank line is no unit of its own, or
    the matcher would pair blank lines and shift every paragraph after an insertion by one."""
    return [part for part in _LINE.findall(text) if part]


def _sentences(text: str) -> list[str]:
    return [part for part in _SENTENCE_END.split(text) if part]


def _tokens(text: str) -> list[str]:
    """Words, runs of white space and single punctuation marks, tiling the text."""
    return _TOKEN.findall(text)


def _chars(text: str) -> list[str]:
    return list(text)


# Coarse to fine: paragraphs first (few, mostly unique, so the matcher is fast), then the
# sentences of each changed paragraph, the words of each changed sentence, and the characters
# of each changed run of words.
_LEVELS = (_lines, _sentences, _tokens, _chars)


class BodyDiff:
    """The diff of an old and a new body, to carry offsets from one to the other.

    Lines first, then words inside changed lines, then characters inside changed words, so
    an offset inside a changed word still lands close by, and a long article diffs in
    milliseconds.
    """

    def __init__(self, old: str, new: str):
        self.old, self.new = old, new
        self.segments: list[_Segment] = self._diff(0, len(old), 0, len(new), 0)
        self._starts = [s.i1 for s in self.segments]

    def _diff(self, i1: int, i2: int, j1: int, j2: int, level: int) -> list[_Segment]:
        old, new = self.old[i1:i2], self.new[j1:j2]
        if old == new:
            return [_Segment("equal", i1, i2, j1, j2)] if old else []
        if not old or not new or level == len(_LEVELS):
            return [_Segment("replace", i1, i2, j1, j2)]
        if level == len(_LEVELS) - 1 and len(old) * len(new) > _SUBDIFF_MAX_CELLS:
            return [_Segment("replace", i1, i2, j1, j2)]
        split = _LEVELS[level]
        a, b = split(old), split(new)
        a_at, b_at = _offsets(a, i1), _offsets(b, j1)
        matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
        segments: list[_Segment] = []
        for tag, x1, x2, y1, y2 in matcher.get_opcodes():
            if tag == "equal":
                segments.append(_Segment("equal", a_at[x1], a_at[x2], b_at[y1], b_at[y2]))
            elif tag == "replace":
                segments.extend(self._diff(a_at[x1], a_at[x2], b_at[y1], b_at[y2], level + 1))
            else:
                segments.append(_Segment(tag, a_at[x1], a_at[x2], b_at[y1], b_at[y2]))
        return segments

    def _segment_of(self, char: int) -> _Segment | None:
        """The segment that holds old character `char` (insertions hold none)."""
        index = bisect.bisect_right(self._starts, char) - 1
        while index >= 0:
            segment = self.segments[index]
            if segment.i1 <= char < segment.i2:
                return segment
            if segment.i2 <= char:
                return None
            index -= 1
        return None

    def map_start(self, pos: int) -> tuple[int, bool]:
        """New offset of the boundary before old character `pos`; True when that boundary is
        certain (the character survived, or a change starts right there)."""
        if pos >= len(self.old):
            return len(self.new), True
        segment = self._segment_of(pos)
        if segment is None:
            return min(pos, len(self.new)), False
        if segment.tag == "equal":
            return segment.j1 + pos - segment.i1, True
        if pos == segment.i1:  # the span starts where a change starts: so does the new one
            return segment.j1, True
        return self._inside(segment, pos), False

    def map_end(self, pos: int) -> tuple[int, bool]:
        """New offset of the boundary after old character `pos - 1`."""
        if pos <= 0:
            return 0, True
        segment = self._segment_of(pos - 1)
        if segment is None:
            return min(pos, len(self.new)), False
        if segment.tag == "equal":
            return segment.j1 + pos - segment.i1, True
        if pos == segment.i2:  # the span ends where a change ends
            return segment.j2, True
        return self._inside(segment, pos), False

    @staticmethod
    def _inside(segment: _Segment, pos: int) -> int:
        """A proportional guess inside a changed stretch (a deleted one collapses to a point)."""
        old_len, new_len = segment.i2 - segment.i1, segment.j2 - segment.j1
        if not old_len or not new_len:
            return segment.j1
        return segment.j1 + round((pos - segment.i1) * new_len / old_len)


def context_score(body: str, start: int, end: int, prefix: str, suffix: str) -> float:
    """How well (0–100) the text around body[start:end] matches the remembered context."""
    scores = []
    if prefix:
        scores.append(fuzz.ratio(prefix, body[max(0, start - len(prefix)) : start]))
    if suffix:
        scores.append(fuzz.ratio(suffix, body[end : end + len(suffix)]))
    return sum(scores) / len(scores) if scores else 0.0


def _word_start(body: str, pos: int) -> int:
    while 0 < pos < len(body) and body[pos - 1].isalnum() and body[pos].isalnum():
        pos -= 1
    return pos


def _word_end(body: str, pos: int) -> int:
    while 0 < pos < len(body) and body[pos - 1].isalnum() and body[pos].isalnum():
        pos += 1
    return pos


def _best_bounds(text: str, body: str, start: int, end: int, radius: int = 12) -> tuple[int, int]:
    """Nudge [start, end) (an alignment of len(text) characters) to fit text best."""

    def score(s: int, e: int) -> float:
        return fuzz.ratio(text, body[s:e]) if s < e else 0.0

    for _ in range(2):
        start = max(
            range(max(0, start - radius), min(end, start + radius + 1)),
            key=lambda s: (score(s, end), -abs(s - start)),
        )
        end = max(
            range(max(start + 1, end - radius), min(len(body), end + radius) + 1),
            key=lambda e: (score(start, e), -abs(e - end)),
        )
    return start, end


def _similar(old_text: str, candidate: str) -> float:
    if not candidate:
        return 0.0
    return fuzz.ratio(old_text, candidate)


def reanchor(span: SpanText, diff: BodyDiff) -> Reanchored:
    """Find `span` (placed in diff.old) again in diff.new."""
    old_text, new = span.text, diff.new
    orphan = Reanchored(Fate.ORPHANED, span.start, span.end, old_text, "", 0.0)
    if not old_text:
        return orphan
    start, start_exact = diff.map_start(span.start)
    end, end_exact = diff.map_end(span.end)

    # 1. Through the diff: the same text where the diff says it went.
    if start < end and new[start:end] == old_text:
        if (start, end) == (span.start, span.end):
            return Reanchored(Fate.KEPT, start, end, old_text)
        return Reanchored(Fate.MOVED, start, end, old_text, "diff")

    # 2. The same text overlapping where the diff points (in repetitive text the diff may
    #    align a few characters off).
    if start < end:
        found = _exact_overlapping(span.text, new, start, end)
        if found:
            return found

    # 3. Both ends survived but the inside changed a little: the same span, edited.
    if start_exact and end_exact and start < end:
        placed = trim(new, start, end)
        candidate = new[placed.start : placed.end]
        score = _similar(old_text, candidate)
        if len(old_text) >= FUZZY_MIN_LENGTH and score >= FUZZY_MIN_SCORE:
            return Reanchored(Fate.MOVED, placed.start, placed.end, candidate, "diff-fuzzy", score)

    # 4. The exact text elsewhere (a moved paragraph), told apart by context and nearness.
    found = _search_exact(span, diff.old, new, start)
    if found:
        return found

    # 5. Slightly changed text near where the diff points, or anywhere for long texts.
    if len(old_text) >= FUZZY_MIN_LENGTH:
        found = _search_fuzzy(span, new, start, end)
        if found:
            return found
    return orphan


def _exact_overlapping(text: str, new: str, start: int, end: int) -> Reanchored | None:
    """The exact occurrence that shares most with [start, end), nearest first on ties."""
    length = len(text)
    lo, hi = max(0, start - length), min(len(new), end + length)
    best, best_key = None, None
    for s in occurrences(new[lo:hi], text):
        s += lo
        overlap = min(end, s + length) - max(start, s)
        key = (overlap, -abs(s - start))
        if overlap > 0 and (best_key is None or key > best_key):
            best, best_key = s, key
    if best is None:
        return None
    return Reanchored(Fate.MOVED, best, best + length, text, "diff")


def _search_exact(span: SpanText, old: str, new: str, near: int) -> Reanchored | None:
    starts = occurrences(new, span.text)
    if not starts:
        return None
    length = len(span.text)
    scored = [
        (context_score(new, s, s + length, span.prefix, span.suffix), -abs(s - near), s)
        for s in starts
    ]
    score, _, best = max(scored)
    has_context = bool(span.prefix or span.suffix)
    # A text that stood once in the old body and stands once in the new one is the same text
    # (however its surroundings changed); a long text too, when it stands there once.
    unique = len(starts) == 1 and (length >= UNIQUE_MIN_LENGTH or _once(old, span.text))
    if (has_context and score >= CONTEXT_MIN_SCORE) or unique:
        return Reanchored(Fate.MOVED, best, best + length, span.text, "search", score)
    return None


def _once(body: str, text: str) -> bool:
    first = body.find(text)
    return first != -1 and body.find(text, first + 1) == -1


def _search_fuzzy(span: SpanText, new: str, start: int, end: int) -> Reanchored | None:
    length = len(span.text)
    margin = length + 2 * CONTEXT
    window_start = max(0, min(start, end) - margin)
    windows = [(window_start, new[window_start : max(start, end) + margin])]
    if length >= UNIQUE_MIN_LENGTH:
        windows.append((0, new))  # a moved and edited paragraph
    for offset, window in windows:
        if len(window) < FUZZY_MIN_LENGTH:
            continue
        aligned = fuzz.partial_ratio_alignment(span.text, window, score_cutoff=FUZZY_MIN_SCORE)
        if aligned is None:
            continue
        s, e = _best_bounds(span.text, new, offset + aligned.dest_start, offset + aligned.dest_end)
        placed = trim(new, _word_start(new, s), _word_end(new, e))
        candidate = new[placed.start : placed.end]
        score = _similar(span.text, candidate)
        if score >= FUZZY_MIN_SCORE:
            return Reanchored(Fate.MOVED, placed.start, placed.end, candidate, "fuzzy", score)
    return None


def reanchor_all(old: str, new: str, spans: list[SpanText]) -> list[Reanchored]:
    """Re-anchor many spans of one body against its new version (one diff for all)."""
    diff = BodyDiff(old, new)
    return [reanchor(span, diff) for span in spans]
