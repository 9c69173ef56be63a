"""Items made of items (formats.md `items`): their points and applicable maximum, rolled up.

One statement per level of nesting, deepest first, whatever the size or number of groups: an
item's points are its items' points summed and capped at its own maximum; the part of its
maximum that applies is its items' applicable maxima summed, capped the same way; it is left
out when all of its items are. Leaves got both from the statements before (points used, exclusions).
"""

from scoring.models import MAX_DEPTH, Score, SubCriterion
from scoring.rankings.engine_sql import GROUP_ASSESSMENTS, WITH_BATCH

SCORE = Score._meta.db_table
SUB = SubCriterion._meta.db_table


def _roll_up(depth: int) -> str:
    return f"""
    {WITH_BATCH}, {GROUP_ASSESSMENTS}
    UPDATE {SCORE} SET points = roll.points, applicable_max = roll.applicable,
        excluded = roll.all_excluded
    FROM (
        SELECT node.id AS score_id,
               CASE WHEN SUM(child.points) > nsc.max_points THEN nsc.max_points
                    ELSE SUM(child.points) END AS points,
               CASE WHEN SUM(child.applicable_max) > nsc.max_points THEN nsc.max_points
                    ELSE SUM(child.applicable_max) END AS applicable,
               MIN(CASE WHEN child.excluded THEN 1 ELSE 0 END) = 1 AS all_excluded
        FROM ga
        JOIN {SCORE} node ON node.assessment_id = ga.id
        JOIN {SUB} nsc ON nsc.id = node.sub_criterion_id AND nsc.framework_id = ga.framework_id
        JOIN {SUB} csc ON csc.parent_id = nsc.id
        JOIN {SCORE} child ON child.assessment_id = node.assessment_id
                          AND child.sub_criterion_id = csc.id
        WHERE nsc.has_items AND nsc.depth = {depth}
        GROUP BY node.id, nsc.max_points
    ) roll
    WHERE {SCORE}.id = roll.score_id
    """


# Items with items stand at depths 0 … MAX_DEPTH - 1 (a leaf may stand at MAX_DEPTH).
ROLL_UP_STATEMENTS = [_roll_up(depth) for depth in range(MAX_DEPTH - 1, -1, -1)]
