"""The ranking engine's statements: every result of any number of ranking groups, set-wise.

Each statement starts from the groups of the run (`batch(f, p)`, a VALUES list the runner puts
where BATCH stands) and reaches score rows through the assessments of those groups, so its cost
follows the groups it computes, not the size of the database, and its plan stays the same with
or without planner statistics: every join walks an index from the small side. Ranks and bands
are taken per (framework, period, ranking group), so one run over many groups gives exactly what
one run per group gives. The SQL is written for both SQLite (3.33+) and PostgreSQL.
"""

from communes.models import AdministrativeUnit
from dossiers.metrics import COUNTER_FIELDS, METRICS, RATE_DECIMALS
from dossiers.models import DossierReport
from scoring.models import (
    DERIVED_METHODS,
    Adjustment,
    Area,
    AreaResult,
    Assessment,
    Band,
    Framework,
    Method,
    Period,
    RankingGroupKind,
    Result,
    Score,
    Step,
    SubCriterion,
    WhenNothing,
)

T = {
    "score": Score._meta.db_table,
    "assessment": Assessment._meta.db_table,
    "sub": SubCriterion._meta.db_table,
    "step": Step._meta.db_table,
    "result": Result._meta.db_table,
    "area_result": AreaResult._meta.db_table,
    "area": Area._meta.db_table,
    "band": Band._meta.db_table,
    "framework": Framework._meta.db_table,
    "adjustment": Adjustment._meta.db_table,
    "dossier": DossierReport._meta.db_table,
    "group_kind": RankingGroupKind._meta.db_table,
    "unit": AdministrativeUnit._meta.db_table,
    "period": Period._meta.db_table,
}
DERIVED = "(" + ", ".join(f"'{m}'" for m in DERIVED_METHODS) + ")"
# Replaced by the runner: the groups' VALUES list; MATERIALIZED where the database knows it
# (PostgreSQL would otherwise fold a CTE read once into its reader and may re-aggregate it for
# every row of the outer query); the null-safe comparison in each database's words.
BATCH = "__BATCH__"
MATERIALIZED = "__MATERIALIZED__"
DISTINCT = "__DISTINCT__"  # IS DISTINCT FROM, which SQLite before 3.39 spells IS NOT
WITH_BATCH = f"WITH batch(f, p) AS ({BATCH})"


def in_batch(alias: str) -> str:
    return f"({alias}.framework_id, {alias}.period_id) IN (SELECT f, p FROM batch)"


# The batch's assessments, and the items of their frameworks: every statement reaches score
# rows by (assessment, item) from these two, so whichever way round the planner joins them
# (with or without statistics) it only ever reads rows of the groups being computed.
GROUP_ASSESSMENTS = f"""ga AS {MATERIALIZED} (
        SELECT a.id, a.unit_id, a.framework_id, a.period_id FROM {T["assessment"]} a
        WHERE {in_batch("a")}
    ), gsub AS {MATERIALIZED} (
        SELECT sc.id, sc.framework_id, sc.area_id, sc.parent_id, sc.kind, sc.has_items,
               sc.method, sc.metric, sc.max_points, sc.when_nothing, sc.per_count,
               sc.target_percent, sc.depth
        FROM (SELECT DISTINCT framework_id FROM ga) fw
        JOIN {T["sub"]} sc ON sc.framework_id = fw.framework_id)"""


def _sum(fields) -> str:
    return "(" + " + ".join(f"sums.{f}" for f in fields) + ")"


def _rate_sql() -> str:
    """CASE over the sub-criterion's metric, built from dossiers.metrics (one formula each)."""
    branches = []
    for metric in METRICS.values():
        numerator, denominator = _sum(metric.numerator), _sum(metric.denominator)
        nothing = (
            "NULL" if metric.when_nothing_to_count is None else str(metric.when_nothing_to_count)
        )
        branches.append(
            f"WHEN '{metric.name}' THEN CASE WHEN {denominator} = 0 THEN {nothing} "
            f"ELSE ROUND(100.0 * {numerator} / {denominator}, {RATE_DECIMALS}) END"
        )
    # No statistics at all for the period: every rate is not applicable.
    rates = f"CASE WHEN sums.months = 0 THEN NULL ELSE CASE sc.metric {' '.join(branches)} END END"
    # A deduction's value is its count: a counter summed over the period (none without
    # statistics), or the number the appraiser entered.
    counters = " ".join(f"WHEN '{c}' THEN sums.{c}" for c in COUNTER_FIELDS)
    counts = (
        f"CASE WHEN sc.metric = '' THEN s.count WHEN sums.months = 0 THEN NULL "
        f"ELSE CASE sc.metric {counters} END END"
    )
    return f"CASE WHEN sc.method = '{Method.DEDUCTION}' THEN {counts} ELSE {rates} END"


