"""Entity mentions: known entities from a gazetteer, plus new names found by their shape.

Two passes over the body:

1. Every name and alias of the known entities, in one Aho-Corasick pass (pyahocorasick),
   case-insensitive, whole words only, longest match first.
2. Capitalised word sequences ("US Secretary of State Antony Blinken", "Ms. Janet K. Doe")
   split into what the shipped lists and the PyPI gazetteers recognise (titles, countries,
   subdivisions and cities, regions, nationalities, well-known bodies) and unknown runs whose
   kind is read from evidence: a title or role word before it, or a given name first, makes
   a PERSON; an organisation word ("Ministry", "Inc", "Times") an ORG; a street or river word
   a LOC; a surname of a person named in full in the article that person. Without evidence
   a run is a low-confidence ORG, and a lone unknown word is kept only off a sentence start,
   at low confidence. Prizes, festivals, laws, storms, wars and cups are no entities, nor are
   titles of works in quote marks, signs in capitals, holidays, and a lone capitalised word
   that the article also writes in lower case. A bare surname or given name is the person
   introduced first with it; an all-caps dateline, "X County" and "X, Ore." are places.

Known entities win where the two passes overlap. A new name that editors rejected as its kind
more often than they accepted it comes back at a lower confidence, as the kind they chose
instead, or not at all (`weigh`).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

import ahocorasick

from annotations.suggesters import gazetteers, words

ORIGIN = "suggester:entities"

PERSON, ORG, GPE, LOC, NORP = "PERSON", "ORG", "GPE", "LOC", "NORP"
TITLE = "TITLE"  # a segment kind only: never a mention by itself


@dataclass(frozen=True)
class MentionSuggestion:
    start: int
    end: int
    text: str
    entity_id: int | None  # set when a known entity matched
    name: str  # the known entity's canonical name, or the new candidate's name
    kind: str
    confidence: float


# ---------------------------------------------------------------------------------------
# Known entities


class Gazetteer:
    """Known entities and their aliases, compiled into one Aho-Corasick automaton, and what
    editors decided about the new names suggested before (see `weigh`)."""

    def __init__(
        self,
        entries: Iterable[tuple[int, str, str, Sequence[str]]] = (),
        decisions: Iterable[tuple[str, str, int, int]] = (),
    ):
        """`entries`: the archive's accepted entities (id, name, kind, aliases); they win over
        any guess. `decisions`: (name, kind, accepted, rejected) of new names suggested before,
        how many times editors accepted and rejected that name as that kind."""
        self.decisions = _tally(decisions)
        self.automaton = ahocorasick.Automaton()
        self.surnames: dict[str, list[tuple[int, str, str]]] = {}
        self.size = 0
        for entity_id, name, kind, aliases in entries:
            for alias in (name, *aliases):
                key = _key(alias.strip())
                if len(key) < 2:
                    continue
                # A one-word alias written with a capital ("Turkey", "Bush") only matches
                # capitalised text, so common words are not mistaken for names.
                capital = " " not in key and alias.strip()[:1].isupper()
                self.automaton.add_word(key, (len(key), entity_id, name, kind, capital))
                self.size += 1
            if kind == PERSON and len(name.split()) > 1:
                self.surnames.setdefault(name.split()[-1], []).append((entity_id, name, kind))
        if self.size:
            self.automaton.make_automaton()

    def with_decisions(self, decisions: Iterable[tuple[str, str, int, int]]) -> Gazetteer:
        """The same known entities with other decisions: the automaton is shared, not rebuilt
        (editors decide suggestions far more often than they change entities)."""
        other = copy.copy(self)
        other.decisions = _tally(decisions)
        return other

    def find(self, body: str, lowered: str) -> list[MentionSuggestion]:
        if not self.size:
            return []
        found = []
        for last, (length, entity_id, name, kind, capital) in self.automaton.iter(lowered):
            start, end = last - length + 1, last + 1
            if not _whole_word(body, start, end):
                continue
            if capital and not body[start].isupper():
                continue
            found.append(MentionSuggestion(start, end, body[start:end], entity_id, name, kind, 0.9))
        return _longest_first(found)

    def by_surname(self, surname: str) -> tuple[int, str, str] | None:
        people = self.surnames.get(surname, [])
        return people[0] if len(people) == 1 else None


def _key(text: str) -> str:
    return text.lower().translate(_FOLD)


# Same-length replacements only: offsets in the folded copy must equal offsets in the body.
_FOLD = str.maketrans({"’": "'", "‘": "'", "\u00a0": " ", "‐": "-", "‑": "-"})


def _lowered(body: str) -> str:
    lowered = body.lower()
    if len(lowered) != len(body):  # "İ" lowercases to two code points: fold one by one
        lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in body)
    return lowered.translate(_FOLD)


def _whole_word(body: str, start: int, end: int) -> bool:
    before = body[start - 1] if start else " "
    after = body[end] if end < len(body) else " "
    return not (before.isalnum() or after.isalnum())


def _longest_first(found: list[MentionSuggestion]) -> list[MentionSuggestion]:
    found.sort(key=lambda m: (m.start, m.start - m.end))
    kept: list[MentionSuggestion] = []
    for mention in found:
        if kept and mention.start < kept[-1].end:
            continue
        kept.append(mention)
    return kept


# ---------------------------------------------------------------------------------------
# New names

_UPPER = "".join(chr(c) for c in range(0x250) if chr(c).isupper())
_LOWER_PARTICLES = "de|del|della|da|di|du|dos|la|le|van|von|der|den|ter|bin|ibn|al|el|abu|y"
# An honorific or a middle initial keeps its period inside a name: "Ms. Ortega", "Janet K. Doe".
# Read as an optional period after a word, checked by looking back at the word, so a word
# with no period after it costs one failed character test.
_HONORIFICS = (
    "Mr Mrs Ms Mx Dr Det Prof Sen Sgt Supt St Rep Rev Gov Gen Lt Col Capt Cmdr Cllr Jr Fr Hon Insp"
)
_DOT = (
    r"(?:\.(?=[ \u00a0])(?:"
    + "|".join(rf"(?<=\b{h}\.)" for h in _HONORIFICS.split())
    + rf"|(?<=\b[{_UPPER}]\.)(?=[ \u00a0]+[{_UPPER}])))?"
)
# A capitalised word: "Blinken", "O’Brien", "Al-Aqsa", "U.S."; "Iran-backed" gives "Iran".
_WORD = (
    rf"(?:[{_UPPER}]\.){{2,}}"
    rf"|(?:(?:al|el)-)?[{_UPPER}][\w]*(?:['’][{_UPPER}]\w*)?(?:-[{_UPPER}]\w*)*{_DOT}"
)
# "and"/"&" join words of one name only inside an organisation's name ("Office of Management
# and Budget", "Procter & Gamble") or a known place ("Bosnia and Herzegovina").
_GLUE = rf"(?:of|of the|for|for the|on|and|&|{_LOWER_PARTICLES})"
# The first word of a sequence is _WORD, not after a letter, rewritten to start with its first
# character ("A", "a" of "al-"): a regex that starts with a character class lets the engine
# skip straight to the next capital instead of trying the whole pattern at every position.
_ENDING = rf"(?:['’][{_UPPER}]\w*)?(?:-[{_UPPER}]\w*)*"
_FIRST_WORD = (
    rf"[{_UPPER}ae](?<!\w.)"
    rf"(?:(?<=[{_UPPER}])\.(?:[{_UPPER}]\.)+"  # U.S.
    rf"|(?<=[ae])l-[{_UPPER}]\w*{_ENDING}"  # al-Aqsa
    rf"|(?<=[{_UPPER}])\w*{_ENDING}{_DOT})"  # Blinken, O’Brien, Al-Aqsa, Ms., K.
)
# "Children's Trust", "Traders' Association": a possessive joins words of one name (the split
# below keeps it only before an organisation word).
_POSSESSIVE = r"['’]s?(?=[ \u00a0])"
_SEQUENCE = re.compile(
    rf"{_FIRST_WORD}(?:(?:{_POSSESSIVE})?[ \u00a0]+(?:{_GLUE}[ \u00a0]+)?(?:{_WORD}))*(?!\w)"
)
_TOKEN = re.compile(
    rf"[{_UPPER}](?:\.(?:[{_UPPER}]\.)+|\w*{_ENDING}{_DOT})|(?:al|el)-[{_UPPER}]\w*{_ENDING}"
    rf"|[a-z]+|&|{_POSSESSIVE}"
)
_PARTICLES = frozenset(_LOWER_PARTICLES.split("|"))
_PLACE_PREPOSITIONS = frozenset({"in", "at", "near", "across", "throughout", "outside", "inside"})
# Before these, a sentence or a clause starts, so a capital says nothing about a name.
_SKIP_BACK = frozenset(" \t\u00a0\"'“”‘’«»([")
_OPENERS = frozenset(".!?:;•…\"“‘'([\n—–-")


@dataclass(frozen=True)
class _Lists:
    phrases: dict[tuple[str, ...], str]  # token tuple -> GPE, LOC, NORP, ORG or TITLE
    sizes: dict[str, tuple[int, ...]]  # first token -> lengths of its phrases, longest first
    org_words: frozenset[str]
    stop: frozenset[str]


def _lists() -> _Lists:
    global _LISTS_CACHE
    if _LISTS_CACHE is None:
        phrases: dict[tuple[str, ...], str] = {}
        # Later lists win a tie: "Georgia" is a country before it is a US state, and
        # "Amazon" a river; titles come last so "General" is a title, not a word of a name.
        # Multi-word places from the PyPI gazetteers ("New South Wales", "Palo Alto") first,
        # so the shipped lists win a tie; one-word places are only read for unknown runs,
        # because many are also surnames ("Bell", "Hale").
        for phrase, kind in gazetteers.places().items():
            if " " in phrase:
                phrases[tuple(_TOKEN.findall(phrase))] = kind
        for name, kind in (
            ("cities", GPE),
            ("countries", GPE),
            ("regions", LOC),
            ("nationalities", NORP),
            ("organisations", ORG),
            ("titles", TITLE),
        ):
            for phrase in words(name):
                phrases[tuple(_TOKEN.findall(phrase))] = kind
                if kind == TITLE and not phrase.endswith("."):
                    phrases[tuple(_TOKEN.findall(phrase + ". "))] = kind  # "Sen." too
        _LISTS_CACHE = _Lists(
            phrases=phrases,
            sizes=_sizes(phrases),
            org_words=words("org_words"),
            stop=words("stopwords"),
        )
    return _LISTS_CACHE


_LISTS_CACHE: _Lists | None = None


def _sizes(phrases: Iterable[tuple[str, ...]]) -> dict[str, tuple[int, ...]]:
    by_first: dict[str, set[int]] = {}
    for phrase in phrases:
        by_first.setdefault(phrase[0], set()).add(len(phrase))
    return {first: tuple(sorted(sizes, reverse=True)) for first, sizes in by_first.items()}


@dataclass(slots=True)
class _Segment:
    start: int
    end: int
    tokens: tuple[str, ...]
    kind: str | None  # None: an unknown run, to be guessed
    initial: bool = False  # starts a sentence
    after_title: bool = False
    after_place_word: bool = False  # set on unknown runs only: nothing else reads it
    has_org_word: bool = False


def _segments(body: str) -> list[_Segment]:
    """Capitalised sequences, split into known phrases and unknown runs."""
    out: list[_Segment] = []
    for match in _SEQUENCE.finditer(body):
        lead, pieces = _split(match.group())
        base = match.start()
        for piece in pieces:
            segment = _Segment(
                base + piece.start,
                base + piece.end,
                piece.tokens,
                piece.kind,
                after_title=piece.after_title,
                has_org_word=piece.has_org_word,
            )
            if piece.opens:
                segment.initial = _is_initial(body, base + lead)
            if piece.first and piece.kind is None:
                word = _previous_word(body, base + lead)
                segment.after_place_word = word in _PLACE_PREPOSITIONS
            out.append(segment)
    return out


@dataclass(frozen=True, slots=True)
class _Piece:
    """A segment of one capitalised sequence, as far as the sequence alone tells."""

    start: int  # offsets in the sequence
    end: int
    tokens: tuple[str, ...]
    kind: str | None
    after_title: bool
    has_org_word: bool
    opens: bool  # starts with the sequence: initial if the sequence starts a sentence
    first: bool  # the sequence's first piece: a place if "in" comes before the sequence


# Names recur in an article ("Lowland Tourism Federation", "Mr Marino"): split each once.
@lru_cache(maxsize=4096)
def _split(text: str) -> tuple[int, tuple[_Piece, ...]]:
    """(where the first word starts, the pieces) of one capitalised sequence."""
    lists = _lists()
    if " " not in text and "\u00a0" not in text:
        # Most sequences are one word ("The", "He", "Israel"): decide those quickly.
        if text in lists.stop:
            return 0, ()
        kind = lists.phrases.get((text,))
        if kind:
            if kind == TITLE:
                return 0, ()
            return 0, (_Piece(0, len(text), (text,), kind, False, False, True, True),)
        if text[0].islower():  # "al-Aqsa" alone: a lower-case word never starts a run
            return 0, ()
        org = text in lists.org_words
        return 0, (_Piece(0, len(text), (text,), None, False, org, True, True),)
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
    i, n = 0, len(tokens)
    run: list[tuple[int, int, str]] = []
    pieces: list[_Segment] = []

    def flush(run=run, pieces=pieces):
        if run:
            # Glue words never end a run ("Bank of" is "Bank").
            while run and (run[-1][2][0].islower() or run[-1][2][0] in "&'’"):
                run.pop()
            if run:
                pieces.append(_Segment(run[0][0], run[-1][1], tuple(t for _, _, t in run), None))
            run.clear()

    while i < n:
        word = tokens[i][2]
        if word in lists.stop:  # "But", "The", "Saturday": never part of a name
            flush()
            i += 1
            continue
        # Only the lengths of the phrases that start with this word, longest first.
        matched = False
        for size in lists.sizes.get(word, ()):
            if size > n - i:
                continue
            phrase = tuple(t for _, _, t in tokens[i : i + size])
            kind = lists.phrases.get(phrase)
            if kind and size == 1 and _given_name_first(word, tokens, i, lists):
                break  # "Sofia Eriksson", "Paris Hilton": a given name, not the city
            if kind:
                flush()
                start, end = tokens[i][0], tokens[i + size - 1][1]
                pieces.append(_Segment(start, end, phrase, kind))
                i += size
                matched = True
                break
        if matched:
            continue
        if word[0] in "'’":
            # A possessive stays inside a name before an organisation word only.
            if run and i + 1 < n and tokens[i + 1][2] in lists.org_words:
                run.append(tokens[i])
            else:
                flush()
            i += 1
            continue
        if word in ("of", "for") and run and _ends_name(run, lists):
            flush()  # "Olivia Grant of the Greens", "Northfield Research for the Post"
            i += 1
            continue
        if word in ("and", "&"):
            # Inside an organisation's name only: "Office of Management and Budget".
            ahead = (t for *_, t in tokens[i + 1 : i + 5])
            if run and (
                word == "&"
                or not lists.org_words.isdisjoint(t for *_, t in run)
                or not lists.org_words.isdisjoint(ahead)
            ):
                run.append(tokens[i])
            else:
                flush()
            i += 1
            continue
        if word[0].islower() and word not in _PARTICLES and not run:
            i += 1  # glue between two known phrases: "President of the United States"
            continue
        if i + 1 < n and _is_role(word, tokens[i + 1][2], lists):
            flush()  # "Majority Leader Tom Reyes": a role before a name, not a name
            pieces.append(_Segment(tokens[i][0], tokens[i][1], (word,), TITLE))
            i += 1
            continue
        run.append(tokens[i])
        i += 1
    flush()
    # A run just before a title describes the person ("Senate Majority Leader"), unless it
    # ends as an organisation does ("Finance Ministry spokesman").
    pieces[:] = [
        piece
        for piece, after in zip(pieces, [*pieces[1:], None], strict=False)
        if not (
            piece.kind is None
            and after is not None
            and after.kind == TITLE
            and piece.tokens[-1] not in lists.org_words
        )
    ]

    lead = tokens[0][0]
    # Marks, not facts: `initial` on the piece that starts with the sequence, which the
    # merges below pass on; `after_place_word` on the first piece (a merge drops it).
    for index, piece in enumerate(pieces):
        piece.initial = index == 0 and piece.start == lead
        piece.after_place_word = index == 0
        if index and pieces[index - 1].kind == TITLE:
            piece.after_title = True
        if piece.kind is None:
            piece.has_org_word = "&" in piece.tokens or not lists.org_words.isdisjoint(piece.tokens)
    merged = _merge_organisations(text, pieces)
    return lead, tuple(
        _Piece(
            p.start,
            p.end,
            p.tokens,
            p.kind,
            p.after_title,
            p.has_org_word,
            p.initial,
            p.after_place_word,
        )
        for p in merged
        if p.kind != TITLE
    )


def _given_name_first(word: str, tokens, i: int, lists: _Lists) -> bool:
    """A city's name that is also a given name, followed by a capitalised word that no list
    knows: the start of a person's name."""
    if lists.phrases.get((word,)) != GPE or word not in gazetteers.first_names():
        return False
    if word in words("countries") or i + 1 >= len(tokens):
        return False
    following = tokens[i + 1][2]
    rest = {token for *_, token in tokens[i + 1 :]}
    return (
        following[:1].isupper()
        and following not in lists.stop
        and following not in lists.sizes
        and rest.isdisjoint(lists.org_words)
        and rest.isdisjoint(_LOC_WORDS)
    )


