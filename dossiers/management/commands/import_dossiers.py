from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dossiers.export_import import export_import
from dossiers.models import ExportMapping
from dossiers.services import dossier_file_import
from dossiers.validation import parse_month


class Command(BaseCommand):
    help = (
        "Import monthly one-stop-shop statistics from a CSV or XLSX file (all or nothing): the "
        "portal's columns, or with --mapping a one-stop software's export as it comes."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Validate only; write nothing.")
        parser.add_argument(
            "--mapping", help="the export mapping (name or id) of the software that made the file"
        )
        parser.add_argument("--month", help="YYYY-MM, when the export's title does not state it")
        parser.add_argument(
            "--confirm",
            action="append",
            default=[],
            metavar="NAME",
            help="a unit name, as exported, whose proposed match is right (repeatable)",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        if options["mapping"]:
            result = self._export(path, options)
        else:
            result = dossier_file_import(
                file_name=path.name, content=path.read_bytes(), dry_run=options["dry_run"]
            )
        for notice in result.notices:
            self.stdout.write(f"notice: {notice}")
        if not result.ok:
            for problem in result.problems:
                self.stderr.write(str(problem))
            for proposal in result.to_confirm:
                self.stderr.write(
                    f"to confirm: --confirm '{proposal.text}' for {proposal.unit_name} "
                    f"({proposal.unit_code})"
                )
            raise CommandError(f"{len(result.problems)} problem(s); nothing was written.")
        prefix = "Dry run, nothing written: would have " if options["dry_run"] else ""
        self.stdout.write(
            f"{prefix}{result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged."
        )

    def _export(self, path: Path, options):
        key = options["mapping"]
        mapping = ExportMapping.objects.filter(name=key).first()
        if mapping is None and key.isdigit():
            mapping = ExportMapping.objects.filter(pk=int(key)).first()
        if mapping is None:
            names = ", ".join(ExportMapping.objects.values_list("name", flat=True))
            raise CommandError(f"No export mapping '{key}'. The mappings: {names or '—'}")
        month = None
        if options["month"]:
            month, error = parse_month(options["month"])
            if error:
                raise CommandError(f"--month: {error}")
        return export_import(
            file_name=path.name,
            content=path.read_bytes(),
            mapping=mapping,
            month=month,
            confirmed=options["confirm"],
            dry_run=options["dry_run"],
        )