# A score row for every sub-criterion of every assessment of the groups, so derived points
# have a home and every write of a person is an update. ON CONFLICT: a person may be saving the
# first score of the same row at this moment.
INSERT_MISSING_SCORES = f"""
    {WITH_BATCH}, {GROUP_ASSESSMENTS}
    INSERT INTO {T["score"]} (assessment_id, sub_criterion_id, explanation, appraisal_reason,
                              return_note, return_answer, points, excluded, updated_at)
    SELECT ga.id, sc.id, '', '', '', '', 0, %(false)s, %(now)s
    FROM ga JOIN gsub sc ON sc.framework_id = ga.framework_id
    WHERE NOT EXISTS (
        SELECT 1 FROM {T["score"]} s WHERE s.assessment_id = ga.id AND s.sub_criterion_id = sc.id)
    ON CONFLICT (assessment_id, sub_criterion_id) DO NOTHING
    """

# The groups' score rows, counted, and locked in primary-key order before the UPDATEs below
# lock them in whatever order their plan visits them. Every writer of scores locks its rows in
# this order too, so a recompute and a save of several scores wait for each other and never
# deadlock. (FOR_UPDATE: PostgreSQL only; SQLite has no row locks and serialises writers.)
# Beside each count, how many rows the groups' assessments, items and areas call for: where
# both agree nothing is missing (rows are unique per assessment and item, per assessment, per
# result and area) and the inserts need not look, which spares a national recompute passes
# over every score and area result; and the deepest item made of items, so the roll-up runs
# only for the levels there are.
FOR_UPDATE = "__FOR_UPDATE__"
SCORE_ROWS = f"""
    {WITH_BATCH}, {GROUP_ASSESSMENTS}
    SELECT (SELECT COUNT(*) FROM (
                SELECT s.id FROM ga
                JOIN gsub sc ON sc.framework_id = ga.framework_id
                JOIN {T["score"]} s ON s.assessment_id = ga.id AND s.sub_criterion_id = sc.id
                ORDER BY s.id {FOR_UPDATE}) held) AS scores,
           (SELECT COUNT(*) FROM ga JOIN gsub sc ON sc.framework_id = ga.framework_id)
               AS scores_called_for,
           (SELECT COUNT(*) FROM ga JOIN {T["result"]} r ON r.assessment_id = ga.id) AS results,
           (SELECT COUNT(*) FROM ga) AS results_called_for,
           (SELECT COUNT(*) FROM ga
            JOIN {T["result"]} r ON r.assessment_id = ga.id
            JOIN {T["area_result"]} x ON x.result_id = r.id) AS area_results,
           (SELECT COUNT(*) FROM ga JOIN {T["area"]} ar ON ar.framework_id = ga.framework_id)
               AS area_results_called_for,
           (SELECT MAX(depth) FROM gsub WHERE has_items) AS deepest_node
    """

