"""Reading a one-stop software export as it comes (#17): a title block, a header of one or two
rows ("Tiếp nhận" over "Tổng số | Kỳ trước | Trong kỳ | Qua mạng"), then one row per unit,
perhaps a row of column numbers and a totals row. What the columns mean is the mapping's
(`ExportMapping`), chosen once per source system; no header is guessed."""

import calendar
import datetime
import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.problems import Problem
from dossiers.columns import VIETNAMESE_HEADERS
from dossiers.metrics import COUNTER_FIELDS, COUNTER_LABELS, REQUIRED_COUNTERS

EXPORT_FIELDS = {
    "unit": gettext_lazy("Unit (name or code)"),
    "total": gettext_lazy("Received, total (checked, not stored)"),
    **COUNTER_LABELS,
}
REQUIRED_EXPORT_FIELDS = ("unit", *REQUIRED_COUNTERS)
# The layout of the provincial one-stop systems' "Bảng thống kê chi tiết việc tiếp nhận và trả
# kết quả" (14 columns under a title block), where "trong kỳ" leaves out the dossiers received
# online. Shipped ready to use (migration 0003 wrote the same); an administrator adds others.
STANDARD_MAPPING = "Một cửa điện tử — Bảng thống kê chi tiết"
STANDARD_COLUMNS = {
    "unit": "Đơn vị",
    "total": "Tiếp nhận / Tổng số",
    "carried_over": "Tiếp nhận / Kỳ trước",
    "received": "Tiếp nhận / Trong kỳ",
    "received_online": "Tiếp nhận / Qua mạng",
    "resolved_early": "Đã xử lý / Trước hạn",
    "resolved_on_time": "Đã xử lý / Đúng hạn",
    "resolved_late": "Đã xử lý / Quá hạn",
    "pending_on_time": "Đang xử lý / Trong hạn",
    "pending_overdue": "Đang xử lý / Quá hạn",
    "awaiting_supplement": "Chờ bổ sung",
    "returned": "Trả lại / Xin rút",
    "suspended": "Tạm dừng",
    "other_outcome": "Khác",
}


def standard_mapping():
    """The shipped mapping, made again if it was removed (seed_demo asks for it too)."""
    from dossiers.models import ExportMapping

    mapping, _created = ExportMapping.objects.get_or_create(
        name=STANDARD_MAPPING,
        defaults={"columns": STANDARD_COLUMNS, "in_period_includes_online": False},
    )
    return mapping


# How far down the sheet the header may be: title blocks run to a dozen rows.
HEADER_SEARCH_ROWS = 40


def header_key(text) -> str:
    """A header compared without case or spacing: "Đã xử lý/ Quá  hạn" → "đã xử lý / quá hạn"."""
    text = unicodedata.normalize("NFC", str(text or "")).lower()
    text = re.sub(r"\s*/\s*", " / ", text)
    return re.sub(r"\s+", " ", text).strip()


def _cell_text(cell) -> str:
    return "" if cell is None else str(cell).strip()


def _combined(top: list, below: list) -> list[str]:
    """Headers of a two-row header: a heading over several columns ("Đã xử lý", written in its
    first, merged cell) names the columns under it "Đã xử lý / Trước hạn"; a header spanning
    both rows ("Chờ bổ sung") stands alone."""
    names, group = [], ""
    for position in range(max(len(top), len(below))):
        upper = _cell_text(top[position]) if position < len(top) else ""
        lower = _cell_text(below[position]) if position < len(below) else ""
        if upper:
            group = upper if lower else ""
        if upper and lower:
            names.append(f"{upper} / {lower}")
        elif lower:
            names.append(f"{group} / {lower}" if group else lower)
        else:
            names.append(upper)
    return names


@dataclass
class Layout:
    header_rows: list[int]  # row numbers as the spreadsheet shows them
    data_from: int  # index in the rows of the first row after the header
    columns: dict[str, int] = field(default_factory=dict)  # field → position
    labels: dict[str, str] = field(default_factory=dict)  # field → header as printed
    missing: list[str] = field(default_factory=list)  # mapped fields the file does not have


