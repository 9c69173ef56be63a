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
    AdjustmentKind,
    Area,
    AreaResult,
    Assessment,
    Band,
    Denominator,
    Framework,
    ItemKind,
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
               sc.target_percent
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

# The groups' score rows, locked in primary-key order before the UPDATEs below lock them in
# whatever order their plan visits them. Every writer of scores locks its rows in this order
# too, so a recompute and a save of several scores wait for each other and never deadlock.
# (PostgreSQL only: SQLite has no row locks and serialises writers.)
LOCK_SCORES = f"""
    {WITH_BATCH}, {GROUP_ASSESSMENTS}
    SELECT s.id FROM ga JOIN {T["score"]} s ON s.assessment_id = ga.id
    ORDER BY s.id FOR UPDATE OF s
    """

# Per assessment (or result) and area: its points, its maximum, the maximum of its items left
# out, and how many of its items hold points entered or computed ("entered": 0 leaves an
# optional area out). `key` names the row, `group` its GROUP BY.
AREA_STATE = f"""
        SELECT {{key}}, sc.area_id, ar.max_points AS area_max, ar.optional,
               SUM(CASE WHEN sc.parent_id IS NULL THEN s.points ELSE 0 END) AS points,
               SUM(CASE WHEN sc.parent_id IS NULL
                        THEN sc.max_points - COALESCE(s.applicable_max, sc.max_points)
                        ELSE 0 END) AS excluded_max,
               SUM(CASE WHEN s.self_points IS NOT NULL OR s.appraised_points IS NOT NULL
                        OR (sc.method IN {DERIVED} AND s.derived_points IS NOT NULL
                            AND NOT s.excluded)
                        THEN 1 ELSE 0 END) AS entered
        FROM ga
        JOIN gsub sc ON sc.framework_id = ga.framework_id
        JOIN {T["score"]} s ON s.assessment_id = ga.id AND s.sub_criterion_id = sc.id
        JOIN {T["area"]} ar ON ar.id = sc.area_id
        JOIN {T["framework"]} fw ON fw.id = ga.framework_id
        LEFT JOIN {T["result"]} r ON r.assessment_id = ga.id
        GROUP BY {{group}}, sc.area_id, ar.max_points, ar.optional
"""

METRIC_VALUES = f"""
    {WITH_BATCH}, {GROUP_ASSESSMENTS}, sums AS {MATERIALIZED} (
        SELECT ga.id AS assessment_id, ga.framework_id, COUNT(d.id) AS months,
               {", ".join(f"SUM(d.{c}) AS {c}" for c in COUNTER_FIELDS)}
        FROM ga
        JOIN {T["period"]} per ON per.id = ga.period_id
        LEFT JOIN {T["dossier"]} d ON d.commune_id = ga.unit_id
             AND d.month >= per.start AND d.month <= per."end"
        GROUP BY ga.id, ga.framework_id
    ), rates AS {MATERIALIZED} (
        SELECT s.id AS score_id, {_rate_sql()} AS rate
        FROM sums
        JOIN gsub sc ON sc.framework_id = sums.framework_id
        JOIN {T["score"]} s ON s.assessment_id = sums.assessment_id AND s.sub_criterion_id = sc.id
        WHERE sc.method IN {DERIVED}
    )
    UPDATE {T["score"]} SET metric_value = rates.rate
    FROM rates WHERE {T["score"]}.id = rates.score_id
      AND {T["score"]}.metric_value {DISTINCT} rates.rate
    """
