"""Benchmark harness: the speed targets of the portal, measured on a fresh database.

    make bench                                  # SQLite in var/bench.sqlite3
    DATABASE_URL=postgres://…/cchc_bench make bench

Measures: loading the 10,035-commune list (target < 60 s on SQLite) and loading it again; a bulk
import of a month for every commune; recomputing the ranking groups of every province of the
two-tier list (3,321 communes) and of the largest one alone; the pages a province leader reads
for the largest two-tier province (its ranking and its overview) and for the three-tier Hà Nội
(579 communes in 30 district rankings, compared on its overview). Prints a table and writes
var/bench/results.json.
"""

import datetime
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django.db import connection, transaction  # noqa: E402

from bench.common import DATA, ROOT, database_fresh, record, results, results_write, seconds, timed  # noqa: E402


def main():
    from communes.models import AdministrativeUnit, Level
    from communes.services import units_load
    from dossiers.services import dossier_reports_save
    from scoring.assessments.rounds import group_open
    from scoring.frameworks.services import framework_load
    from scoring.models import Framework, Result
    from scoring.periods import period_get_or_create
    from scoring.rankings.services import group_recompute_now

    database_fresh()
    print(f"database: {connection.vendor}")
    three_tier = DATA / "units_2025-03_three_tier.csv"
    two_tier = DATA / "units_2026-07_two_tier.csv"

    def three_tier_load():
        return units_load(
            path=three_tier,
            valid_from=datetime.date(2019, 1, 1),
            valid_to=datetime.date(2025, 6, 30),
        )

    timed("load_units three-tier (10,035 communes)", 60)(lambda: three_tier_load().created)
    timed("load_units three-tier again (no change)", 60)(lambda: three_tier_load().unchanged)
    timed("load_units two-tier (3,321 communes)", 60)(
        lambda: units_load(path=two_tier, valid_from=datetime.date(2025, 7, 1)).created
    )

    codes = list(
        AdministrativeUnit.objects.filter(level=Level.COMMUNE)
        .valid_on(datetime.date(2025, 3, 1))
        .values_list("code", flat=True)
    )
    records = [
        (
            i + 2,
            {
                "commune_code": c,
                "month": "2025-03",
                "received": 120,
                "resolved_early": 80,
                "resolved_on_time": 30,
                "resolved_late": 2,
                "pending_on_time": 6,
                "online_full": 40,
                "online_partial": 30,
                "postal": 10,
                "digitized": 90,
                "apologies": 2,
            },
        )
        for i, c in enumerate(codes)
    ]
    timed("import a month for 10,035 communes (create)")(
        lambda: dossier_reports_save(records=records).created
    )
    for _i, row in records:
        row["received"] = 121
    timed("import a month for 10,035 communes (replace)")(
        lambda: dossier_reports_save(records=records).updated
    )

    document = json.loads(
        (ROOT / "demo/data/sample_framework_commune.json").read_text(encoding="utf-8")
    )
    period = period_get_or_create("2026")
    provinces = AdministrativeUnit.objects.filter(
        level=Level.PROVINCE, valid_from=datetime.date(2025, 7, 1)
    )

    def open_groups():
        for province in provinces:
            framework, _ = framework_load(document=document, issuer_code=province.code, year=2026)
            group_open(framework=framework, period=period)
        return Framework.objects.filter(year=2026).count()

    timed("load framework and open groups for 34 provinces")(open_groups)
    july = [
        (
            i + 2,
            {
                "commune_code": c,
                "month": "2026-07",
                "received": 100 + i % 50,
                "resolved_early": 90,
                "resolved_on_time": 5 + i % 5,
                "resolved_late": i % 3,
                "online_full": 30 + i % 20,
                "online_partial": 20,
                "postal": i % 15,
                "digitized": 60 + i % 30,
                "apologies": i % 3,
            },
        )
        for i, c in enumerate(
            AdministrativeUnit.objects.filter(
                level=Level.COMMUNE, valid_from=datetime.date(2025, 7, 1)
            ).values_list("code", flat=True)
        )
    ]
    timed("import July 2026 for 3,321 communes (live recompute, eager)")(
        lambda: dossier_reports_save(records=july).created
    )
    frameworks = list(Framework.objects.filter(year=2026).select_related("issuer"))
    largest = max(frameworks, key=lambda f: f.assessments.count())

    def recompute_all():
        for framework in frameworks:
            group_recompute_now(framework, period, trigger="bench")
        return Result.objects.filter(period=period).count()

    timed("recompute all 34 province groups (3,321 results)")(recompute_all)
    timed(
        f"recompute the largest group ({largest.issuer.name}, "
        f"{largest.assessments.count()} communes)",
        1.0,
    )(lambda: group_recompute_now(largest, period, trigger="bench").results_count)

    statements = []
    with connection.execute_wrapper(
        lambda ex, sql, p, many, ctx: statements.append(sql) or ex(sql, p, many, ctx)
    ):
        from scoring.rankings import engine

        with transaction.atomic():
            engine.recompute_group(largest, period)
    results.append({"name": "statements per group recompute", "count": len(statements)})
    print(f"{'statements per group recompute':58} {len(statements):8d}")
    _pages(document, largest, period)

    results_write("results.json")
    slow = [r for r in results if r.get("target") and r["seconds"] >= r["target"]]
    return 1 if slow else 0


def _pages(document, largest, period):
    """The province leader's pages, each read once to warm up and then timed (best of three)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from communes.models import AdministrativeUnit, Level
    from scoring.assessments.rounds import group_open
    from scoring.frameworks.services import framework_load
    from scoring.periods import period_get_or_create
    from scoring.rankings.services import group_recompute_now

    user, _ = get_user_model().objects.get_or_create(
        username="bench", defaults={"is_superuser": True, "is_staff": True}
    )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)

    def page(url):
        def read():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return len(response.content)

        read()
        best = min(seconds(read) for _ in range(3))
        return best

    issuer = largest.issuer.code
    for name, url in (
        (f"ranking page, largest province ({issuer})", f"/rankings/?group={issuer}&period=2026"),
        (f"province overview, largest province ({issuer})", f"/units/{issuer}/?period=2026"),
    ):
        record(name, page(url), 0.5)

    # The three-tier Hà Nội: every district ranks its communes for 2024.
    year_2024 = period_get_or_create("2024")
    eve = datetime.date(2024, 12, 31)
    districts = AdministrativeUnit.objects.filter(level=Level.DISTRICT, parent__code="01").valid_on(
        eve
    )
    for district in districts:
        framework, _ = framework_load(document=document, issuer_code=district.code, year=2024)
        group_open(framework=framework, period=year_2024)
        group_recompute_now(framework, year_2024, trigger="bench")
    record(
        f"province overview, three-tier Hà Nội ({districts.count()} districts)",
        page("/units/01/?period=2024&on=2024-12-31"),
        0.5,
    )


if __name__ == "__main__":
    sys.exit(main())