def find_layout(rows: list[tuple[int, list]], mapping) -> Layout | None:
    """The header the mapping's unit column names, read as one or two rows, whichever finds
    more of the mapping's columns; None when no row of the top of the sheet has it."""
    wanted = {name: header_key(text) for name, text in mapping.columns.items() if text}
    unit = wanted.get("unit")
    for index, (number, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        single = [_cell_text(c) for c in cells]
        if unit not in {header_key(c) for c in single}:
            continue
        options = [([number], single, index + 1)]
        if index + 1 < len(rows):
            below_number, below = rows[index + 1]
            options.append(([number, below_number], _combined(cells, below), index + 2))
        best = max(options, key=lambda o: sum(header_key(h) in wanted.values() for h in o[1]))
        header_rows, names, data_from = best
        layout = Layout(header_rows, data_from)
        keys = [header_key(h) for h in names]
        for name, key in wanted.items():
            if key in keys:
                layout.columns[name] = keys.index(key)
                layout.labels[name] = names[keys.index(key)]
            else:
                layout.missing.append(name)
        return layout
    return None


_DAY = r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})"
_RANGE = re.compile(rf"từ\s*(?:ngày)?\s*{_DAY}\s*(?:-|–|đến)\s*(?:ngày)?\s*{_DAY}")
_MONTH = re.compile(r"tháng\s*([0-9]{1,2})\s*(?:/|năm)\s*([0-9]{4})")


def title_month(rows: list[tuple[int, list]], before: int) -> tuple[datetime.date | None, str]:
    """The month the title block states ("Từ ngày 01/10/2026 đến ngày 31/10/2026", "Tháng 10
    năm 2026"): (first day, "") or (None, why not); (None, "") when it states none."""
    for _number, cells in rows[:before]:
        for cell in cells:
            text = unicodedata.normalize("NFC", _cell_text(cell)).lower()
            if match := _RANGE.search(text):
                try:
                    d1, m1, y1, d2, m2, y2 = (int(g) for g in match.groups())
                    start, end = datetime.date(y1, m1, d1), datetime.date(y2, m2, d2)
                except ValueError:
                    return None, _("the title's dates “%(text)s” are not dates") % {
                        "text": match.group(0)
                    }
                last = calendar.monthrange(start.year, start.month)[1]
                if start.day != 1 or end != start.replace(day=last):
                    return None, _(
                        "the export covers %(start)s to %(end)s; statistics are imported a whole "
                        "month at a time"
                    ) % {"start": f"{start:%d/%m/%Y}", "end": f"{end:%d/%m/%Y}"}
                return start, ""
            if match := _MONTH.search(text):
                month, year = int(match.group(1)), int(match.group(2))
                if 1 <= month <= 12:
                    return datetime.date(year, month, 1), ""
    return None, ""


_GROUPED = re.compile(r"[0-9]{1,3}(?:[., \u00a0][0-9]{3})+")


def export_count(cell):
    """A figure as exports print it: "1.234" and "1 234" are 1234; a blank cell or a dash is 0,
    as the software prints zero; anything else is left for the statistics' own check
    (dossiers.validation.parse_count) to judge."""
    if cell is None:
        return 0
    if isinstance(cell, str):
        text = cell.strip()
        if text in ("", "-", "–"):
            return 0
        if _GROUPED.fullmatch(text):
            return re.sub(r"[^0-9]", "", text)
    return cell


def problem_columns(layout: Layout, in_period_includes_online: bool) -> dict[str, str]:
    """Each stored field's column as the export prints it, for the problems' column names."""
    labels = {
        name: layout.labels.get(name, VIETNAMESE_HEADERS.get(name, name)) for name in COUNTER_FIELDS
    }
    if not in_period_includes_online and "received_online" in layout.labels:
        labels["received"] = (
            f"{layout.labels.get('received', 'received')} + {layout.labels['received_online']}"
        )
    labels["commune_code"] = layout.labels.get("unit", "unit")
    return labels


def missing_problems(layout: Layout, mapping) -> list[Problem]:
    """A required figure the mapping names but the file's header lacks, or that the mapping
    does not name at all."""
    header = layout.header_rows[0]
    problems = []
    for name in REQUIRED_EXPORT_FIELDS:
        text = mapping.columns.get(name)
        if not text:
            message = _("the mapping “%(mapping)s” does not say which column holds it") % {
                "mapping": mapping.name
            }
        elif name in layout.missing:
            message = _("the column “%(header)s” of the mapping is not in the header") % {
                "header": text
            }
        else:
            continue
        problems.append(Problem(header, str(EXPORT_FIELDS[name]), message))
    return problems
