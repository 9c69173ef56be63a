"""The index a result shows, inverted: how many points reach a given percent. The engine
computes the index as ROUND(100 × earned / maximum, precision), half away from zero
(engine_results_sql.TOTALS). A unit's advice and the dashboard's band margins ask here."""

from decimal import ROUND_CEILING, Decimal

CENT = Decimal("0.01")  # points are kept to two decimals


def points_for_index(percent, max_points, precision: int) -> Decimal:
    """The fewest points (to the hundredth) whose index, rounded as the engine rounds it,
    reaches `percent`: the index rounds half away from zero, so half a last digit below is
    enough (90 % with two decimals: 89.995 % of the maximum)."""
    half = Decimal(1).scaleb(-precision) / 2
    needed = (Decimal(percent) - half) * Decimal(max_points) / 100
    return max(needed, Decimal(0)).quantize(CENT, rounding=ROUND_CEILING)