def _is_role(word: str, following: str, lists: _Lists) -> bool:
    """A capitalised role word ("Leader", "Brigadier") that nameparser lists as a title,
    followed by a given name: "King Charles" but not "Stephen King" nor "Sister Pictures"."""
    firsts = gazetteers.first_names()
    return (
        word.lower() in gazetteers.role_words()
        and _given(following, firsts)
        and word not in lists.org_words
        and word not in firsts
    )


def _ends_name(run: list[tuple[int, int, str]], lists: _Lists) -> bool:
    """Whether "of"/"for" after `run` starts something else: after a person's name, or after
    a name that does not end with an organisation word ("Bank of", "Institute for" go on)."""
    last = run[-1][2]
    if last in lists.org_words or last[0].islower():
        return False
    return len(run) > 1  # "University of Hawaii", "Members of …": decided later


def _merge_organisations(body: str, pieces: list[_Segment]) -> list[_Segment]:
    """An organisation word takes in the places around it: "Middle East Institute",
    "Palestinian Authority", "Bank of England" are each one ORG."""
    merged: list[_Segment] = []
    for piece in pieces:
        org_run = piece.kind is None and piece.has_org_word
        if org_run:
            while (
                merged
                and merged[-1].kind in _PLACES
                and not body[merged[-1].end : piece.start].strip()
            ):
                before = merged.pop()
                piece = _Segment(
                    before.start,
                    piece.end,
                    before.tokens + piece.tokens,
                    None,
                    initial=before.initial,
                    has_org_word=True,
                )
        elif (
            piece.kind in _PLACES
            and merged
            and merged[-1].kind is None
            and merged[-1].has_org_word
            and _GAP.fullmatch(body[merged[-1].end : piece.start])
        ) or (
            # "NHS England", "BBC Wales": a body's branch for a country is one name.
            piece.kind == GPE
            and merged
            and merged[-1].kind == ORG
            and body[merged[-1].end : piece.start] == " "
        ):
            before = merged.pop()
            piece = _Segment(
                before.start,
                piece.end,
                before.tokens + piece.tokens,
                None,
                initial=before.initial,
                has_org_word=True,
            )
        merged.append(piece)
    return merged


