"""The ranking engine's statements over results: totals and index, area percents, bands, ranks.

They follow the score statements of engine_sql (points used, rolled up) and share its
placeholders (the groups' VALUES list, MATERIALIZED, the null-safe comparison). Totals and area
percents aggregate the same score rows by assessment and area: on PostgreSQL one statement
writes both from one pass (an UPDATE inside the WITH of the other); SQLite, which has no data-
modifying WITH, runs the same aggregate twice.
"""

from scoring.models import AdjustmentKind, Denominator, ItemKind
from scoring.rankings.engine_sql import (
    DERIVED,
    DISTINCT,
    GROUP_ASSESSMENTS,
    MATERIALIZED,
    WITH_BATCH,
    T,
    in_batch,
)

# Per assessment and area (bonus and penalty items: area none): its points, its maximum, the
# maximum of its items left out, how many of its items hold points entered or computed
# ("entered": 0 leaves an optional area out), and what the totals count.
AREA_STATE = f"""area_items AS {MATERIALIZED} (
        SELECT ga.id AS assessment_id, ga.framework_id, sc.area_id,
               SUM(CASE WHEN sc.parent_id IS NULL THEN s.points ELSE 0 END) AS points,
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
        GROUP BY ga.id, ga.framework_id, sc.area_id
    ), area_state AS {MATERIALIZED} (
        -- The area's maximum joined once per assessment and area, not per score row.
        SELECT area_items.*, ar.max_points AS area_max, ar.optional
        FROM area_items
        LEFT JOIN {T["area"]} ar ON ar.id = area_items.area_id  -- none: bonus and penalty
    )"""

# Totals, adjustments and the index percent, at the framework's precision (2 or 3). Declared
# bonus (penalty) items add (take off) their points, at most the framework's cap; bonus and
# penalty recorded without items (the adjustments table) add as before. What left an
# assessment's maximum: its excluded items, and its optional areas in which nothing was
# entered. `fixed`: the index is over the framework's maximum; `applicable`: over what applies
# to the unit (a province that runs no survey converts the rest to 100).
_TOTALS_CTES = f"""totals AS {MATERIALIZED} (
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
    )"""
_TOTALS_UPDATE = f"""
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

# Area percents. An area's percent is over its maximum less its excluded items; an optional
# area in which nothing was entered has no maximum for the assessment (0 of 0 points, no
# percent: not assessed, and left out of the group's averages).
_AREA_UPDATE = f"""
    UPDATE {T["area_result"]} SET points = changed.points,
        max_points = changed.applicable_max, percent = changed.percent
    FROM (SELECT * FROM (
              SELECT area_max.*, ROUND(
                         100.0 * area_max.points / NULLIF(area_max.applicable_max, 0),
                         area_max.precision) AS percent
              FROM (SELECT x.id, x.points AS stored_points, x.max_points AS stored_max,
                           x.percent AS stored_percent, st.points, fw.precision,
                           CASE WHEN st.optional AND st.entered = 0 THEN 0
                                ELSE st.area_max - st.excluded_max END AS applicable_max
                    FROM area_state st
                    JOIN {T["result"]} r ON r.assessment_id = st.assessment_id
                    JOIN {T["area_result"]} x ON x.result_id = r.id AND x.area_id = st.area_id
                    JOIN {T["framework"]} fw ON fw.id = st.framework_id
                    WHERE st.area_id IS NOT NULL) area_max) area_new
          -- Compared here, so the UPDATE visits only the rows it writes.
          WHERE stored_points {DISTINCT} points OR stored_max {DISTINCT} applicable_max
             OR stored_percent {DISTINCT} percent) changed
    WHERE {T["area_result"]}.id = changed.id
    """

_WITH_AREA_STATE = f"{WITH_BATCH}, {GROUP_ASSESSMENTS}, {AREA_STATE}"
# SQLite: two statements over the same aggregate.
TOTALS = f"{_WITH_AREA_STATE}, {_TOTALS_CTES} {_TOTALS_UPDATE}"
AREA_RESULTS = f"{_WITH_AREA_STATE} {_AREA_UPDATE}"
# PostgreSQL: one. Both UPDATEs see the same snapshot and write different tables.
TOTALS_AND_AREAS = (
    f"{_WITH_AREA_STATE}, area_written AS ({_AREA_UPDATE}), {_TOTALS_CTES} {_TOTALS_UPDATE}"
)

# A row per result and area, before their points are written.
INSERT_AREA_RESULTS = f"""
    {WITH_BATCH}
    INSERT INTO {T["area_result"]} (result_id, area_id, points, max_points, percent)
    SELECT r.id, ar.id, 0, ar.max_points, 0
    FROM {T["result"]} r JOIN {T["area"]} ar ON ar.framework_id = r.framework_id
    WHERE {in_batch("r")} AND NOT EXISTS (
        SELECT 1 FROM {T["area_result"]} x WHERE x.result_id = r.id AND x.area_id = ar.id)
    ON CONFLICT (result_id, area_id) DO NOTHING
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
