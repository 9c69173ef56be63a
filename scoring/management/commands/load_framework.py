import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from scoring.frameworks.services import FrameworkError, framework_load


class Command(BaseCommand):
    help = "Validate and load a framework (JSON interchange format) for an issuer and a year."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--issuer", required=True, help="Code of the issuing unit")
        parser.add_argument("--year", required=True, type=int)

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            document = json.loads(path.read_text(encoding="utf-8-sig"))
        except FileNotFoundError as exc:
            raise CommandError(f"No such file: {path}") from exc
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise CommandError(f"{path} is not valid JSON: {exc}") from exc
        try:
            framework, replaced = framework_load(
                document=document, issuer_code=options["issuer"], year=options["year"]
            )
        except FrameworkError as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            raise CommandError(f"{len(exc.problems)} problem(s); nothing was loaded.") from exc
        self.stdout.write(
            f"{'Replaced' if replaced else 'Loaded'} {framework}: "
            f"{framework.areas.count()} areas, {framework.sub_criteria.count()} sub-criteria, "
            f"{framework.max_points} points."
        )
