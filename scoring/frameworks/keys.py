"""The keys a framework document may hold, level by level (formats.md).

A key the loader does not read is refused with its JSON path (`areas[2].sub_criteria[0].itemz`),
never dropped: a province that writes `when_nothing` in a version of the portal that does not read
it must learn so, not find its rule silently ignored.
"""

from django.utils.translation import gettext as _

TOP = (
    "code",
    "name",
    "name_en",
    "note",
    "level",
    "precision",
    "denominator",
    "bands",
    "ranking_groups",
    "areas",
    "bonus",
    "penalty",
)
BAND = ("label", "label_en", "min_percent")
GROUP = ("code", "name", "name_en", "unit_kinds", "bands")
AREA = ("code", "name", "name_en", "optional", "sub_criteria")
ADJUSTMENT = ("max", "items")
ADJUSTMENT_ITEM = ("code", "name", "name_en", "max_points")
SUB = (
    "code",
    "name",
    "name_en",
    "max_points",
    "method",
    "metric",
    "target_percent",
    "steps",
    "options",
    "per_count",
    "when_nothing",
    "items",
)


def unknown_key_problems(doc) -> list[str]:
    """Every key of the document no level reads, with its JSON path; [] when all are known."""
    if not isinstance(doc, dict):
        return []
    problems = _unknown(doc, TOP, "")
    for index, band in enumerate(_list(doc.get("bands"))):
        problems += _unknown(band, BAND, f"bands[{index}]")
    for index, group in enumerate(_list(doc.get("ranking_groups"))):
        path = f"ranking_groups[{index}]"
        problems += _unknown(group, GROUP, path)
        if isinstance(group, dict):
            for b_index, band in enumerate(_list(group.get("bands"))):
                problems += _unknown(band, BAND, f"{path}.bands[{b_index}]")
    for kind in ("bonus", "penalty"):
        declared = doc.get(kind)
        problems += _unknown(declared, ADJUSTMENT, kind)
        if isinstance(declared, dict):
            for index, item in enumerate(_list(declared.get("items"))):
                problems += _unknown(item, ADJUSTMENT_ITEM, f"{kind}.items[{index}]")
    for a_index, area in enumerate(_list(doc.get("areas"))):
        path = f"areas[{a_index}]"
        problems += _unknown(area, AREA, path)
        if isinstance(area, dict):
            for s_index, sub in enumerate(_list(area.get("sub_criteria"))):
                problems += _item_keys(sub, f"{path}.sub_criteria[{s_index}]")
    return problems


def _item_keys(item, path: str) -> list[str]:
    """A sub-criterion's keys and, below it, its items' (their depth is checked elsewhere)."""
    problems = _unknown(item, SUB, path)
    if isinstance(item, dict):
        for index, child in enumerate(_list(item.get("items"))):
            problems += _item_keys(child, f"{path}.items[{index}]")
    return problems


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _unknown(obj, known, path: str) -> list[str]:
    if not isinstance(obj, dict):
        return []
    problems = []
    for key in obj:
        where = f"{path}.{key}" if path else str(key)
        if key not in known:
            problems.append(
                _("%(path)s: unknown key; the keys here are %(keys)s.")
                % {"path": where, "keys": ", ".join(known)}
            )
    return problems
