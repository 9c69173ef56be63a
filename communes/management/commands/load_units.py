from django.core.management.base import BaseCommand, CommandError

from communes.services import UnitListError, units_load
from core.commands import day


class Command(BaseCommand):
    help = "Load an official unit list (three-tier or two-tier CSV) valid from a date."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--valid-from", required=True, type=day)
        parser.add_argument("--valid-to", type=day, default=None)
        parser.add_argument(
            "--province",
            action="append",
            default=None,
            help="Load only this province code (repeatable).",
        )
        parser.add_argument(
            "--close-missing",
            action="store_true",
            help="Close units still open at --valid-from that the list does not name.",
        )

    def handle(self, *args, **options):
        try:
            stats = units_load(
                path=options["file"],
                valid_from=options["valid_from"],
                valid_to=options["valid_to"],
                provinces=set(options["province"]) if options["province"] else None,
                close_missing=options["close_missing"],
            )
        except FileNotFoundError as exc:
            raise CommandError(f"No such file: {options['file']}") from exc
        except UnitListError as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            raise CommandError(f"{len(exc.problems)} problem(s); nothing was loaded.") from exc
        levels = ", ".join(f"{count} {level}" for level, count in stats.by_level.items())
        self.stdout.write(
            f"{levels} in the file: {stats.created} created, {stats.updated} updated, "
            f"{stats.unchanged} unchanged, {stats.closed} closed."
        )
