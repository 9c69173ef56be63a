"""The ranking as an XLSX workbook, with the headers in the reader's language."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from core.workbooks import append_row
from scoring.models import localized


def ranking_workbook(dashboards) -> bytes:
    """A sheet per ranking (one, or one per ranking group of the framework)."""
    book = Workbook()
    book.remove(book.active)
    for dashboard in dashboards:
        _ranking_sheet(book, dashboard)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _ranking_sheet(book, dashboard) -> None:
    group = dashboard.ranking_group
    # Sheet titles are at most 31 characters and unique: the period, and the group's code.
    sheet = book.create_sheet(
        f"{dashboard.period.code} {group.code}"[:31] if group else dashboard.period.code
    )
    title = (
        f"{dashboard.framework.issuer.name} · {dashboard.framework.name} · {dashboard.period.code}"
    )
    if group is not None:
        title += f" · {localized(group)}"
    append_row(sheet, [title])
    sheet["A1"].font = Font(bold=True, size=12)
    headers = [
        _("Rank"),
        _("Previous rank"),
        _("Code"),
        _("Unit"),
        _("Index (%)"),
        _("Band"),
        *[f"{_('Area')} {a.code}" for a in dashboard.areas],
        _("Provisional"),
        # After the columns other systems read by position: the points behind the index.
        _("Points"),
        _("Maximum points"),
    ]
    append_row(sheet, headers)
    for cell in sheet[2]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="0B5394")
    for row in dashboard.rows:
        append_row(
            sheet,
            [
                row.rank,
                row.previous_rank,
                row.unit.code,
                row.unit.name,
                float(row.index_percent),
                row.band_label,
                *[float(percent) if percent is not None else None for percent, _css in row.cells],
                _("yes") if row.provisional else _("no"),
                float(row.total_points + row.bonus_points - row.penalty_points),
                float(row.max_points),
            ],
        )
    for column in range(5, 7 + len(dashboard.areas)):
        for cell in sheet.iter_rows(min_row=3, min_col=column, max_col=column):
            cell[0].number_format = "0." + "0" * dashboard.framework.precision
    widths = [6, 8, 8, 28, 10, 12, *[9] * len(dashboard.areas), 10, 9, 9]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "E3"
