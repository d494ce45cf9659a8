"""Likely duplicate entities: "Anthony Blinken" ~ "Antony Blinken", "Issac" ~ "Isaac Herzog".

Only entities of the same kind are compared, and only within blocks that share the first
letters of a name word, so an archive of many thousand entities does not cost a comparison
of every pair. People are compared word by word (surname close, given names close or one an
initial of the other); a bare surname matches a full name ending with it. Other kinds are
compared as whole names.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable
from itertools import combinations

from rapidfuzz import fuzz

from annotations.text import fold

THRESHOLD = 0.85
_SURNAME = 0.85  # surnames must be this close…
_GIVEN = 0.75  # …and given names this close ("Antony"/"Anthony" 0.92, "Issac"/"Isaac" 0.8)
_BLOCK = 200  # a block larger than this is too common a prefix to say anything


def likely_duplicates(
    entities: Iterable[tuple[Hashable, str, str]], threshold: float = THRESHOLD
) -> list[tuple[Hashable, Hashable, float]]:
    """(id_a, id_b, score) for pairs that probably name the same thing, best first."""
    items = [(entity_id, fold(name), kind) for entity_id, name, kind in entities]
    blocks: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, (_, name, kind) in enumerate(items):
        for key in {word[:2] for word in name.split() if len(word) > 1}:
            blocks[(kind, key)].append(index)
    seen: set[tuple[int, int]] = set()
    found: list[tuple[Hashable, Hashable, float]] = []
    for members in blocks.values():
        if len(members) > _BLOCK:
            continue
        for i, j in combinations(members, 2):
            if (i, j) in seen:
                continue
            seen.add((i, j))
            (id_a, a, kind), (id_b, b, _) = items[i], items[j]
            score = _score(a, b, kind)
            if score >= threshold:
                found.append((id_a, id_b, round(score, 3)))
    found.sort(key=lambda pair: -pair[2])
    return found


def _score(a: str, b: str, kind: str) -> float:
    if a == b:
        return 1.0
    if kind != "PERSON":
        return fuzz.ratio(a, b) / 100
    wa, wb = a.split(), b.split()
    surname = fuzz.ratio(wa[-1], wb[-1]) / 100
    if surname < _SURNAME:
        return 0.0
    if len(wa) == 1 or len(wb) == 1:
        return 0.9 * surname  # "Blinken" and "Antony Blinken"
    given = fuzz.ratio(wa[0], wb[0]) / 100
    initial = min(len(wa[0].rstrip(".")), len(wb[0].rstrip("."))) == 1 and wa[0][0] == wb[0][0]
    if given < _GIVEN and not initial:
        return 0.0
    return max(fuzz.ratio(a, b) / 100, 0.9 if initial else 0.0)
