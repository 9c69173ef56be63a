"""#16's engine rows: one group by size, a national recompute and the hand-written reference.

The reference is one SQL statement written by hand for the sample framework: from the raw rows
(self and appraised points, the monthly statistics, the items' steps and targets) it computes
every commune's index and rank in one pass. The engine must land within 3 × its time and agree
with it on every commune.
"""

import statistics

from django.db import connection

from bench.common import compare, seconds

REFERENCE = """
WITH sums AS (
    SELECT a.id AS assessment_id,
           SUM(d.resolved_early) AS early, SUM(d.resolved_on_time) AS on_time,
           SUM(d.resolved_late) AS late, SUM(d.pending_on_time) AS pending,
           SUM(d.pending_overdue) AS overdue, SUM(d.received) AS received,
           SUM(d.online_full) AS full_online, SUM(d.online_partial) AS partial_online,
           SUM(d.postal) AS postal, SUM(d.digitized) AS digitized, SUM(d.apologies) AS apologies
    FROM scoring_assessment a
    JOIN scoring_period per ON per.id = a.period_id
    JOIN dossiers_dossierreport d ON d.commune_id = a.unit_id
         AND d.month BETWEEN per.start AND per."end"
    WHERE a.period_id = %(period)s
    GROUP BY a.id
), rates AS (
    SELECT assessment_id,
           CASE WHEN early + on_time + late + pending + overdue = 0 THEN NULL
                ELSE ROUND(100.0 * (early + on_time + pending)
                           / (early + on_time + late + pending + overdue), 2) END AS on_time_rate,
           CASE WHEN received = 0 THEN NULL
                ELSE ROUND(100.0 * (full_online + partial_online) / received, 2) END
               AS online_rate,
           CASE WHEN received = 0 THEN NULL ELSE ROUND(100.0 * full_online / received, 2) END
               AS online_full_rate,
           CASE WHEN received = 0 THEN NULL ELSE ROUND(100.0 * postal / received, 2) END
               AS postal_rate,
           CASE WHEN received = 0 THEN NULL ELSE ROUND(100.0 * digitized / received, 2) END
               AS digitized_rate,
           CASE WHEN late + overdue = 0 THEN 100
                ELSE ROUND(100.0 * apologies / (late + overdue), 2) END AS apology_rate
    FROM sums
), valued AS (
    SELECT s.assessment_id, sc.max_points, sc.method, sc.target_percent, sc.id AS sub_id,
           s.self_points, s.appraised_points,
           CASE sc.metric WHEN 'on_time_rate' THEN r.on_time_rate
                WHEN 'online_rate' THEN r.online_rate
                WHEN 'online_full_rate' THEN r.online_full_rate
                WHEN 'postal_rate' THEN r.postal_rate
                WHEN 'digitized_rate' THEN r.digitized_rate
                WHEN 'apology_rate' THEN r.apology_rate END AS rate
    FROM scoring_score s
    JOIN scoring_assessment a ON a.id = s.assessment_id
    JOIN scoring_subcriterion sc ON sc.id = s.sub_criterion_id
    LEFT JOIN rates r ON r.assessment_id = s.assessment_id
    WHERE a.period_id = %(period)s
), used AS (
    SELECT assessment_id, COALESCE(appraised_points, CASE
        WHEN method = 'ratio_target' AND rate IS NOT NULL THEN ROUND(CASE
            WHEN rate >= target_percent THEN max_points
            ELSE max_points * rate / target_percent END, 2)
        WHEN method = 'steps' AND rate IS NOT NULL THEN COALESCE((
            SELECT st.points FROM scoring_step st
            WHERE st.sub_criterion_id = valued.sub_id AND st.threshold_percent <= rate
            ORDER BY st.threshold_percent DESC LIMIT 1), 0)
        ELSE self_points END, 0) AS points
    FROM valued
), indexed AS (
    SELECT a.id AS assessment_id, a.framework_id,
           ROUND(100.0 * SUM(used.points) / f.max_points, 2) AS index_percent
    FROM used
    JOIN scoring_assessment a ON a.id = used.assessment_id
    JOIN scoring_framework f ON f.id = a.framework_id
    GROUP BY a.id, a.framework_id, f.max_points
)
SELECT assessment_id, index_percent,
       RANK() OVER (PARTITION BY framework_id ORDER BY index_percent DESC) AS rank
FROM indexed
"""


