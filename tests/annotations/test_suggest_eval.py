"""How good the suggesters are on the seed articles, against hand-written gold files.

Run with ``-s`` to see the figures. Scoring (issue 5):
- a predicted direct quote matches a gold quote when their token F1 is at least 0.8, ignoring
  case, quote marks and punctuation;
- a speaker is right when its surname matches the gold speaker's (over matched quotes);
- a predicted mention is right when it overlaps an unmatched gold mention and its name (or a
  known alias of the gold entity) and its kind match.
Indirect quotes are a separate, weaker kind of suggestion and are not scored as direct ones.
"""

import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from annotations.suggesters import throughput
from annotations.suggesters.entities import Gazetteer, suggest_mentions
from annotations.suggesters.quotes import suggest_quotes
from articles.importing import Cleaner

ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
GOLD = Path(__file__).with_name("gold")


def body_of(seed: Path) -> str:
    return Cleaner().clean(seed.read_bytes()).body


def gold_of(seed: Path) -> dict:
    return json.loads((GOLD / f"{seed.name}.json").read_text(encoding="utf-8"))


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
    return tokens(name)[-1] if name and tokens(name) else ""


def prf(hits: int, predicted: int, gold: int) -> tuple[float, float, float]:
    p = hits / predicted if predicted else 0.0
    r = hits / gold if gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def score_quotes(predicted, gold) -> tuple[int, int]:
    """(matched quotes, of which the speaker is right); each gold quote matches once."""
    free = list(gold)
    hits = right = 0
    for quote in predicted:
        best = max(free, key=lambda g: token_f1(quote.text, g["text"]), default=None)
        if best is None or token_f1(quote.text, best["text"]) < 0.8:
            continue
        free.remove(best)
        hits += 1
        right += surname(quote.speaker) == surname(best["speaker"])
    return hits, right


def score_mentions(predicted, gold: dict) -> int:
    names = {
        canonical: {n.casefold() for n in [canonical, *entity["aliases"]]}
        for canonical, entity in gold["entities"].items()
    }
    free = list(gold["mentions"])
    hits = 0
    for mention in predicted:
        for item in free:
            entity = gold["entities"][item["entity"]]
            if (
                item["start"] < mention.end
                and mention.start < item["end"]
                and mention.kind == entity["kind"]
                and mention.name.casefold() in names[item["entity"]]
            ):
                free.remove(item)
                hits += 1
                break
    return hits


def test_gold_offsets_point_at_their_text():
    for seed in SEEDS:
        body, gold = body_of(seed), gold_of(seed)
        for item in gold["quotes"] + gold["mentions"]:
            assert body[item["start"] : item["end"]] == item["text"]


def test_quotes_and_speakers_reach_the_targets():
    hits = right = predicted = expected = 0
    for seed in SEEDS:
        gold = gold_of(seed)["quotes"]
        direct = [q for q in suggest_quotes(body_of(seed)) if not q.indirect]
        h, r = score_quotes(direct, gold)
        hits, right, predicted, expected = (
            hits + h,
            right + r,
            predicted + len(direct),
            expected + len(gold),
        )
    precision, recall, f1 = prf(hits, predicted, expected)
    accuracy = right / hits if hits else 0.0
    print(f"\nquotes: P={precision:.3f} R={recall:.3f} F1={f1:.3f}  speakers: {accuracy:.3f}")
    assert f1 >= 0.95
    assert accuracy >= 0.95


@pytest.mark.parametrize("known", [False, True], ids=["empty gazetteer", "two known entities"])
def test_entities_reach_the_target(known):
    # With known entities, the aliases carry the misspelling and the title + surname form.
    gazetteer = (
        Gazetteer(
            [
                (1, "Antony Blinken", "PERSON", ["Anthony Blinken", "Blinken"]),
                (2, "Joe Biden", "PERSON", ["President Biden"]),
            ]
        )
        if known
        else None
    )
    hits = predicted = expected = 0
    for seed in SEEDS:
        gold = gold_of(seed)
        mentions = suggest_mentions(body_of(seed), gazetteer)
        hits += score_mentions(mentions, gold)
        predicted, expected = predicted + len(mentions), expected + len(gold["mentions"])
    precision, recall, f1 = prf(hits, predicted, expected)
    label = "known" if known else "empty"
    print(f"\nentities ({label}): P={precision:.3f} R={recall:.3f} F1={f1:.3f}")
    assert f1 >= 0.85


def test_throughput_measures_the_suggesters_on_the_text():
    # The 1 MB/s target is checked by `manage.py bench`, not by a timed test: here only
    # that the measurement runs all suggesters and reports a rate.
    text = "\n\n".join(body_of(seed) for seed in SEEDS)
    rate = throughput(text)
    print(f"\nthroughput: {rate:.2f} MB/s on {len(text.encode('utf-8')) / 1e6:.2f} MB")
    assert rate > 0
