"""Validation of a framework in the interchange format (formats.md), before anything is written."""

from decimal import Decimal

from django.utils.translation import gettext as _

from communes.models import Kind, Level
from dossiers.metrics import METRICS
from scoring.frameworks.keys import unknown_key_problems
from scoring.frameworks.method_rules import (
    MAX_POINTS,
    adjustment_problems,
    decimal_or_none,
    deduction_problems,
    has_two_decimals,
    option_problems,
    when_nothing_problems,
)
from scoring.models import (
    MAX_DEPTH,
    Area,
    Band,
    Denominator,
    Framework,
    Method,
    RankingGroup,
    SubCriterion,
    WhenNothing,
)


def _limit(model, field: str) -> int:
    return model._meta.get_field(field).max_length


def _length_problems(obj: dict, model, fields, where: str | None) -> list[str]:
    """Texts longer than the column that keeps them, each named (not cut short silently)."""
    problems = []
    for field in fields:
        value = obj.get(field)
        limit = _limit(model, field)
        if value is not None and len(str(value).strip()) > limit:
            problems.append(
                _("%(where)s'%(field)s' has %(length)d characters; at most %(limit)d characters.")
                % {
                    "where": f"{where}: " if where else "",
                    "field": field,
                    "length": len(str(value).strip()),
                    "limit": limit,
                }
            )
    return problems


def validate_framework_document(doc) -> list[str]:
    """Every problem of the document, each naming where it is; empty when the framework is sound."""
    if not isinstance(doc, dict):
        return [_("The framework must be a JSON object.")]
    problems: list[str] = unknown_key_problems(doc)
    for key in ("code", "name", "level"):
        if not str(doc.get(key) or "").strip():
            problems.append(_("'%(key)s' is missing.") % {"key": key})
    if doc.get("level") and doc["level"] not in Level.values:
        problems.append(
            _("level '%(level)s' is not one of %(levels)s.")
            % {"level": doc["level"], "levels": ", ".join(Level.values)}
        )
    problems += _length_problems(doc, Framework, ("code", "name", "name_en"), None)
    if "precision" in doc and (
        isinstance(doc["precision"], bool) or doc["precision"] not in (2, 3)
    ):
        problems.append(
            _("precision must be 2 or 3 (decimals of every percent), not %(value)s.")
            % {"value": str(doc["precision"])[:20]}
        )
    if "denominator" in doc and doc["denominator"] not in Denominator.values:
        problems.append(
            _("denominator must be one of %(values)s, not %(value)s.")
            % {"values": ", ".join(Denominator.values), "value": str(doc["denominator"])[:20]}
        )
    problems += _band_problems(doc.get("bands"))
    if doc.get("ranking_groups") not in (None, []):
        problems += _ranking_group_problems(doc["ranking_groups"], doc.get("level"))
    areas = doc.get("areas")
    if not isinstance(areas, list) or not areas:
        problems.append(_("'areas' must be a non-empty list."))
        return problems
    area_codes, sub_codes = set(), set()
    for a_index, area in enumerate(areas, start=1):
        where = _("area %(n)d") % {"n": a_index}
        if not isinstance(area, dict):
            problems.append(_("%(where)s must be an object.") % {"where": where})
            continue
        code = str(area.get("code") or "").strip()
        if code:
            where = _("area %(code)s") % {"code": code}
        if not code:
            problems.append(_("%(where)s: 'code' is missing.") % {"where": where})
        elif code in area_codes:
            problems.append(_("%(where)s: duplicate area code.") % {"where": where})
        area_codes.add(code)
        if not str(area.get("name") or "").strip():
            problems.append(_("%(where)s: 'name' is missing.") % {"where": where})
        problems += _length_problems(area, Area, ("code", "name", "name_en"), where)
        if "optional" in area and not isinstance(area["optional"], bool):
            problems.append(_("%(where)s: 'optional' must be true or false.") % {"where": where})
        subs = area.get("sub_criteria")
        if not isinstance(subs, list) or not subs:
            problems.append(
                _("%(where)s: 'sub_criteria' must be a non-empty list.") % {"where": where}
            )
            continue
        for s_index, sub in enumerate(subs, start=1):
            path = f"areas[{a_index - 1}].sub_criteria[{s_index - 1}]"
            problems += _sub_problems(sub, where, s_index, sub_codes, path=path)
    for kind in ("bonus", "penalty"):
        problems += adjustment_problems(doc.get(kind), kind, sub_codes)
    return problems


