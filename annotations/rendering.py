"""Markup the workspace builds in Python (no HTTP): the article text with its spans, and the
long lists of the side panel.

The text is the body cut at every span boundary into properly nested <mark> elements. Spans
may overlap and nest:

    body   "Blinken said “Israel has our back”"
    quote                ^^^^^^^^^^^^^^^^^^^^^
    mention               ^^^^^^
    claim                 ^^^^^^^^^^^^^^^^^

Elements must nest, so a span that crosses another one is split into several pieces (each
piece knows whether it is the first and/or the last of its span). Spans that start earlier
(and, at the same start, end later) are outer; the text of the markup is exactly the body.

Built here, not in the template: with 1,000 overlapping spans the text is some 7,000 pieces
and the panel a thousand entries, and template loops over them cost ~0.3 s of CPU per render.
Every piece of text and every attribute value is escaped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise

from django.template.defaultfilters import floatformat
from django.utils.safestring import SafeString
from django.utils.text import Truncator

# django.utils.html.escape is SafeString(html.escape(str(text))): the same characters escaped
# the same way (& < > " '). Called directly here, without the lazy-string wrapper that makes
# Django's six times slower, because the text of a big article takes thousands of calls.
escape = html.escape


@dataclass(frozen=True, slots=True)
class Mark:
    """What the renderer needs of one span: where it is and how to show it. Any object with
    these attributes will do (the workspace passes its spans as they are)."""

    id: int
    start: int
    end: int
    kind: str
    status: str = "accepted"
    label: str = ""  # e.g. the speaker or entity, shown as a tooltip
    version: int = 0  # the span's version (the a/r keyboard shortcuts post it)
    comments: int = 0  # the length of its comment thread (a badge, drawn by CSS)


_PARAGRAPH_BREAK = re.compile(r"\n{2,}")


def _tag(mark: Mark) -> tuple[str, str]:
    """A span's opening tag before and after its is-first / is-last classes (without the
    closing ">"). The id and version are formatted as integers (:d refuses anything else), so
    they are digits only."""
    kind = escape(mark.kind)
    suggested = " is-suggested" if mark.status == "suggested" else ""
    # The badge is an attribute that CSS draws (::after), never text: the text of the
    # markup stays exactly the body, which the offsets of a selection count.
    comments = f' data-comments="{mark.comments:d}"' if mark.comments else ""
    return (
        f'<mark class="hl hl-{kind}{suggested}',
        f'" data-span-id="{mark.id:d}" data-kind="{kind}" data-version="{mark.version:d}"'
        f'{comments} title="{escape(mark.label)}"',
    )


def _text(out: list[str], text: str) -> None:
    """A stretch of text; each run of two or more line breaks (between paragraphs) in a .gap
    element of its own, which the workspace shows as a block of fixed height (paragraph
    spacing by CSS alone) while the line breaks themselves stay in the text."""
    if "\n\n" not in text:
        out.append(escape(text))
        return
    at = 0
    for match in _PARAGRAPH_BREAK.finditer(text):
        if match.start() > at:
            out.append(escape(text[at : match.start()]))
        out.append(f'<span class="gap">{escape(match.group())}</span>')
        at = match.end()
    if at < len(text):
        out.append(escape(text[at:]))


def article_html(body: str, marks: Iterable[Mark]) -> SafeString:
    """The body with a <mark> element per piece of each span (the inside of #article-text).

    Spans out of the body's range or empty are left out; ids are unique. An opening tag is
    written when its element closes (a placeholder holds its place until then): only then is
    it known whether the piece is the last of its span.
    """
    usable = sorted(
        (m for m in marks if 0 <= m.start < m.end <= len(body)),
        key=lambda m: (m.start, -m.end, m.id),
    )
    ends = {m.end for m in usable}
    cuts = sorted({0, len(body)} | {m.start for m in usable} | ends)
    out: list[str] = []
    # The open elements, outermost first: (end of the span, index in out of the opening tag,
    # first piece of the span, the tag before and after the is-first / is-last classes).
    stack: list[tuple[int, int, bool, str, str]] = []
    pending = 0  # index into `usable` of the next span to open

    def close_from(depth: int, at: int) -> None:
        """Close the elements from `depth` inwards at offset `at`."""
        for end, index, first, head, tail in reversed(stack[depth:]):
            last = " is-last" if end == at else ""
            if first:
                out[index] = f'{head} is-first{last}{tail} tabindex="0">'
            else:
                out[index] = f"{head}{last}{tail}>"
            out.append("</mark>")
        del stack[depth:]

    for a, b in pairwise(cuts):
        if a in ends:
            # The outermost element ending here closes, and every element inside it with it;
            # those ending later open again as their next piece.
            depth = next(i for i, entry in enumerate(stack) if entry[0] == a)
            again = [entry for entry in stack[depth + 1 :] if entry[0] > a]
            close_from(depth, a)
            for end, _, _, head, tail in again:
                stack.append((end, len(out), False, head, tail))
                out.append("")
        while pending < len(usable) and usable[pending].start == a:
            mark = usable[pending]
            pending += 1
            stack.append((mark.end, len(out), True, *_tag(mark)))
            out.append("")
        _text(out, body[a:b])
    close_from(0, len(body))
    return SafeString("".join(out))


# --- the side panel's lists --------------------------------------------------------------------
# One entry per span or group (a thousand with 1,000 spans), written here for the same reason
# as the text. The markup is what the template wrote, with each of its runs of white space
# (indentation) one line break: the same page for the browser. The arguments are the panel's
# groups (annotations.workspace); numbers are formatted as integers (:d), all else escaped.

_HX_TEXT = 'hx-target="#article-text" hx-swap="outerHTML"'


def quote_entries(spans) -> SafeString:
    """The <li>s of a speaker's quotes."""
    return SafeString(
        "".join(
            f'<li><button type="button" class="jump jump-quote" data-jump-to="{span.pk:d}"'
            f" data-open>“{escape(span.short)}”</button></li>"
            for span in spans
        )
    )


def suggestion_entries(items, kind: str, *, can_edit: bool) -> SafeString:
    """The <li>s of the suggestions of one kind, with accept / reject buttons for editors."""
    rows = []
    confidences: dict[float, str] = {}  # floatformat is slow, and values repeat
    for item in items:
        span = item.span
        indirect = '<span class="kind-tag">indirect</span> ' if item.indirect else ""
        if item.name and item.name != span.text:
            arrow = "— " if kind == "quote" else "→ "
            proposal = f'<span class="proposal">{arrow}{escape(item.name)}</span>'
            if item.unsure:
                # In words, not colour alone: the speaker is the suggester's guess.
                how = f" ({escape(item.evidence)})" if item.evidence else ""
                proposal = (
                    f'<span class="proposal is-unsure">{arrow}{escape(item.name)}</span> '
                    f'<span class="unsure-tag" title="The suggester guessed this speaker{how};'
                    ' check it before accepting">speaker unsure</span>'
                )
        elif kind == "quote":
            proposal = '<span class="muted">no speaker found</span>'
        else:
            proposal = ""
        if kind == "mention" and item.entity_kind:
            proposal += f' <span class="kind-tag">{escape(str(item.entity_kind))}</span>'
        confidence = ""
        if span.confidence is not None:
            value = confidences.get(span.confidence)
            if value is None:
                value = confidences[span.confidence] = escape(floatformat(span.confidence, 2))
            confidence = f'<span class="confidence" title="Confidence">{value}</span>'
        actions = ""
        if can_edit:
            vals = f"hx-vals='{{\"version\": {span.version:d}}}'"
            actions = (
                f'<div class="row-actions">\n<button type="button" class="icon accept"'
                f' hx-post="{escape(item.accept_url)}" {vals} {_HX_TEXT} title="Accept"'
                ' aria-label="Accept">✓</button>\n<button type="button" class="icon reject"'
                f' hx-post="{escape(item.reject_url)}" {vals} {_HX_TEXT} title="Reject"'
                ' aria-label="Reject">✕</button>\n</div>'
            )
        revised = ""
        if span.revised_from:
            # Accepted words that a revision changed: the old beside the new, for review.
            revised = (
                '<p class="revised"><span class="kind-tag">changed</span> was'
                f" <del>{escape(Truncator(span.revised_from).chars(110))}</del></p>\n"
            )
        rows.append(
            f'<li class="suggestion" data-suggestion="{span.pk:d}">\n'
            f'<button type="button" class="jump is-suggested jump-{escape(kind)}"'
            f' data-jump-to="{span.pk:d}" data-open>{escape(span.short)}</button>\n'
            f"{revised}"
            f'<div class="suggestion-meta">\n{indirect}\n{proposal}\n{confidence}\n</div>\n'
            f"{actions}\n</li>"
        )
    return SafeString("\n".join(rows))


def mention_suggestion_groups(
    groups, *, accept_url: str, reject_url: str, can_edit: bool
) -> SafeString:
    """The <li>s of the suggested mentions, one per entity ("Israel ×12"), each with Accept
    all / Reject all of its mentions (the bulk service, given their ids) for editors."""
    rows = []
    for group in groups:
        name = escape(group.name)
        kind = f' <span class="kind-tag">{escape(str(group.entity_kind))}</span>'
        known = "" if group.known else ' <span class="muted">new</span>'
        ids = escape(group.ids)
        actions = ""
        if can_edit:
            vals = f'hx-vals=\'{{"ids": "{ids}"}}\''
            actions = (
                f'<div class="row-actions">\n<button type="button" class="small accept"'
                f' hx-post="{escape(accept_url)}" {vals} {_HX_TEXT} hx-disabled-elt="this"'
                f' aria-label="Accept all {group.count:d} mentions of {name}">Accept all</button>'
                f'\n<button type="button" class="small" hx-post="{escape(reject_url)}" {vals}'
                f' {_HX_TEXT} hx-disabled-elt="this"'
                f' aria-label="Reject all {group.count:d} mentions of {name}">Reject all</button>'
                "\n</div>"
            )
        rows.append(
            f'<li class="suggestion suggestion-entity" data-suggestion-group="{ids}">\n'
            f'<button type="button" class="jump is-suggested jump-mention" data-jump-to="{ids}"'
            f' title="Show them one by one">{name} <span class="count">×{group.count:d}</span>'
            f"</button>\n"
            f'<div class="suggestion-meta">{kind}{known}</div>\n{actions}\n</li>'
        )
    return SafeString("\n".join(rows))


def entity_rows(groups, *, can_edit: bool) -> SafeString:
    """The <li>s of the entities mentioned (unlinked names in one), with Tag all for editors."""
    rows = []
    for group in groups:
        entity = group.key
        if entity is None:
            label = '<span class="muted">Unlinked names</span>'
            kind = link = tag = ""
        else:
            label = name = escape(entity.name)
            kind = f'<span class="kind-tag">{escape(entity.kind)}</span>'
            link = (
                f'<a class="icon-link" href="{escape(group.url)}" title="Entity page"'
                f' aria-label="Entity page of {name}">↗</a>'
            )
            tag = ""
            if can_edit:
                tag = (
                    f'<button type="button" class="small" hx-post="{escape(group.tag_url)}"'
                    f' {_HX_TEXT} title="Tag every occurrence of {name} and its aliases">'
                    "Tag all</button>"
                )
        rows.append(
            f'<li class="entity-row">\n<button type="button" class="jump"'
            f' data-jump-to="{escape(group.ids)}" title="Show each mention in turn">{label}'
            f'</button>\n{kind}\n<span class="count" title="Mentions in this article">'
            f"{group.count:d}</span>\n{link}\n{tag}\n</li>"
        )
    return SafeString("\n".join(rows))


def claim_rows(groups) -> SafeString:
    """The <li>s of the claims stated (spans linked to no claim in one), with verdicts."""
    rows = []
    for group in groups:
        claim = group.key
        if claim is None:
            label = f"“{escape(group.label)}”"
            meta = '<span class="verdict">No claim</span>'
        else:
            label = escape(group.label)
            meta = (
                f'<span class="verdict verdict-{escape(claim.verdict)}">'
                f"{escape(claim.get_verdict_display())}</span>"
            )
            if claim.claimant_name:
                meta += f" · {escape(claim.claimant_name)}"
        rows.append(
            f'<li class="claim-entry">\n<button type="button" class="jump"'
            f' data-jump-to="{escape(group.ids)}">{label}</button>\n'
            f'<div class="claim-meta">{meta}</div>\n</li>'
        )
    return SafeString("\n".join(rows))
