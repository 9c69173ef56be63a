import datetime

from django.core.management.base import BaseCommand, CommandError

from scoring.rankings.publication import PublicationRefused, results_publish
from scoring.rounds.services import RoundError, round_target


class Command(BaseCommand):
    help = (
        "Publish a group's results under the decision that approves them; refused, listing the "
        "units, while any unit is not appraised. The results are final afterwards."
    )

    def add_arguments(self, parser):
        parser.add_argument("--issuer", required=True, help="Code of the issuing unit")
        parser.add_argument("--period", required=True, help="Period code, e.g. 2026")
        parser.add_argument("--framework", default=None, help="Framework code, when ambiguous")
        parser.add_argument("--decision", required=True, help="The decision's number")
        parser.add_argument("--date", required=True, help="The decision's date (YYYY-MM-DD)")

    def handle(self, *args, **options):
        try:
            day = datetime.date.fromisoformat(options["date"])
        except ValueError as exc:
            raise CommandError(f"{options['date']} is not a date (YYYY-MM-DD).") from exc
        try:
            framework, period = round_target(
                issuer_code=options["issuer"],
                period_code=options["period"],
                framework_code=options["framework"],
            )
            publication = results_publish(
                framework=framework,
                period=period,
                decision_number=options["decision"],
                decision_date=day,
            )
        except (RoundError, PublicationRefused) as exc:
            raise CommandError("\n".join(p.message for p in exc.problems)) from exc
        self.stdout.write(
            f"Published {framework.code} {period.code} of {framework.issuer.name} under "
            f"decision {publication.decision_number} of {day:%d/%m/%Y}."
        )
