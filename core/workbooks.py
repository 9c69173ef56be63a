"""Writing rows of exported workbooks: what people typed stays text.

openpyxl turns any string that starts with "=" into a formula, so a framework named
'=HYPERLINK(…)' or '=cmd|…' would become a live formula (or a DDE call) in the workbook that
officers and leaders open. Every exported sheet appends its rows through here.
"""


def append_row(sheet, values) -> None:
    """Append a row; every string is written as a string, never as a formula."""
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        if cell.data_type == "f":
            cell.data_type = "s"
