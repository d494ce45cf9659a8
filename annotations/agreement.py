"""Inter-annotator agreement between layers of spans: plain Python, no Django.

Per kind (quote, mention, claim):
- exact-match F1: spans with the same kind, start and end; F1 = 2·matched / (|A| + |B|)
  (symmetric: neither layer is the gold one);
- overlap F1: spans of the same kind that share at least one character, paired one to one
  (longest shared stretch first);
- speaker agreement: the share of overlap-matched quotes whose speakers are the same (no
  speaker on either side counts as the same);
- entity agreement: the same for mentions and their entities;
- Cohen's κ over tokens: each token (a run of word characters or one other non-space
  character) is "in a span of this kind" or not, per layer;
- Krippendorff's α (nominal, over the same token labels) for any number of layers.

A corpus is the sum of its articles: counts add up, and κ and α are computed over all their
tokens together (pooled), not averaged.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import permutations

KINDS = ("quote", "mention", "claim")
_TOKEN = re.compile(r"\w+|[^\w\s]")


@dataclass(frozen=True)
class Mark:
    """One span of one layer, as agreement sees it."""

    kind: str
    start: int
    end: int
    speaker: int | None = None
    entity: int | None = None
    id: int | None = None


@dataclass
class Pair:
    """Spans of two layers that overlap (the same ones when `exact`)."""

    a: Mark
    b: Mark
    exact: bool


@dataclass
class KindCounts:
    """The raw counts of one kind between two layers (they add up over articles)."""

    a: int = 0  # spans in layer A
    b: int = 0
    exact: int = 0  # pairs with the same offsets
    overlap: int = 0  # pairs that overlap (exact ones included)
    quotes_matched: int = 0  # overlap-matched quotes…
    same_speaker: int = 0  # …with the same speaker
    mentions_matched: int = 0
    same_entity: int = 0
    tokens: Counter = field(default_factory=Counter)  # (in A, in B) -> number of tokens
    # (label of each layer) -> number of tokens labelled so: α needs no more than that
    units: Counter = field(default_factory=Counter)

    def add(self, other: KindCounts) -> None:
        for name in (
            "a",
            "b",
            "exact",
            "overlap",
            "quotes_matched",
            "same_speaker",
            "mentions_matched",
            "same_entity",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.tokens.update(other.tokens)
        self.units.update(other.units)


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def f1(matched: int, a: int, b: int) -> float | None:
    """2·matched / (a + b); None when both layers are empty (nothing to agree on)."""
    return _ratio(2 * matched, a + b)


def cohen_kappa(table: Counter) -> float | None:
    """κ of two raters' binary labels, from counts of (label A, label B)."""
    n = sum(table.values())
    if not n:
        return None
    observed = (table[(True, True)] + table[(False, False)]) / n
    a_yes = (table[(True, True)] + table[(True, False)]) / n
    b_yes = (table[(True, True)] + table[(False, True)]) / n
    expected = a_yes * b_yes + (1 - a_yes) * (1 - b_yes)
    if expected == 1:
        return 1.0  # both said the same single label everywhere: perfect, not undefined
    return (observed - expected) / (1 - expected)


def krippendorff_alpha(units: Sequence[Sequence] | Counter) -> float | None:
    """Nominal α over units, each the labels its raters gave (units with one label are not
    pairable and are left out); or a Counter of such label tuples -> how many units."""
    counted = units if isinstance(units, Counter) else Counter(map(tuple, units))
    coincidences: Counter = Counter()
    for labels, times in counted.items():
        m = len(labels)
        if m < 2:
            continue
        for i, j in permutations(range(m), 2):
            coincidences[(labels[i], labels[j])] += times / (m - 1)
    n_c: Counter = Counter()
    for (c, _k), weight in coincidences.items():
        n_c[c] += weight
    n = sum(n_c.values())
    if n <= 1:
        return None
    disagreed = sum(w for (c, k), w in coincidences.items() if c != k)
    expected = sum(n_c[c] * n_c[k] for c in n_c for k in n_c if c != k)
    if expected == 0:
        return 1.0  # one label only: no disagreement possible
    return 1 - (n - 1) * disagreed / expected


def tokens(body: str) -> list[tuple[int, int]]:
    return [m.span() for m in _TOKEN.finditer(body)]


def _covered(marks: Sequence[Mark], spans: list[tuple[int, int]], ends: list[int]) -> list[bool]:
    """Whether each token lies (at least partly) inside one of the marks (`ends`: the
    tokens' ends, for bisecting)."""
    inside = [False] * len(spans)
    for mark in marks:
        index = bisect_right(ends, mark.start)  # the first token ending after its start
        while index < len(spans) and spans[index][0] < mark.end:
            inside[index] = True
            index += 1
    return inside