# Derived points from the rate as shown (two decimals) or the count, by the method; with
# nothing to count, what `when_nothing` says (full points, left out, or a person's).
# (1.0 × …: SQLite keeps 4.00 as the integer 4 and would divide as integers.) Only rows whose
# values change are written: a recompute after a small change writes a small number of rows.
DERIVED_POINTS = f"""
    {WITH_BATCH}, {GROUP_ASSESSMENTS}, computed AS {MATERIALIZED} (
        SELECT s.id AS score_id,
               (s.metric_value IS NULL AND sc.when_nothing = '{WhenNothing.EXCLUDE}')
                   AS excluded,
               CASE
                   WHEN s.metric_value IS NULL THEN CASE sc.when_nothing
                       WHEN '{WhenNothing.FULL}' THEN sc.max_points
                       WHEN '{WhenNothing.EXCLUDE}' THEN 0 ELSE NULL END
                   WHEN sc.method = '{Method.DEDUCTION}' THEN CASE
                       WHEN sc.max_points - sc.per_count * s.metric_value < 0 THEN 0
                       ELSE sc.max_points - sc.per_count * s.metric_value END
                   WHEN sc.method = '{Method.RATIO_TARGET}' THEN ROUND(CASE
                       WHEN s.metric_value >= sc.target_percent THEN sc.max_points
                       ELSE 1.0 * sc.max_points * s.metric_value / sc.target_percent END, 2)
                   ELSE COALESCE((
                       SELECT st.points FROM {T["step"]} st
                       WHERE st.sub_criterion_id = sc.id AND st.threshold_percent <= s.metric_value
                       ORDER BY st.threshold_percent DESC LIMIT 1), 0)
               END AS derived_points
        FROM ga
        JOIN gsub sc ON sc.framework_id = ga.framework_id
        JOIN {T["score"]} s ON s.assessment_id = ga.id AND s.sub_criterion_id = sc.id
        WHERE sc.method IN {DERIVED}
    )
    UPDATE {T["score"]} SET excluded = computed.excluded,
        derived_points = computed.derived_points
    FROM computed
    WHERE {T["score"]}.id = computed.score_id
      AND ({T["score"]}.excluded {DISTINCT} computed.excluded
           OR {T["score"]}.derived_points {DISTINCT} computed.derived_points)
    """

