import gzip
import os
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from newsdesk.archive import ArchiveError, archive_export


class Command(BaseCommand):
    help = (
        "Write the whole database content (users without passwords, groups, articles, "
        "entities, spans, claims, history) to a JSON Lines archive; OUT ending in .gz is "
        "gzipped, - writes to standard output. Load it with import_archive."
    )

    def add_arguments(self, parser):
        parser.add_argument("out", help="archive file (.jsonl or .jsonl.gz), or - for stdout")
        parser.add_argument("--database", default="default")

    def handle(self, *args, out, database, **options):
        try:
            if out == "-":
                counts = archive_export(out=sys.stdout, using=database)
                sys.stdout.flush()
            else:
                counts = self._to_file(Path(out), database)
        except ArchiveError as error:
            raise CommandError(str(error)) from None
        summary = ", ".join(f"{n} {label}" for label, n in counts.items())
        # With - the archive owns stdout; the summary goes to stderr.
        (self.stderr if out == "-" else self.stdout).write(f"Archived {summary}.")

    def _to_file(self, path: Path, database: str) -> dict[str, int]:
        # Written under a temporary name and renamed at the end: a failed or interrupted
        # export never leaves a truncated archive under the name asked for.
        partial = path.with_name(path.name + ".partial")
        opener = gzip.open if path.suffix == ".gz" else open
        try:
            with opener(partial, "wt", encoding="utf-8", newline="\n") as stream:
                counts = archive_export(out=stream, using=database)
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
        return counts
