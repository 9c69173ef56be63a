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
# Replaced by the runner: the groups' VALUES list, and MATERIALIZED where the database knows it
# (PostgreSQL would otherwise fold a CTE read once into its reader and may re-aggregate it for
# every row of the outer query).
BATCH = "__BATCH__"
MATERIALIZED = "__MATERIALIZED__"
WITH_BATCH = f"WITH batch(f, p) AS ({BATCH})"


def in_batch(alias: str) -> str:
    return f"({alias}.framework_id, {alias}.period_id) IN (SELECT f, p FROM batch)"


# The batch's assessments: every statement reaches scores through them.
GROUP_ASSESSMENTS = f"""ga AS (
        SELECT a.id, a.unit_id, a.framework_id, a.period_id FROM {T["assessment"]} a
        WHERE {in_batch("a")})"""


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
    rates = (
        f"CASE WHEN sums.assessment_id IS NULL THEN NULL "
        f"ELSE CASE sc.metric {' '.join(branches)} END END"
    )
    # A deduction's value is its count: a counter summed over the period (none without
    # statistics), or the number the appraiser entered.
    counters = " ".join(f"WHEN '{c}' THEN sums.{c}" for c in COUNTER_FIELDS)
    counts = (
        f"CASE WHEN sc.metric = '' THEN s.count WHEN sums.assessment_id IS NULL THEN NULL "
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
    FROM ga JOIN {T["sub"]} sc ON sc.framework_id = ga.framework_id
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
    SELECT s.id FROM {T["score"]} s
    WHERE s.assessment_id IN (SELECT id FROM ga)
    ORDER BY s.id FOR UPDATE OF s
    """

# A score's own row joined with its item and its assessment, for the UPDATEs below: the item
# is taken within the assessment's framework so the join walks (framework, code)-sized sets.
SCORE_OF_GROUP = f"""
    sc.id = {T["score"]}.sub_criterion_id AND a.id = {T["score"]}.assessment_id
    AND sc.framework_id = a.framework_id
    AND {T["score"]}.assessment_id IN (SELECT id FROM ga)"""

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
        JOIN {T["score"]} s ON s.assessment_id = ga.id
        JOIN {T["sub"]} sc ON sc.id = s.sub_criterion_id AND sc.framework_id = ga.framework_id
        JOIN {T["area"]} ar ON ar.id = sc.area_id
        JOIN {T["framework"]} fw ON fw.id = ga.framework_id
        LEFT JOIN {T["result"]} r ON r.assessment_id = ga.id
        GROUP BY {{group}}, sc.area_id, ar.max_points, ar.optional
"""

METRIC_VALUES = f"""
    {WITH_BATCH}, {GROUP_ASSESSMENTS}, sums AS {MATERIALIZED} (
        SELECT ga.id AS assessment_id,
               {", ".join(f"SUM(d.{c}) AS {c}" for c in COUNTER_FIELDS)}
        FROM ga
        JOIN {T["period"]} per ON per.id = ga.period_id
        JOIN {T["dossier"]} d ON d.commune_id = ga.unit_id
             AND d.month >= per.start AND d.month <= per."end"
        GROUP BY ga.id
    ), rates AS {MATERIALIZED} (
        SELECT s.id AS score_id, {_rate_sql()} AS rate
        FROM ga
        JOIN {T["score"]} s ON s.assessment_id = ga.id
        JOIN {T["sub"]} sc ON sc.id = s.sub_criterion_id AND sc.framework_id = ga.framework_id
        LEFT JOIN sums ON sums.assessment_id = ga.id
        WHERE sc.method IN {DERIVED}
    )
    UPDATE {T["score"]} SET metric_value = rates.rate
    FROM rates WHERE {T["score"]}.id = rates.score_id
    """

# Derived points from the rate as shown (two decimals) or the count, by the method; with
# nothing to count, what `when_nothing` says (full points, left out, or a person's).
# (1.0 × …: SQLite keeps 4.00 as the integer 4 and would divide as integers.)
DERIVED_POINTS = f"""
    {WITH_BATCH}, {GROUP_ASSESSMENTS}
    UPDATE {T["score"]} SET excluded = (
        {T["score"]}.metric_value IS NULL AND sc.when_nothing = '{WhenNothing.EXCLUDE}'),
      derived_points = CASE
        WHEN {T["score"]}.metric_value IS NULL THEN CASE sc.when_nothing
            WHEN '{WhenNothing.FULL}' THEN sc.max_points
            WHEN '{WhenNothing.EXCLUDE}' THEN 0 ELSE NULL END
        WHEN sc.method = '{Method.DEDUCTION}' THEN CASE
            WHEN sc.max_points - sc.per_count * {T["score"]}.metric_value < 0 THEN 0
            ELSE sc.max_points - sc.per_count * {T["score"]}.metric_value END
        WHEN sc.method = '{Method.RATIO_TARGET}' THEN ROUND(CASE
            WHEN {T["score"]}.metric_value >= sc.target_percent THEN sc.max_points
            ELSE 1.0 * sc.max_points * {T["score"]}.metric_value / sc.target_percent END, 2)
        ELSE COALESCE((
            SELECT st.points FROM {T["step"]} st
            WHERE st.sub_criterion_id = sc.id AND st.threshold_percent <= {T["score"]}.metric_value
            ORDER BY st.threshold_percent DESC LIMIT 1), 0)
        END
    FROM {T["sub"]} sc, {T["assessment"]} a
    WHERE {SCORE_OF_GROUP} AND sc.method IN {DERIVED}
    """

# Points used: the appraiser's where entered, else the derived points where the rule gives
# some, else the self points; nothing entered counts 0; an item left out, 0.
POINTS_USED = f"""
    {WITH_BATCH}, {GROUP_ASSESSMENTS}
    UPDATE {T["score"]} SET points = CASE WHEN {T["score"]}.excluded THEN 0 ELSE COALESCE(
        {T["score"]}.appraised_points, CASE
        WHEN sc.method IN {DERIVED} AND {T["score"]}.derived_points IS NOT NULL
        THEN {T["score"]}.derived_points ELSE {T["score"]}.self_points END, 0) END,
      applicable_max = CASE WHEN {T["score"]}.excluded THEN 0 ELSE sc.max_points END
    FROM {T["sub"]} sc, {T["assessment"]} a
    WHERE {SCORE_OF_GROUP}
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
    UPDATE {T["result"]} SET ranking_group_id = (
        SELECT gk.group_id FROM {T["group_kind"]} gk JOIN {T["unit"]} u ON u.kind = gk.kind
        WHERE gk.framework_id = {T["result"]}.framework_id AND u.id = {T["result"]}.unit_id)
    WHERE {in_batch(T["result"])}
    """

# Totals, adjustments and the index percent, at the framework's precision (2 or 3). Declared
# bonus (penalty) items add (take off) their points, at most the framework's cap; bonus and
# penalty recorded without items (the adjustments table) add as before. What left an
# assessment's maximum: its excluded items, and its optional areas in which nothing was
# entered. `fixed`: the index is over the framework's maximum; `applicable`: over what applies
# to the unit (a province that runs no survey converts the rest to 100).
TOTALS = f"""
    {WITH_BATCH}, {GROUP_ASSESSMENTS}, totals AS {MATERIALIZED} (
        SELECT ga.id AS assessment_id, ga.framework_id,
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
        JOIN {T["score"]} s ON s.assessment_id = ga.id
        JOIN {T["sub"]} sc ON sc.id = s.sub_criterion_id AND sc.framework_id = ga.framework_id
        GROUP BY ga.id, ga.framework_id
    ), adjustments AS {MATERIALIZED} (
        SELECT j.assessment_id,
               SUM(CASE WHEN j.kind = '{AdjustmentKind.BONUS}' THEN j.points ELSE 0 END) AS bonus,
               SUM(CASE WHEN j.kind = '{AdjustmentKind.PENALTY}' THEN j.points ELSE 0 END)
                   AS penalty
        FROM ga JOIN {T["adjustment"]} j ON j.assessment_id = ga.id
        GROUP BY j.assessment_id
    ), area_state AS {MATERIALIZED} (
        {AREA_STATE.format(key="ga.id AS assessment_id", group="ga.id")}
    ), left_out AS (
        SELECT assessment_id, SUM(CASE WHEN optional AND entered = 0 THEN area_max
                                       ELSE excluded_max END) AS out_max
        FROM area_state GROUP BY assessment_id
    ), figures AS {MATERIALIZED} (
        SELECT totals.assessment_id, totals.total, totals.criteria, totals.appraised,
               totals.not_applicable, fw.precision,
               COALESCE(adjustments.bonus, 0) + CASE
                   WHEN totals.declared_bonus > COALESCE(fw.bonus_max, 0)
                   THEN COALESCE(fw.bonus_max, 0) ELSE totals.declared_bonus END AS bonus,
               COALESCE(adjustments.penalty, 0) + CASE
                   WHEN totals.declared_penalty > COALESCE(fw.penalty_max, 0)
                   THEN COALESCE(fw.penalty_max, 0) ELSE totals.declared_penalty END AS penalty,
               CASE WHEN fw.denominator = '{Denominator.APPLICABLE}'
                    THEN fw.max_points - COALESCE(left_out.out_max, 0)
                    ELSE fw.max_points END AS max_points
        FROM totals JOIN {T["framework"]} fw ON fw.id = totals.framework_id
        LEFT JOIN adjustments ON adjustments.assessment_id = totals.assessment_id
        LEFT JOIN left_out ON left_out.assessment_id = totals.assessment_id
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
    UPDATE {T["result"]} SET band_id = COALESCE((
        SELECT b.id FROM {T["band"]} b
        WHERE b.ranking_group_id = {T["result"]}.ranking_group_id
          AND b.min_percent <= {T["result"]}.index_percent
        ORDER BY b.min_percent DESC LIMIT 1), (
        SELECT b.id FROM {T["band"]} b
        WHERE b.framework_id = {T["result"]}.framework_id AND b.ranking_group_id IS NULL
          AND b.min_percent <= {T["result"]}.index_percent
        ORDER BY b.min_percent DESC LIMIT 1))
    WHERE {in_batch(T["result"])}
    """
BAND_LABELS = f"""
    {WITH_BATCH}
    UPDATE {T["result"]} SET band_label = COALESCE(
        (SELECT b.label FROM {T["band"]} b WHERE b.id = {T["result"]}.band_id), '')
    WHERE {in_batch(T["result"])}
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
    WHERE {T["result"]}.id = ranked.id
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
    """