def match(a: Sequence[Mark], b: Sequence[Mark]) -> list[Pair]:
    """Pairs one to one: same offsets first, then the longest overlaps."""
    pairs: list[Pair] = []
    free_a = list(a)
    free_b = list(b)
    by_place = {(m.start, m.end): m for m in free_b}
    for mark in list(free_a):
        twin = by_place.pop((mark.start, mark.end), None)
        if twin is not None:
            pairs.append(Pair(mark, twin, exact=True))
            free_a.remove(mark)
            free_b.remove(twin)
    candidates = sorted(
        (
            (min(x.end, y.end) - max(x.start, y.start), i, j)
            for i, x in enumerate(free_a)
            for j, y in enumerate(free_b)
            if x.start < y.end and y.start < x.end
        ),
        key=lambda c: (-c[0], c[1], c[2]),
    )
    used_a: set[int] = set()
    used_b: set[int] = set()
    for _, i, j in candidates:
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        pairs.append(Pair(free_a[i], free_b[j], exact=False))
    return pairs


def compare(body: str, layers: Sequence[Sequence[Mark]]) -> dict[str, KindCounts]:
    """Counts per kind for one article: pair figures between the first two layers, token
    labels of every layer (for α)."""
    spans = tokens(body)
    ends = [end for _, end in spans]
    result = {}
    for kind in KINDS:
        of_kind = [[m for m in layer if m.kind == kind] for layer in layers]
        counts = KindCounts()
        labels = [_covered(marks, spans, ends) for marks in of_kind]
        counts.units = Counter(zip(*labels, strict=True))
        if len(of_kind) >= 2:
            a, b = of_kind[0], of_kind[1]
            pairs = match(a, b)
            counts.a, counts.b = len(a), len(b)
            counts.exact = sum(p.exact for p in pairs)
            counts.overlap = len(pairs)
            if kind == "quote":
                counts.quotes_matched = len(pairs)
                counts.same_speaker = sum(p.a.speaker == p.b.speaker for p in pairs)
            if kind == "mention":
                counts.mentions_matched = len(pairs)
                counts.same_entity = sum(p.a.entity == p.b.entity for p in pairs)
            # κ's table from α's units: a handful of distinct label tuples, not every token.
            for labelled, times in counts.units.items():
                counts.tokens[labelled[:2]] += times
        result[kind] = counts
    return result


def figures(counts: KindCounts) -> dict:
    """The reported numbers of one kind (article or corpus)."""
    return {
        "count_a": counts.a,
        "count_b": counts.b,
        "exact_matches": counts.exact,
        "overlap_matches": counts.overlap,
        "exact_f1": f1(counts.exact, counts.a, counts.b),
        "overlap_f1": f1(counts.overlap, counts.a, counts.b),
        "speaker_agreement": _ratio(counts.same_speaker, counts.quotes_matched),
        "entity_agreement": _ratio(counts.same_entity, counts.mentions_matched),
        "kappa": cohen_kappa(counts.tokens),
        "alpha": krippendorff_alpha(counts.units),
        "tokens": sum(counts.tokens.values()),
    }


def disagreements(a: Sequence[Mark], b: Sequence[Mark]) -> list[tuple[Mark | None, Mark | None]]:
    """What the two layers do not agree on, in text order: (A's, B's) with None for a span
    the other layer lacks; overlapping pairs with other offsets or another speaker/entity."""
    out: list[tuple[Mark | None, Mark | None]] = []
    for kind in KINDS:
        xs = [m for m in a if m.kind == kind]
        ys = [m for m in b if m.kind == kind]
        pairs = match(xs, ys)
        paired_a = {id(p.a) for p in pairs}
        paired_b = {id(p.b) for p in pairs}
        for p in pairs:
            if not p.exact or p.a.speaker != p.b.speaker or p.a.entity != p.b.entity:
                out.append((p.a, p.b))
        out.extend((m, None) for m in xs if id(m) not in paired_a)
        out.extend((None, m) for m in ys if id(m) not in paired_b)
    return sorted(out, key=lambda pair: min(m.start for m in pair if m is not None))


def agreements(a: Sequence[Mark], b: Sequence[Mark]) -> list[Mark]:
    """A's spans that B has too: same kind, offsets, speaker and entity (curation takes
    these in one action)."""
    out = []
    for kind in KINDS:
        pairs = match([m for m in a if m.kind == kind], [m for m in b if m.kind == kind])
        out.extend(
            p.a
            for p in pairs
            if p.exact and p.a.speaker == p.b.speaker and p.a.entity == p.b.entity
        )
    return sorted(out, key=lambda m: (m.start, -m.end))
