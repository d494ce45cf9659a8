"""Run the importer's cleaning and the suggesters on article files, without the database.

    python manage.py suggest --json OUT PATH…

OUT holds one object per file name: the title, the cleaned body, and the suggested quotes,
mentions and claims with code-point offsets into that body. Files that cannot be read or
cleaned are reported on stderr and left out. For evaluation on articles nobody has imported.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from annotations.suggesters.claims import suggest_claims
from annotations.suggesters.entities import Gazetteer, suggest_mentions
from annotations.suggesters.quotes import suggest_quotes
from articles import sources
from articles.importing import ArticleFileError
from articles.services import import_limits, make_cleaner


class Command(BaseCommand):
    help = "Suggest quotes, mentions and claims for article files; write them as JSON."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="files, folders or .zip archives")
        parser.add_argument("--json", dest="out", required=True, help="where to write the JSON")
        parser.add_argument(
            "--gazetteer",
            help='known entities as JSON: [{"id": 1, "name": …, "kind": …, "aliases": […]}]',
        )

    def handle(self, *args, paths, out, gazetteer=None, **options):
        known = _gazetteer(gazetteer) if gazetteer else None
        cleaner = make_cleaner()
        results: dict[str, dict] = {}
        failed = 0
        for item in sources.from_paths(paths, import_limits()):
            if item.skipped:
                continue
            if item.error:
                failed += 1
                self.stderr.write(f"{item.name}: {item.error}")
                continue
            try:
                cleaned = cleaner.clean(item.data)
            except ArticleFileError as error:
                failed += 1
                self.stderr.write(f"{item.name}: {error}")
                continue
            results[item.name] = _suggest(cleaned.title, cleaned.body, known)
        if not results and failed == 0:
            raise CommandError("No .txt or .zip files found in " + ", ".join(paths))
        Path(out).write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
        self.stdout.write(f"{len(results)} files suggested into {out}; {failed} failed.")


def _suggest(title: str, body: str, known: Gazetteer | None) -> dict:
    # Quotes reuse the mentions, so speakers get the known entities' canonical names.
    mentions = suggest_mentions(body, known)
    quotes = suggest_quotes(body, mentions=mentions)
    claims = suggest_claims(body)
    return {
        "title": title,
        "body": body,
        "quotes": [
            {
                "start": q.start,
                "end": q.end,
                "text": q.text,
                "speaker": q.speaker,
                "speaker_confidence": q.speaker_confidence,
                "indirect": q.indirect,
            }
            for q in quotes
        ],
        "mentions": [
            {"start": m.start, "end": m.end, "text": m.text, "entity": m.name, "kind": m.kind}
            for m in mentions
        ],
        "claims": [
            {"start": c.start, "end": c.end, "text": c.text, "score": c.score} for c in claims
        ],
    }


def _gazetteer(path: str) -> Gazetteer:
    try:
        entries = json.loads(Path(path).read_text(encoding="utf-8"))
        return Gazetteer((e.get("id"), e["name"], e["kind"], e.get("aliases", [])) for e in entries)
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise CommandError(f"Cannot read the gazetteer {path}: {error}") from None
