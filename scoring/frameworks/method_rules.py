"""The rules of the methods beyond a plain maximum: a choice's options, a deduction's count,
and what an item computed from the statistics earns when there is nothing to count."""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from dossiers.metrics import COUNTER_FIELDS
from scoring.models import Method, WhenNothing

# The largest maximum a sub-criterion may state: frameworks count in tens of points, and the
# stored points have seven digits.
MAX_POINTS = Decimal(1000)


def decimal_or_none(value) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def has_two_decimals(number: Decimal) -> bool:
    try:
        return number == number.quantize(Decimal("0.01"))
    except InvalidOperation:  # more digits than any points value has
        return False


def option_problems(options, maximum: Decimal | None, where: str) -> list[str]:
    """`choice`: at least two [label, points] pairs, labels distinct, points within the maximum
    (the highest one reaching it, or the item could never earn its maximum)."""
    if not isinstance(options, list) or len(options) < 2:
        return [
            _("%(where)s: 'options' must list at least two [label, points] pairs.")
            % {"where": where}
        ]
    problems, labels, best = [], set(), None
    for index, option in enumerate(options, start=1):
        pair = option if isinstance(option, list | tuple) and len(option) == 2 else (None, None)
        label, points = str(pair[0] or "").strip(), decimal_or_none(pair[1])
        option_where = _("%(where)s, option %(n)d") % {"where": where, "n": index}
        if not label or points is None or points < 0 or not has_two_decimals(points):
            problems.append(
                _("%(where)s must be [label, points ≥ 0 with at most two decimals].")
                % {"where": option_where}
            )
            continue
        if label in labels:
            problems.append(_("%(where)s: duplicate label.") % {"where": option_where})
        labels.add(label)
        if maximum is not None and points > maximum:
            problems.append(
                _("%(where)s: %(points)s points exceed max_points %(max)s.")
                % {"where": option_where, "points": points, "max": maximum}
            )
        best = points if best is None else max(best, points)
    if not problems and maximum is not None and best != maximum:
        problems.append(
            _("%(where)s: the best option gives %(best)s points, not max_points %(max)s.")
            % {"where": where, "best": best, "max": maximum}
        )
    return problems


def when_nothing_problems(sub: dict, method, where: str) -> list[str]:
    """`when_nothing` is read on items computed from the statistics, and only there."""
    if "when_nothing" not in sub:
        return []
    value = sub["when_nothing"]
    if value not in WhenNothing.values:
        return [
            _("%(where)s: when_nothing must be one of %(values)s, not %(value)s.")
            % {"where": where, "values": ", ".join(WhenNothing.values), "value": str(value)[:20]}
        ]
    counted = method in (Method.RATIO_TARGET, Method.STEPS) or (
        method == Method.DEDUCTION and sub.get("metric")
    )
    if not counted and value != WhenNothing.MANUAL:
        return [
            _(
                "%(where)s: when_nothing applies to items computed from the statistics "
                "(ratio_target, steps, or a deduction with a metric)."
            )
            % {"where": where}
        ]
    return []


def deduction_problems(sub: dict, where: str) -> list[str]:
    """`deduction`: points per count above 0; the count from a dossier counter (`metric`) or,
    without one, entered by the appraiser."""
    problems = []
    per_count = decimal_or_none(sub.get("per_count"))
    if per_count is None or per_count <= 0 or not has_two_decimals(per_count):
        problems.append(
            _("%(where)s: per_count must be a number above 0 with at most two decimals.")
            % {"where": where}
        )
    metric = sub.get("metric")
    if metric not in (None, "") and metric not in COUNTER_FIELDS:
        problems.append(
            _(
                "%(where)s: a deduction counts a dossier counter; '%(metric)s' is not one of "
                "%(counters)s."
            )
            % {"where": where, "metric": metric, "counters": ", ".join(COUNTER_FIELDS)}
        )
    return problems


def adjustment_problems(declared, kind: str, seen_codes: set) -> list[str]:
    """`bonus` / `penalty`: {"max": points, "items": [{"code", "name", "max_points"}]}: a cap
    above 0 and at least one item, whose codes no sub-criterion or other item uses."""
    if declared is None:
        return []
    if not isinstance(declared, dict):
        return [_("'%(kind)s' must be an object with 'max' and 'items'.") % {"kind": kind}]
    problems = []
    cap = decimal_or_none(declared.get("max"))
    if cap is None or cap <= 0 or cap > MAX_POINTS or not has_two_decimals(cap):
        problems.append(
            _("%(kind)s.max must be a number above 0 and at most %(limit)s, two decimals at most.")
            % {"kind": kind, "limit": MAX_POINTS}
        )
    items = declared.get("items")
    if not isinstance(items, list) or not items:
        return problems + [_("%(kind)s.items must be a non-empty list.") % {"kind": kind}]
    for index, item in enumerate(items):
        where = f"{kind}.items[{index}]"
        if not isinstance(item, dict):
            problems.append(_("%(where)s must be an object.") % {"where": where})
            continue
        code = str(item.get("code") or "").strip()
        if not code:
            problems.append(_("%(where)s: 'code' is missing.") % {"where": where})
        elif code in seen_codes:
            problems.append(
                _("%(where)s: the code %(code)s is already used by another item.")
                % {"where": where, "code": code}
            )
        seen_codes.add(code)
        if not str(item.get("name") or "").strip():
            problems.append(_("%(where)s: 'name' is missing.") % {"where": where})
        points = decimal_or_none(item.get("max_points"))
        if points is None or points <= 0 or points > MAX_POINTS or not has_two_decimals(points):
            problems.append(
                _("%(where)s: max_points must be a positive number with at most two decimals.")
                % {"where": where}
            )
    return problems