# Per score row of the groups, in one pass: the metric value from the dossier counters summed
# over the period's months (derived items only), the derived points from that value by the
# item's method, and the points used: the appraiser's where entered, else the derived points
# where the rule gives some, else the self points; nothing entered counts 0; an item left out, 0.
# Derived points come from the rate as shown (two decimals, the column's) or the count; with
# nothing to count, what `when_nothing` says (full points, left out, or a person's). Items that
# are not derived keep their stored value, derived points and exclusion (an item made of items
# gets its exclusion from the roll-up after this). (1.0 × …: SQLite keeps 4.00 as the integer 4
# and would divide as integers.) Only rows whose values change are written, so a recompute
# after a small change writes a small number of rows.
SCORE_POINTS = f"""
    {WITH_BATCH}, {GROUP_ASSESSMENTS}, sums AS {MATERIALIZED} (
        SELECT ga.id AS assessment_id, ga.framework_id, COUNT(d.id) AS months,
               {", ".join(f"SUM(d.{c}) AS {c}" for c in COUNTER_FIELDS)}
        FROM ga
        JOIN {T["period"]} per ON per.id = ga.period_id
        LEFT JOIN {T["dossier"]} d ON d.commune_id = ga.unit_id
             AND d.month >= per.start AND d.month <= per."end"
        GROUP BY ga.id, ga.framework_id
    ), rated AS {MATERIALIZED} (
        -- Every score row of the groups, read once, with its item's rule and, for a derived
        -- item, its rate. (Joining the derived items' figures back to all rows instead made
        -- PostgreSQL compare every row with every derived one in a small group.)
        SELECT s.id AS score_id, sc.id AS sub_id, sc.method IN {DERIVED} AS is_derived,
               sc.method, sc.when_nothing, sc.max_points, sc.per_count, sc.target_percent,
               s.appraised_points, s.self_points,
               s.metric_value AS stored_value, s.excluded AS stored_excluded,
               s.derived_points AS stored_derived, s.points AS stored_points,
               s.applicable_max AS stored_max,
               CASE WHEN sc.method IN {DERIVED} THEN {_rate_sql()} END AS rate
        FROM sums
        JOIN gsub sc ON sc.framework_id = sums.framework_id
        JOIN {T["score"]} s ON s.assessment_id = sums.assessment_id AND s.sub_criterion_id = sc.id
    ), derived AS (
        SELECT score_id, max_points, appraised_points, self_points, stored_value,
               stored_excluded, stored_derived, stored_points, stored_max,
               CASE WHEN is_derived THEN rate ELSE stored_value END AS metric_value,
               CASE WHEN is_derived
                    THEN (rate IS NULL AND when_nothing = '{WhenNothing.EXCLUDE}')
                    ELSE stored_excluded END AS excluded,
               CASE WHEN NOT is_derived THEN NULL
                   WHEN rate IS NULL THEN CASE when_nothing
                       WHEN '{WhenNothing.FULL}' THEN max_points
                       WHEN '{WhenNothing.EXCLUDE}' THEN 0 ELSE NULL END
                   WHEN method = '{Method.DEDUCTION}' THEN CASE
                       WHEN max_points - per_count * rate < 0 THEN 0
                       ELSE max_points - per_count * rate END
                   WHEN method = '{Method.RATIO_TARGET}' THEN ROUND(CASE
                       WHEN rate >= target_percent THEN max_points
                       ELSE 1.0 * max_points * rate / target_percent END, 2)
                   ELSE COALESCE((
                       SELECT st.points FROM {T["step"]} st
                       WHERE st.sub_criterion_id = rated.sub_id AND st.threshold_percent <= rate
                       ORDER BY st.threshold_percent DESC LIMIT 1), 0)
               END AS rule_points,
               is_derived
        FROM rated
    ), computed AS (
        SELECT derived.*,
               CASE WHEN is_derived THEN rule_points ELSE stored_derived END AS derived_points,
               CASE WHEN excluded THEN 0
                    ELSE COALESCE(appraised_points, rule_points, self_points, 0) END AS points,
               CASE WHEN excluded THEN 0 ELSE max_points END AS applicable_max
        FROM derived
    ), changed AS {MATERIALIZED} (
        -- Compared here, with the values read in the same pass (the groups' score rows are
        -- locked), so the UPDATE visits only the rows it writes.
        SELECT score_id, metric_value, excluded, derived_points, points, applicable_max
        FROM computed
        WHERE stored_value {DISTINCT} metric_value OR stored_excluded {DISTINCT} excluded
           OR stored_derived {DISTINCT} derived_points OR stored_points {DISTINCT} points
           OR stored_max {DISTINCT} applicable_max
    )
    UPDATE {T["score"]} SET metric_value = changed.metric_value,
        excluded = changed.excluded, derived_points = changed.derived_points,
        points = changed.points, applicable_max = changed.applicable_max
    FROM changed
    WHERE {T["score"]}.id = changed.score_id
    """

# A result row per assessment.
INSERT_RESULTS = f"""
    {WITH_BATCH}, {GROUP_ASSESSMENTS}
    INSERT INTO {T["result"]} (assessment_id, unit_id, framework_id, period_id, total_points,
        bonus_points, penalty_points, max_points, index_percent, band_label, provisional,
        appraised_count, criteria_count, not_applicable_count)
    SELECT ga.id, ga.unit_id, ga.framework_id, ga.period_id, 0, 0, 0, 0, 0, '', %(true)s,
           0, 0, 0
    FROM ga
    WHERE NOT EXISTS (SELECT 1 FROM {T["result"]} r WHERE r.assessment_id = ga.id)
    ON CONFLICT (assessment_id) DO NOTHING
    """

# The ranking group of each unit, by its kind (none when the framework has no groups).
RESULT_GROUPS = f"""
    {WITH_BATCH}
    UPDATE {T["result"]} SET ranking_group_id = grouped.group_id
    FROM (SELECT r.id, (
              SELECT gk.group_id FROM {T["group_kind"]} gk JOIN {T["unit"]} u ON u.kind = gk.kind
              WHERE gk.framework_id = r.framework_id AND u.id = r.unit_id) AS group_id
          FROM {T["result"]} r WHERE {in_batch("r")}) grouped
    WHERE {T["result"]}.id = grouped.id
      AND {T["result"]}.ranking_group_id {DISTINCT} grouped.group_id
    """