def _ranking_group_problems(groups, level) -> list[str]:
    """Groups of unit kinds ranked apart: each kind in one group at most, bands optional."""
    if not isinstance(groups, list):
        return [_("'ranking_groups' must be a list.")]
    problems = []
    if level and level != Level.COMMUNE:
        problems.append(
            _("'ranking_groups' divides commune-level units by kind; level must be commune.")
        )
    codes, kinds_seen = set(), {}
    for index, group in enumerate(groups, start=1):
        where = _("ranking group %(n)d") % {"n": index}
        if not isinstance(group, dict):
            problems.append(_("%(where)s must be an object.") % {"where": where})
            continue
        code = str(group.get("code") or "").strip()
        if code:
            where = _("ranking group %(code)s") % {"code": code}
        if not code:
            problems.append(_("%(where)s: 'code' is missing.") % {"where": where})
        elif code in codes:
            problems.append(_("%(where)s: duplicate ranking group code.") % {"where": where})
        codes.add(code)
        if not str(group.get("name") or "").strip():
            problems.append(_("%(where)s: 'name' is missing.") % {"where": where})
        problems += _length_problems(group, RankingGroup, ("code", "name", "name_en"), where)
        kinds = group.get("unit_kinds")
        if not isinstance(kinds, list) or not kinds:
            problems.append(
                _("%(where)s: 'unit_kinds' must be a non-empty list of %(kinds)s.")
                % {"where": where, "kinds": ", ".join(Kind.values)}
            )
            kinds = []
        for kind in kinds:
            if kind not in Kind.values:
                problems.append(
                    _("%(where)s: unit kind '%(kind)s' is not one of %(kinds)s.")
                    % {"where": where, "kind": kind, "kinds": ", ".join(Kind.values)}
                )
            elif kind in kinds_seen:
                problems.append(
                    _("%(where)s: unit kind '%(kind)s' is already in ranking group %(other)s.")
                    % {"where": where, "kind": kind, "other": kinds_seen[kind]}
                )
            else:
                kinds_seen[kind] = code or index
        if group.get("bands") not in (None, []):
            problems += [f"{where}: {p}" for p in _band_problems(group["bands"])]
    return problems


def _band_problems(bands) -> list[str]:
    if not isinstance(bands, list) or not bands:
        return [_("'bands' must be a non-empty list.")]
    problems, labels, minima = [], set(), []
    for index, band in enumerate(bands, start=1):
        if not isinstance(band, dict):
            problems.append(_("band %(n)d must be an object.") % {"n": index})
            continue
        label = str(band.get("label") or "").strip()
        minimum = decimal_or_none(band.get("min_percent"))
        if not label:
            problems.append(_("band %(n)d: 'label' is missing.") % {"n": index})
        elif label in labels:
            problems.append(_("band %(label)s: duplicate label.") % {"label": label})
        labels.add(label)
        problems += _length_problems(
            band, Band, ("label", "label_en"), _("band %(n)d") % {"n": index}
        )
        if minimum is None or not 0 <= minimum <= 100:
            problems.append(
                _("band %(label)s: min_percent must be a number from 0 to 100.")
                % {"label": label or index}
            )
        elif minimum in minima:
            problems.append(
                _("band %(label)s: another band has the same min_percent.") % {"label": label}
            )
        else:
            minima.append(minimum)
    if minima and min(minima) != 0:
        problems.append(_("The bands do not cover 0 %: the lowest band must have min_percent 0."))
    return problems


