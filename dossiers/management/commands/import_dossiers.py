from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dossiers.services import dossier_file_import


class Command(BaseCommand):
    help = "Import monthly one-stop-shop statistics from a CSV or XLSX file (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Validate only; write nothing.")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        result = dossier_file_import(
            file_name=path.name, content=path.read_bytes(), dry_run=options["dry_run"]
        )
        for notice in result.notices:
            self.stdout.write(f"notice: {notice}")
        if not result.ok:
            for problem in result.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(result.problems)} problem(s); nothing was written.")
        prefix = "Dry run, nothing written: would have " if options["dry_run"] else ""
        self.stdout.write(
            f"{prefix}{result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged."
        )
