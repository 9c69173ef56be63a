"""A framework as an Excel workbook and back: the JSON document's fields as sheets.

Sheets: "framework" (field | value), "bands", "areas" and "sub_criteria", each with a header row,
and "ranking_groups" when the framework ranks its units in groups by kind (kinds in one cell,
"phuong, xa"; a band row naming a group in its "ranking_group" column is that group's band).
Steps are written in one cell, highest first: "100:5; 98:4; 95:3; 0:0"; the options of a `choice`
one per line, "label: points"; a nested item names the item it is part of in "parent_code".
Downloading a loaded framework gives a workbook the upload accepts, so the easiest way to write a
new one is to edit last year's.
"""

import io

import openpyxl
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from core.workbooks import append_row
from scoring.frameworks.document import plain_number, sub_criterion_document
from scoring.models import Framework

FRAMEWORK_FIELDS = ("code", "name", "name_en", "level", "note")
# Written only when they differ from the default, read when present.
OPTIONAL_FIELDS = ("precision", "denominator", "bonus_max", "penalty_max")
ADJUSTMENT_COLUMNS = ("kind", "code", "name", "name_en", "max_points")
BAND_COLUMNS = ("label", "label_en", "min_percent", "ranking_group")
GROUP_COLUMNS = ("code", "name", "name_en", "unit_kinds")
OPTIONAL_COLUMNS = (
    "name_en",
    "label_en",
    "note",
    "ranking_group",
    "options",
    "optional",
    "per_count",
    "when_nothing",
    "parent_code",
)
AREA_COLUMNS = ("code", "name", "name_en", "optional")
SUB_COLUMNS = (
    "area_code",
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
    "parent_code",
)


def _item_tree(subs: list) -> list[dict]:
    """An area's sub-criteria (in position order) as documents, items nested in their parent."""
    documents = {sub.pk: sub_criterion_document(sub) for sub in subs}
    top = []
    for sub in subs:
        if sub.has_items:
            documents[sub.pk]["items"] = []
        if sub.parent_id is None:
            top.append(documents[sub.pk])
        else:
            documents[sub.parent_id]["items"].append(documents[sub.pk])
    return top


def framework_document(framework: Framework) -> dict:
    """The stored framework in the interchange format (formats.md)."""
    areas = []
    for area in framework.areas.prefetch_related("sub_criteria__steps").order_by("position"):
        subs = _item_tree(list(area.sub_criteria.all()))
        item = {"code": area.code, "name": area.name, "name_en": area.name_en}
        if area.optional:
            item["optional"] = True
        areas.append(item | {"sub_criteria": subs})
    document = {
        "code": framework.code,
        "name": framework.name,
        "name_en": framework.name_en,
        "note": framework.note,
        "level": framework.level,
        "bands": _bands(framework.bands.filter(ranking_group__isnull=True)),
        "areas": areas,
    }
    if framework.precision != 2:
        document["precision"] = framework.precision
    if framework.denominator != "fixed":
        document["denominator"] = framework.denominator
    for kind in ("bonus", "penalty"):
        cap = getattr(framework, f"{kind}_max")
        if cap is not None:
            document[kind] = {
                "max": plain_number(cap),
                "items": [
                    {
                        "code": item.code,
                        "name": item.name,
                        "name_en": item.name_en,
                        "max_points": plain_number(item.max_points),
                    }
                    for item in framework.sub_criteria.filter(kind=kind).order_by("position")
                ],
            }
    groups = []
    for group in framework.ranking_groups.prefetch_related("kinds", "bands"):
        item = {
            "code": group.code,
            "name": group.name,
            "name_en": group.name_en,
            "unit_kinds": [k.kind for k in sorted(group.kinds.all(), key=lambda k: k.pk)],
        }
        bands = _bands(group.bands.all())
        if bands:
            item["bands"] = bands
        groups.append(item)
    if groups:
        document["ranking_groups"] = groups
    return document


def _bands(bands) -> list[dict]:
    return [
        {"label": b.label, "label_en": b.label_en, "min_percent": plain_number(b.min_percent)}
        for b in sorted(bands, key=lambda b: b.min_percent, reverse=True)
    ]


def _sheet(workbook, title, headers, rows):
    sheet = workbook.create_sheet(title)
    append_row(sheet, list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="0B5394")
    for row in rows:
        append_row(sheet, list(row))
    for index, header in enumerate(headers, start=1):
        width = max([len(str(header))] + [len(str(r[index - 1] or "")) for r in rows])
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 10), 70)
    sheet.freeze_panes = "A2"


def _yes(value) -> str | None:
    return "yes" if value else None


def steps_cell(steps) -> str:
    return "; ".join(f"{t}:{p}" for t, p in steps)


def options_cell(options) -> str:
    return "\n".join(f"{label}: {points}" for label, points in options)


def _sub_rows(area: dict, items: list, parent_code=None):
    """One row per item, depth first: an item with items has no method, and its items name it
    in the column parent_code."""
    for sub in items:
        yield (
            [area["code"]]
            + [sub.get(c) for c in SUB_COLUMNS[1:8]]
            + [steps_cell(sub["steps"]) if sub.get("steps") else None]
            + [options_cell(sub["options"]) if sub.get("options") else None]
            + [sub.get("per_count"), sub.get("when_nothing"), parent_code]
        )
        yield from _sub_rows(area, sub.get("items") or [], sub["code"])


def framework_workbook(document: dict) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    _sheet(
        workbook,
        "framework",
        ("field", "value"),
        [(k, document.get(k, "")) for k in FRAMEWORK_FIELDS]
        + [(k, document[k]) for k in OPTIONAL_FIELDS[:2] if k in document]
        + [(f"{k}_max", document[k]["max"]) for k in ("bonus", "penalty") if k in document],
    )
    groups = document.get("ranking_groups") or []
    band_rows = [[b.get(c) for c in BAND_COLUMNS[:-1]] + [None] for b in document["bands"]]
    for group in groups:
        band_rows += [
            [b.get(c) for c in BAND_COLUMNS[:-1]] + [group["code"]] for b in group.get("bands", [])
        ]
    _sheet(workbook, "bands", BAND_COLUMNS, band_rows)
    adjustments = [
        [kind, *(item.get(c) for c in ADJUSTMENT_COLUMNS[1:])]
        for kind in ("bonus", "penalty")
        for item in (document.get(kind) or {}).get("items", [])
    ]
    if adjustments:
        _sheet(workbook, "bonus_penalty", ADJUSTMENT_COLUMNS, adjustments)
    if groups:
        _sheet(
            workbook,
            "ranking_groups",
            GROUP_COLUMNS,
            [
                [g.get("code"), g.get("name"), g.get("name_en"), ", ".join(g["unit_kinds"])]
                for g in groups
            ],
        )
    _sheet(
        workbook,
        "areas",
        AREA_COLUMNS,
        [
            [a.get(c) for c in AREA_COLUMNS[:-1]] + [_yes(a.get("optional"))]
            for a in document["areas"]
        ],
    )
    subs = [row for area in document["areas"] for row in _sub_rows(area, area["sub_criteria"])]
    _sheet(workbook, "sub_criteria", SUB_COLUMNS, subs)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
