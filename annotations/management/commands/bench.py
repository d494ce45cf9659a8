"""manage.py bench: the benchmark lives in the top-level `bench` package of a source checkout,
which the installed package does not ship. This shim runs it, or says why it cannot."""

import sys

from django.core.management.base import BaseCommand, CommandError

try:
    from bench.command import Command  # noqa: F401 (the command itself)
except ModuleNotFoundError as error:
    if error.name not in ("bench", "bench.command"):
        raise  # the benchmark is there but something it needs is not: say that, not this
    UNAVAILABLE = (
        f"manage.py bench needs the `bench` package of a newsdesk source checkout ({error}); "
        "an installed newsdesk does not ship it. Run it from the checkout: make bench."
    )

    class Command(BaseCommand):
        help = "Benchmark newsdesk (only from a source checkout: the package lacks `bench`)."

        def run_from_argv(self, argv):
            # Before parsing: the benchmark's options are unknown here.
            self.stderr.write(UNAVAILABLE)
            sys.exit(1)

        def handle(self, *args, **options):
            raise CommandError(UNAVAILABLE)