_PLACES = (GPE, LOC, NORP, ORG)
_GAP = re.compile(r"[ \u00a0]+(?:of|for)(?: the)?[ \u00a0]+")


def _is_initial(body: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and body[i] in _SKIP_BACK:
        i -= 1
    return i < 0 or body[i] in _OPENERS


def _previous_word(body: str, start: int) -> str:
    window = body[max(0, start - 20) : start].split()
    return window[-1].lower() if window else ""


def _new_names(body: str) -> list[MentionSuggestion]:
    lists = _lists()
    segments = _segments(body)
    firsts = gazetteers.first_names()
    # Words seen capitalised away from a sentence start: a name's, not just an opening's.
    inside = {
        token for seg in segments if seg.kind is None and not seg.initial for token in seg.tokens
    }
    segments = [_trim_opening(body, seg, lists, inside) for seg in segments]

    # Who is a person: a run after a title or a role word, or one that starts with a given
    # name. Their surnames then name them wherever they stand alone ("Mr. Vos", "Vos said").
    # surname -> full name. The first introduction wins: a bare surname is the article's own
    # subject ("Margaret Loiselle … Loiselle"), not a relative named later ("her father,
    # Arthur Loiselle"), whom the writer keeps naming in full.
    people: dict[str, str] = {}
    for seg in segments:
        if (
            seg.kind is None
            and not seg.has_org_word
            and 1 < len(seg.tokens) <= 4
            and seg.tokens[-1] not in _LOC_WORDS
            and seg.tokens[-1] not in _AREA_WORDS
        ):
            role = seg.after_title or _after_role(body, seg.start)
            if (
                role
                or _given(seg.tokens[0], firsts)
                or _before_verb(body, seg.end)
                or _after_verb(body, seg.start)
            ):
                people.setdefault(seg.tokens[-1], " ".join(seg.tokens))

    givens: dict[str, str] = {}  # given name -> the full name, where only one person has it
    for full in people.values():
        first = full.split()[0]
        givens[first] = "" if first in givens and givens[first] != full else full

    found: list[MentionSuggestion] = []
    for seg in segments:
        if seg.kind == TITLE or not seg.tokens:
            continue
        text = body[seg.start : seg.end]
        if seg.kind is not None:
            if _STORM_BEFORE.search(body, max(0, seg.start - 10), seg.start):
                continue  # "Hurricane Odessa" is a storm, not the city
            found.append(MentionSuggestion(seg.start, seg.end, text, None, text, seg.kind, 0.8))
            continue
        kind, name, confidence = _guess(body, seg, text, people, inside, lists, givens)
        if kind:
            found.append(MentionSuggestion(seg.start, seg.end, text, None, name, kind, confidence))
    return found


def _given(word: str, firsts: dict[str, str]) -> bool:
    """A given name, or an initial ("J. Smith")."""
    return word in firsts or (len(word) == 2 and word.endswith("."))


def _after_role(body: str, start: int) -> bool:
    """A lower-case role word just before: "economist Dana Whitfield", "aide Mara Klein",
    "A spokesman, Kush Desai"."""
    word = _previous_word(body, start).rstrip(",")
    return word in gazetteers.role_words() or word in ROLES


def _before_verb(body: str, end: int) -> bool:
    """A reporting verb right after the name, or after an appositive: "Kush Desai said",
    "Losa Tavita, the finance minister, said"."""
    return _SAID.match(body, end) is not None or _APPOSITIVE_SAID.match(body, end) is not None


def _after_verb(body: str, start: int) -> bool:
    """A reporting verb right before the name: "…,” said Mele Fonua"."""
    return _previous_word(body, start) in ("said", "says")


_SAID = re.compile(r"[ \u00a0]+(?:said|says|told|added|wrote|explained|insisted)\b")
# ", a lawyer for the family, said": a lower-case start, so no list of names ("Ann, Bo and
# Cy said") reads as one.
_APPOSITIVE_SAID = re.compile(
    r",[ \u00a0]+(?:a|an|the|who|whose|its|his|her|their)\b[^,;.”\"\n]{1,80},[ \u00a0]+"
    r"(?:said|says|told|added|wrote|explained|insisted)\b"
)


# Roles that nameparser's titles leave out but news puts before names.
ROLES = frozenset(
    [
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "analyst",
        "economist",
        "aide",
        "striker",
        "midfielder",
        "defender",
        "goalkeeper",
        "manager",
        "boss",
        "farmer",
        "co-author",
        "author",
        "researcher",
        "resident",
        "chairman",
        "chairwoman",
        "founder",
        "co-founder",
        "partner",
        "lawyer",
        "attorney",
        "negotiator",
        "forecaster",
    ]
)


def _trim_opening(body: str, seg: _Segment, lists: _Lists, inside: set[str]) -> _Segment:
    """Drop a sentence's capitalised first word from a run when nothing says it belongs to
    the name: "Members of Eastmere District Council", "Leaving Kabul"."""
    tokens = seg.tokens
    if not (seg.initial and seg.kind is None and len(tokens) > 1):
        return seg
    first = tokens[0]
    if first in gazetteers.first_names() or first in inside:
        return seg
    rest = list(tokens[1:])
    while rest and rest[0][0].islower():
        rest.pop(0)
    if not rest:
        return seg
    rest_org = not lists.org_words.isdisjoint(rest)
    if seg.has_org_word and not rest_org:
        return seg  # "Bank of England": the first word is the organisation's own
    if not seg.has_org_word and not (first.endswith(("s", "ing", "ed", "ly")) or rest_org):
        return seg  # "Harbour Freight": keep what may be a name
    start = body.index(rest[0], seg.start + len(first))
    return _Segment(start, seg.end, tuple(rest), None, has_org_word=rest_org)


# The last word of a name that makes it a place that is no country or city ("Murray River",
# "Station Road"), or a thing that is no entity of ours (prizes, festivals, laws).
_LOC_WORDS = frozenset(
    [
        "Street",
        "Road",
        "Drive",
        "Avenue",
        "Lane",
        "Boulevard",
        "Square",
        "River",
        "Sea",
        "Ocean",
        "Mountains",
        "Mountain",
        "Lake",
        "Bay",
        "Gulf",
        "Valley",
        "Island",
        "Islands",
        "Desert",
        "Coast",
        "Gulch",
        "Canyon",
        "Creek",
        "Forest",
        "Peninsula",
        "Strait",
        "Reef",
        "Hills",
        "Falls",
        "Highway",
        "Motorway",
        "Side",
        "Range",
        "Arena",
        "Stadium",
        "Airport",
        "Bend",
        "Plains",
        "Basin",
        "Aquifer",
    ]
)
_NOT_ENTITY_WORDS = frozenset(
    [
        "Prize",
        "Award",
        "Awards",
        "Festival",
        "Act",
        "Bill",
        "Treaty",
        "Accord",
        "Agreement",
        "Deal",
        "Day",
        "Week",
        "Summit",
        "Conference",
        "Expo",
        "Fair",
        "Tour",
        "Marathon",
        "Olympics",
        "Trophy",
        "Medal",
        "Lecture",
        # Events: "Champions Cup", "Civil War", "Pinecliff Fire", "Tropical Storm Irene".
        "Cup",
        "Championships",  # not "Championship": England's second football league
        "Games",
        "War",
        "Fire",
        "Storm",
        "Hurricane",
        "Typhoon",
        "Cyclone",
    ]
)
# A first word that makes the name an event: "Hurricane Imelda", "Storm Ciarán".
_EVENT_FIRST = frozenset(["Hurricane", "Typhoon", "Cyclone", "Storm", "Tropical"])
_STORM_BEFORE = re.compile(r"(?:Hurricane|Typhoon|Cyclone|Storm)[ \u00a0]$")
# US states as news agencies abbreviate them after a place name (AP style): "PORTLAND, Ore.".
_STATES = {
    "Ala": "Alabama",
    "Ariz": "Arizona",
    "Ark": "Arkansas",
    "Calif": "California",
    "Colo": "Colorado",
    "Conn": "Connecticut",
    "Del": "Delaware",
    "Fla": "Florida",
    "Ga": "Georgia",
    "Ill": "Illinois",
    "Ind": "Indiana",
    "Kan": "Kansas",
    "Ky": "Kentucky",
    "La": "Louisiana",
    "Md": "Maryland",
    "Mass": "Massachusetts",
    "Mich": "Michigan",
    "Minn": "Minnesota",
    "Miss": "Mississippi",
    "Mo": "Missouri",
    "Mont": "Montana",
    "Neb": "Nebraska",
    "Nev": "Nevada",
    "Okla": "Oklahoma",
    "Ore": "Oregon",
    "Pa": "Pennsylvania",
    "Tenn": "Tennessee",
    "Tex": "Texas",
    "Vt": "Vermont",
    "Va": "Virginia",
    "Wash": "Washington",
    "Wis": "Wisconsin",
    "Wyo": "Wyoming",
}
# "Garden City, Kan.", "Garden City, Kansas": the name before is a town of that state.
_STATE_AFTER = re.compile(
    r",[ \u00a0]+(?:(?:" + "|".join(_STATES) + r")\.|(?:" + "|".join(_STATES.values()) + r")\b)"
)
_HOLIDAYS = frozenset(
    ["Christmas", "Easter", "Thanksgiving", "Halloween", "Hanukkah", "Passover", "Ramadan",
     "Diwali", "Eid", "Lent", "Advent", "Pentecost"]
)  # fmt: skip
# A plural that names a people: "Malawians", "New Zealanders", "Pacific Islanders".
_PEOPLE_ENDINGS = ("ians", "landers", "eans")
_PLACE_COMMA = re.compile(r"[A-Z][\w.]*,[ \u00a0]$")
# A dateline: "WASHINGTON —", "SYDNEY (Reuters) -", "PINE HOLLOW, Colo. —", "NEW YORK,
# March 5 —", "WELLINGTON, Nov 27 –".
_DATELINE = re.compile(r"(?:,\s+[\w .]{1,20}?)?\s*(?:\([^)]{1,30}\)\s*)?[—–-]")
# The last word of a name that makes it an administrative area: "Boulder County".
_AREA_WORDS = frozenset(["County", "Parish", "Township", "Province", "Prefecture", "Oblast"])


def _guess(body: str, seg: _Segment, text: str, people, inside, lists, givens):
    tokens = seg.tokens
    name = " ".join(text.split())
    places = gazetteers.places()
    if tokens[-1] in _NOT_ENTITY_WORDS or tokens[0] in _EVENT_FIRST:
        return None, text, 0.0
    if text.isupper() and len(text) > 3 and _DATELINE.match(body, seg.end):
        return GPE, name, 0.7
    if len(tokens) > 1 and text.isupper():
        return None, text, 0.0  # “STILL HERE. STILL OPEN.”: a sign's capitals, no name
    if _a_title_in_quote_marks(body, seg):
        return None, text, 0.0
    if len(tokens) > 1 and tokens[-1] in _AREA_WORDS and not seg.after_title:
        return GPE, name, 0.7
    if _STATE_AFTER.match(body, seg.end) and not seg.after_title:
        return GPE, name, 0.7
    if seg.has_org_word:
        if len(tokens) == 1:
            return None, text, 0.0  # "Police", "Hospital" alone are not a name
        return ORG, name, 0.7
    if seg.after_title:
        if len(tokens) == 1 and tokens[0] in people:
            return PERSON, people[tokens[0]], 0.8
        return PERSON, name, 0.8
    if len(tokens) > 1:
        if tokens[-1] in _LOC_WORDS:
            return LOC, name, 0.6
        if tokens[-1].endswith(_PEOPLE_ENDINGS) and len(tokens) <= 2:
            return NORP, name, 0.5  # "New Zealanders", "Pacific Islanders"
        if name in places:
            return GPE, name, 0.7
        if _given(tokens[0], gazetteers.first_names()) or _after_role(body, seg.start):
            return PERSON, name, 0.75
        if len(tokens) <= 3 and (_before_verb(body, seg.end) or _after_verb(body, seg.start)):
            return PERSON, name, 0.6
        if people.get(tokens[-1]) == name:
            return PERSON, name, 0.7
        if seg.initial and tokens[0] not in inside and _looks_like_a_verb(tokens[0]):
            return None, text, 0.0
        if seg.after_place_word and _previous_word(body, seg.start) != "at":
            return GPE, name, 0.5  # "in Pine Hollow"; but "analysts at Kepler Cheuvreux"
        # Capitalised words with no given name: more often a company, a publication or a
        # body than a person, but nothing says so: a low confidence.
        return ORG, name, 0.4
    word = tokens[0]
    if word in _HOLIDAYS or (word.endswith("s") and word[:-1] in lists.stop):
        return None, text, 0.0  # "Christmas", "Wednesdays"
    if word.endswith(_PEOPLE_ENDINGS):
        return NORP, text, 0.5  # "Malawians", "Islanders": a people, not a body
    if word in _STATES and body.startswith(".", seg.end):
        # "PORTLAND, Ore. —", "Garden City, Kan., where": the state of the place before.
        if _PLACE_COMMA.search(body, max(0, seg.start - 40), seg.start):
            return GPE, _STATES[word], 0.7
        return None, text, 0.0
    if word in people:
        return PERSON, people[word], 0.7
    if seg.initial and word not in inside:
        return None, text, 0.0  # "Reaffirming support…": a capital only because it opens
    if _lower_case_in(body, word):
        # "Parents packed the hall…", "the North" where the article also writes "parents",
        # "north": a common word, capitalised by a sentence start, a title or a sign.
        return None, text, 0.0
    if word in places:
        return GPE, word, 0.6
    if len(word) > 2 and word.endswith("s") and word[:-1].isupper():
        return None, text, 0.0  # "GPs", "MPs": a plural, a kind of people
    if len(word) > 1 and word.replace(".", "").isupper():
        return ORG, text, 0.5  # an acronym that no list knows
    if seg.after_place_word:
        return GPE, text, 0.5
    given = givens.get(word)
    if given and word in gazetteers.first_names():
        # "Naomi Osaka … Naomi": a given name alone, of a person named in full.
        return PERSON, given, 0.5
    # A lone unknown name: no type can be read from it. Reporters introduce people with a
    # full name or a title, so it is more often a group, a party or a company; say so with a
    # low confidence.
    return ORG, text, 0.35


_OPEN_MARKS = "“‘\"'«"
_CLOSE_MARKS = "”’\"'»"


def _a_title_in_quote_marks(body: str, seg: _Segment) -> bool:
    """Capitalised words that fill a pair of quote marks: the title of a work, “The Salt
    Road”, not a name (a name is seldom quoted alone)."""
    start = seg.start
    if body[max(0, start - 4) : start] == "The ":
        start -= 4
    if start == 0 or body[start - 1] not in _OPEN_MARKS:
        return False
    end = seg.end
    while end < len(body) and body[end] in ",.!?":
        end += 1
    return end < len(body) and body[end] in _CLOSE_MARKS


def _lower_case_in(body: str, word: str) -> bool:
    lower = word.lower()
    if lower == word:
        return False
    at = body.find(lower)
    while at >= 0:
        if _whole_word(body, at, at + len(lower)):
            return True
        at = body.find(lower, at + 1)
    return False


def _looks_like_a_verb(word: str) -> bool:
    return word.endswith(("ing", "ed", "ly"))


# ---------------------------------------------------------------------------------------


def suggest_mentions(body: str, gazetteer: Gazetteer | None = None) -> list[MentionSuggestion]:
    """Mentions in text order; known entities first where a known and a new name overlap."""
    candidates = _new_names(body)
    if gazetteer is not None and gazetteer.decisions:
        weighed = (weigh(m, gazetteer.decisions) for m in candidates)
        candidates = [m for m in weighed if m is not None]
    if gazetteer is None or not gazetteer.size:
        return candidates
    known = gazetteer.find(body, _lowered(body))
    linked = [_link(m, gazetteer) for m in candidates if not _overlaps_any(m, known)]
    return sorted(known + linked, key=lambda m: (m.start, -m.end))


# (accepted, rejected) per kind, per folded name.
Decisions = dict[str, dict[str, tuple[int, int]]]

# A new name whose weighed confidence falls under this is left out: editors said no too often.
LEFT_OUT_BELOW = 0.15


def _tally(decisions: Iterable[tuple[str, str, int, int]]) -> Decisions:
    tally: Decisions = {}
    for name, kind, accepted, rejected in decisions:
        kinds = tally.setdefault(_name_key(name), {})
        before = kinds.get(kind, (0, 0))
        kinds[kind] = (before[0] + accepted, before[1] + rejected)
    return tally


def _name_key(name: str) -> str:
    return " ".join(_key(name).split())


def decision_weight(accepted: int, rejected: int) -> float:
    """How much of its confidence a new name keeps after editors judged it as that kind.

    All of it while they accepted it at least as often as they rejected it; else twice its
    share of acceptances, counted with one acceptance and one rejection more (so a single
    decision says little): one rejection keeps 2/3, two 1/2, three 2/5, five 2/7; five
    rejections and two acceptances 2/3.
    """
    if rejected <= accepted:
        return 1.0
    return 2 * (accepted + 1) / (accepted + rejected + 2)


def weigh(mention: MentionSuggestion, decisions: Decisions) -> MentionSuggestion | None:
    """A new name as editors' earlier decisions leave it.

    Unjudged, or accepted at least as often as rejected: unchanged. Rejected more often as
    this kind, but accepted more often than rejected as another kind (an editor linked it
    to a person): that other kind, at the same confidence. Else its confidence times
    `decision_weight`, and left out (None) under LEFT_OUT_BELOW.
    """
    kinds = decisions.get(_name_key(mention.name))
    if not kinds:
        return mention
    weight = decision_weight(*kinds.get(mention.kind, (0, 0)))
    if weight == 1.0:
        return mention
    others = [(a, kind) for kind, (a, r) in kinds.items() if kind != mention.kind and a > r]
    if others:
        return replace(mention, kind=max(others)[1])
    confidence = round(mention.confidence * weight, 2)
    return replace(mention, confidence=confidence) if confidence >= LEFT_OUT_BELOW else None


def _link(mention: MentionSuggestion, gazetteer: Gazetteer) -> MentionSuggestion:
    """A new person whose surname belongs to exactly one known person is that person."""
    if mention.kind != PERSON:
        return mention
    match = gazetteer.by_surname(mention.name.split()[-1])
    if match is None or (len(mention.name.split()) > 1 and mention.name != match[1]):
        return mention
    entity_id, name, kind = match
    return MentionSuggestion(
        mention.start, mention.end, mention.text, entity_id, name, kind, mention.confidence
    )


def _overlaps_any(mention: MentionSuggestion, known: list[MentionSuggestion]) -> bool:
    # `known` is short and sorted; a linear scan is cheaper than building an interval tree.
    return any(k.start < mention.end and mention.start < k.end for k in known)
