"""Exact integer and decimal splitting used to turn totals into months and points into scores."""

import math
from decimal import ROUND_DOWN, Decimal


def split_int(total: int, weights: list[float]) -> list[int]:
    """Split `total` into integers proportional to `weights` (largest remainder): exact sum."""
    if total <= 0:
        return [0] * len(weights)
    weight_sum = sum(weights)
    if weight_sum <= 0:
        weights, weight_sum = [1.0] * len(weights), float(len(weights))
    raw = [total * w / weight_sum for w in weights]
    parts = [math.floor(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def distribute_points(
    total: Decimal, items: list[tuple[object, Decimal, float]], step: Decimal = Decimal("0.25")
) -> dict:
    """Share `total` points among (key, max_points, weight) items: each gets at most its maximum,
    in proportion to weight × maximum, rounded to `step` as appraisers do, with the last cents on
    the items that have room. The result sums to `total` (capped at what the items can hold)."""
    cap = sum((m for _k, m, _w in items), Decimal(0))
    total = max(Decimal(0), min(total, cap))
    shares = {k: Decimal(0) for k, _m, _w in items}
    active = [(k, m, Decimal(str(max(w, 0.01)))) for k, m, w in items]
    remaining = total
    while active and remaining > 0:
        mass = sum(w * m for _k, m, w in active)
        full = [(k, m, w) for k, m, w in active if remaining * w * m / mass >= m]
        if not full:
            for k, m, w in active:
                shares[k] = remaining * w * m / mass
            break
        for k, m, _w in full:
            shares[k] = m
            remaining -= m
        active = [item for item in active if item not in full]
    maxima = {k: m for k, m, _w in items}
    result = {
        k: min(maxima[k], (v / step).to_integral_value(ROUND_DOWN) * step)
        for k, v in shares.items()
    }
    residual = total - sum(result.values(), Decimal(0))
    for k in sorted(result, key=lambda k: maxima[k] - result[k], reverse=True):
        if residual <= 0:
            break
        add = min(maxima[k] - result[k], residual)
        result[k] += add
        residual -= add
    return result