def reference(period) -> tuple[float, dict]:
    found = {}

    def run():
        with connection.cursor() as cursor:
            cursor.execute(REFERENCE, {"period": period.pk})
            found.update({row[0]: (row[1], row[2]) for row in cursor.fetchall()})

    return min(seconds(run) for _ in range(2)), found


def mismatches(period, expected: dict) -> int:
    from scoring.models import Result

    stored = Result.objects.filter(period=period).values_list(
        "assessment_id", "index_percent", "rank"
    )
    return sum(1 for pk, index, rank in stored if expected.get(pk) != (index, rank)) + abs(
        len(expected) - len(stored)
    )


def planner_statistics_cleared() -> None:
    """Forget the planner statistics of the portal's tables: the state a freshly loaded
    database is in until ANALYZE (this machine runs without autovacuum)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            DELETE FROM pg_statistic WHERE starelid IN (
                SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = 'public')
            """
        )
        cursor.execute(
            """
            UPDATE pg_class SET reltuples = -1, relpages = 0 WHERE relnamespace =
                (SELECT oid FROM pg_namespace WHERE nspname = 'public') AND relkind IN ('r', 'i')
            """
        )


def analyzed() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def group_sizes(period, state: str) -> None:
    """One group recomputed (its run recorded, as the worker does), by the group's size."""
    from scoring.models import Framework
    from scoring.rankings.services import group_recompute_now

    sizes = {}
    for framework_id, count in _group_counts(period):
        sizes.setdefault(count, framework_id)
    for wanted in (10, 15, 47):
        size = min(sizes, key=lambda s: abs(s - wanted))
        framework = Framework.objects.get(pk=sizes[size])
        times = [
            seconds(lambda f=framework: group_recompute_now(f, period, trigger="bench"))
            for _ in range(5)
        ]
        compare(
            f"recompute one group of {size} communes ({state})",
            statistics.median(times),
            None,
            (lambda v, r: v < 0.020) if wanted == 15 else None,
            detail="goal < 20 ms" if wanted == 15 else "",
        )


def _group_counts(period):
    from django.db.models import Count

    from scoring.models import Assessment

    return sorted(
        Assessment.objects.filter(period=period)
        .values("framework_id")
        .annotate(n=Count("id"))
        .values_list("framework_id", "n")
    )


def national(period, state: str) -> None:
    """Every group of the year in one pass, against the hand-written statement."""
    from scoring.rankings.services import groups_recompute_now

    groups = [(framework_id, period.pk) for framework_id, _n in _group_counts(period)]
    taken = min(seconds(lambda: groups_recompute_now(groups, trigger="bench")) for _ in range(2))
    ref_taken, expected = reference(period)
    wrong = mismatches(period, expected)
    compare(
        f"national recompute of {period.code}, {len(groups)} groups ({state})",
        taken,
        ref_taken,
        lambda v, r: v <= 3 * r and wrong == 0,
        detail=f"{len(expected)} communes, {wrong} mismatches",
    )


def engine_rows(period) -> None:
    if connection.vendor == "postgresql":
        planner_statistics_cleared()
        group_sizes(period, "no statistics")
        planner_statistics_cleared()
        national(period, "no statistics")
        analyzed()
        group_sizes(period, "after ANALYZE")
        national(period, "after ANALYZE")
    else:
        group_sizes(period, "SQLite")
        national(period, "SQLite")
