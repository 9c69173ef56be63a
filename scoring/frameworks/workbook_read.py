"""Reading a framework workbook (the sheets framework_workbook writes) back into the JSON
document; every problem names its sheet, row and column, and a column or field the portal does
not read is refused rather than dropped."""

import io
from decimal import Decimal, InvalidOperation

import openpyxl
from django.utils.translation import gettext as _

from core.files import UnreadableFile, check_workbook
from scoring.frameworks.workbook import (
    ADJUSTMENT_COLUMNS,
    AREA_COLUMNS,
    BAND_COLUMNS,
    FRAMEWORK_FIELDS,
    GROUP_COLUMNS,
    OPTIONAL_COLUMNS,
    OPTIONAL_FIELDS,
    SUB_COLUMNS,
)


def _is_yes(value) -> bool:
    """An "optional" cell: yes / có / x / true / 1 (empty: no)."""
    return str(value or "").strip().lower() in ("yes", "có", "co", "x", "true", "1")


class WorkbookProblems(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def _number(text):
    """A cell as a number: Excel numbers as they are, "97,5" read as 97.5; else the text."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return text
    cleaned = str(text).strip().replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return str(text).strip()
    return int(value) if value == value.to_integral() else float(value)


def _records(workbook, title, columns, problems) -> list[tuple[int, dict]]:
    if title not in workbook.sheetnames:
        problems.append(_("The sheet “%(sheet)s” is missing.") % {"sheet": title})
        return []
    rows = workbook[title].iter_rows(values_only=True)
    headers = [str(h or "").strip().lower() for h in next(rows, ())]
    missing = [c for c in columns if c not in headers and c not in OPTIONAL_COLUMNS]
    for column in missing:
        problems.append(
            _("Sheet “%(sheet)s”: the column “%(column)s” is missing.")
            % {"sheet": title, "column": column}
        )
    for column in headers:
        if column and column not in columns:
            problems.append(
                _(
                    "Sheet “%(sheet)s”: the column “%(column)s” is not read; the columns are "
                    "%(known)s."
                )
                % {"sheet": title, "column": column, "known": ", ".join(columns)}
            )
    records = []
    for number, cells in enumerate(rows, start=2):
        if all(c is None or not str(c).strip() for c in cells):
            continue
        records.append(
            (number, {h: cells[i] for i, h in enumerate(headers) if h and i < len(cells)})
        )
    return records


def _options(value, where, problems):
    """One option per line ("Ban hành đầy đủ: 1"); on one line, separated by ";"."""
    text = str(value)
    parts = text.splitlines() if "\n" in text else text.split(";")
    options = []
    for part in parts:
        if not part.strip():
            continue
        label, separator, points = part.rpartition(":")
        if not separator or not label.strip():
            problems.append(
                _("%(where)s: the option “%(option)s” is not written as label: points.")
                % {"where": where, "option": part.strip()}
            )
            continue
        options.append([label.strip(), _number(points)])
    return options


def _steps(value, where, problems):
    steps = []
    for part in str(value or "").replace("\n", ";").split(";"):
        if not part.strip():
            continue
        threshold, separator, points = part.partition(":")
        if not separator:
            problems.append(
                _("%(where)s: the step “%(step)s” is not written as threshold:points.")
                % {"where": where, "step": part.strip()}
            )
            continue
        steps.append([_number(threshold), _number(points)])
    return steps


def _adjustments(workbook, document: dict, problems: list) -> None:
    """The optional sheet "bonus_penalty": one row per declared item, its kind first."""
    if "bonus_penalty" not in workbook.sheetnames:
        return
    for number, r in _records(workbook, "bonus_penalty", ADJUSTMENT_COLUMNS, problems):
        kind = str(r.get("kind") or "").strip().lower()
        if kind not in ("bonus", "penalty"):
            problems.append(
                _("Sheet “bonus_penalty”, row %(row)d, column kind: write bonus or penalty.")
                % {"row": number}
            )
            continue
        document.setdefault(kind, {}).setdefault("items", []).append(
            {
                "code": str(r.get("code") or "").strip(),
                "name": str(r.get("name") or "").strip(),
                "name_en": str(r.get("name_en") or "").strip(),
                "max_points": _number(r.get("max_points")) if r.get("max_points") else None,
            }
        )


def _ranking_groups(workbook, bands: dict, problems: list) -> list[dict]:
    """The sheet "ranking_groups" (optional) with the bands that name each group."""
    groups = []
    if "ranking_groups" in workbook.sheetnames:
        for _n, r in _records(workbook, "ranking_groups", GROUP_COLUMNS, problems):
            group = {
                "code": str(r.get("code") or "").strip(),
                "name": str(r.get("name") or "").strip(),
                "name_en": str(r.get("name_en") or "").strip(),
                "unit_kinds": [
                    k.strip() for k in str(r.get("unit_kinds") or "").split(",") if k.strip()
                ],
            }
            if group["code"] in bands:
                group["bands"] = bands.pop(group["code"])
            groups.append(group)
    for code in bands:
        problems.append(
            _(
                "Sheet “bands”, column ranking_group: no ranking group “%(code)s” in the sheet "
                "“ranking_groups”."
            )
            % {"code": code}
        )
    return groups


def document_from_workbook(content: bytes) -> dict:
    """Read a workbook into the JSON document; WorkbookProblems names sheet, row and column."""
    try:
        check_workbook(content)
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except UnreadableFile as exc:
        raise WorkbookProblems([str(exc)]) from exc
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise WorkbookProblems(
            [_("The Excel workbook cannot be read: %(error)s") % {"error": exc}]
        ) from exc
    problems: list[str] = []
    document: dict = {}
    if "framework" in workbook.sheetnames:
        for number, cells in enumerate(
            workbook["framework"].iter_rows(min_row=2, values_only=True), start=2
        ):
            field = str(cells[0]).strip() if cells and cells[0] is not None else ""
            value = cells[1] if len(cells) > 1 else None
            if field in FRAMEWORK_FIELDS:
                document[field] = "" if value is None else str(value).strip()
            elif field == "precision":
                document[field] = _number(value) if value is not None else None
            elif field == "denominator":
                document[field] = "" if value is None else str(value).strip()
            elif field in ("bonus_max", "penalty_max"):
                document.setdefault(field[: -len("_max")], {})["max"] = _number(value)
            elif field:
                problems.append(
                    _(
                        "Sheet “framework”, row %(row)d: the field “%(field)s” is not read; the "
                        "fields are %(known)s."
                    )
                    % {
                        "row": number,
                        "field": field,
                        "known": ", ".join(FRAMEWORK_FIELDS + OPTIONAL_FIELDS),
                    }
                )
    else:
        problems.append(_("The sheet “%(sheet)s” is missing.") % {"sheet": "framework"})
    bands = {}
    for _n, r in _records(workbook, "bands", BAND_COLUMNS, problems):
        bands.setdefault(str(r.get("ranking_group") or "").strip(), []).append(
            {
                "label": str(r.get("label") or "").strip(),
                "label_en": str(r.get("label_en") or "").strip(),
                "min_percent": _number(r.get("min_percent")),
            }
        )
    document["bands"] = bands.pop("", [])
    _adjustments(workbook, document, problems)
    groups = _ranking_groups(workbook, bands, problems)
    if groups:
        document["ranking_groups"] = groups
    areas = {}
    for _n, r in _records(workbook, "areas", AREA_COLUMNS, problems):
        code = str(r.get("code") or "").strip()
        areas[code] = {
            "code": code,
            "name": str(r.get("name") or "").strip(),
            "name_en": str(r.get("name_en") or "").strip(),
        }
        if _is_yes(r.get("optional")):
            areas[code]["optional"] = True
        areas[code]["sub_criteria"] = []
    read: dict = {}  # code → (its area's code, the item read), for the rows naming a parent
    for number, r in _records(workbook, "sub_criteria", SUB_COLUMNS, problems):
        where = _("sheet “sub_criteria”, row %(row)d") % {"row": number}
        area_code = str(r.get("area_code") or "").strip()
        if area_code not in areas:
            problems.append(
                _("%(where)s, column area_code: no area “%(code)s” in the sheet “areas”.")
                % {"where": where, "code": area_code}
            )
            continue
        sub = {
            "code": str(r.get("code") or "").strip(),
            "name": str(r.get("name") or "").strip(),
            "name_en": str(r.get("name_en") or "").strip(),
            "max_points": _number(r.get("max_points")) if r.get("max_points") is not None else None,
            "method": str(r.get("method") or "").strip(),
        }
        if r.get("metric"):
            sub["metric"] = str(r["metric"]).strip()
        if r.get("target_percent") is not None and str(r["target_percent"]).strip():
            sub["target_percent"] = _number(r["target_percent"])
        if r.get("steps") is not None and str(r["steps"]).strip():
            sub["steps"] = _steps(r["steps"], f"{where}, column steps", problems)
        if r.get("options") is not None and str(r["options"]).strip():
            sub["options"] = _options(r["options"], f"{where}, column options", problems)
        if r.get("per_count") is not None and str(r["per_count"]).strip():
            sub["per_count"] = _number(r["per_count"])
        if r.get("when_nothing") is not None and str(r["when_nothing"]).strip():
            sub["when_nothing"] = str(r["when_nothing"]).strip()
        parent_code = str(r.get("parent_code") or "").strip()
        if not parent_code:
            areas[area_code]["sub_criteria"].append(sub)
        elif read.get(parent_code, (None,))[0] != area_code:
            problems.append(
                _(
                    "%(where)s, column parent_code: no item “%(code)s” of area %(area)s in a "
                    "row above (an item follows the item it is part of)."
                )
                % {"where": where, "code": parent_code, "area": area_code}
            )
        else:
            parent = read[parent_code][1]
            if not parent.get("method"):
                parent.pop("method", None)  # an item with items states no rule
            parent.setdefault("items", []).append(sub)
        read.setdefault(sub["code"], (area_code, sub))
    workbook.close()
    if problems:
        raise WorkbookProblems(problems)
    document["areas"] = list(areas.values())
    return document
