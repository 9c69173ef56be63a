"""Items made of items (formats.md `items`): their points and applicable maximum, rolled up.

One statement per level of nesting, deepest first, whatever the size or number of groups: an
item's points are its items' points summed and capped at its own maximum; the part of its
maximum that applies is its items' applicable maxima summed, capped the same way; it is left
out when all of its items are. Leaves got both from the statements before (points used, exclusions).
"""

from scoring.models import MAX_DEPTH, Score, SubCriterion
from scoring.rankings.engine_sql import DISTINCT, GROUP_ASSESSMENTS, MATERIALIZED, WITH_BATCH

SCORE = Score._meta.db_table
SUB = SubCriterion._meta.db_table


def _roll_up(depth: int) -> str:
    # From the items with items of the groups' frameworks (none: nothing to read), to their
    # score rows and their items' score rows by (assessment, item).
    return f"""
    {WITH_BATCH}, {GROUP_ASSESSMENTS}, nodes AS (
        SELECT nsc.id, nsc.max_points, nsc.framework_id
        FROM (SELECT DISTINCT framework_id FROM ga) fw
        JOIN {SUB} nsc ON nsc.framework_id = fw.framework_id
        WHERE nsc.has_items AND nsc.depth = {depth}
    ), roll AS {MATERIALIZED} (
        SELECT node.id AS score_id,
               CASE WHEN SUM(child.points) > nodes.max_points THEN nodes.max_points
                    ELSE SUM(child.points) END AS points,
               CASE WHEN SUM(child.applicable_max) > nodes.max_points THEN nodes.max_points
                    ELSE SUM(child.applicable_max) END AS applicable,
               MIN(CASE WHEN child.excluded THEN 1 ELSE 0 END) = 1 AS all_excluded
        FROM nodes
        JOIN ga ON ga.framework_id = nodes.framework_id
        JOIN {SCORE} node ON node.assessment_id = ga.id AND node.sub_criterion_id = nodes.id
        JOIN {SUB} csc ON csc.parent_id = nodes.id
        JOIN {SCORE} child ON child.assessment_id = ga.id AND child.sub_criterion_id = csc.id
        GROUP BY node.id, nodes.max_points
    )
    UPDATE {SCORE} SET points = roll.points, applicable_max = roll.applicable,
        excluded = roll.all_excluded
    FROM roll
    WHERE {SCORE}.id = roll.score_id
      AND ({SCORE}.points {DISTINCT} roll.points
           OR {SCORE}.applicable_max {DISTINCT} roll.applicable
           OR {SCORE}.excluded {DISTINCT} roll.all_excluded)
    """


# Items with items stand at depths 0 … MAX_DEPTH - 1 (a leaf may stand at MAX_DEPTH).
_ROLL_UP = [_roll_up(depth) for depth in range(MAX_DEPTH)]


def roll_up_statements(deepest: int | None) -> list[str]:
    """The roll-up, deepest level first, from the deepest item made of items (None: none)."""
    if deepest is None:
        return []
    return [_ROLL_UP[depth] for depth in range(min(deepest, MAX_DEPTH - 1), -1, -1)]
