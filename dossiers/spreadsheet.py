"""The downloadable XLSX template: Vietnamese headers, the commune and the months filled in, and
the figures already entered, so that the file uploaded back changes only what the person typed."""

import io

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from core.workbooks import append_row
from dossiers.columns import ALL_COLUMNS, VIETNAMESE_HEADERS

TEMPLATE_COLUMNS = ("commune_code", "commune_name", *ALL_COLUMNS[1:])


def monthly_template(commune, months, reports=()) -> bytes:
    """`reports`: the stored months of the commune; their figures come pre-filled."""
    stored = {report.month: report for report in reports}
    book = Workbook()
    sheet = book.active
    sheet.title = "So lieu"
    append_row(sheet, [VIETNAMESE_HEADERS[c] for c in TEMPLATE_COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="0B5394")
    for month in months:
        row = [commune.code, commune.name, f"{month:%Y-%m}"]
        report = stored.get(month)
        figures = [getattr(report, c) if report else None for c in TEMPLATE_COLUMNS[len(row) :]]
        append_row(sheet, row + figures)
    for row in sheet.iter_rows(min_row=2, max_col=3):
        for cell in row:
            cell.number_format = "@"  # text: keeps "00004" and "2024-07" as typed
    for index, column in enumerate(TEMPLATE_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(
            12, len(VIETNAMESE_HEADERS[column]) + 2
        )
    sheet.freeze_panes = "D2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
