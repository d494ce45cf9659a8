"""`make eval`: the suggesters' precision, recall and F1 on each gold set, without the database.

Sets (each a folder of gold JSON files, the articles beside them or in seeds/):
- seeds: tests/annotations/gold/*.json, the two seed articles;
- dev: tests/annotations/gold/dev/, articles written for tuning, with inline annotations
  (``*.marked``) from which ``--build`` writes the article files and their gold JSON;
- heldout, heldout2: tests/annotations/gold/heldout*/: articles by writers who never saw the
  rules, for scores on unseen text.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand

from annotations.suggesters import throughput
from annotations.suggesters.evaluation import article_of, evaluate, from_markup, load, report
from articles.importing import Cleaner

GOLD = Path(__file__).resolve().parents[3] / "tests" / "annotations" / "gold"
SETS = {
    "seeds": GOLD,
    "dev": GOLD / "dev",
    "heldout": GOLD / "heldout",
    "heldout2": GOLD / "heldout2",
    "heldout3": GOLD / "heldout3",
}
NOTE = (
    "Written for the dev set with inline annotations (see the .marked file): every direct "
    "quote with its speaker (null when not named), every named person, organisation, place "
    "and nationality mention (names, not titles, works or events)."
)


class Command(BaseCommand):
    help = "Score the suggesters against the gold sets; print P/R/F1 for quotes and entities."

    def add_arguments(self, parser):
        parser.add_argument("--build", action="store_true", help="rebuild dev from *.marked")
        parser.add_argument("--misses", action="store_true", help="list every error")
        parser.add_argument("--set", action="append", dest="sets", choices=sorted(SETS))

    def handle(self, *args, build=False, misses=False, sets=None, **options):
        if build:
            self.build(SETS["dev"])
        cleaner = Cleaner()

        def body_of(path: Path) -> str:
            return cleaner.clean(path.read_bytes()).body

        texts = []
        for name in sets or SETS:
            files = sorted(SETS[name].glob("*.json"))
            if not files:
                continue
            tally = evaluate(files, body_of)
            self.stdout.write(report(f"{name} ({len(files)} articles)", tally))
            if misses:
                self.stdout.write("\n".join("    " + line for line in tally.misses))
            texts.extend(body_of(article_of(path, load(path))) for path in files)
        if texts:
            text = "\n\n".join(texts)
            rate = throughput(text * max(1, 2_000_000 // len(text)))
            self.stdout.write(
                f"throughput: {rate:.2f} MB/s (all suggesters, one core, wall clock: a busy "
                "machine reads lower)"
            )

    def build(self, folder: Path) -> None:
        cleaner = Cleaner()
        for source in sorted(folder.glob("*.marked")):
            name = source.stem + ".txt"
            text, gold = from_markup(source.read_text(encoding="utf-8"), name, NOTE)
            body = cleaner.clean(text.encode()).body
            for item in gold["quotes"] + gold["mentions"]:
                if body[item["start"] : item["end"]] != item["text"]:
                    raise ValueError(f"{name}: {item['text']!r} is not at its offsets")
            (folder / name).write_text(text, encoding="utf-8")
            (folder / f"{name}.json").write_text(
                json.dumps(gold, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
            )
            quotes, mentions = len(gold["quotes"]), len(gold["mentions"])
            self.stdout.write(f"built {name}: {quotes} quotes, {mentions} mentions")
