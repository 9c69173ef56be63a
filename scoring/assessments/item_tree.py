"""Items made of items, as the pages add them up before the ranking engine has run.

The same rule as the engine's (scoring/rankings/nested_items.py): an item's points are its
items' points summed and capped at its own maximum, deepest items first; only the sub-criteria
directly in an area (no parent) count towards the area and the total.
"""

from collections import defaultdict
from decimal import Decimal


def rolled_up(values: dict[int, Decimal], subs) -> dict[int, Decimal]:
    """Every item's value, {sub-criterion id: points}: a leaf's as given (missing counts 0), an
    item with items its items' summed and capped at its maximum. `subs` are sub-criteria (or
    anything with pk, parent_id, depth, has_items and max_points)."""
    subs = list(subs)
    children = defaultdict(list)
    for sub in subs:
        if sub.parent_id is not None:
            children[sub.parent_id].append(sub.pk)
    result = dict(values)
    for node in sorted((s for s in subs if s.has_items), key=lambda s: -s.depth):
        total = sum((result.get(child, Decimal(0)) for child in children[node.pk]), Decimal(0))
        result[node.pk] = min(total, node.max_points)
    return result


def top_level_total(values: dict[int, Decimal], subs) -> Decimal:
    """The sum over the items directly in their area, after rolling up."""
    subs = list(subs)
    values = rolled_up(values, subs)
    return sum((values.get(s.pk, Decimal(0)) for s in subs if s.parent_id is None), Decimal(0))
