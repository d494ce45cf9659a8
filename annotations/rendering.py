"""Split an article body at every span boundary into properly nested pieces (plain Python).

The workspace template turns the tokens below into elements; it writes every tag itself and
autoescapes every piece of text, so no HTML is ever built here. Spans may overlap and nest:

    body   "Blinken said “Israel has our back”"
    quote                ^^^^^^^^^^^^^^^^^^^^^
    mention               ^^^^^^
    claim                 ^^^^^^^^^^^^^^^^^

Elements must nest, so a span that crosses another one is split into several pieces (each
piece knows whether it is the first and/or the last of its span). Spans that start earlier
(and, at the same start, end later) are outer; the text of all tokens, joined, is the body.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Mark:
    """What the renderer needs of one span: where it is and how to show it."""

    id: int
    start: int
    end: int
    kind: str
    status: str = "accepted"
    label: str = ""  # e.g. the speaker or entity, shown as a tooltip
    version: int = 0  # the span's version (the a/r keyboard shortcuts post it)

    @property
    def order(self) -> tuple[int, int, int]:
        return (self.start, -self.end, self.id)


@dataclass
class Token:
    """One of: a piece of text, the opening of an element for `mark`, or a closing."""

    text: str = ""
    mark: Mark | None = None  # set on an opening token
    close: bool = False
    first: bool = False  # an opening token: the first piece of its span
    last: bool = False  # an opening token: the last piece of its span
    gap: bool = False  # a text token that is only the line breaks between two paragraphs

    @property
    def classes(self) -> str:
        """An opening token's CSS classes: its kind, suggested or not, first/last piece."""
        mark = self.mark
        if mark is None:
            return ""
        classes = f"hl hl-{mark.kind}"
        if mark.status == "suggested":
            classes += " is-suggested"
        if self.first:
            classes += " is-first"
        if self.last:
            classes += " is-last"
        return classes


@dataclass(frozen=True)
class Segment:
    """A stretch of the body between two consecutive span boundaries."""

    start: int
    end: int
    text: str
    marks: tuple[Mark, ...] = field(default_factory=tuple)  # covering it, outermost first


def segments(body: str, marks: Iterable[Mark]) -> list[Segment]:
    """The body cut at every boundary, each piece with the spans covering it."""
    usable = sorted((m for m in marks if 0 <= m.start < m.end <= len(body)), key=lambda m: m.order)
    cuts = sorted({0, len(body)} | {m.start for m in usable} | {m.end for m in usable})
    result: list[Segment] = []
    active: list[Mark] = []
    pending = 0  # index into `usable` of the next span to open
    for a, b in zip(cuts, cuts[1:], strict=False):
        active = [m for m in active if m.end > a]
        # `active` stays in span order without sorting: filtering keeps the order, and the
        # spans opening here start at `a`, after every span already open (usable is sorted).
        while pending < len(usable) and usable[pending].start == a:
            active.append(usable[pending])
            pending += 1
        result.append(Segment(a, b, body[a:b], tuple(active)))
    return result


def tokens(body: str, marks: Iterable[Mark]) -> list[Token]:
    """Open/text/close tokens that nest properly and whose text joins back into the body."""
    out: list[Token] = []
    stack: list[tuple[Mark, Token]] = []
    seen: set[int] = set()

    def close_to(depth: int, at: int) -> None:
        while len(stack) > depth:
            mark, opener = stack.pop()
            opener.last = mark.end == at
            out.append(Token(close=True))

    for segment in segments(body, marks):
        wanted = segment.marks
        common = 0
        while (
            common < len(stack)
            and common < len(wanted)
            and stack[common][0].id == wanted[common].id
        ):
            common += 1
        close_to(common, segment.start)
        for mark in wanted[common:]:
            opener = Token(mark=mark, first=mark.id not in seen)
            seen.add(mark.id)
            stack.append((mark, opener))
            out.append(opener)
        out.append(Token(text=segment.text))
    close_to(0, len(body))
    return out


_PARAGRAPH_BREAK = re.compile(r"\n{2,}")


def with_gaps(toks: list[Token]) -> list[Token]:
    """The same tokens, each run of two or more line breaks a text token of its own (gap).

    The workspace shows a gap as a block of fixed height (paragraph spacing by CSS alone),
    while its text, the line breaks themselves, stays in the DOM: the text of all tokens,
    joined, is still exactly the body.
    """
    out: list[Token] = []
    for token in toks:
        if token.mark is not None or token.close or "\n\n" not in token.text:
            out.append(token)
            continue
        at = 0
        for match in _PARAGRAPH_BREAK.finditer(token.text):
            if match.start() > at:
                out.append(Token(text=token.text[at : match.start()]))
            out.append(Token(text=match.group(), gap=True))
            at = match.end()
        if at < len(token.text):
            out.append(Token(text=token.text[at:]))
    return out


# What the workspace template loops over: one flat tuple per token, (op, a, id, kind, version,
# label), so that each turn of its loop reads plain local names (no attribute lookups, no
# filters). op is "text" or "gap" (a = the text), "open" or "first" (the first piece of its
# span; a = the CSS classes) or "close". The template escapes every value.
CLOSE = ("close", "", "", "", "", "")


def pieces(toks: list[Token]) -> list[tuple]:
    """The tokens (with gaps) as the workspace template's flat tuples."""
    out: list[tuple] = []
    for token in toks:
        mark = token.mark
        if mark is not None:
            op = "first" if token.first else "open"
            out.append((op, token.classes, mark.id, mark.kind, mark.version, mark.label))
        elif token.close:
            out.append(CLOSE)
        else:
            out.append(("gap" if token.gap else "text", token.text, "", "", "", ""))
    return out
