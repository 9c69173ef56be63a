from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from scoring.assessments.imports import scores_import


class Command(BaseCommand):
    help = "Import self and appraised points from a CSV file (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--framework", default=None, help="Framework code, when ambiguous")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        result = scores_import(
            file_name=path.name, content=path.read_bytes(), framework_code=options["framework"]
        )
        if not result.ok:
            for problem in result.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(result.problems)} problem(s); nothing was written.")
        self.stdout.write(f"{result.updated} scores changed, {result.unchanged} unchanged.")
