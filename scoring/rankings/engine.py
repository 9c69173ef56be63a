"""The ranking engine: every stored result of one or many ranking groups, computed set-wise.

One call runs a fixed number of statements whatever the number and size of the groups (no
Python loop over groups, units or scores), in the caller's transaction, so readers see either
the old results or the new ones. The statements are in engine_sql and nested_items.
"""

from collections.abc import Iterable

from django.db import connection
from django.utils import timezone

from scoring.models import Framework, Period
from scoring.rankings import engine_sql as sql
from scoring.rankings import previous_ranks
from scoring.rankings.nested_items import ROLL_UP_STATEMENTS

Group = tuple[int, int]  # (framework_id, period_id)

STATEMENTS = [
    # 1. Blank scores where missing (sub-criteria added after the group was opened).
    sql.INSERT_MISSING_SCORES,
    # 2. Metric values from the dossier counters summed over the period's months.
    sql.METRIC_VALUES,
    # 3. Derived points from the metric value, by the item's method.
    sql.DERIVED_POINTS,
    # 4. Points used: the appraiser's, else derived, else self points.
    sql.POINTS_USED,
    # 4b. Items made of items, their items' points rolled up level by level.
    *ROLL_UP_STATEMENTS,
    # 5. A result row per assessment and its ranking group.
    sql.INSERT_RESULTS,
    sql.RESULT_GROUPS,
    # 6. Totals, bonus and penalty, maximum and index percent.
    sql.TOTALS,
    # 7. Bands, 8. ranks, 9. area percents.
    sql.BANDS,
    sql.RANKS,
    sql.INSERT_AREA_RESULTS,
    sql.AREA_RESULTS,
]


def _bound(statement: str, groups: list[Group]) -> str:
    """The statement for these groups: ids are integers from the database, written inline so
    the number of parameters does not grow with the batch."""
    values = ", ".join(f"({int(f)}, {int(p)})" for f, p in groups)
    postgresql = connection.vendor == "postgresql"
    return (
        statement.replace(sql.BATCH, f"VALUES {values}")
        .replace(sql.MATERIALIZED, "MATERIALIZED" if postgresql else "")
        .replace(sql.DISTINCT, "IS DISTINCT FROM" if postgresql else "IS NOT")
    )


def _params() -> dict:
    return {"now": timezone.now(), "true": True, "false": False}


def insert_missing_scores(framework_id: int, period_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(_bound(sql.INSERT_MISSING_SCORES, [(framework_id, period_id)]), _params())


def recompute_groups(groups: Iterable[Group]) -> int:
    """Recompute every result of the groups in the caller's transaction; returns how many."""
    groups = sorted({(int(f), int(p)) for f, p in groups})
    if not groups:
        return 0
    params = _params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Keep the joins in the order written (from the groups' assessments inward), so the
            # plans follow the groups' size with or without planner statistics; until the
            # caller's transaction ends, then back to the server's setting.
            cursor.execute("SET LOCAL join_collapse_limit = 1; SET LOCAL from_collapse_limit = 1")
        if connection.features.has_select_for_update:
            cursor.execute(_bound(sql.LOCK_SCORES, groups), params)
        for statement in STATEMENTS:
            cursor.execute(_bound(statement, groups), params)
        if connection.vendor == "postgresql":
            cursor.execute("RESET join_collapse_limit; RESET from_collapse_limit")
    previous_ranks.refresh_previous_ranks(groups)
    with connection.cursor() as cursor:
        cursor.execute(
            _bound(
                f"WITH batch(f, p) AS ({sql.BATCH}) SELECT COUNT(*) FROM {sql.T['result']} r "
                f"WHERE {sql.in_batch('r')}",
                groups,
            )
        )
        return cursor.fetchone()[0]


def recompute_group(framework: Framework, period: Period) -> int:
    """Recompute every result of one group in the caller's transaction; returns how many."""
    return recompute_groups([(framework.pk, period.pk)])
