"""The national data set of #16, built through the portal's own services.

10,035 communes of the three-tier list; the sample framework issued by each of the 691 districts
for 2023 and 2024, with a group opened for the year (≈ 311,000 score rows a year, points that
differ from commune to commune); 24 months of statistics for every commune. Loading goes
through units_load, framework_load and group_open like a province would; only the points and
the statistics are written set-wise (what an import of that size writes, without timing the
import here: the import rows of the table time it).
"""

import datetime
import json

from django.db import connection, transaction

from bench.common import DATA, ROOT, timed

YEARS = (2023, 2024)
EVE = datetime.date(2024, 12, 31)


def build() -> dict:
    from communes.models import AdministrativeUnit, Level
    from communes.services import units_load
    from scoring.periods import period_get_or_create

    timed("build: load 10,035 communes (three-tier)")(
        lambda: (
            units_load(
                path=DATA / "units_2025-03_three_tier.csv",
                valid_from=datetime.date(2019, 1, 1),
                valid_to=datetime.date(2025, 6, 30),
            ).created
        )
    )
    document = json.loads(
        (ROOT / "demo/data/sample_framework_commune.json").read_text(encoding="utf-8")
    )
    districts = list(
        AdministrativeUnit.objects.filter(level=Level.DISTRICT).valid_on(EVE).order_by("code")
    )
    periods = {year: period_get_or_create(str(year)) for year in YEARS}
    timed(f"build: framework and group for {len(districts)} districts × {len(YEARS)} years")(
        lambda: _open_groups(document, districts, periods)
    )
    timed("build: points for every score row")(_points)
    timed("build: 24 months of statistics for every commune")(_statistics)
    return {"districts": districts, "periods": periods}


def _open_groups(document, districts, periods) -> int:
    from scoring.assessments.rounds import group_open
    from scoring.frameworks.services import framework_load

    opened = 0
    for district in districts:
        for year, period in periods.items():
            with transaction.atomic():
                framework, _ = framework_load(
                    document=document, issuer_code=district.code, year=year
                )
                opened += group_open(framework=framework, period=period)
    return opened


def _points() -> int:
    """Self points on every manual or survey item, appraised points on one in three, spread
    over 0 … maximum by the row's id so communes differ and ties are rare."""
    from scoring.models import Score, SubCriterion

    score, sub = Score._meta.db_table, SubCriterion._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {score} SET
                self_points = ROUND(sc.max_points * ((({score}.id * 7919) % 101) / 100.0), 2),
                appraised_points = CASE WHEN {score}.id % 3 = 0
                    THEN ROUND(sc.max_points * ((({score}.id * 104729) % 101) / 100.0), 2) END
            FROM {sub} sc
            WHERE sc.id = {score}.sub_criterion_id AND sc.method IN ('manual', 'survey')
            """
        )
        return cursor.rowcount


def _statistics() -> int:
    """24 months (2023-01 … 2024-12) for every commune, varied by commune and month."""
    from communes.models import AdministrativeUnit, Level
    from dossiers.models import DossierReport

    communes = AdministrativeUnit.objects.filter(level=Level.COMMUNE).valid_on(EVE)
    months = [datetime.date(2023 + m // 12, m % 12 + 1, 1) for m in range(24)]
    rows = []
    for unit_id in communes.values_list("pk", flat=True):
        for m, month in enumerate(months):
            k = (unit_id * 31 + m * 7) % 97
            received = 60 + k
            late = k % 4
            rows.append(
                DossierReport(
                    commune_id=unit_id,
                    month=month,
                    received=received,
                    resolved_early=received - 10 - late,
                    resolved_on_time=6,
                    resolved_late=late,
                    pending_on_time=4,
                    online_full=k % 40,
                    online_partial=10,
                    postal=k % 9,
                    digitized=received - (k % 30),
                    apologies=late - (1 if k % 7 == 0 and late else 0),
                )
            )
    DossierReport.objects.bulk_create(rows, batch_size=5000)
    return len(rows)
