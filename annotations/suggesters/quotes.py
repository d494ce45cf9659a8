"""Direct quotes and who said them; indirect ("officials said the toll…") as a weaker kind.

Finding quotes: every run of quote marks is read as opening or closing from what touches it
(a space before and a letter after opens, a letter before and a space after closes), which
copes with straight marks, typos such as ‘’…” and quotes nested in quotes. A paragraph that
ends inside a quote closes it there; if the next paragraph opens with a quote mark, that quote
continues the last one (the news convention) and keeps its speaker. Not quotes: titles of
works and the words on signs (all capitals; a cue such as "sign", "banner", "titled" before
them; Title Case with no reporting verb after them), and short scare quotes, unless words
before them cite somebody ("what their union called a ‘…’", "accused X of “…”").

Finding speakers, over the sentence around the quote, in this order (each with a
speaker_confidence; under 0.5 the workspace shows "speaker unsure"):
1. a reporting verb (data/reporting_verbs.txt, from published lists, inflected) in the clause
   after the quote: “…,” [descriptors] NAME [, appositive,] VERB / “…,” VERB [descriptors]
   NAME / “…,” he said / “…,” according to NAME; or before it: NAME, a spokeswoman, said: “…”;
2. the speaker of the quote it goes on from (same paragraph, or a paragraph that opens with
   a quote mark after one left open);
3. for a quote that opens a paragraph: the subject of the paragraph before ("She spoke…"),
   else the subject of the next sentence (“…” / Ruth Calder stood…); a quote that is a
   sentence of its own takes the next sentence's subject too (“…” That is how X put it.);
4. the one person a sentence opens with when the quote comes later in it without a reporting
   verb ("X, a critic, called the film “…”", "Judge X accused the majority of “…”"), at 0.6;
5. the subject of the sentence before, in the same paragraph ("Ferris shrugs. “…”");
6. unsure guesses: the previous paragraph's subject, the last speaker.
"He"/"she" is the subject of the nearest sentence that names a person of that gender (from
Mr./Ms. or the given name); several such people, or a name far into its sentence, make it
unsure; with nobody of that gender in the last three sentences, the person of that gender the
article names far most often (a profile's subject), unsure. "The 21-year-old striker" is the
person the sentences before are about, unsure. An unnamed speaker ("the official said") gets
no speaker.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from annotations.suggesters import gazetteers, one_of, sentences, words
from annotations.suggesters.entities import PERSON, ROLES, MentionSuggestion, suggest_mentions
from annotations.suggesters.gazetteers import FEMALE, MALE, role_words

ORIGIN = "suggester:quotes"


@dataclass(frozen=True)
class QuoteSuggestion:
    start: int
    end: int
    text: str
    speaker: str | None
    indirect: bool
    confidence: float  # how sure the quote is
    # How sure the speaker is (0-1; 0 without a speaker): under 0.5 the workspace shows
    # "speaker unsure". `evidence` says how the speaker was found ("name then verb",
    # "pronoun", "last speaker", …).
    speaker_confidence: float = 0.0
    evidence: str = ""


# A run of quote marks; "[…][…]*" rather than "[…]+" lets the engine skip to the next mark.
_MARKS = re.compile(r"[\"'“”„‟‘’‚‛«»‹›][\"'“”„‟‘’‚‛«»‹›]*")
_DOUBLE = frozenset('"“”„‟«»')
_OPENING = frozenset("“„‟‘‚‛«‹")
_CLOSING = frozenset("”’»›")
_LATER_CLOSE = re.compile(r"\S[’'](?!\w)")
_BEFORE_OPEN = frozenset("([{—–-/")
_AFTER_CLOSE = frozenset(".,;:!?)]}—–-…")


@dataclass
class _Raw:
    start: int  # the quoted words, marks excluded
    end: int
    opened_at: int  # the opening mark
    closed_at: int | None  # just past the closing mark; None when the paragraph ended first
    paragraph: int
    continues: bool = False  # opens a paragraph after a paragraph that ended inside a quote


def _paragraphs(body: str) -> list[tuple[int, int]]:
    out, start = [], 0
    for line in body.split("\n"):
        if line.strip():
            out.append((start, start + len(line)))
        start += len(line) + 1
    return out


def _find(body: str, paragraphs: Sequence[tuple[int, int]]) -> list[_Raw]:
    found: list[_Raw] = []
    left_open = False
    for number, (ps, pe) in enumerate(paragraphs):
        stack: list[tuple[bool, int, int]] = []  # (double?, content start, mark start)
        first_in_paragraph = True

        def emit(
            end: int, closed_at: int | None, stack=stack, number=number, ps=ps, left=left_open
        ) -> None:
            nonlocal first_in_paragraph
            _, start, opened_at = stack[0]
            continues = left and first_in_paragraph and not body[ps:opened_at].strip()
            found.append(_Raw(start, end, opened_at, closed_at, number, continues))
            first_in_paragraph = False
            stack.clear()

        for mark in _MARKS.finditer(body, ps, pe):
            run, s, e = mark.group(), mark.start(), mark.end()
            before = body[s - 1] if s > ps else ""
            after = body[e] if e < pe else ""
            if len(run) == 1 and run in "'’" and before.isalnum() and after.isalnum():
                continue  # an apostrophe: Israel’s, we’ll
            opens = (not before or before.isspace() or before in _BEFORE_OPEN) and bool(
                after and not after.isspace()
            )
            closes = bool(before and not before.isspace()) and (
                not after or after.isspace() or after in _AFTER_CLOSE
            )
            if len(run) == 1:  # most runs: one mark
                marks = ((run in _DOUBLE, run),)
            elif all(c not in _DOUBLE for c in run):
                marks = ((True, run[0]),)  # ‘’ or '' typed for a double mark
            elif all(c in _DOUBLE for c in run):
                marks = ((True, run[0]),)
            else:
                marks = tuple((c in _DOUBLE, c) for c in run)
            for double, char in marks:
                if opens != closes:
                    opening = opens
                elif char in _OPENING or char in _CLOSING:
                    opening = char in _OPENING
                else:  # a straight mark between spaces or letters: toggle
                    opening = not any(d == double for d, _, _ in stack)
                if opening:
                    if len(stack) == 1 and stack[0][0] == double:
                        # The same mark again while a quote is open: the closing mark was
                        # left out, and a new quote starts here.
                        emit(_trim_end(body, stack[0][1], s), None)
                    stack.append((double, e, s))
                    continue
                if not stack:
                    continue  # a stray closing mark, or an apostrophe: Israelis’
                if not double and before == "s" and _LATER_CLOSE.search(body, e, pe):
                    continue  # ‘the residents’ anger is real’: a plural possessive
                same = _last_of_kind(stack, double)
                if same < 0:
                    if not double:
                        continue  # a single mark inside a double quote: an apostrophe
                    same = 0  # ‘…” : a typo closes the quote all the same
                if same == 0:
                    emit(_trim_end(body, stack[0][1], s), e)
                else:
                    del stack[same:]
        left_open = bool(stack)
        if stack:
            emit(_trim_end(body, stack[0][1], pe), None)
    for raw in found:
        while raw.start < raw.end and body[raw.start].isspace():
            raw.start += 1
    return [raw for raw in found if raw.end > raw.start and _has_word(body[raw.start : raw.end])]


def _last_of_kind(stack: list[tuple[bool, int, int]], double: bool) -> int:
    """The index of the innermost open quote with this kind of mark, or -1."""
    for i in range(len(stack) - 1, -1, -1):
        if stack[i][0] == double:
            return i
    return -1


def _trim_end(body: str, start: int, end: int) -> int:
    while end > start and (body[end - 1].isspace() or body[end - 1] in ",;:"):
        end -= 1
    return end


def _has_word(text: str) -> bool:
    return any(c.isalnum() for c in text)


# ---------------------------------------------------------------------------------------
# Speakers


def _inflect(base: str) -> tuple[str, str]:
    """(third person, past) of a regular verb: "caution" -> "cautions", "cautioned"."""
    if base.endswith("y") and base[-2:-1] not in "aeiou":
        return base[:-1] + "ies", base[:-1] + "ied"
    third = base + ("es" if base.endswith(("s", "sh", "ch", "x", "z", "o")) else "s")
    return third, base + ("d" if base.endswith("e") else "ed")


def reporting_verbs() -> frozenset[str]:
    """Every form of the reporting verbs and cues in data/reporting_verbs.txt."""
    forms: set[str] = set()
    for line in words("reporting_verbs"):
        if "|" in line:
            forms.update(line.split("|"))
            continue
        base, *rest = line.split()
        third, past = _inflect(base)
        irregular = [word for word in rest if word != "*"]
        forms.update([third, *(irregular or [past])])
        if "*" in rest:
            forms.add(base)
    return frozenset(forms)


_VERB = re.compile(r"\b(?:" + one_of(reporting_verbs()) + r")\b")
_ACCORDING = re.compile(r"\baccording to\s+", re.IGNORECASE)
_PRONOUN = re.compile(r"\b(?:he|she|He|She)\b")
_PRONOUN_GENDER = {"he": MALE, "she": FEMALE}
_HONORIFIC_GENDER = {
    "Mr": MALE, "Mr.": MALE, "Sir": MALE, "Lord": MALE,
    "Ms": FEMALE, "Ms.": FEMALE, "Mrs": FEMALE, "Mrs.": FEMALE, "Miss": FEMALE,
    "Dame": FEMALE, "Lady": FEMALE,
}  # fmt: skip
# Words that may stand between a quote and its reporting verb, or a subject and its verb:
# "he told reporters afterwards", "Blinken on Wednesday said".
_GAP = re.compile(r"^[\s,]*(?:[\w’'-]+[\s,]+){0,3}$")
_WORDS = re.compile(r"[\w’'.-]+")
# "the official", "a spokesman for the agency": a speaker described but not named.
_UNNAMED = re.compile(r"^\s*(?:the|a|an|one|another|his|her|its|their)\b", re.IGNORECASE)
_SUBJECT_START = re.compile(r"(?:(?:But|And|However|Meanwhile|Now|Then|So),?\s+)?")
# A sentence end: a stop, not after an initial or an honorific, before a space or the end.
_STOP = re.compile(
    r"(?<![A-Z])"
    + "".join(
        rf"(?<!\b{w})"
        for w in [
            "Mr",
            "Ms",
            "Dr",
            "St",
            "Mrs",
            "Sen",
            "Rep",
            "Gov",
            "Gen",
            "Prof",
            "Inc",
            "Corp",
            "Co",
        ]
    )
    + r"[.!?](?=\s|$)"
)


@dataclass(frozen=True)
class _Speaker:
    name: str | None
    confidence: float
    evidence: str


@dataclass
class _Context:
    body: str
    mentions: list[MentionSuggestion]  # people and organisations, in text order
    starts: list[int]
    ends: list[int]
    quoted: list[tuple[int, int]]  # direct quotes, in text order
    sentence_starts: list[int]
    genders: dict[str, str]  # a person's name -> MALE/FEMALE, from honorifics and given names

    def starting_at(self, position: int) -> MentionSuggestion | None:
        i = bisect_left(self.starts, position)
        if i < len(self.starts) and self.starts[i] == position:
            return self.mentions[i]
        return None

    def between(self, start: int, end: int) -> list[MentionSuggestion]:
        """The mentions that lie wholly inside [start, end), outside quotes."""
        i = bisect_left(self.starts, start)
        out = []
        while i < len(self.mentions) and self.mentions[i].start < end:
            mention = self.mentions[i]
            if mention.end <= end and not self.in_quote(mention.start):
                out.append(mention)
            i += 1
        return out

    def person_before(self, position: int) -> str | None:
        """Who "he" or "she" at `position` is, whatever the gender (indirect quotes)."""
        found = self.pronoun(position, None)
        return found.name if found else None

    def pronoun(self, position: int, gender: str | None) -> _Speaker | None:
        """Who a pronoun at `position` refers to: the first compatible person (the subject)
        of the nearest sentence before it that names one, outside quotes, within the last
        three sentences. Sure only when that person is the one compatible person there and
        the gender is known; unsure when another compatible person is as near."""
        start = position
        floor = self.sentence_start(position)
        for _ in range(3):
            sentence = [
                m
                for m in self.between(floor, position)
                if m.kind == PERSON and self._fits(m.name, gender)
            ]
            if sentence:
                first = sentence[0]
                others = {m.name for m in sentence} - {first.name}
                known = gender is None or self.genders.get(first.name) == gender
                if others:
                    return _Speaker(first.name, 0.45, "pronoun, several people")
                # A name far into its sentence is seldom its subject ("… when he meets
                # Benjamin Netanyahu"): the pronoun may well mean somebody else.
                opening = _SUBJECT_START.match(self.body, floor).end()
                if _words(self.body[opening : first.start]) > 6:
                    return _Speaker(first.name, 0.45, "pronoun, not the subject")
                return _Speaker(first.name, 0.85 if known else 0.6, "pronoun")
            if floor == 0:
                break
            position, floor = floor, self.sentence_start(floor - 1)
        return self._main_person(start, gender)

    def _main_person(self, position: int, gender: str | None) -> _Speaker | None:
        """Nobody of that gender in the last three sentences: in a profile or an interview
        "she" is most often the person the article is about, the one of that gender named
        most often so far. Never sure."""
        if gender is None:
            return None
        counts: dict[str, int] = {}
        for mention in self.between(0, position):
            if mention.kind == PERSON and self.genders.get(mention.name) == gender:
                counts[mention.name] = counts.get(mention.name, 0) + 1
        if not counts:
            return None
        ranked = sorted(counts.values(), reverse=True)
        if len(ranked) > 1 and ranked[1] * 2 > ranked[0]:
            return None  # no one clearly the article's subject
        name = max(counts, key=counts.get)
        return _Speaker(name, 0.4, "pronoun, the article's main person")

    def _fits(self, name: str, gender: str | None) -> bool:
        return gender is None or self.genders.get(name, gender) == gender

    def sentence_start(self, position: int) -> int:
        i = bisect_right(self.sentence_starts, position) - 1
        return self.sentence_starts[i] if i >= 0 else 0

    def in_quote(self, position: int) -> bool:
        i = bisect_right(self.quoted, (position, len(self.body))) - 1
        return i >= 0 and self.quoted[i][0] <= position < self.quoted[i][1]


def _genders(body: str, mentions: Sequence[MentionSuggestion]) -> dict[str, str]:
    """Each person's gender where the article says it: "Ms. Doe", or a given name that is
    only ever a man's or a woman's ("Janet", "Tom")."""
    firsts = gazetteers.first_names()
    out: dict[str, str] = {}
    for mention in mentions:
        if mention.kind != PERSON:
            continue
        before = body[max(0, mention.start - 6) : mention.start].split()
        honorific = _HONORIFIC_GENDER.get(before[-1]) if before else None
        if honorific:
            out[mention.name] = honorific
        elif mention.name not in out:
            given = firsts.get(mention.name.split()[0])
            if given in (MALE, FEMALE) and " " in mention.name:
                out[mention.name] = given
    return out


def _clause_end(body: str, start: int, limit: int) -> int:
    stop = _STOP.search(body, start, limit)
    return stop.end() if stop else limit


def _person_in(ctx: _Context, start: int, end: int) -> MentionSuggestion | None:
    """The first person named in [start, end), else the first organisation."""
    found = ctx.between(start, end)
    people = [m for m in found if m.kind == PERSON]
    return people[0] if people else (found[0] if found else None)


def _named(mention: MentionSuggestion, confidence: float, evidence: str) -> _Speaker:
    if mention.kind != PERSON:
        confidence = min(confidence, 0.7)  # "the ministry said": a body speaks
    return _Speaker(mention.name, confidence, evidence)


def _words(text: str) -> int:
    return len(_WORDS.findall(text))


def _speaker_after(ctx: _Context, position: int, limit: int) -> _Speaker | None:
    """“…,” said X / “…,” X said / “…,” economist X, of Y, says / “…,” he told reporters /
    “…”, according to X. `position` is just past the closing mark."""
    body = ctx.body
    end = _clause_end(body, position, limit)
    text = body[position:end]
    skipped = len(text) - len(text.lstrip(" ,.;:—–-"))
    here = position + skipped
    according = _ACCORDING.match(body, here, end)
    if according:
        mention = _person_in(ctx, according.end(), min(end, according.end() + 80))
        return _named(mention, 0.9, "according to") if mention else None
    verb = _VERB.search(body, here, end)
    if not verb or ctx.in_quote(verb.start()):
        return None
    lead = body[here : verb.start()]
    if _words(lead) > 14:
        # Only a name that opens a long appositive: “…,” Mr. Smith, who has lived here for
        # forty years and once ran for mayor, said.
        first = _person_in(ctx, here, verb.start())
        if not (first and first.kind == PERSON and _words(body[here : first.start]) <= 4):
            return None
        if _words(lead) > 24:
            return None
    if not lead.strip(" ,"):  # said X: the speaker follows the verb
        pronoun = _PRONOUN.match(body, verb.end() + 1)
        if pronoun:
            return ctx.pronoun(pronoun.start(), _PRONOUN_GENDER[pronoun.group().lower()])
        after = body[verb.end() : end]
        stop = after.find(",")
        window = verb.end() + (stop if stop >= 0 else len(after))
        mention = _person_in(ctx, verb.end(), window)
        if mention and _words(body[verb.end() : mention.start]) <= 6:
            return _named(mention, 0.9, "verb then name")
        # said one resident, Jane Doe: a description, then the name in apposition.
        second = after.find(",", stop + 1) if stop >= 0 else -1
        window = verb.end() + (second if second >= 0 else len(after))
        mention = _person_in(ctx, verb.end() + stop + 1, window) if stop >= 0 else None
        if mention and mention.kind == PERSON and _words(body[verb.end() : mention.start]) <= 7:
            return _named(mention, 0.85, "verb then name")
        if _UNNAMED.match(after):
            return _described(ctx, verb.end(), after)
        return None
    pronoun = _PRONOUN.search(lead)
    if pronoun and _GAP.match(lead[pronoun.end() :]) and not ctx.between(here, verb.start()):
        return ctx.pronoun(here + pronoun.start(), _PRONOUN_GENDER[pronoun.group().lower()])
    mention = _person_in(ctx, here, verb.start())
    if mention:
        return _named(mention, 0.9, "name then verb")
    if _UNNAMED.match(lead):
        return _described(ctx, here, lead)
    return None


_DESCRIPTION = re.compile(r"\s*the\s+((?:[\w’'-]+\s+){0,3}?)([a-z-]+)\b")


def _described(ctx: _Context, at: int, text: str) -> _Speaker:
    """“…,” the 21-year-old striker said: a role ("striker", "spokeswoman") with "the" names
    somebody already in the story, most likely the person the sentences before are about.
    Never sure: the workspace shows such a speaker as unsure."""
    match = _DESCRIPTION.match(text)
    if match and (match.group(2) in role_words() or match.group(2) in ROLES):
        found = ctx.pronoun(at, None)
        if found:
            return _Speaker(found.name, min(found.confidence, 0.45), "description")
    return _Speaker(None, 0.0, "unnamed")


def _speaker_before(ctx: _Context, floor: int, position: int) -> _Speaker | None:
    """X said, “…” / X, a spokeswoman, said: “…” / said X, “…” / she told them that “…” /
    According to X, “…” / Headline X: ‘…’. `position` is the opening mark."""
    body = ctx.body
    according = _last(_ACCORDING.finditer(body, floor, position))
    verbs = [v for v in _VERB.finditer(body, floor, position) if not ctx.in_quote(v.start())]
    if according and (not verbs or according.start() > verbs[-1].start()):
        mention = _person_in(ctx, according.end(), min(position, according.end() + 80))
        if mention:
            return _named(mention, 0.9, "according to")
    if verbs:
        verb = verbs[-1]
        mention = ctx.starting_at(verb.end() + 1)  # said Alex Vatanka, “…”
        if mention and _words(body[verb.end() : position]) <= 8:
            return _named(mention, 0.9, "verb then name")
        start = _SUBJECT_START.match(body, floor).end()
        lead = body[start : verb.start()]
        pronoun = _last(_PRONOUN.finditer(lead))
        if pronoun and _GAP.match(lead[pronoun.end() :]):
            return ctx.pronoun(start + pronoun.start(), _PRONOUN_GENDER[pronoun.group().lower()])
        mention = _person_in(ctx, start, verb.start())
        if mention:
            return _named(mention, 0.85, "name then verb")
        if _UNNAMED.match(lead):
            return _Speaker(None, 0.0, "unnamed")
        return None
    if body[floor:position].rstrip().endswith(":"):  # a headline: Blinken flies to Israel: ‘…’
        people = [m for m in ctx.between(floor, position) if m.kind == PERSON]
        if people:
            return _Speaker(people[0].name, 0.8, "headline")
    return None


# Evidence next to the quote: a short quote with it is a quote, not a scare quote.
_NEAR = ("verb", "name", "according", "pronoun")
# An unnamed speaker counts too where the quote opens its sentence: “Finally,” a resident said.
_UNNAMED_NEAR = ("unnamed", "description")

# Words before a short quote that cite somebody's words: what their union called a
# ‘take-it-or-leave-it’ offer, accused the council of “cultural vandalism”, praised the
# book's “quiet ferocity” ("described as a “done deal”" stays a scare quote). Past tense
# only: "what it calls an ‘independent’ study" is the writer keeping a distance.
_CITING = re.compile(
    r"(?:\bwhat\s+(?:[\w’'-]+\s+){1,6}called"
    r"|\b(?:accused|accusing|accuses)\s+(?:[\w’'-]+\s+){0,8}of"
    r"|\b(?:praised|hailed|criticised|criticized|condemned|denounced|derided)"
    r"(?:\s+[\w’'-]+){0,4}?)"
    r"\s+(?:(?:a|an|the|its|their|his|her)\s+)?$"
)


def _cited(ctx: _Context, raw: _Raw) -> bool:
    before = ctx.body[max(ctx.sentence_start(raw.opened_at), raw.opened_at - 120) : raw.opened_at]
    return _CITING.search(before) is not None


# What carries words that nobody speaks: a sign that read “STILL OPEN”, a banner: “Next stop:
# the final.”, a play titled “Harbour Lights”. Works named without such a cue are found by
# their Title Case (below); nouns such as "film" or "book" are no cue, because "she called the
# film “the most confident first feature …”" is a critic's words.
_TITLE_CUES = re.compile(
    # "would sign the bill “as soon as …”": after these, "sign" is the verb.
    r"(?<!\bto )(?<!\bwill )(?<!\bwould )(?<!\bcould )(?<!\bshould )(?<!\bmust )"
    r"\b(?:sign|signs|banner|banners|placard|placards|poster|posters|billboard|billboards"
    r"|slogan|slogans|motto|plaque|bedsheet|T-shirts?|graffiti|list|titled|entitled)\b"
)
_SMALL_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "and",
        "or",
        "nor",
        "but",
        "by",
        "with",
        "from",
        "as",
        "into",
        "is",
        "are",
        "&",
        "=",
    ]
)
_WORD_OF_TITLE = re.compile(r"[^\s,.:;!?]+")


def _title_case(text: str) -> bool:
    """“The Weight of Rain”, “Our Kids, Our Schools”: two words or more, every word but the
    small ones capitalised."""
    found = _WORD_OF_TITLE.findall(text)
    if len(found) < 2 or not found[0][:1].isupper():
        return False
    capitals = 0
    for word in found:
        if word[:1].isupper() or word[:1].isdigit():
            capitals += 1
        elif word.lower() not in _SMALL_WORDS:
            return False
    return capitals >= 2


def _is_a_title(ctx: _Context, raw: _Raw, quoted: str, spoken_after: bool) -> bool:
    """The quote marks hold a title or a sign's words, not speech:
    - all capitals (“70 YEARS. THANKS FOR NOTHING.”);
    - a cue before it in its sentence ("sign", "banner", "titled") with no reporting verb
      between the cue and the quote ("a sign that read “…”", but not "a sign went up, and
      the owner said: “…”");
    - Title Case words that no reporting verb right after claims (“The Salt Orchard,” her
      debut, …); “Finally,” a resident said is speech.
    """
    letters = [c for c in quoted if c.isalpha()]
    if len(letters) >= 4 and all(c.isupper() for c in letters):
        return True
    body = ctx.body
    floor = ctx.sentence_start(raw.opened_at)
    cue = _last(_TITLE_CUES.finditer(body, max(floor, raw.opened_at - 200), raw.opened_at))
    if cue is not None and not ctx.in_quote(cue.start()):
        verbs = [
            v
            for v in _VERB.finditer(body, cue.end(), raw.opened_at)
            if v.group() not in _READ and not ctx.in_quote(v.start())
        ]
        if not verbs:
            return True
    return _title_case(quoted) and not spoken_after


_READ = frozenset(["read", "reads", "reading"])  # a sign that read “…”: not a speaker


def _last(matches):
    found = None
    for found in matches:  # noqa: B007 - the last one is wanted
        pass
    return found


def _speaker_next(ctx: _Context, position: int, pe: int, next_paragraph) -> _Speaker | None:
    """A quote that stands alone: its speaker is the subject of the next sentence, in the
    same paragraph (“…” That was how Ortiz put it.) or the next one."""
    body = ctx.body
    start = position
    while start < len(body) and body[start] in " \n,.":
        start += 1
    if start >= pe and next_paragraph:
        start = next_paragraph[0]
    elif start >= pe:
        return None
    end = _clause_end(body, start, len(body))
    people = [m for m in ctx.between(start, end) if m.kind == PERSON]
    # The name opens the sentence ("Ruth Calder stood…", "That was how Ortiz put it"), not
    # "Another parent, Marcus Bell, said…", which brings in somebody new.
    if (
        people
        and _words(body[start : people[0].start]) <= 6
        and "," not in body[start : people[0].start]
    ):
        verb = _VERB.search(body, people[0].end, end)
        return _Speaker(people[0].name, 0.75 if verb else 0.6, "next sentence")
    return None


def _stands_alone(ctx: _Context, raw: _Raw, ps: int) -> bool:
    """The quote is a sentence of its own: it opens its sentence, ends with a stop and the
    next sentence starts without a quote mark."""
    body = ctx.body
    if body[max(ps, ctx.sentence_start(raw.opened_at)) : raw.opened_at].strip():
        return False
    if body[raw.end - 1 : raw.end] not in (".", "!", "?"):
        return False
    following = body[raw.closed_at : raw.closed_at + 2].lstrip(" ")
    return bool(following) and following[0].isupper()


def _sentence_subject(ctx: _Context, floor: int, position: int) -> _Speaker | None:
    """The person a sentence opens with, when the quote comes later in it with no reporting
    verb: "In a dissent, Judge Patrick Delaney accused the majority of “…”", "Success, she
    says, …, beyond saying that it is “…”"."""
    body = ctx.body
    start = max(floor, ctx.sentence_start(position))
    if not body[start:position].strip():
        return None
    people = [m for m in ctx.between(start, position) if m.kind == PERSON]
    if len({m.name for m in people}) == 1 and _words(body[start : people[0].start]) <= 6:
        return _Speaker(people[0].name, 0.6, "sentence's subject")
    if people:
        # A person far into the sentence is seldom its subject, and with several people
        # ("Lindqvist showed an email in which Marchetti praised …") the quote's may be any.
        return None
    pronoun = _PRONOUN.search(body, start, position)
    if pronoun and _words(body[start : pronoun.start()]) <= 3:
        found = ctx.pronoun(pronoun.start(), _PRONOUN_GENDER[pronoun.group().lower()])
        if found:
            return _Speaker(found.name, min(found.confidence, 0.6), "sentence's subject")
    return None


def _previous_subject(ctx: _Context, floor: int, position: int) -> _Speaker | None:
    if not ctx.body[floor:position].rstrip().endswith((".", "!", "?")):
        return None  # the quote does not open its sentence: "X called the plan “…”"
    start = max(floor, ctx.sentence_start(max(floor, position - 1)))
    if start >= position:
        return None
    skip = _SUBJECT_START.match(ctx.body, start).end()
    pronoun = _PRONOUN.match(ctx.body, skip)
    if pronoun:
        found = ctx.pronoun(skip, _PRONOUN_GENDER[pronoun.group().lower()])
    else:
        people = [m for m in ctx.between(skip, position) if m.kind == PERSON]
        subject = people and _words(ctx.body[skip : people[0].start]) <= 6
        found = _Speaker(people[0].name, 0.6, "") if subject else None
    if found is None:
        return None
    return _Speaker(found.name, min(found.confidence, 0.6), "previous sentence's subject")


def _subject_opening(
    ctx: _Context, ps: int, pe: int, last: _Speaker | None = None
) -> _Speaker | None:
    """The person a paragraph opens with: "Mr Smith, 45, lost his home…", "She spoke…".
    A pronoun there that fits the last speaker is the last speaker: the story goes on."""
    skip = _SUBJECT_START.match(ctx.body, ps).end()
    people = [m for m in ctx.between(skip, min(pe, skip + 60)) if m.kind == PERSON]
    if people and all(w[:1].isupper() for w in ctx.body[skip : people[0].start].split()):
        return _Speaker(people[0].name, 0.45, "previous paragraph's subject")
    pronoun = _PRONOUN.match(ctx.body, skip)
    if pronoun:
        gender = _PRONOUN_GENDER[pronoun.group().lower()]
        if last and last.name and ctx.genders.get(last.name, gender) == gender:
            return _Speaker(last.name, 0.45, "previous paragraph's subject")
        found = ctx.pronoun(skip, gender)
        if found:
            return _Speaker(found.name, min(found.confidence, 0.45), "previous paragraph's subject")
    return None


# ---------------------------------------------------------------------------------------


def suggest_quotes(
    body: str, *, mentions: Sequence[MentionSuggestion] | None = None
) -> list[QuoteSuggestion]:
    """Direct quotes with speakers, then indirect ones, in text order.

    `mentions` are the entity suggestions for the same body, when the caller has them already.
    """
    paragraphs = _paragraphs(body)
    raws = _find(body, paragraphs)
    if mentions is None:
        mentions = suggest_mentions(body)
    named = [m for m in mentions if m.kind in (PERSON, "ORG")]
    spans = sentences(body)
    ctx = _Context(
        body,
        named,
        [m.start for m in named],
        [m.end for m in named],
        [(r.opened_at, r.closed_at or r.end) for r in raws],
        [s for s, _ in spans],
        _genders(body, named) if raws else {},
    )
    out: list[QuoteSuggestion] = []
    last: _Speaker | None = None
    previous: _Raw | None = None
    previous_speaker: _Speaker | None = None
    for index, raw in enumerate(raws):
        ps, pe = paragraphs[raw.paragraph]
        following = raws[index + 1].opened_at if index + 1 < len(raws) else pe
        limit = min(pe, following if following > raw.end else pe)
        quoted = body[raw.start : raw.end]
        found: _Speaker | None = None
        if raw.closed_at is not None:
            found = _speaker_after(ctx, raw.closed_at, limit)
        if _is_a_title(ctx, raw, quoted, spoken_after=found is not None):
            continue  # the name of a work, or the words on a sign: nobody said them
        if found is None:
            floor = max(ctx.sentence_start(raw.opened_at), ps, _previous_end(raws, index))
            found = _speaker_before(ctx, floor, raw.opened_at)
        same_paragraph = previous is not None and raw.paragraph == previous.paragraph
        if found is None and previous_speaker and (raw.continues or same_paragraph):
            found = _Speaker(previous_speaker.name, min(0.85, previous_speaker.confidence),
                             "continues the last quote")  # fmt: skip
        alone = not body[ps : raw.opened_at].strip()
        if found is None and alone and raw.paragraph > 0:
            before = paragraphs[raw.paragraph - 1]
            if not any(r.paragraph == raw.paragraph - 1 for r in raws):
                found = _subject_opening(ctx, *before, last)
        if found is None and raw.closed_at is not None and _stands_alone(ctx, raw, ps):
            # “Fair, not nice.” That is how Judith Carrow put it. “…”: the next sentence
            # names the speaker even when more quotes follow in the paragraph.
            found = _speaker_next(ctx, raw.closed_at, pe, None)
        if found is None and raw.opened_at > ps:
            # Beatrice Caldwell, a critic, called the film “…”: no reporting verb, but the
            # sentence's subject is who is quoted.
            found = _sentence_subject(ctx, max(ps, _previous_end(raws, index)), raw.opened_at)
        if found is None and not any(r.paragraph == raw.paragraph for r in raws[index + 1 :]):
            # The quote ends its paragraph with no verb: the next sentence may name it.
            after = raw.closed_at if raw.closed_at is not None else raw.end
            nxt = paragraphs[raw.paragraph + 1] if raw.paragraph + 1 < len(paragraphs) else None
            found = _speaker_next(ctx, after, pe, nxt)
        if found is None:
            found = _speaker_before(ctx, max(ps, _previous_end(raws, index)), raw.opened_at)
        if found is None and raw.opened_at > ps:
            # “He laughed. “…”: the sentence before, in the same paragraph, is about the
            # speaker even without a reporting verb.
            found = _previous_subject(ctx, max(ps, _previous_end(raws, index)), raw.opened_at)
        if found is None and raw.paragraph > 0:
            before = paragraphs[raw.paragraph - 1]
            if not any(r.paragraph == raw.paragraph - 1 for r in raws):
                found = _subject_opening(ctx, *before, last)
        if found is None and last is not None and last.name:
            found = _Speaker(last.name, 0.3, "last speaker")
        if found is None:
            found = _Speaker(None, 0.0, "")
        sentence = found.evidence == "continues the last quote" and quoted[-1] in ".?!"
        short = len(quoted.split()) < 3
        opens = not body[max(ps, ctx.sentence_start(raw.opened_at)) : raw.opened_at].strip()
        unnamed = opens and found.evidence in _UNNAMED_NEAR
        near = sentence or unnamed or found.evidence.startswith(_NEAR)
        if short and not near and not _cited(ctx, raw):
            continue  # a scare quote or a term in quotes, not something somebody said
        confidence = 0.9 if found.confidence >= 0.8 else 0.8 if found.name else 0.7
        if raw.closed_at is None and not raw.continues:
            confidence = round(confidence - 0.1, 2)
        out.append(
            QuoteSuggestion(
                raw.start,
                raw.end,
                quoted,
                found.name,
                False,
                confidence,
                speaker_confidence=round(found.confidence, 2) if found.name else 0.0,
                evidence=found.evidence,
            )
        )
        previous, previous_speaker = raw, found
        if found.name:
            last = found
    out.extend(_indirect(ctx, spans, raws))
    out.sort(key=lambda q: (q.start, q.end))
    return out


def _previous_end(raws: list[_Raw], index: int) -> int:
    if index == 0:
        return 0
    before = raws[index - 1]
    return before.closed_at or before.end


# ---------------------------------------------------------------------------------------
# Indirect quotes

_INDIRECT_VERBS = (
    "said|says|say|told|tells|stated|states|added|insisted|insists|claimed|claims|warned|warns"
    "|argued|argues|announced|confirmed|confirms|denied|denies|reported|reports|vowed|pledged"
    "|explained|noted|acknowledged|admitted|believes|believe|estimated|estimates"
)
_INDIRECT_VERB = one_of(_INDIRECT_VERBS.split("|"))  # whole words: each is followed by \b
_AUXILIARY = (
    r"(?:(?:has|have|had|will|would|also|further|again|previously|later|earlier|\w+ly)\s+){0,3}"
)
_FRONT = re.compile(
    rf"^(?P<subject>.{{1,200}}?)\s+{_AUXILIARY}(?P<verb>{_INDIRECT_VERB})\b"
    r"(?:(?:(?<=told)|(?<=tells))\s+(?:reporters|journalists|the \w+|[A-Z]\w+))?"
    r",?\s+(?:that\s+)?(?P<clause>.+)$",
    re.DOTALL,
)
_BACK = re.compile(
    rf"^(?P<clause>.+),\s+(?P<subject>[^,]{{2,60}}?)\s+{_AUXILIARY}(?P<verb>{_INDIRECT_VERB})\b"
    r"(?P<rest>[^,]*)$",
    re.DOTALL,
)
_LEAD = re.compile(r"^(?:(?:But|And|However|Meanwhile|Yet|Still|So)\b,?\s*)")
_NOT_SPEECH = re.compile(r"^(?:to|so)\b")


def _indirect(ctx: _Context, spans, raws: list[_Raw]) -> list[QuoteSuggestion]:
    body = ctx.body
    marks = [(r.opened_at, r.closed_at or r.end) for r in raws]
    out = []
    j = 0
    for start, end in spans:
        while j < len(marks) and marks[j][1] <= start:
            j += 1
        if j < len(marks) and marks[j][0] < end:
            continue  # the sentence holds a direct quote
        sentence = body[start:end]
        if not _VERB.search(sentence):
            continue
        found = _from_front(ctx, start, sentence) or _from_back(ctx, start, sentence)
        if found:
            out.append(found)
    return out


def _from_front(ctx: _Context, start: int, sentence: str) -> QuoteSuggestion | None:
    match = _FRONT.match(sentence)
    if not match:
        return None
    subject = match.group("subject")
    if "," in subject:
        # "Asked whether…, Blinken said that…": the subject follows the last comma; but in
        # "The toll rose, the ministry said overnight" the words before the comma are what
        # was said, unless "that" introduces a clause after the verb.
        if not sentence[match.end("verb") :].lstrip(" ,").startswith("that "):
            return None
        subject = subject.rsplit(",", 1)[1]
    subject = _LEAD.sub("", subject.strip())
    clause_start = start + match.start("clause")
    if len(subject.split()) > 6 or not subject or _NOT_SPEECH.match(match.group("clause")):
        return None
    speaker = _who(ctx, start + sentence.find(subject), subject)
    return _indirect_quote(ctx.body, clause_start, start + len(sentence), speaker)


def _from_back(ctx: _Context, start: int, sentence: str) -> QuoteSuggestion | None:
    match = _BACK.match(sentence)
    if not match:
        return None
    subject = match.group("subject").strip()
    if len(subject.split()) > 6:
        return None
    speaker = _who(ctx, start + match.start("subject"), subject)
    return _indirect_quote(ctx.body, start, start + match.end("clause"), speaker)


def _who(ctx: _Context, at: int, subject: str) -> str | None:
    mention = None
    i = bisect_left(ctx.starts, at)
    if i < len(ctx.mentions) and ctx.mentions[i].start < at + len(subject):
        mention = ctx.mentions[i]
    if mention:
        return mention.name
    if subject in ("he", "she", "He", "She"):
        return ctx.person_before(at)
    if subject.split()[0] in ("it", "they", "It", "They", "we", "We", "I", "you"):
        return None
    return subject


def _indirect_quote(body: str, start: int, end: int, speaker: str | None):
    while end > start and (body[end - 1] in " .,;" or body[end - 1].isspace()):
        end -= 1
    text = body[start:end]
    if len(text.split()) < 4 or speaker is None:
        return None
    return QuoteSuggestion(start, end, text, speaker, True, 0.4)
