from django.core.management.base import BaseCommand, CommandError

from scoring.assessments.rules import is_published
from scoring.frameworks.selectors import group_framework
from scoring.models import Assessment, Framework, Period, RunStatus
from scoring.periods import PeriodCodeError, parse_period_code
from scoring.rankings.services import group_recompute_now


class Command(BaseCommand):
    help = "Recompute stored rankings now (normally the Celery task does it by itself)."

    def add_arguments(self, parser):
        parser.add_argument("--period", default=None, help="Period code, e.g. 2023 or 2023-H1")
        parser.add_argument("--group", default=None, help="Code of the issuing unit")
        parser.add_argument("--framework", default=None, help="Framework code, when ambiguous")

    def handle(self, *args, **options):
        # Without the ordering, which would add the unit's code to DISTINCT: a row per unit.
        groups = Assessment.objects.values_list("framework_id", "period_id").order_by().distinct()
        if options["period"]:
            try:
                parse_period_code(options["period"])
            except PeriodCodeError as exc:
                raise CommandError(str(exc)) from exc
            groups = groups.filter(period__code=options["period"].upper())
        if options["group"]:
            if not options["period"]:
                groups = groups.filter(framework__issuer__code=options["group"])
            else:
                period = Period.objects.filter(code=options["period"].upper()).first()
                if period is None:
                    raise CommandError(f"No assessments for period {options['period']}.")
                framework, error = group_framework(
                    issuer_code=options["group"],
                    period=period,
                    framework_code=options["framework"],
                )
                if error:
                    raise CommandError(error)
                groups = groups.filter(framework=framework)
        failed = 0
        done = 0
        for framework_id, period_id in sorted(set(groups)):
            framework = Framework.objects.get(pk=framework_id)
            period = Period.objects.get(pk=period_id)
            if is_published(framework_id, period_id):
                self.stdout.write(f"{framework} {period}: published, left as it is.")
                continue
            run = group_recompute_now(framework, period, trigger="command")
            done += 1
            if run.status == RunStatus.FAILED:
                failed += 1
                self.stderr.write(f"{framework} {period}: FAILED {run.error}")
            else:
                self.stdout.write(f"{framework} {period}: {run.results_count} results.")
        if failed:
            raise CommandError(f"{failed} of {done} group(s) failed.")
        self.stdout.write(f"{done} group(s) recomputed.")
