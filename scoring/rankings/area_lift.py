"""Which areas would lift a group's average most (#17, for leaders): per area, the index points
the group's average would gain if every unit earned the area's full points, which is the area's
lost points over each unit's maximum, averaged; and how many units are below half in it. Read
from the stored area results (the engine's), so it sums to the gap between the average index
and 100 % (bonus and penalty aside)."""

from dataclasses import dataclass
from decimal import Decimal

HALF = Decimal(50)


@dataclass
class AreaLift:
    area: object
    lift: Decimal  # index points of the group's average
    below_half: int  # units under 50 % in the area
    assessed: int  # units the area applied to


def area_lifts(rows, areas, count: int = 3) -> list[AreaLift]:
    """The `count` areas with the most to give, the most first (none without results)."""
    lifts = {area.pk: AreaLift(area, Decimal(0), 0, 0) for area in areas}
    ranked = [row for row in rows if row.max_points]
    for row in ranked:
        for result in row.area_results.all():
            lift = lifts.get(result.area_id)
            if lift is None or result.percent is None:
                continue
            lift.assessed += 1
            lift.below_half += result.percent < HALF
            lift.lift += 100 * (result.max_points - result.points) / row.max_points
    if not ranked:
        return []
    for lift in lifts.values():
        lift.lift = (lift.lift / len(ranked)).quantize(Decimal("0.01"))
    best = sorted(lifts.values(), key=lambda a: (-a.lift, a.area.position))
    return [a for a in best if a.lift > 0][:count]
