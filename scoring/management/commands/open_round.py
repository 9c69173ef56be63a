import datetime

from django.core.management.base import BaseCommand, CommandError

from scoring.rounds.services import RoundError, round_open, round_target


def _date(text: str | None) -> datetime.date | None:
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"{text} is not a date (YYYY-MM-DD).") from exc


class Command(BaseCommand):
    help = (
        "Open a round: an assessment for every unit the framework ranks, with the deadlines. "
        "Opening again adds the missing units and changes nothing else."
    )

    def add_arguments(self, parser):
        parser.add_argument("--issuer", required=True, help="Code of the issuing unit")
        parser.add_argument("--period", required=True, help="Period code, e.g. 2026 or 2026-H1")
        parser.add_argument("--framework", default=None, help="Framework code, when ambiguous")
        parser.add_argument("--self-due", default=None, help="Self-assessment due (YYYY-MM-DD)")
        parser.add_argument("--appraisal-due", default=None, help="Appraisal due (YYYY-MM-DD)")

    def handle(self, *args, **options):
        try:
            framework, period = round_target(
                issuer_code=options["issuer"],
                period_code=options["period"],
                framework_code=options["framework"],
            )
            round_, added = round_open(
                framework=framework,
                period=period,
                self_assessment_due=_date(options["self_due"]),
                appraisal_due=_date(options["appraisal_due"]),
            )
        except RoundError as exc:
            raise CommandError("; ".join(p.message for p in exc.problems)) from exc
        due = round_.self_assessment_due
        self.stdout.write(
            f"Round {round_.pk}: {framework.code} {period.code} of {framework.issuer.name}, "
            f"{added} assessments added"
            + (f", self-assessment due {due:%d/%m/%Y}" if due else "")
            + "."
        )
