"""A deterministic synthetic news archive: entities with aliases, articles, spans, claims.

Plain Python (no Django): the same seed gives the same archive, byte for byte, on any machine
(``random.Random`` seeded with a string is stable across processes and Python versions since
3.2). Article ``i`` depends only on the seed, ``i`` and the entities, so an archive can grow
from 1,000 to 10,000 articles and keep its first 1,000 unchanged.

Articles read like wire copy: ~600 words in paragraphs of two to four sentences, direct quotes
in curly marks with a speaker, reported speech, statistics with numbers and percentages, people
named in full and then by surname, organisations, places, the odd accented name, non-breaking
space or emoji (offsets count code points). Spans come from what the writer put there — a
mention of every name, the quote and its speaker, a claim over every number — so they overlap
and nest the way real annotations do (a mention inside a quote inside a claim), plus extra
windows when an article needs more; about 80 % are accepted, 15 % suggested, 5 % rejected.
"""

from __future__ import annotations

import bisect
import itertools
import random
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

QUOTE, MENTION, CLAIM = "quote", "mention", "claim"
ACCEPTED, SUGGESTED, REJECTED = "accepted", "suggested", "rejected"
ORIGINS = {QUOTE: "suggester:quotes", MENTION: "suggester:entities", CLAIM: "suggester:claims"}
VERDICTS = (
    ("unreviewed", 50),
    ("true", 12),
    ("mostly_true", 8),
    ("mixed", 6),
    ("misleading", 8),
    ("mostly_false", 6),
    ("false", 8),
    ("unproven", 2),
)
EPOCH = datetime(2024, 1, 1, 6, 0, tzinfo=UTC)

# --- word lists -------------------------------------------------------------------------------


def _words(text: str, sep: str | None = None) -> tuple[str, ...]:
    return tuple(text.split(sep))


