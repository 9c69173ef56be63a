"""Monthly one-stop-shop statistics for the demo: totals for a stretch of months, split so that
every month passes the same rules as an upload."""

import datetime
import random

from demo.numbers import split_int
from dossiers.metrics import bound_violations

# Fewer dossiers around Tết (January/February), more before the year closes.
SEASON = [1.02, 0.72, 1.05, 1.0, 1.02, 0.98, 0.97, 1.0, 1.03, 1.05, 1.06, 1.1]
OUTCOME_PARTS = ("resolved_on_time", "resolved_late", "pending_on_time", "pending_overdue")
PROPORTIONAL = ("online_full", "online_partial", "postal", "digitized")


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def yearly_totals(
    code: str, quality: float, base: float, growth: float, year: int, months: int
) -> dict:
    """Believable totals: online, postal and digitised shares climb year on year, better-run
    communes are later less often and apologise more often."""
    t = year - 2020
    rng = random.Random(f"{code}-{year}-{months}")
    received = round(base * months * (1 + growth) ** t * rng.uniform(0.94, 1.06))
    late_rate = _clamp((1 - quality) * 0.035 * (1 - 0.2 * t), 0.0, 0.05)
    pending = round(received * rng.uniform(0.02, 0.05))
    overdue = min(pending, round(pending * late_rate * 10))
    resolved = received - pending
    late = round(resolved * late_rate)
    on_time = round(resolved * rng.uniform(0.08, 0.25))
    online = _clamp(0.03 + 0.13 * t + 0.3 * quality + rng.uniform(-0.04, 0.04), 0.02, 0.8)
    full_share = _clamp(0.2 + 0.12 * t + rng.uniform(-0.05, 0.05), 0.1, 0.7)
    online_total = round(received * online)
    online_full = round(online_total * full_share)
    postal = min(
        max(0, received - online_total - 6),
        round(received * _clamp(0.03 + 0.16 * quality + 0.02 * t, 0.01, 0.3)),
    )
    digitized = round(
        received * _clamp(0.08 + 0.18 * t + 0.25 * quality + rng.uniform(-0.04, 0.04), 0.03, 0.97)
    )
    return {
        "received": received,
        "resolved_early": resolved - late - on_time,
        "resolved_on_time": on_time,
        "resolved_late": late,
        "pending_on_time": pending - overdue,
        "pending_overdue": overdue,
        "online_full": online_full,
        "online_partial": online_total - online_full,
        "postal": postal,
        "digitized": digitized,
        "apologies": round((late + overdue) * _clamp(0.3 + 0.7 * quality, 0, 1)),
    }


def _channels(row) -> int:
    return row.get("online_full", 0) + row.get("online_partial", 0) + row.get("postal", 0)


def _fit_channels(rows: list[dict]) -> None:
    """Rounding each share month by month can put one dossier more online and by post than a
    small month received; move such postal dossiers to the month with the most room (the
    totals stay exact)."""
    for row in rows:
        excess = _channels(row) - row["received"]
        while excess > 0 and row.get("postal", 0) > 0:
            roomiest = max(rows, key=lambda r: r["received"] - _channels(r))
            if roomiest["received"] - _channels(roomiest) <= 0:
                return
            row["postal"] -= 1
            roomiest["postal"] += 1
            excess -= 1


def split_into_months(
    totals: dict, months: list[datetime.date], carried_in: int, seed: str
) -> list[dict]:
    """Monthly rows whose sums are exactly `totals`. Each month's outcomes equal its received
    dossiers, and it carries over the previous month's pending ones."""
    rng = random.Random(seed)
    weights = [SEASON[m.month - 1] * rng.uniform(0.9, 1.1) for m in months]
    received = split_int(totals["received"], weights)
    rows = [{"month": m, "received": r} for m, r in zip(months, received, strict=True)]
    for name in OUTCOME_PARTS + PROPORTIONAL:
        for row, part in zip(rows, split_int(totals.get(name, 0), received), strict=True):
            row[name] = part
    _fit_channels(rows)
    for row in rows:
        row["resolved_early"] = row["received"] - sum(row[n] for n in OUTCOME_PARTS)
    late = [row["resolved_late"] + row["pending_overdue"] for row in rows]
    for row, part in zip(rows, split_int(totals.get("apologies", 0), late), strict=True):
        row["apologies"] = part
    carried = carried_in
    for row in rows:
        row["carried_over"] = carried
        carried = row["pending_on_time"] + row["pending_overdue"]
        problems = bound_violations(row)
        if problems or row["resolved_early"] < 0:
            raise ValueError(f"demo month {row['month']} of {seed} breaks a rule: {problems}")
    return rows