# Points used: the appraiser's where entered, else the derived points where the rule gives
# some, else the self points; nothing entered counts 0; an item left out, 0.
POINTS_USED = f"""
    {WITH_BATCH}, {GROUP_ASSESSMENTS}, computed AS {MATERIALIZED} (
        SELECT s.id AS score_id,
               CASE WHEN s.excluded THEN 0 ELSE COALESCE(s.appraised_points, CASE
                   WHEN sc.method IN {DERIVED} AND s.derived_points IS NOT NULL
                   THEN s.derived_points ELSE s.self_points END, 0) END AS points,
               CASE WHEN s.excluded THEN 0 ELSE sc.max_points END AS applicable_max
        FROM ga
        JOIN gsub sc ON sc.framework_id = ga.framework_id
        JOIN {T["score"]} s ON s.assessment_id = ga.id AND s.sub_criterion_id = sc.id
    )
    UPDATE {T["score"]} SET points = computed.points, applicable_max = computed.applicable_max
    FROM computed
    WHERE {T["score"]}.id = computed.score_id
      AND ({T["score"]}.points {DISTINCT} computed.points
           OR {T["score"]}.applicable_max {DISTINCT} computed.applicable_max)
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

# Totals, adjustments and the index percent, at the framework's precision (2 or 3). Declared
# bonus (penalty) items add (take off) their points, at most the framework's cap; bonus and
# penalty recorded without items (the adjustments table) add as before. What left an
# assessment's maximum: its excluded items, and its optional areas in which nothing was
# entered. `fixed`: the index is over the framework's maximum; `applicable`: over what applies
# to the unit (a province that runs no survey converts the rest to 100).
TOTALS = f"""
    {WITH_BATCH}, {GROUP_ASSESSMENTS}, area_state AS {MATERIALIZED} (
        SELECT ga.id AS assessment_id, ga.framework_id, ar.max_points AS area_max, ar.optional,
               SUM(CASE WHEN sc.parent_id IS NULL AND sc.area_id IS NOT NULL
                        THEN sc.max_points - COALESCE(s.applicable_max, sc.max_points)
                        ELSE 0 END) AS excluded_max,
               SUM(CASE WHEN s.self_points IS NOT NULL OR s.appraised_points IS NOT NULL
                        OR (sc.method IN {DERIVED} AND s.derived_points IS NOT NULL
                            AND NOT s.excluded)
                        THEN 1 ELSE 0 END) AS entered,
               SUM(CASE WHEN sc.kind = '{ItemKind.CRITERION}' AND sc.parent_id IS NULL
                        THEN s.points ELSE 0 END) AS total,
               SUM(CASE WHEN sc.kind = '{ItemKind.CRITERION}' AND NOT sc.has_items
                        THEN 1 ELSE 0 END) AS criteria,
               SUM(CASE WHEN sc.kind = '{ItemKind.CRITERION}' AND NOT sc.has_items
                         AND s.appraised_points IS NOT NULL THEN 1 ELSE 0 END) AS appraised,
               SUM(CASE WHEN sc.method IN {DERIVED} AND s.metric_value IS NULL
                        THEN 1 ELSE 0 END) AS not_applicable,
               SUM(CASE WHEN sc.kind = '{ItemKind.BONUS}' THEN s.points ELSE 0 END)
                   AS declared_bonus,
               SUM(CASE WHEN sc.kind = '{ItemKind.PENALTY}' THEN s.points ELSE 0 END)
                   AS declared_penalty
        FROM ga
        JOIN gsub sc ON sc.framework_id = ga.framework_id
        JOIN {T["score"]} s ON s.assessment_id = ga.id AND s.sub_criterion_id = sc.id
        LEFT JOIN {T["area"]} ar ON ar.id = sc.area_id  -- none for bonus and penalty items
        GROUP BY ga.id, ga.framework_id, sc.area_id, ar.max_points, ar.optional
    ), totals AS {MATERIALIZED} (
        SELECT assessment_id, framework_id, SUM(total) AS total, SUM(criteria) AS criteria,
               SUM(appraised) AS appraised, SUM(not_applicable) AS not_applicable,
               SUM(declared_bonus) AS declared_bonus, SUM(declared_penalty) AS declared_penalty,
               SUM(CASE WHEN optional AND entered = 0 THEN area_max ELSE excluded_max END)
                   AS out_max
        FROM area_state GROUP BY assessment_id, framework_id
    ), figures AS {MATERIALIZED} (
        SELECT totals.assessment_id, totals.total, totals.criteria, totals.appraised,
               totals.not_applicable, fw.precision,
               COALESCE((SELECT SUM(j.points) FROM {T["adjustment"]} j
                         WHERE j.assessment_id = totals.assessment_id
                           AND j.kind = '{AdjustmentKind.BONUS}'), 0) + CASE
                   WHEN totals.declared_bonus > COALESCE(fw.bonus_max, 0)
                   THEN COALESCE(fw.bonus_max, 0) ELSE totals.declared_bonus END AS bonus,
               COALESCE((SELECT SUM(j.points) FROM {T["adjustment"]} j
                         WHERE j.assessment_id = totals.assessment_id
                           AND j.kind = '{AdjustmentKind.PENALTY}'), 0) + CASE
                   WHEN totals.declared_penalty > COALESCE(fw.penalty_max, 0)
                   THEN COALESCE(fw.penalty_max, 0) ELSE totals.declared_penalty END AS penalty,
               CASE WHEN fw.denominator = '{Denominator.APPLICABLE}'
                    THEN fw.max_points - totals.out_max
                    ELSE fw.max_points END AS max_points
        FROM totals JOIN {T["framework"]} fw ON fw.id = totals.framework_id
    )
    UPDATE {T["result"]} SET
        total_points = figures.total, bonus_points = figures.bonus,
        penalty_points = figures.penalty, max_points = figures.max_points,
        index_percent = COALESCE(ROUND(
            100.0 * (figures.total + figures.bonus - figures.penalty)
            / NULLIF(figures.max_points, 0), figures.precision), 0),
        criteria_count = figures.criteria, appraised_count = figures.appraised,
        not_applicable_count = figures.not_applicable,
        provisional = %(true)s, computed_at = %(now)s
    FROM figures
    WHERE {T["result"]}.assessment_id = figures.assessment_id
    """

# Band: the highest threshold the index reaches (exactly 90.00 is in the ≥ 90 band), among the
# bands of the unit's ranking group when it has its own, else the framework's.
BANDS = f"""
    {WITH_BATCH}
    UPDATE {T["result"]} SET band_id = banded.band_id, band_label = COALESCE(banded.label, '')
    FROM (SELECT banding.id, b.id AS band_id, b.label
          FROM (SELECT r.id, COALESCE((
                    SELECT b.id FROM {T["band"]} b
                    WHERE b.ranking_group_id = r.ranking_group_id
                      AND b.min_percent <= r.index_percent
                    ORDER BY b.min_percent DESC LIMIT 1), (
                    SELECT b.id FROM {T["band"]} b
                    WHERE b.framework_id = r.framework_id AND b.ranking_group_id IS NULL
                      AND b.min_percent <= r.index_percent
                    ORDER BY b.min_percent DESC LIMIT 1)) AS band_id
                FROM {T["result"]} r WHERE {in_batch("r")}) banding
          LEFT JOIN {T["band"]} b ON b.id = banding.band_id) banded
    WHERE {T["result"]}.id = banded.id
      AND ({T["result"]}.band_id {DISTINCT} banded.band_id
           OR {T["result"]}.band_label {DISTINCT} COALESCE(banded.label, ''))
    """

# Rank by the index as shown, within the ranking group of each (framework, period): equal
# percents share a rank and the next one skips.
RANKS = f"""
    {WITH_BATCH}
    UPDATE {T["result"]} SET rank = ranked.position
    FROM (SELECT r.id, RANK() OVER (
                     PARTITION BY r.framework_id, r.period_id, r.ranking_group_id
                     ORDER BY r.index_percent DESC) AS position
          FROM {T["result"]} r WHERE {in_batch("r")}) ranked
    WHERE {T["result"]}.id = ranked.id AND {T["result"]}.rank {DISTINCT} ranked.position
    """

# Area percents: a row per result and area, then its points and percent. An area's percent is
# over its maximum less its excluded items; an optional area in which nothing was entered has
# no maximum for the assessment (0 of 0 points, no percent: not assessed, and left out of the
# group's averages).
INSERT_AREA_RESULTS = f"""
    {WITH_BATCH}
    INSERT INTO {T["area_result"]} (result_id, area_id, points, max_points, percent)
    SELECT r.id, ar.id, 0, ar.max_points, 0
    FROM {T["result"]} r JOIN {T["area"]} ar ON ar.framework_id = r.framework_id
    WHERE {in_batch("r")} AND NOT EXISTS (
        SELECT 1 FROM {T["area_result"]} x WHERE x.result_id = r.id AND x.area_id = ar.id)
    ON CONFLICT (result_id, area_id) DO NOTHING
    """
AREA_RESULTS = f"""
    {WITH_BATCH}, {GROUP_ASSESSMENTS}, area_state AS {MATERIALIZED} (
        {AREA_STATE.format(key="r.id AS result_id, fw.precision", group="r.id, fw.precision")}
    ), area_points AS {MATERIALIZED} (
        SELECT result_id, area_id, points, precision,
               CASE WHEN optional AND entered = 0 THEN 0 ELSE area_max - excluded_max END
                   AS applicable_max
        FROM area_state
    )
    UPDATE {T["area_result"]} SET points = area_points.points,
        max_points = area_points.applicable_max,
        percent = ROUND(100.0 * area_points.points / NULLIF(area_points.applicable_max, 0),
                        area_points.precision)
    FROM area_points
    WHERE {T["area_result"]}.result_id = area_points.result_id
      AND {T["area_result"]}.area_id = area_points.area_id
      AND ({T["area_result"]}.points {DISTINCT} area_points.points
           OR {T["area_result"]}.max_points {DISTINCT} area_points.applicable_max
           OR {T["area_result"]}.percent {DISTINCT} ROUND(
               100.0 * area_points.points / NULLIF(area_points.applicable_max, 0),
               area_points.precision))
    """
