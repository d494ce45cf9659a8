import gzip
import sys

from django.core.management.base import BaseCommand, CommandError

from newsdesk.archive import ArchiveError, archive_import


class Command(BaseCommand):
    help = (
        "Load an archive written by export_archive into this database, whole or not at all. "
        "Refuses a database that has users or articles unless --replace. Imported users get "
        "an unusable password: set one with changepassword (or the admin)."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="archive file (.jsonl or .jsonl.gz), or - for stdin")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="delete ALL users (with their tokens and sessions) and content first",
        )
        parser.add_argument("--database", default="default")

    def handle(self, *args, archive, replace, database, **options):
        try:
            if archive == "-":
                counts = archive_import(lines=sys.stdin, replace=replace, using=database)
            else:
                with self._open(archive) as stream:
                    counts = archive_import(lines=stream, replace=replace, using=database)
        except ArchiveError as error:
            raise CommandError(f"Nothing was imported: {error}") from None
        except (OSError, EOFError, UnicodeDecodeError) as error:
            raise CommandError(f"Nothing was imported: cannot read {archive}: {error}") from None
        summary = ", ".join(f"{n} {label}" for label, n in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Imported {summary}."))

    def _open(self, path: str):
        with open(path, "rb") as probe:
            gzipped = probe.read(2) == b"\x1f\x8b"
        if gzipped:
            return gzip.open(path, "rt", encoding="utf-8", newline="\n")
        return open(path, encoding="utf-8", newline="\n")