FIRST = _words(
    "Anna Ahmed Alice Amir Ana Andrei Aoife Arjun Beatriz Ben Bogdan Carla Chen Chloé Daniel "
    "Dara David Diego Elena Emeka Emma Erik Fatima Felix Fiona Gabriel Grace Hana Hassan Helen "
    "Ibrahim Ines Isaac Ivan Jack James Jana João Jonas José Julia Karin Kofi Laila Lars Lea "
    "Leila Liam Lucía Łukasz Maria Mark Marta Mateo Mei Michael Miguel Mira Nadia Nikos Noah "
    "Nora Olga Omar Oscar Paolo Pedro Priya Rafael Rania Robert Rosa Ruth Sam Sara Selim Simon "
    "Sofia Stefan Tariq Teresa Thomas Tomás Uma Victor Wei Yara Yusuf Zoë Zainab Ólafur Amara"
)
LAST = _words(
    "Abbott Adeyemi Alvarez Andersen Baker Banerjee Bauer Becker Bianchi Brennan Byrne Campbell "
    "Castillo Chowdhury Costa Dahl Da Silva Delgado Dimitrov Dubois Eriksson Evans Farouk Fischer "
    "Fitzgerald Gallagher García Goldberg Gonzalez Haddad Hansen Herrera Hoffmann Hughes Ibarra "
    "Ivanova Jensen Johansson Kamara Kaplan Keller Khan Kowalski Kruger Larsen Lehmann Lindqvist "
    "Lopez Mahmoud Marino Martins Mensah Meyer Moreau Murphy Müller Nakamura Navarro Nguyễn Novak "
    "Nowak Obi Okafor Olsen Ortega Osei Papadopoulos Pereira Petrov Popescu Quinn Rahman Reyes "
    "Ricci Rossi Russo Saito Santos Schmidt Schneider Sharma Silva Singh Sokolov Suzuki Tanaka "
    "Torres Varga Vasquez Vogel Wagner Walsh Weber Wójcik Yamamoto Yilmaz Zhang Zimmermann "
    "Ahern Boateng Carvalho Duarte Ekström Ferreira Gruber Horvath"
)
TITLES = (
    "the finance minister",
    "the health minister",
    "the mayor",
    "a spokesperson for the council",
    "the chief executive",
    "the opposition leader",
    "a senior economist",
    "the police commissioner",
    "the union's general secretary",
    "the foreign minister",
    "a local resident",
    "the committee chair",
)
PLACE_HEADS = _words(
    "Ash Bel Black Bright Brook Cald Carr Clear Cold Dun East Elm Fair Fern Glen Green Hale "
    "Hart High Holm Kings Lang Lin Long Marl Mill Nor Oak Pen Red Ross Salt Sand Stan Stone "
    "Sud Thorn West Whit Wick Win"
)
PLACE_TAILS = _words(
    "ford bridge by field ham haven holm mouth port stead ton vale wick worth burg"
)
ORG_HEADS = _words(
    "National Northern Southern Eastern Western Central Federal Regional Coastal Metropolitan "
    "United Independent Public Royal Civic Highland Lowland Harbour River Valley"
)
ORG_BODIES = _words(
    "Energy Health Rail Water Housing Transport Fisheries Farming Mining Banking Teachers "
    "Nurses Workers Shipping Aviation Telecoms Steel Forestry Tourism Science Statistics "
    "Budget Audit Election Port Road Grain Textile Pharmacy"
)
ORG_TAILS = _words(
    "Authority Group Council Institute Union Bank Agency Company Association Board Office "
    "Commission Trust Federation"
)
NORPS = _words(
    "Social Democrats|Greens|Liberals|Conservatives|Christian Democrats|Labour|Catholics|"
    "Protestants|Muslims|Basques|Catalans|Kurds|Maori|Sami|Walloons|Flemings|Bavarians|Scots|"
    "Welsh|Bretons|Corsicans|Sicilians|Frisians|Tamils|Sikhs|Druze|Copts|Yazidis|Roma|Tatars",
    "|",
)
EVENT_KINDS = ("Summit", "Marathon", "Trade Fair", "Film Festival", "Climate Talks", "Games")
OUTLETS = (
    "The Harbour Herald",
    "Morning Ledger",
    "Valley Courier",
    "The Civic Times",
    "Northern Wire",
    "Daily Bulletin",
    "The Observer Post",
    "Coastal Gazette",
    "Metro Chronicle",
    "The Evening Star",
    "Capital Dispatch",
    "Riverside Journal",
)
TOPICS = (
    "the budget",
    "the new rail line",
    "water prices",
    "the hospital waiting lists",
    "school funding",
    "the port expansion",
    "wind farms",
    "the housing shortage",
    "bus fares",
    "the fishing quota",
    "police numbers",
    "the flood defences",
    "teachers' pay",
    "the steel plant",
    "energy bills",
)
UNITS = (
    ("jobs", "were lost"),
    ("homes", "were built"),
    ("patients", "waited more than a year"),
    ("households", "fell behind on their bills"),
    ("pupils", "left school without a qualification"),
    ("tonnes of grain", "were exported"),
    ("passengers", "used the line"),
    ("complaints", "were filed"),
    ("businesses", "closed"),
    ("nurses", "were recruited"),
)
PERIODS = ("last year", "last month", "in the first quarter", "since 2019", "over the summer")
VERBS_FUTURE = (
    "cut the deficit",
    "double investment in the network",
    "freeze fares",
    "open three new clinics",
    "hire more inspectors",
    "raise the minimum wage",
    "review every contract",
    "close the plant",
    "build a new reservoir",
    "lower the tax on fuel",
)
QUOTE_OPENERS = (
    "We will not accept",
    "Nobody expected",
    "This is the worst",
    "Our members are angry about",
    "It is simply not true that",
    "We have been clear about",
    "Families cannot afford",
    "I am proud of",
    "There is no evidence for",
    "The government has ignored",
)
QUOTE_OBJECTS = (
    "the cuts",
    "this decision",
    "the delays",
    "what happened last winter",
    "the new plan",
    "the price rises",
    "a single extra penny",
    "the way this was handled",
    "the figures published today",
    "the promises made in March",
)
FILLERS = (
    "Officials have not said when the review will end.",
    "The decision is expected to be challenged in court.",
    "Talks are due to resume next week.",
    "The plan still needs the approval of parliament.",
    "Critics say the timetable is unrealistic.",
    "Residents were told to expect further disruption.",
    "The figures have not been independently verified.",
    "A final report is due before the end of the year.",
    "Similar measures were abandoned two years ago.",
    "Opposition parties called for an inquiry.",
    "Markets reacted calmly to the announcement.",
    "The ministry declined to comment further.",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
HEADLINE_VERBS = (
    "warns of",
    "promises action on",
    "faces questions over",
    "defends record on",
    "unveils plan for",
    "rejects criticism of",
)

# --- data -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SynthEntity:
    index: int
    name: str
    kind: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class SynthClaim:
    text: str
    claimant: int | None  # an entity index
    verdict: str


@dataclass(frozen=True)
class SynthSpan:
    start: int
    end: int
    kind: str
    status: str
    origin: str
    confidence: float | None = None
    entity: int | None = None  # entity index (mentions)
    speaker: int | None = None  # entity index (quotes)
    claim: SynthClaim | None = None  # accepted claim spans state a claim


@dataclass(frozen=True)
class SynthArticle:
    index: int
    name: str  # the file name it would be imported from
    title: str
    body: str
    source: str
    url: str
    published_at: datetime
    spans: tuple[SynthSpan, ...] = field(default_factory=tuple)

    @property
    def file_text(self) -> str:
        """The article as an import file: title, blank line, paragraphs."""
        return f"{self.title}\n\n{self.body}\n"


# --- entities ---------------------------------------------------------------------------------


class Cast:
    """The archive's entities, and Zipf-weighted picks from them (a few names dominate)."""

    def __init__(self, entities: list[SynthEntity]):
        self.entities = entities
        self.by_kind: dict[str, list[SynthEntity]] = {}
        for entity in entities:
            self.by_kind.setdefault(entity.kind, []).append(entity)
        self._weights = {
            kind: list(itertools.accumulate(1 / (rank + 1) for rank in range(len(group))))
            for kind, group in self.by_kind.items()
        }

    def pick(self, rng: random.Random, kind: str) -> SynthEntity:
        group, weights = self.by_kind[kind], self._weights[kind]
        return group[bisect.bisect(weights, rng.random() * weights[-1]) % len(group)]


def entities_build(seed: int, count: int = 3000) -> Cast:
    """`count` entities: ~60 % people, ~22 % organisations, ~12 % places, the rest groups and
    events; people have their surname and sometimes a misspelling as aliases, organisations
    their acronym."""
    rng = random.Random(f"newsdesk-bench:{seed}:entities")
    n_people = count * 60 // 100
    n_orgs = count * 22 // 100
    n_places = count * 12 // 100
    n_norps = min(len(NORPS), max(1, count // 100))
    n_events = max(0, count - n_people - n_orgs - n_places - n_norps)

    names: list[tuple[str, str, tuple[str, ...]]] = []
    people = rng.sample(list(itertools.product(FIRST, LAST)), min(n_people, len(FIRST) * len(LAST)))
    for first, last in people:
        aliases = [last]
        if rng.random() < 0.25:
            aliases.append(_misspell(rng, f"{first} {last}"))
        names.append((f"{first} {last}", "PERSON", tuple(dict.fromkeys(aliases))))
    orgs = rng.sample(
        list(itertools.product(ORG_HEADS, ORG_BODIES, ORG_TAILS)),
        min(n_orgs, len(ORG_HEADS) * len(ORG_BODIES) * len(ORG_TAILS)),
    )
    for parts in orgs:
        name = " ".join(parts)
        names.append((name, "ORG", ("".join(word[0] for word in parts),)))
    places = rng.sample(
        list(itertools.product(PLACE_HEADS, PLACE_TAILS)),
        min(n_places, len(PLACE_HEADS) * len(PLACE_TAILS)),
    )
    place_names = [head + tail for head, tail in places]
    for name in place_names:
        names.append((name, "GPE", (f"{name} City",) if rng.random() < 0.2 else ()))
    for name in NORPS[:n_norps]:
        names.append((name, "NORP", ()))
    for number in range(n_events):
        place = place_names[number % len(place_names)] if place_names else "Ashford"
        event = EVENT_KINDS[number % len(EVENT_KINDS)]
        names.append((f"{place} {event} {2015 + number // 40}", "EVENT", ()))
    # Unique names: the archive's entity list is what the gazetteer and the API look up.
    seen, unique = set(), []
    for name, kind, aliases in names:
        if name not in seen:
            seen.add(name)
            unique.append((name, kind, aliases))
    return Cast([SynthEntity(i, n, k, a) for i, (n, k, a) in enumerate(unique)])


def _misspell(rng: random.Random, name: str) -> str:
    chars = list(name)
    i = rng.randrange(1, len(chars) - 1)
    if chars[i].isalpha() and chars[i + 1].isalpha():
        chars[i], chars[i + 1] = chars[i + 1], chars[i]
    else:
        chars.insert(i, chars[i])
    return "".join(chars)


# --- articles ---------------------------------------------------------------------------------


@dataclass
class _Candidate:
    start: int
    end: int
    kind: str
    entity: int | None = None
    speaker: int | None = None
    claimant: int | None = None


class _Writer:
    """Appends text and remembers where each annotated piece landed (code point offsets)."""

    def __init__(self, rng: random.Random, cast: Cast):
        self.rng, self.cast = rng, cast
        self.parts: list[str] = []
        self.length = 0
        self.candidates: list[_Candidate] = []
        self.named: set[int] = set()  # people already named in full: later just the surname

    def text(self, s: str) -> tuple[int, int]:
        start = self.length
        self.parts.append(s)
        self.length += len(s)
        return start, self.length

    def entity(self, kind: str, avoid: SynthEntity | None = None) -> SynthEntity:
        entity = self.cast.pick(self.rng, kind)
        if entity == avoid:
            entity = self.cast.pick(self.rng, kind)
        name = entity.name
        if kind == "PERSON" and entity.index in self.named and entity.aliases:
            name = entity.aliases[0]  # the surname, as papers do on second mention
        elif kind == "ORG" and entity.aliases and self.rng.random() < 0.15:
            name = entity.aliases[0]
        start, end = self.text(name)
        self.named.add(entity.index)
        self.candidates.append(_Candidate(start, end, MENTION, entity=entity.index))
        return entity

    def number(self) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.3:
            return f"{rng.randrange(2, 99)},{rng.randrange(1000):03d}"
        if roll < 0.45:
            return f"{rng.randrange(12, 999)}\u00a0000"  # a non-breaking space, as some desks do
        if roll < 0.7:
            return str(rng.randrange(3, 950))
        return f"{rng.randrange(1, 99)}.{rng.randrange(10)} million"

    @property
    def body(self) -> str:
        return "".join(self.parts)


def _sentence(w: _Writer) -> None:
    rng = w.rng
    roll = rng.random()
    if roll < 0.22:  # “Quote,” said Speaker, the title.
        w.text("“")
        q0 = w.length
        claim = _quote_words(w)
        q1 = w.length
        w.text(",” said ")
        speaker = w.entity("PERSON")
        w.text(f", {rng.choice(TITLES)}.")
        w.candidates.append(_Candidate(q0, q1, QUOTE, speaker=speaker.index))
        if claim:
            w.candidates.append(_Candidate(q0, q1, CLAIM, claimant=speaker.index))
    elif roll < 0.34:  # Speaker told reporters in Place: “Quote.”
        speaker = w.entity("PERSON")
        w.text(" told reporters in ")
        w.entity("GPE")
        w.text(": “")
        q0 = w.length
        claim = _quote_words(w)
        w.text(".")
        q1 = w.length
        w.text("”")
        w.candidates.append(_Candidate(q0, q1, QUOTE, speaker=speaker.index))
        if claim:
            w.candidates.append(_Candidate(q0, q1, CLAIM, claimant=speaker.index))
    elif roll < 0.52:  # According to the Org, 1,200 jobs were lost in Place last year.
        w.text("According to the ")
        org = w.entity("ORG")
        w.text(", ")
        c0 = w.length
        unit, verb = rng.choice(UNITS)
        w.text(f"{w.number()} {unit} {verb} in ")
        w.entity("GPE")
        w.text(f" {rng.choice(PERIODS)}")
        c1 = w.length
        w.text(".")
        w.candidates.append(_Candidate(c0, c1, CLAIM, claimant=org.index))
    elif roll < 0.64:  # Person said the Org would freeze fares by 2027.
        speaker = w.entity("PERSON")
        w.text(" said the ")
        c0 = w.length
        w.entity("ORG")
        w.text(f" would {rng.choice(VERBS_FUTURE)} by {rng.randrange(2025, 2031)}")
        c1 = w.length
        w.text(".")
        w.candidates.append(_Candidate(c0, c1, CLAIM, claimant=speaker.index))
    elif roll < 0.74:  # Prices rose 4.2 per cent in 2023, Person of the Org said.
        c0 = w.length
        w.text(
            f"{rng.choice(('Prices', 'Rents', 'Fares', 'Wages', 'Exports'))} "
            f"{rng.choice(('rose', 'fell', 'climbed', 'dropped'))} "
            f"{rng.randrange(1, 30)}.{rng.randrange(10)} per cent in {rng.randrange(2015, 2025)}"
        )
        c1 = w.length
        w.text(", ")
        speaker = w.entity("PERSON")
        w.text(" of the ")
        w.entity("ORG")
        w.text(" said.")
        w.candidates.append(_Candidate(c0, c1, CLAIM, claimant=speaker.index))
    elif roll < 0.84:  # Person met Person in Place on Monday to discuss the budget.
        host = w.entity("PERSON")
        w.text(" met ")
        w.entity("PERSON", avoid=host)
        w.text(" in ")
        w.entity("GPE")
        w.text(f" on {rng.choice(WEEKDAYS)} to discuss {rng.choice(TOPICS)}.")
    elif roll < 0.90:  # The Social Democrats — and the Org — oppose it.
        w.text("The ")
        w.entity(rng.choice(("NORP", "EVENT")) if "EVENT" in w.cast.by_kind else "NORP")
        w.text(f" — and the {rng.choice(ORG_HEADS)} lobby — oppose {rng.choice(TOPICS)}.")
    else:
        w.text(rng.choice(FILLERS))


def _quote_words(w: _Writer) -> bool:
    """The words of a quote; True when they hold a number (then they are also a claim)."""
    rng = w.rng
    if rng.random() < 0.35:
        unit, verb = rng.choice(UNITS)
        w.text(f"{w.number()} {unit} {verb} because of {rng.choice(QUOTE_OBJECTS)}")
        return True
    w.text(f"{rng.choice(QUOTE_OPENERS)} {rng.choice(QUOTE_OBJECTS)}")
    if rng.random() < 0.3:
        w.text(" in ")
        w.entity("GPE")
    return False


def _headline(rng: random.Random, cast: Cast) -> str:
    org = cast.pick(rng, "ORG").name
    place = cast.pick(rng, "GPE").name
    return f"{org} {rng.choice(HEADLINE_VERBS)} {rng.choice(TOPICS)} in {place}"


def _article_rng(seed: int, stream: str, index: int) -> random.Random:
    return random.Random(f"newsdesk-bench:{seed}:{stream}:{index}")


def article_build(
    seed: int, index: int, cast: Cast, spans: int, *, words: int = 640, stream: str = "article"
) -> SynthArticle:
    """Article `index` of the archive, with exactly `spans` spans (fewer only if the body is
    too short to hold that many distinct ones)."""
    rng = _article_rng(seed, stream, index)
    title = _headline(rng, cast)
    w = _Writer(rng, cast)
    _fill(w, words)
    body = w.body
    chosen = _spans_choose(rng, body, w.candidates, spans)
    source = OUTLETS[rng.randrange(len(OUTLETS))]
    published = EPOCH + timedelta(minutes=47 * index + rng.randrange(40))
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60]
    host = re.sub(r"[^a-z]+", "", source.lower())
    return SynthArticle(
        index=index,
        name=f"bench-{stream}-{index:07d}.txt",
        title=title,
        body=body,
        source=source,
        url=f"https://{host}.example/{published:%Y/%m}/{slug}-{index}",
        published_at=published,
        spans=tuple(chosen),
    )


def _fill(w: _Writer, words: int) -> None:
    rng = w.rng
    count = 0
    while count < words:
        if w.length:
            w.text("\n\n")
        for number in range(rng.randrange(2, 5)):
            if number:
                w.text(" ")
            first = len(w.parts)
            _sentence(w)
            count += sum(len(part.split()) for part in w.parts[first:])
        if rng.random() < 0.03:
            w.text(" 📈")  # an astral character: offsets count code points, not UTF-16 units


_WORD = re.compile(r"\S+")


def _spans_choose(
    rng: random.Random, body: str, candidates: list[_Candidate], wanted: int
) -> list[SynthSpan]:
    if len(candidates) > wanted:
        candidates = rng.sample(candidates, wanted)
    taken = {(c.kind, c.start, c.end) for c in candidates}
    extra: list[_Candidate] = []
    words = [(m.start(), m.end()) for m in _WORD.finditer(body)]
    tries = 0
    while len(candidates) + len(extra) < wanted and words and tries < wanted * 20:
        tries += 1
        first = rng.randrange(len(words))
        last = min(len(words) - 1, first + rng.randrange(0, 14))
        start, end = words[first][0], words[last][1]
        kind = rng.choice((CLAIM, QUOTE, CLAIM))
        if (kind, start, end) in taken:
            continue
        taken.add((kind, start, end))
        extra.append(_Candidate(start, end, kind))
    spans = [_span(rng, body, c, added=False) for c in candidates]
    spans += [_span(rng, body, c, added=True) for c in extra]
    spans.sort(key=lambda s: (s.start, -s.end, s.kind))
    return spans


def _span(rng: random.Random, body: str, c: _Candidate, *, added: bool) -> SynthSpan:
    roll = rng.random()
    status = ACCEPTED if roll < 0.80 else SUGGESTED if roll < 0.95 else REJECTED
    by_suggester = status != ACCEPTED or rng.random() < 0.3
    origin = ORIGINS[c.kind] if by_suggester else "editor"
    confidence = round(rng.uniform(0.35, 0.98), 2) if by_suggester else None
    entity = c.entity
    if c.kind == MENTION and status != ACCEPTED and rng.random() < 0.3:
        entity = None  # a bare-name suggestion, not yet linked
    speaker = c.speaker
    if added and c.kind == QUOTE and rng.random() < 0.5:
        speaker = None  # an unattributed quote
    claim = None
    if c.kind == CLAIM and status == ACCEPTED:
        verdict = rng.choices([v for v, _ in VERDICTS], weights=[n for _, n in VERDICTS])[0]
        claim = SynthClaim(" ".join(body[c.start : c.end].split()), c.claimant, verdict)
    return SynthSpan(
        start=c.start,
        end=c.end,
        kind=c.kind,
        status=status,
        origin=origin,
        confidence=confidence,
        entity=entity,
        speaker=speaker,
        claim=claim,
    )


def workspace_article(seed: int, cast: Cast, spans: int = 1000) -> SynthArticle:
    """One long article (~1,600 words) carrying `spans` overlapping spans: the workspace's
    worst case."""
    return article_build(seed, 0, cast, spans, words=max(600, spans * 8 // 5), stream="workspace")


def import_file(seed: int, index: int, cast: Cast) -> tuple[str, bytes]:
    """A file for the import benchmark: content of its own (not in the archive), with the
    clutter the cleaner removes now and then (an advert line, a caption printed twice)."""
    article = article_build(seed, index, cast, 0, stream="import")
    rng = _article_rng(seed, "import-clutter", index)
    paragraphs = article.body.split("\n\n")
    if rng.random() < 0.3:
        paragraphs.insert(rng.randrange(1, len(paragraphs) + 1), "Advertisement")
    if rng.random() < 0.2:
        at = rng.randrange(len(paragraphs))
        paragraphs.insert(at, paragraphs[at])
    text = f"{article.title}\n\n" + "\n\n".join(paragraphs) + "\n"
    return f"bench-import-{index:07d}.txt", text.encode("utf-8")