def sub_criterion_document(sub, steps=None) -> dict:
    """One sub-criterion (a model instance or anything with its fields) in the interchange
    format; `steps` are (threshold, points) pairs, by default the stored ones."""
    item = {
        "code": sub.code,
        "name": sub.name,
        "name_en": sub.name_en,
        "max_points": plain_number(sub.max_points),
    }
    if getattr(sub, "has_items", False):
        return item  # the caller adds its "items"
    item["method"] = sub.method
    if sub.method in (Method.RATIO_TARGET, Method.STEPS) or (
        sub.method == Method.DEDUCTION and sub.metric
    ):
        item["metric"] = sub.metric
    if sub.method == Method.DEDUCTION:
        item["per_count"] = plain_number(sub.per_count)
    if (
        sub.method in (Method.RATIO_TARGET, Method.STEPS, Method.DEDUCTION)
        and (sub.when_nothing or WhenNothing.MANUAL) != WhenNothing.MANUAL
    ):
        item["when_nothing"] = sub.when_nothing
    if sub.method == Method.RATIO_TARGET:
        item["target_percent"] = plain_number(sub.target_percent)
    if sub.method == Method.CHOICE:
        item["options"] = [[label, plain_number(Decimal(str(p)))] for label, p in sub.options]
    if sub.method == Method.STEPS:
        if steps is None:
            steps = [(s.threshold_percent, s.points) for s in sub.steps.all()]
        # Highest threshold first, as the document states them and the engine reads them.
        ordered = sorted(steps, key=lambda pair: pair[0], reverse=True)
        item["steps"] = [
            [plain_number(threshold), plain_number(points)] for threshold, points in ordered
        ]
    return item


def plain_number(number: Decimal | None):
    """A stored Decimal as the JSON number a person would write (5, not 5.00)."""
    if number is None:
        return None
    number = Decimal(number).normalize()
    return int(number) if number == number.to_integral() else float(number)


def sub_criterion_problems(sub, items_max: Decimal | None = None) -> list[str]:
    """The rules of one sub-criterion, for editors that change one at a time (the admin).
    `items_max`: for an item made of items, their maxima summed (its own may not exceed it)."""
    if items_max is None:
        return _sub_problems(sub, "", 1, set())
    # The checks of code, name and maximum are a leaf's; the rule is its items'.
    problems = _sub_problems({**sub, "method": Method.MANUAL}, "", 1, set())
    maximum = decimal_or_none(sub.get("max_points"))
    if maximum is not None and maximum > items_max:
        problems.append(
            _("%(where)s: max_points %(max)s is more than its items can earn together (%(total)s).")
            % {
                "where": _("sub-criterion %(code)s") % {"code": sub.get("code")},
                "max": plain_number(maximum),
                "total": plain_number(items_max),
            }
        )
    return problems


# The keys of a scoring rule: an item made of items is scored by them and states none.
RULE_KEYS = ("method", "metric", "target_percent", "steps", "options", "per_count", "when_nothing")


def _node_problems(sub, where, maximum, seen_codes, path, depth) -> list[str]:
    """An item made of items: one to four levels below its area, no rule of its own, and a
    maximum its items can reach (it may be less than their sum: the node is capped)."""
    items = sub["items"]
    if not isinstance(items, list) or not items:
        return [_("%(where)s: 'items' must be a non-empty list.") % {"where": where}]
    if depth >= MAX_DEPTH:
        return [
            _("%(path)s.items: items nest at most four levels below an area.")
            % {"path": path or where}
        ]
    problems = [
        _(
            "%(where)s: '%(key)s' is not read on a sub-criterion with items: its points are "
            "its items' points; state the rule on each item."
        )
        % {"where": where, "key": key}
        for key in RULE_KEYS
        if key in sub
    ]
    total, complete = Decimal(0), True
    for index, item in enumerate(items, start=1):
        problems += _sub_problems(
            item, where, index, seen_codes, path=f"{path}.items[{index - 1}]", depth=depth + 1
        )
        item_max = decimal_or_none(item.get("max_points")) if isinstance(item, dict) else None
        if item_max is None:
            complete = False
        else:
            total += item_max
    if complete and maximum is not None and maximum > total:
        problems.append(
            _("%(where)s: max_points %(max)s is more than its items can earn together (%(total)s).")
            % {"where": where, "max": plain_number(maximum), "total": plain_number(total)}
        )
    return problems


