"""Match keys: which quotes are "the same quote" (statistics: reused quotes).

Outlets print one statement with other punctuation, a contraction, a word changed. Comparing
every quote with every other at read time costs seconds on a large archive, so the grouping is
made once, when a wording first appears, and kept:

- a quote's wording is its text normalised as the quote-match check does
  (`matching.normalise`), registered once in `QuoteWording`;
- a new wording joins the group of the first registered group-leading wording that shares one
  of its three longest words and scores at least `matching.MATCH` with it
  (`matching.normalised_similarity`); otherwise it leads a group of its own;
- the group's key (the leading wording's digest) is stored on the quote span
  (`Span.match_key`), so reused quotes are a GROUP BY speaker and key.

A wording never changes group, so a quote's key depends on its words alone: whoever writes a
quote's text (create, edit, re-anchoring, restore, suggesters, curation) sets the key with
`spans_key` or `match_keys`, and deleting a quote changes nothing for the others.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from annotations.models import QuoteWording, Span, SpanKind
from annotations.suggesters import matching

BLOCK_WORDS = 3  # a wording is compared with group leaders sharing one of its longest words
_BLOCK_MIN = 4  # letters: shorter words are too common to block on
_BLOCK_MAX = QuoteWording._meta.get_field("block1").max_length


def digest(words: str) -> str:
    return hashlib.blake2b(words.encode("utf-8"), digest_size=16).hexdigest()


def blocks(words: str) -> list[str]:
    """The wording's longest words (ties alphabetical), cut to the column's size."""
    longest = sorted({w for w in words.split() if len(w) >= _BLOCK_MIN}, key=lambda w: (-len(w), w))
    return [w[:_BLOCK_MAX] for w in longest[:BLOCK_WORDS]]


@dataclass(frozen=True)
class Wording:
    """A wording to register: QuoteWording's fields."""

    digest: str
    words: str
    key: str
    blocks: tuple[str, str, str]  # a group leader's; empty for the others

    def fields(self) -> dict:
        return {
            "digest": self.digest,
            "words": self.words,
            "key": self.key,
            "block1": self.blocks[0],
            "block2": self.blocks[1],
            "block3": self.blocks[2],
        }


class Groups:
    """Wordings being grouped: the group leaders by block, in registration order, and the new
    wordings. Also used by the migration that keys the quotes there were."""

    def __init__(self, leaders: Iterable[tuple[str, str]] = ()) -> None:
        self.leaders: dict[str, list[tuple[int, str, str]]] = {}  # block -> (order, words, key)
        self.keys: dict[str, str] = {}  # words -> key
        self.new: list[Wording] = []
        self.count = 0
        for words, key in leaders:  # the registered leaders, earliest first
            self._lead(words, key)

    def _lead(self, words: str, key: str) -> None:
        for block in blocks(words):
            self.leaders.setdefault(block, []).append((self.count, words, key))
        self.count += 1

    def key(self, words: str) -> str:
        """The key of `words`: its group's, registering the wording (in memory) when new."""
        if words in self.keys:
            return self.keys[words]
        own = blocks(words)
        candidates = sorted({leader for block in own for leader in self.leaders.get(block, ())})
        found = matching.first_match(words, [leader[1] for leader in candidates])
        if found is None:
            key = digest(words)
            self._lead(words, key)
            padded = (*own, "", "", "")
            self.new.append(Wording(key, words, key, padded[:3]))
        else:
            key = candidates[found][2]
            self.new.append(Wording(digest(words), words, key, ("", "", "")))
        self.keys[words] = key
        return key


def match_keys(texts: Iterable[str]) -> dict[str, str]:
    """Each quote text's match key, registering the wordings not seen before (in the order
    given). One query when every wording is known, three when some are new; none for none."""
    words_of = {text: matching.normalise(text) for text in texts}
    if not words_of:
        return {}
    wanted = {digest(words): words for words in words_of.values()}
    near = sorted({block for words in wanted.values() for block in blocks(words)})
    # The wordings known, and the group leaders a new one would be compared with, at once.
    rows = (
        QuoteWording.objects.filter(
            Q(digest__in=list(wanted))
            | Q(block1__in=near)
            | Q(block2__in=near)
            | Q(block3__in=near)
        )
        .order_by("id")
        .values_list("digest", "words", "key", "block1")
    )
    keys, leaders = {}, []
    for row_digest, words, key, block1 in rows:
        if row_digest in wanted:
            keys[words] = key
        if block1:
            leaders.append((words, key))
    fresh = list(dict.fromkeys(w for w in words_of.values() if w not in keys))
    if fresh:
        keys.update(_register(fresh, leaders))
    return {text: keys[words] for text, words in words_of.items()}


def _register(fresh: list[str], leaders: list[tuple[str, str]]) -> dict[str, str]:
    groups = Groups(leaders)
    for words in fresh:
        groups.key(words)
    QuoteWording.objects.bulk_create(
        [QuoteWording(**wording.fields()) for wording in groups.new], ignore_conflicts=True
    )
    # Another writer may have registered one of these wordings meanwhile: its row wins.
    return dict(
        QuoteWording.objects.filter(digest__in=[w.digest for w in groups.new]).values_list(
            "words", "key"
        )
    )


def spans_key(spans: Iterable[Span]) -> list[Span]:
    """Set match_key on the given spans in memory (quotes get theirs, others none); returns
    the spans. The caller saves them."""
    spans = list(spans)
    keys = match_keys(span.text for span in spans if span.kind == SpanKind.QUOTE)
    for span in spans:
        span.match_key = keys[span.text] if span.kind == SpanKind.QUOTE else ""
    return spans
