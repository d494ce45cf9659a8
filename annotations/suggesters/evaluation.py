"""Scoring the suggesters against hand-written gold files (shared by `make eval` and tests).

A gold file (JSON) names its article file and holds ``entities`` {name: {kind, aliases}},
``quotes`` [{start, end, text, speaker}] and ``mentions`` [{start, end, text, entity}], with
offsets in the body the importer's Cleaner makes of the article file.

Scoring:
- a predicted direct quote matches a gold quote when their token F1 is at least 0.8, ignoring
  case, quote marks and punctuation; each gold quote matches once;
- speaker accuracy counts the matched quotes whose gold speaker is a person named in the
  article; a speaker is right when its surname matches the gold speaker's (no speaker is wrong);
- a predicted mention is right when it overlaps an unmatched gold mention and its name (or a
  known alias of the gold entity; case and punctuation aside) and its kind match. P/R/F1 by kind, and overall over
  PERSON, ORG and GPE (the kinds the targets are about).
Indirect quotes are a separate, weaker kind of suggestion and are not scored as direct ones.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

KINDS = ("PERSON", "ORG", "GPE")


def tokens(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).casefold().replace("’", "'")
    return re.findall(r"\w+(?:'\w+)?", text)


def token_f1(a: str, b: str) -> float:
    ta, tb = Counter(tokens(a)), Counter(tokens(b))
    common = sum((ta & tb).values())
    if not common:
        return 0.0
    precision, recall = common / sum(ta.values()), common / sum(tb.values())
    return 2 * precision * recall / (precision + recall)


def surname(name: str | None) -> str:
    words = tokens(name) if name else []
    return words[-1] if words else ""


def prf(hits: int, predicted: int, gold: int) -> tuple[float, float, float]:
    p = hits / predicted if predicted else 0.0
    r = hits / gold if gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


@dataclass
class Tally:
    """Counts summed over articles; the rates are read off at the end."""

    quote_hits: int = 0
    quotes_predicted: int = 0
    quotes_gold: int = 0
    speakers_named: int = 0  # matched quotes whose gold speaker is named in the article
    speakers_right: int = 0
    speakers_abstained: int = 0  # of those, how many got no speaker
    unsure_right: int = 0  # right speakers given with confidence under UNSURE
    unsure: int = 0
    mention_hits: Counter = field(default_factory=Counter)
    mentions_predicted: Counter = field(default_factory=Counter)
    mentions_gold: Counter = field(default_factory=Counter)
    misses: list[str] = field(default_factory=list)  # for reading, not for scoring

    def quotes(self) -> tuple[float, float, float]:
        return prf(self.quote_hits, self.quotes_predicted, self.quotes_gold)

    def speaker_accuracy(self) -> float:
        return self.speakers_right / self.speakers_named if self.speakers_named else 0.0

    def entities(self, kinds=KINDS) -> tuple[float, float, float]:
        return prf(
            sum(self.mention_hits[k] for k in kinds),
            sum(self.mentions_predicted[k] for k in kinds),
            sum(self.mentions_gold[k] for k in kinds),
        )


UNSURE = 0.5  # a speaker given with less confidence shows as "speaker unsure"


def score_quotes(predicted, gold: dict, tally: Tally) -> None:
    named = {
        surname(name)
        for name, entity in gold["entities"].items()
        if entity["kind"] == "PERSON" and any(m["entity"] == name for m in gold["mentions"])
    }
    direct = [q for q in predicted if not q.indirect]
    free = list(gold["quotes"])
    tally.quotes_predicted += len(direct)
    tally.quotes_gold += len(free)
    for quote in direct:
        best = max(free, key=lambda g: token_f1(quote.text, g["text"]), default=None)
        if best is None or token_f1(quote.text, best["text"]) < 0.8:
            tally.misses.append(f"extra quote: {quote.text[:60]!r}")
            continue
        free.remove(best)
        tally.quote_hits += 1
        if not best["speaker"] or surname(best["speaker"]) not in named:
            continue
        tally.speakers_named += 1
        right = surname(quote.speaker) == surname(best["speaker"])
        tally.speakers_right += right
        tally.speakers_abstained += quote.speaker is None
        confidence = getattr(quote, "speaker_confidence", 1.0)
        if quote.speaker and confidence < UNSURE:
            tally.unsure += 1
            tally.unsure_right += right
        if not right:
            tally.misses.append(
                f"speaker {quote.speaker!r} ({confidence:.2f}) for {best['speaker']!r}: "
                f"{best['text'][:50]!r}"
            )
    tally.misses.extend(f"missed quote: {g['text'][:60]!r}" for g in free)


def score_mentions(predicted, gold: dict, tally: Tally) -> None:
    names = {
        canonical: {_name(n) for n in [canonical, *entity["aliases"]]}
        for canonical, entity in gold["entities"].items()
    }
    free = list(gold["mentions"])
    for item in free:
        tally.mentions_gold[gold["entities"][item["entity"]]["kind"]] += 1
    for mention in predicted:
        tally.mentions_predicted[mention.kind] += 1
        for item in free:
            entity = gold["entities"][item["entity"]]
            if (
                item["start"] < mention.end
                and mention.start < item["end"]
                and mention.kind == entity["kind"]
                and _name(mention.name) in names[item["entity"]]
            ):
                free.remove(item)
                tally.mention_hits[mention.kind] += 1
                break
        else:
            tally.misses.append(f"extra {mention.kind} {mention.text!r} as {mention.name!r}")
    tally.misses.extend(
        f"missed {gold['entities'][i['entity']]['kind']} {i['text']!r}" for i in free
    )


def _name(name: str) -> str:
    """A name as compared: case, punctuation and spacing aside ("Inc." is "Inc")."""
    return " ".join(tokens(name))


def load(gold_file: Path) -> dict:
    return json.loads(gold_file.read_text(encoding="utf-8"))


def article_of(gold_file: Path, gold: dict) -> Path:
    """The article a gold file is about: beside it, or in the repository's seeds/."""
    beside = gold_file.with_name(gold["file"])
    if beside.exists():
        return beside
    return Path(__file__).resolve().parents[2] / "seeds" / gold["file"]


