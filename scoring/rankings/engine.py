"""The ranking engine: every stored result of one or many ranking groups, computed set-wise.

One call runs at most a fixed number of statements whatever the number and size of the groups
(no Python loop over groups, units or scores; the inserts of missing rows and the roll-up of
nested items run only where there is something for them to do), in the caller's transaction,
so readers see either the old results or the new ones. The statements are in engine_sql,
nested_items and engine_results_sql.
"""

from collections.abc import Iterable
from typing import NamedTuple

from django.db import connection
from django.utils import timezone

from scoring.models import Framework, Period
from scoring.rankings import engine_results_sql as results_sql
from scoring.rankings import engine_sql as sql
from scoring.rankings import previous_ranks
from scoring.rankings.nested_items import roll_up_statements

Group = tuple[int, int]  # (framework_id, period_id)


class Found(NamedTuple):
    """What SCORE_ROWS counted (rows held and called for) and the deepest item with items."""

    scores: int
    scores_called_for: int
    results: int
    results_called_for: int
    area_results: int
    area_results_called_for: int
    deepest_node: int | None


def statements(found: Found) -> list[str]:
    """The engine's statements, in the order they run, after SCORE_ROWS found this."""
    results_missing = found.results < found.results_called_for
    areas_missing = results_missing or found.area_results < found.area_results_called_for
    run = [
        # 1. Blank scores where missing (sub-criteria added after the group was opened).
        *([sql.INSERT_MISSING_SCORES] if found.scores < found.scores_called_for else []),
        # 2. Metric values from the dossier counters summed over the period's months, derived
        #    points by the item's method, points used (the appraiser's, else derived, else self).
        sql.SCORE_POINTS,
        # 3. Items made of items, their items' points rolled up level by level.
        *roll_up_statements(found.deepest_node),
        # 4. A result row per assessment and its ranking group; a row per result and area.
        *([sql.INSERT_RESULTS] if results_missing else []),
        sql.RESULT_GROUPS,
        *([results_sql.INSERT_AREA_RESULTS] if areas_missing else []),
    ]
    # 5. Totals, bonus and penalty, maximum and index percent; area percents.
    if connection.vendor == "postgresql":
        run.append(results_sql.TOTALS_AND_AREAS)
    else:
        run += [results_sql.TOTALS, results_sql.AREA_RESULTS]
    # 6. Bands, 7. ranks.
    return run + [results_sql.BANDS, results_sql.RANKS]


def _bound(statement: str, groups: list[Group]) -> str:
    """The statement for these groups: ids are integers from the database, written inline so
    the number of parameters does not grow with the batch."""
    values = ", ".join(f"({int(f)}, {int(p)})" for f, p in groups)
    postgresql = connection.vendor == "postgresql"
    return (
        statement.replace(sql.BATCH, f"VALUES {values}")
        .replace(sql.MATERIALIZED, "MATERIALIZED" if postgresql else "")
        .replace(sql.DISTINCT, "IS DISTINCT FROM" if postgresql else "IS NOT")
        .replace(sql.FOR_UPDATE, "FOR UPDATE OF s" if postgresql else "")
    )


def _params() -> dict:
    return {"now": timezone.now(), "true": True, "false": False}


def insert_missing_scores(groups: Iterable[Group]) -> None:
    """A blank score for every item of the groups' assessments that has none, in one statement
    whatever the number of groups (an import of a year names every district's group)."""
    groups = sorted({(int(f), int(p)) for f, p in groups})
    if groups:
        with connection.cursor() as cursor:
            cursor.execute(_bound(sql.INSERT_MISSING_SCORES, groups), _params())


def recompute_groups(groups: Iterable[Group]) -> int:
    """Recompute every result of the groups in the caller's transaction; returns how many."""
    return sum(recompute_groups_counted(groups).values())


def recompute_groups_counted(groups: Iterable[Group]) -> dict[Group, int]:
    """Recompute every result of the groups in the caller's transaction; returns how many
    results each group holds (groups without any are left out)."""
    groups = sorted({(int(f), int(p)) for f, p in groups})
    if not groups:
        return {}
    params = _params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Keep the joins in the order written (from the groups' assessments inward), so the
            # plans follow the groups' size with or without planner statistics; until the
            # caller's transaction ends, then back to the server's setting. No JIT: without
            # statistics the estimates of a national run are huge and PostgreSQL spent a
            # second compiling a statement that runs in one (measured, docs/performance.md).
            # Index reads priced as what they are here, pages mostly cached: at the default
            # price (4) a share of 50 groups hashed the whole score table in every statement
            # (1.03 s; 0.39 s reaching its rows by index), national runs are unchanged.
            cursor.execute(
                "SET LOCAL join_collapse_limit = 1; SET LOCAL from_collapse_limit = 1; "
                "SET LOCAL jit = off; SET LOCAL random_page_cost = 1.1"
            )
        cursor.execute(_bound(sql.SCORE_ROWS, groups), params)
        for statement in statements(Found(*cursor.fetchone())):
            cursor.execute(_bound(statement, groups), params)
        if connection.vendor == "postgresql":
            cursor.execute(
                "RESET join_collapse_limit; RESET from_collapse_limit; RESET jit; "
                "RESET random_page_cost"
            )
    previous_ranks.refresh_previous_ranks(groups)
    with connection.cursor() as cursor:
        cursor.execute(
            _bound(
                f"WITH batch(f, p) AS ({sql.BATCH}) "
                f"SELECT r.framework_id, r.period_id, COUNT(*) FROM {sql.T['result']} r "
                f"WHERE {sql.in_batch('r')} GROUP BY r.framework_id, r.period_id",
                groups,
            )
        )
        return {(f, p): count for f, p, count in cursor.fetchall()}


def recompute_group(framework: Framework, period: Period) -> int:
    """Recompute every result of one group in the caller's transaction; returns how many."""
    return recompute_groups([(framework.pk, period.pk)])
