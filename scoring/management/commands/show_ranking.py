from django.core.management.base import BaseCommand, CommandError
from django.utils.timezone import localtime
from rest_framework.renderers import JSONRenderer

from scoring.frameworks.selectors import group_framework
from scoring.models import Period
from scoring.periods import PeriodCodeError, parse_period_code
from scoring.rankings.selectors import latest_run, ranking_rows
from scoring.rankings.serializers import RankingRowSerializer


class Command(BaseCommand):
    help = "Print a stored ranking exactly as GET /api/v1/rankings/ returns it."

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True)
        parser.add_argument("--group", required=True, help="Code of the issuing unit")
        parser.add_argument("--framework", default=None, help="Framework code, when ambiguous")
        parser.add_argument(
            "--ranking-group", default=None, help="Only this ranking group (by its code)"
        )
        parser.add_argument("--format", choices=["json", "table"], default="table")

    def handle(self, *args, **options):
        try:
            parse_period_code(options["period"])
        except PeriodCodeError as exc:
            raise CommandError(str(exc)) from exc
        period = Period.objects.filter(code=options["period"].upper()).first()
        if period is None:
            raise CommandError(f"Nothing was assessed for period {options['period']}.")
        framework, error = group_framework(
            issuer_code=options["group"], period=period, framework_code=options["framework"]
        )
        if error:
            raise CommandError(error)
        ranking_group = None
        if options["ranking_group"]:
            ranking_group = framework.ranking_groups.filter(code=options["ranking_group"]).first()
            if ranking_group is None:
                codes = ", ".join(framework.ranking_groups.values_list("code", flat=True))
                raise CommandError(
                    f"{framework} has no ranking group {options['ranking_group']} "
                    f"(its groups: {codes or 'none'})."
                )
        rows = RankingRowSerializer(ranking_rows(framework, period, ranking_group), many=True).data
        if options["format"] == "json":
            self.stdout.write(JSONRenderer().render(rows).decode())
            return
        run = latest_run(framework, period)
        as_of = f"{localtime(run.finished_at):%Y-%m-%d %H:%M:%S}" if run else "never computed"
        self.stdout.write(f"{framework} · {period} · rankings as of {as_of}")
        self.stdout.write(f"{'rank':>4} {'prev':>4}  {'code':5}  {'unit':28} {'index %':>8}  band")
        group = None
        for row in rows:
            if row["ranking_group"] != group:
                group = row["ranking_group"]
                self.stdout.write(f"-- {group}")
            self.stdout.write(
                f"{row['rank'] or '-':>4} {row['previous_rank'] or '-':>4}  {row['unit_code']:5}  "
                f"{row['unit_name'][:28]:28} {row['index_percent']:>8.2f}  {row['band']}"
                f"{'' if not row['provisional'] else '  (provisional)'}"
            )
