import sys

from django.core.management.base import BaseCommand, CommandError

from articles import sources
from articles.services import Outcome, articles_import, import_limits


class Command(BaseCommand):
    help = "Import article files (.txt), folders of them and .zip archives of them."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="files, folders or .zip archives")
        parser.add_argument(
            "--show-removed", action="store_true", help="list every line the cleaner removed"
        )

    def handle(self, *args, paths, show_removed=False, **options):
        files = list(sources.from_paths(paths, import_limits()))
        if not files:
            raise CommandError("No .txt or .zip files found in " + ", ".join(paths))
        total = len(files)
        counts = dict.fromkeys(Outcome, 0)
        styles = {
            Outcome.IMPORTED: self.style.SUCCESS,
            Outcome.ALREADY: self.style.NOTICE,
            Outcome.REVISED: self.style.SUCCESS,
            Outcome.SKIPPED: self.style.WARNING,
            Outcome.CONFLICT: self.style.ERROR,
            Outcome.FAILED: self.style.ERROR,
        }
        width = len(str(total))
        done = 0

        def show(report):
            nonlocal done
            done += 1
            counts[report.outcome] += 1
            line = f"[{done:>{width}}/{total}] {report.name}: {report.outcome}"
            if report.message:
                line += f" — {report.message}"
            self.stdout.write(styles[report.outcome](line))
            if show_removed:
                for removed in report.removed:
                    self.stdout.write(f"    removed {removed}")

        # Progress lines appear as each commit of the batch lands (every
        # services.IMPORT_COMMIT_EVERY files); a commit per file would cost a WAL flush each.
        articles_import(files=files, progress=show)
        summary = ", ".join(f"{n} {outcome}" for outcome, n in counts.items() if n)
        self.stdout.write(f"{total} files: {summary}")
        failed = counts[Outcome.FAILED] + counts[Outcome.CONFLICT]
        if failed:
            sys.stdout.flush()
            raise CommandError(f"{failed} of {total} files were not imported.", returncode=1)