def _sub_problems(
    sub, area_where: str, index: int, seen_codes: set, *, path: str = "", depth: int = 0
) -> list[str]:
    where = _("%(area)s, sub-criterion %(n)d") % {"area": area_where, "n": index}
    if not isinstance(sub, dict):
        return [_("%(where)s must be an object.") % {"where": where}]
    problems = []
    code = str(sub.get("code") or "").strip()
    if code:
        where = _("sub-criterion %(code)s") % {"code": code}
        if code in seen_codes:
            problems.append(_("%(where)s: duplicate sub-criterion code.") % {"where": where})
        seen_codes.add(code)
    else:
        problems.append(_("%(where)s: 'code' is missing.") % {"where": where})
    if not str(sub.get("name") or "").strip():
        problems.append(_("%(where)s: 'name' is missing.") % {"where": where})
    problems += _length_problems(sub, SubCriterion, ("code", "name", "name_en"), where)
    maximum = decimal_or_none(sub.get("max_points"))
    if maximum is None or maximum <= 0:
        problems.append(_("%(where)s: max_points must be a positive number.") % {"where": where})
        maximum = None
    elif maximum > MAX_POINTS:
        problems.append(
            _("%(where)s: max_points must be at most %(max)s.")
            % {"where": where, "max": plain_number(MAX_POINTS)}
        )
        maximum = None
    elif not has_two_decimals(maximum):
        problems.append(_("%(where)s: max_points has more than two decimals.") % {"where": where})
    if "items" in sub:
        return problems + _node_problems(sub, where, maximum, seen_codes, path, depth)
    method = sub.get("method")
    if method not in Method.values:
        problems.append(
            _("%(where)s: method '%(method)s' is not one of %(methods)s.")
            % {"where": where, "method": method, "methods": ", ".join(Method.values)}
        )
        return problems
    problems += when_nothing_problems(sub, method, where)
    if method == Method.CHOICE:
        return problems + option_problems(sub.get("options"), maximum, where)
    if method == Method.DEDUCTION:
        return problems + deduction_problems(sub, where)
    if method not in (Method.RATIO_TARGET, Method.STEPS):
        return problems
    metric = sub.get("metric")
    if metric not in METRICS:
        problems.append(
            _("%(where)s: metric '%(metric)s' does not exist; use one of %(metrics)s.")
            % {"where": where, "metric": metric, "metrics": ", ".join(METRICS)}
        )
    if method == Method.RATIO_TARGET:
        target = decimal_or_none(sub.get("target_percent"))
        if target is None or not 0 < target <= 100:
            problems.append(
                _("%(where)s: target_percent must be a number above 0 and at most 100.")
                % {"where": where}
            )
        return problems
    steps = sub.get("steps")
    if not isinstance(steps, list) or not steps:
        return problems + [_("%(where)s: 'steps' must be a non-empty list.") % {"where": where}]
    previous = None
    for s_index, step in enumerate(steps, start=1):
        pair = step if isinstance(step, list | tuple) and len(step) == 2 else (None, None)
        threshold, points = decimal_or_none(pair[0]), decimal_or_none(pair[1])
        step_where = _("%(where)s, step %(n)d") % {"where": where, "n": s_index}
        if threshold is None or not 0 <= threshold <= 100 or points is None or points < 0:
            problems.append(
                _("%(where)s must be [threshold_percent from 0 to 100, points ≥ 0].")
                % {"where": step_where}
            )
            continue
        if maximum is not None and points > maximum:
            problems.append(
                _("%(where)s: %(points)s points exceed max_points %(max)s.")
                % {"where": step_where, "points": points, "max": maximum}
            )
        if previous is not None and threshold >= previous:
            problems.append(
                _("%(where)s: thresholds must go from the highest to the lowest.")
                % {"where": step_where}
            )
        previous = threshold
    return problems
