from django.core.management.base import BaseCommand, CommandError

from communes.lineage import lineage_load
from communes.services import UnitListError


class Command(BaseCommand):
    help = (
        "Load which old communes each new commune took in (the columns of "
        "data/lineage_2025-07_communes.csv); all or nothing, loading twice changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--province",
            action="append",
            dest="provinces",
            help="Only the rows of this new province (repeatable), as load_units --province",
        )

    def handle(self, *args, **options):
        try:
            provinces = set(options["provinces"]) if options["provinces"] else None
            stats = lineage_load(path=options["file"], provinces=provinces)
        except FileNotFoundError as exc:
            raise CommandError(f"No such file: {options['file']}") from exc
        except UnitListError as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            raise CommandError(f"{len(exc.problems)} problem(s); nothing was loaded.") from exc
        self.stdout.write(
            f"{stats.created} links created, {stats.updated} updated, {stats.unchanged} unchanged."
        )
        if stats.skipped:
            codes = ", ".join(sorted(set(stats.skipped))[:10])
            self.stdout.write(
                f"{len(stats.skipped)} rows skipped: their old code is not a loaded unit "
                f"(merged before the list was drawn, or an island district): {codes}…"
            )
