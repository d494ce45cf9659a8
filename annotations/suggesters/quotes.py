"""Direct quotes and who said them; indirect ("officials said the toll…") as a weaker kind.

Finding quotes: every run of quote marks is read as opening or closing from what touches it
(a space before and a letter after opens, a letter before and a space after closes), which
copes with straight marks, typos such as ‘’…” and quotes nested in quotes. A paragraph that
ends inside a quote closes it there; if the next paragraph opens with a quote mark, that quote
continues the last one (the news convention) and keeps its speaker.

Finding speakers, in this order: a reporting verb next to the quote (“…,” said X / X said, “…”
/ “…,” he told reporters / according to X); a speaker named earlier in the same paragraph; the
speaker of the quote it continues; the subject who opens the previous paragraph; the last
speaker in the article; the nearest person before the quote. "He"/"she" is the nearest person
before it that is not inside a quote.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from annotations.suggesters import one_of, sentences, words
from annotations.suggesters.entities import PERSON, MentionSuggestion, suggest_mentions

ORIGIN = "suggester:quotes"


@dataclass(frozen=True)
class QuoteSuggestion:
    start: int
    end: int
    text: str
    speaker: str | None
    indirect: bool
    confidence: float


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

_VERBS = words("reporting_verbs")
_VERB = re.compile(r"\b(?:" + one_of(_VERBS) + r")\b")
_ACCORDING = re.compile(r"\baccording to\s+$|\baccording to\b", re.IGNORECASE)
_PRONOUN = re.compile(r"\b(?:he|she|He|She)\b")
_GAP = re.compile(r"^[\s,]*(?:[\w’'-]+[\s,]+){0,3}$")  # "Blinken on Wednesday said"
_PHRASE = re.compile(
    r"\b((?:the|a|an|The|A|An)\s+(?:[\w’'-]+\s+){0,5}?[\w’'-]+)\s+"
    r"(?:(?:has|had|have|also|then|later|further)\s+)?$"
)
_DESCRIPTOR = re.compile(r"(?:[a-z][\w-]*\s+){0,3}$")  # "engineer ", "the company's "
_THE_PHRASE = re.compile(r"((?:the|a|an)\s+[^,.;]{1,60})")  # said the company's founder
_ACCORDING_TO = re.compile(r"according to\s+")
_THE_PHRASE_VERB = re.compile(r"((?:the|a|an)\s+(?:[\w’'-]+\s+){0,5}?)(?=" + _VERB.pattern + ")")
_SUBJECT_START = re.compile(r"^(?:(?:But|And|However|Meanwhile|Now|Then|So),?\s+)?")


@dataclass
class _Context:
    body: str
    mentions: list[MentionSuggestion]  # people and organisations, in text order
    starts: list[int]
    ends: list[int]
    quoted: list[tuple[int, int]]  # direct quotes, in text order
    sentence_starts: list[int]

    def starting_at(self, position: int) -> MentionSuggestion | None:
        i = bisect_left(self.starts, position)
        if i < len(self.starts) and self.starts[i] == position:
            return self.mentions[i]
        return None

    def first_after(self, position: int, limit: int) -> MentionSuggestion | None:
        i = bisect_left(self.starts, position)
        if i < len(self.starts) and self.starts[i] < limit:
            return self.mentions[i]
        return None

    def ending_before(self, position: int, floor: int) -> MentionSuggestion | None:
        i = bisect_right(self.ends, position) - 1
        while i >= 0 and self.mentions[i].start >= floor:
            if self.mentions[i].end <= position:
                return self.mentions[i]
            i -= 1
        return None

    def person_before(self, position: int) -> str | None:
        """Who "he" or "she" at `position` is: the first person named (outside quotes) in
        the nearest sentence before it that names one; a sentence's first person is most
        often its subject, where a later one is the person met, thanked or criticised."""
        i = bisect_right(self.ends, position) - 1
        while i >= 0:
            mention = self.mentions[i]
            if mention.kind == PERSON and not self.in_quote(mention.start):
                # Walk back to the first person in the same sentence.
                floor = self.sentence_start(mention.start)
                j = i - 1
                while j >= 0 and self.mentions[j].start >= floor:
                    m = self.mentions[j]
                    if m.kind == PERSON and not self.in_quote(m.start):
                        mention = m
                    j -= 1
                return mention.name
            i -= 1
        return None

    def sentence_start(self, position: int) -> int:
        i = bisect_right(self.sentence_starts, position) - 1
        return self.sentence_starts[i] if i >= 0 else 0

    def in_quote(self, position: int) -> bool:
        i = bisect_right(self.quoted, (position, len(self.body))) - 1
        return i >= 0 and self.quoted[i][0] <= position < self.quoted[i][1]


def _speaker_after(ctx: _Context, position: int, limit: int) -> str | None:
    """“…,” said X / “…,” X said / “…,” he told reporters / “…”, according to X."""
    body = ctx.body
    text = body[position:limit]
    skipped = len(text) - len(text.lstrip(" ,.—–"))
    text = text[skipped:]
    here = position + skipped
    verb = _VERB.match(text)
    if verb:
        after = here + verb.end() + 1
        mention = ctx.starting_at(after) or ctx.first_after(after, limit)
        if mention and _DESCRIPTOR.match(body, after, mention.start):
            return mention.name  # said Maria Kowalski / said engineer Maria Kowalski
        pronoun = _PRONOUN.match(body, after)
        if pronoun:
            return ctx.person_before(here)
        phrase = _THE_PHRASE.match(body, after, limit)
        return phrase.group(1).strip() if phrase else None
    according = _ACCORDING_TO.match(text)
    if according:
        mention = ctx.starting_at(here + according.end())
        return mention.name if mention else None
    mention = ctx.starting_at(here)
    if mention:
        rest = body[mention.end : limit]
        verb = _VERB.search(rest, 0, 40)
        if verb and _GAP.match(rest[: verb.start()]):
            return mention.name
        return None
    pronoun = _PRONOUN.match(text)
    if pronoun:
        verb = _VERB.search(text, pronoun.end(), pronoun.end() + 25)
        if verb and _GAP.match(text[pronoun.end() : verb.start()]):
            return ctx.person_before(here)
        return None
    phrase = _THE_PHRASE_VERB.match(text)
    if phrase:
        return phrase.group(1).strip()
    return None


def _speaker_before(ctx: _Context, floor: int, position: int) -> str | None:
    """X said, “…” / X told reporters that “…” / According to X, “…” / Headline X: ‘…’."""
    body = ctx.body
    text = body[floor:position]
    verbs = [v for v in _VERB.finditer(text) if not ctx.in_quote(floor + v.start())]
    according = _ACCORDING.search(text)
    if according and (not verbs or according.start() > verbs[-1].start()):
        mention = ctx.starting_at(floor + according.end() + _spaces(text, according.end()))
        if mention:
            return mention.name
    if verbs:
        verb_at = floor + verbs[-1].start()
        mention = ctx.ending_before(verb_at, floor)
        if mention and _GAP.match(body[mention.end : verb_at]):
            return mention.name
        lead = body[floor:verb_at]
        pronoun = list(_PRONOUN.finditer(lead))
        if pronoun and _GAP.match(lead[pronoun[-1].end() :]):
            return ctx.person_before(floor + pronoun[-1].start())
        after = verb_at + verbs[-1].end() - verbs[-1].start() + 1
        mention = ctx.starting_at(after)  # said Alex Vatanka, “…”
        if mention:
            return mention.name
        phrase = _PHRASE.search(lead)
        if phrase:
            return phrase.group(1)
        if mention := ctx.ending_before(verb_at, floor):
            return mention.name
        return None
    if text.rstrip().endswith(":"):  # a headline: Blinken flies to Israel: ‘…’
        for mention in ctx.mentions[bisect_left(ctx.starts, floor) :]:
            if mention.start >= position:
                break
            if mention.kind == PERSON:
                return mention.name
    return None


def _spaces(text: str, at: int) -> int:
    return len(text[at:]) - len(text[at:].lstrip())


def _clause_start(ps: int, position: int, starts: list[int]) -> int:
    """Where the sentence holding `position` starts, within its paragraph."""
    i = bisect_right(starts, position) - 1
    return max(ps, starts[i]) if i >= 0 else ps


def _subject_opening(ctx: _Context, ps: int, pe: int) -> str | None:
    """The person a paragraph opens with: "Mr Smith, 45, lost his home…"."""
    text = ctx.body[ps:pe]
    skip = _SUBJECT_START.match(text).end()
    i = bisect_left(ctx.starts, ps + skip)
    while i < len(ctx.mentions) and ctx.mentions[i].start < ps + skip + 60:
        mention = ctx.mentions[i]
        between = ctx.body[ps + skip : mention.start]
        if mention.kind == PERSON and (not between.strip() or _only_names(ctx, ps + skip, mention)):
            return mention.name
        i += 1
    return None


def _only_names(ctx: _Context, start: int, mention: MentionSuggestion) -> bool:
    # "Israeli Prime Minister Benjamin Netanyahu": only capitalised words before the name.
    between = ctx.body[start : mention.start].split()
    return all(word[:1].isupper() for word in between)


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
    starts = [s for s, _ in spans]
    ctx = _Context(
        body,
        named,
        [m.start for m in named],
        [m.end for m in named],
        [(r.opened_at, r.closed_at or r.end) for r in raws],
        starts,
    )
    out: list[QuoteSuggestion] = []
    last_speaker: str | None = None
    previous: _Raw | None = None
    previous_speaker: str | None = None
    for index, raw in enumerate(raws):
        ps, pe = paragraphs[raw.paragraph]
        following = raws[index + 1].opened_at if index + 1 < len(raws) else pe
        limit = min(pe, following if following > raw.end else pe)
        quoted = body[raw.start : raw.end]
        speaker, how = None, ""
        if raw.closed_at is not None:
            speaker = _speaker_after(ctx, raw.closed_at, limit)
            how = "verb" if speaker else ""
        if speaker is None:
            floor = max(_clause_start(ps, raw.opened_at, starts), _previous_end(raws, index))
            speaker = _speaker_before(ctx, floor, raw.opened_at)
            how = "verb" if speaker else ""
        if speaker is None and raw.continues and previous is not None:
            speaker, how = previous_speaker, "continued"
        if speaker is None and raw.paragraph == (previous.paragraph if previous else -1):
            speaker, how = previous_speaker, "continued"
        if speaker is None:
            speaker = _speaker_before(ctx, max(ps, _previous_end(raws, index)), raw.opened_at)
            how = "paragraph" if speaker else ""
        if speaker is None and raw.paragraph > 0:
            before = paragraphs[raw.paragraph - 1]
            if not any(r.paragraph == raw.paragraph - 1 for r in raws):
                speaker = _subject_opening(ctx, *before)
                how = "previous paragraph" if speaker else ""
        if speaker is None and last_speaker:
            speaker, how = last_speaker, "last speaker"
        if speaker is None:
            speaker = ctx.person_before(raw.opened_at)
            how = "nearest person" if speaker else ""
        if len(quoted.split()) < 3 and how != "verb":
            continue  # a scare quote or a term in quotes, not something somebody said
        confidence = {"verb": 0.9, "continued": 0.85, "paragraph": 0.8}.get(how, 0.6)
        if raw.closed_at is None and not raw.continues:
            confidence = round(confidence - 0.1, 2)
        out.append(QuoteSuggestion(raw.start, raw.end, quoted, speaker, False, confidence))
        previous, previous_speaker = raw, speaker
        if speaker:
            last_speaker = speaker
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