def evaluate(gold_files, body_of) -> Tally:
    """Run the suggesters over each gold file's article; `body_of(path)` cleans it."""
    from annotations.suggesters.entities import suggest_mentions
    from annotations.suggesters.quotes import suggest_quotes

    tally = Tally()
    for gold_file in gold_files:
        gold = load(gold_file)
        body = body_of(article_of(gold_file, gold))
        mentions = suggest_mentions(body)
        tally.misses.append(f"== {gold['file']}")
        score_quotes(suggest_quotes(body, mentions=mentions), gold, tally)
        score_mentions(mentions, gold, tally)
    return tally


def report(name: str, tally: Tally) -> str:
    p, r, f = tally.quotes()
    lines = [
        f"{name}: quotes P={p:.3f} R={r:.3f} F1={f:.3f} ({tally.quote_hits}/{tally.quotes_gold})",
        f"  speakers: accuracy {tally.speaker_accuracy():.3f} "
        f"({tally.speakers_right}/{tally.speakers_named} named; "
        f"{tally.speakers_abstained} abstained; {tally.unsure} unsure, "
        f"{tally.unsure_right} of them right)",
    ]
    for kind in (*KINDS, "NORP", "LOC"):
        if tally.mentions_gold[kind] or tally.mentions_predicted[kind]:
            p, r, f = tally.entities((kind,))
            lines.append(
                f"  {kind:<7} P={p:.3f} R={r:.3f} F1={f:.3f} "
                f"(gold {tally.mentions_gold[kind]}, predicted {tally.mentions_predicted[kind]})"
            )
    p, r, f = tally.entities()
    lines.append(f"  entities PERSON/ORG/GPE P={p:.3f} R={r:.3f} F1={f:.3f}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------
# Gold written inline: the dev set's articles are written with their annotations in the text.
#
#   [Dana Whitfield|PERSON]           a mention; the entity is named by the text itself
#   [Ms. Whitfield|PERSON|Dana Whitfield]   a mention of a named entity
#   “{{We are ready|Dana Whitfield}},” said …   a direct quote and its speaker (- for none)
#
# Mentions may sit inside quotes. The first line is the title, paragraphs are separated by
# blank lines; the body is what the importer's Cleaner keeps after the title.


def from_markup(source: str, file: str, note: str) -> tuple[str, dict]:
    """(article file text, gold) from an article written with inline annotations."""
    plain: list[str] = []
    size = 0
    stack: list[tuple[str, int]] = []
    quotes, mentions = [], []
    entities: dict[str, dict] = {}
    i = 0
    while i < len(source):
        if source.startswith("{{", i):
            stack.append(("quote", size))
            i += 2
        elif source[i] == "[":
            stack.append(("mention", size))
            i += 1
        elif source[i] == "|" and stack:
            what, start = stack.pop()
            close = source.index("}}" if what == "quote" else "]", i)
            meta = source[i + 1 : close].split("|")
            text = "".join(plain)[start:size]
            if what == "quote":
                speaker = None if meta[0] == "-" else meta[0]
                quotes.append({"start": start, "end": size, "text": text, "speaker": speaker})
                i = close + 2
            else:
                kind, name = meta[0], (meta[1] if len(meta) > 1 else text)
                entity = entities.setdefault(name, {"kind": kind, "aliases": []})
                if entity["kind"] != kind:
                    raise ValueError(f"{file}: {name} is {entity['kind']} and {kind}")
                if text != name and text not in entity["aliases"]:
                    entity["aliases"].append(text)
                mentions.append({"start": start, "end": size, "text": text, "entity": name})
                i = close + 1
        else:
            plain.append(source[i])
            size += 1
            i += 1
    if stack:
        raise ValueError(f"{file}: unclosed annotation at {stack[-1][1]}")
    text = "".join(plain).strip() + "\n"
    title, _, body = text.partition("\n\n")
    shift = len(title) + 2
    for item in quotes + mentions:
        item["start"] -= shift
        item["end"] -= shift
    mentions.sort(key=lambda m: m["start"])
    gold = {
        "file": file,
        "note": note,
        "entities": dict(sorted(entities.items())),
        "quotes": quotes,
        "mentions": mentions,
    }
    return text, gold
